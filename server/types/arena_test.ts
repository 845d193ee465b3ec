import { equal } from "node:assert/strict";
import { Arena, PAGE_BITS, PAGE_SIZE } from "./arena.ts";

const RECORD = PAGE_SIZE / 4;
const pageOfRef = (ref: number) => (ref >>> PAGE_BITS) - 1;

/** An arena of `pages` full pages of four records each (and the page after them open). */
function filled(pages: number) {
  const filledPages: number[] = [];
  const arena = new Arena((index) => filledPages.push(index));
  const refs: number[] = [];
  for (let i = 0; i < pages * 4 + 1; i++) refs.push(arena.reserve(RECORD));
  return { arena, refs, filledPages };
}

Deno.test("Arena: a page full of dead records is freed at once, others wait for the budget", () => {
  const { arena, refs, filledPages } = filled(8);
  equal(filledPages.join(), "0,1,2,3,4,5,6,7");
  equal(arena.liveBytes, 33 * RECORD);
  // One dead record in page 1: under 1/32 of the arena, nothing to do.
  equal(arena.toCompact(arena.release(refs[4]!, RECORD)), -1);
  for (const ref of refs.slice(0, 4)) arena.release(ref, RECORD);
  equal(arena.toCompact(pageOfRef(refs[0]!)), 0);
  arena.retire(0);
  equal(arena.liveBytes, 28 * RECORD);
  equal(arena.pageCount, 9, "one spare page is kept");
});

Deno.test("Arena: past an eighth dead, the page with the largest dead share is chosen", () => {
  const { arena, refs } = filled(8);
  arena.release(refs[4]!, RECORD); // page 1: a quarter dead
  equal(arena.toCompact(1), -1, "1 of 33 records dead is under 1/32");
  arena.release(refs[8]!, RECORD); // page 2: a half dead
  arena.release(refs[9]!, RECORD);
  arena.release(refs[12]!, RECORD); // page 3: a quarter
  arena.release(refs[16]!, RECORD); // page 4: a quarter
  equal(arena.toCompact(4), 2);
  // Its two live records move (counted again where they land), then it goes.
  arena.reserve(RECORD);
  arena.reserve(RECORD);
  arena.retire(2);
  equal(arena.liveBytes, (33 - 5) * RECORD);
});

/** An arena of `pages` full pages of 64 small records each (and the page after them open). */
function filledSmall(pages: number) {
  const arena = new Arena(() => {});
  const refs: number[] = [];
  for (let i = 0; i < pages * 64 + 1; i++) refs.push(arena.reserve(PAGE_SIZE / 64));
  return { arena, refs };
}

Deno.test("Arena: between 1/32 and 1/8 dead, only a page a quarter dead is compacted", () => {
  const { arena, refs } = filledSmall(16);
  const kill = (page: number, count: number) => {
    let last = -1;
    for (let i = 0; i < count; i++) {
      last = arena.toCompact(arena.release(refs[page * 64 + i]!, PAGE_SIZE / 64));
    }
    return last;
  };
  // Deaths spread evenly: 6 of 64 records in each page is past 1/32 of the
  // arena and under an eighth, and no page is a quarter dead.
  let chosen = -1;
  for (let page = 0; page < 16; page++) chosen = Math.max(chosen, kill(page, 6));
  equal(chosen, -1);
  // One page reaching a quarter dead (16 of 64) is taken, once the look is
  // due (every half page of deaths).
  const seen = new Set<number>();
  for (let i = 6; i < 16; i++) {
    seen.add(arena.toCompact(arena.release(refs[3 * 64 + i]!, PAGE_SIZE / 64)));
  }
  equal(seen.has(3), false, "under a quarter dead");
  for (let i = 16; i < 64 && !seen.has(3); i++) {
    seen.add(arena.toCompact(arena.release(refs[3 * 64 + i]!, PAGE_SIZE / 64)));
  }
  equal(seen.has(3), true);
  equal([...seen].filter((page) => page !== -1 && page !== 3).length, 0);
});
