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
  const { arena, refs, filledPages } = filled(4);
  equal(filledPages.join(), "0,1,2,3");
  equal(arena.liveBytes, 17 * RECORD);
  // One dead record in page 1: under an eighth of the arena, nothing to do.
  equal(arena.toCompact(arena.release(refs[4]!, RECORD)), -1);
  for (const ref of refs.slice(0, 4)) arena.release(ref, RECORD);
  equal(arena.toCompact(pageOfRef(refs[0]!)), 0);
  arena.retire(0);
  equal(arena.liveBytes, 12 * RECORD);
  equal(arena.pageCount, 5, "one spare page is kept");
});

Deno.test("Arena: past an eighth dead, the page with the largest dead share is chosen", () => {
  const { arena, refs } = filled(8);
  arena.release(refs[4]!, RECORD); // page 1: a quarter dead
  arena.release(refs[8]!, RECORD); // page 2: a half dead
  arena.release(refs[9]!, RECORD);
  equal(arena.toCompact(1), -1, "3 of 33 records dead is under the eighth");
  arena.release(refs[12]!, RECORD); // page 3: a quarter
  arena.release(refs[16]!, RECORD); // page 4: a quarter
  equal(arena.toCompact(4), 2);
  // Its two live records move (counted again where they land), then it goes.
  arena.reserve(RECORD);
  arena.reserve(RECORD);
  arena.retire(2);
  equal(arena.liveBytes, (33 - 5) * RECORD);
});
