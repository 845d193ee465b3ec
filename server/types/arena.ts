/**
 * The key table's arena: 1 MiB pages that records are appended to, with the
 * bookkeeping that decides when a page's live records should move out so the
 * page can be freed. The arena knows bytes and page offsets only; moving a
 * record (and repointing the index at it) is the key table's job.
 *
 * A ref is a record's address: page number + 1 in the top 12 bits (so 0
 * means none), the offset within the page below.
 */
import { free } from "./page_bytes.ts";

export const PAGE_BITS = 20;
export const PAGE_SIZE = 1 << PAGE_BITS;
export const OFFSET_MASK = PAGE_SIZE - 1;
const MAX_PAGES = (1 << (32 - PAGE_BITS)) - 1;
/** Free pages kept for reuse; beyond this they are returned to the allocator. */
const SPARE_PAGES = 1;
/** The share of arena bytes dead records may hold before the deadest page is compacted. */
const DEAD_SHARE_MAX = 1 / 8;
/**
 * Past this share, a page at least a quarter dead is compacted too: it moves
 * at most three live bytes for each dead one it frees. Deaths spread evenly
 * over the pages (random overwrites) leave no such page before
 * DEAD_SHARE_MAX; eviction, which prefers the deadest pages among equally idle
 * keys (KeyTable.sampleScored), makes them.
 */
const DEAD_SHARE_CHEAP = 1 / 32;
const QUARTER_DEAD = 1 / 4;

export class Arena {
  readonly pages: (Uint8Array | undefined)[] = [];
  /** Bytes written into each page (its fill point). */
  readonly #used: number[] = [];
  /** Bytes of each page that belong to dead records. */
  readonly #dead: number[] = [];
  /** The sum of #dead: bytes awaiting compaction. */
  #deadBytes = 0;
  /** Bytes of live records in all pages: the sum of #used less #dead. */
  liveBytes = 0;
  readonly #freePages: number[] = [];
  /** The page being filled, and its fill point. */
  #page = -1;
  #pos = PAGE_SIZE;
  /** Dead bytes at which the next look for a page a quarter dead is due (one per half page of deaths). */
  #nextLook = 0;

  /** `filled` hears of each page that filled up (its records may have died meanwhile). */
  constructor(private readonly filled: (pageIndex: number) => void) {}

  get pageCount(): number {
    let pages = 0;
    for (const page of this.pages) if (page !== undefined) pages++;
    return pages;
  }

  pageOf(ref: number): Uint8Array {
    return this.pages[(ref >>> PAGE_BITS) - 1]!;
  }

  /** The share of the bytes written into the page of `ref` that dead records hold (0..1). */
  deadShare(ref: number): number {
    const pageIndex = (ref >>> PAGE_BITS) - 1;
    return this.#dead[pageIndex]! / this.#used[pageIndex]!;
  }

  /** Bytes written into a page. */
  usedIn(pageIndex: number): number {
    return this.#used[pageIndex]!;
  }

  /** Room for `size` bytes in the current page (a fresh one if full); returns its ref. */
  reserve(size: number): number {
    while (this.#pos + size > PAGE_SIZE) this.#openPage();
    const ref = (((this.#page + 1) << PAGE_BITS) | this.#pos) >>> 0;
    this.#pos += size;
    this.#used[this.#page] = this.#pos;
    this.liveBytes += size;
    return ref;
  }

  #openPage(): void {
    const previous = this.#page;
    let index = this.#freePages.pop();
    if (index === undefined) {
      index = this.pages.indexOf(undefined);
      if (index < 0) index = this.pages.length;
      if (index >= MAX_PAGES) throw new Error("keyspace arena is full");
      this.pages[index] = new Uint8Array(PAGE_SIZE);
    }
    this.#page = index;
    this.#pos = 0;
    this.#used[index] = 0;
    this.#dead[index] = 0;
    if (previous >= 0) this.filled(previous);
  }

  /** Counts `size` bytes at `ref` as dead; returns its page. */
  release(ref: number, size: number): number {
    const pageIndex = (ref >>> PAGE_BITS) - 1;
    this.#dead[pageIndex]! += size;
    this.#deadBytes += size;
    this.liveBytes -= size;
    return pageIndex;
  }

  /**
   * The page to compact after a death in `pageIndex`, or -1: that page if
   * its records all died (freeing it moves nothing); past 1/32 of the arena
   * dead, the deadest page if a quarter of it is (looked for once per half
   * page of deaths); past an eighth, the deadest page whatever its share.
   * The deadest page, not every page past a threshold: under LRU eviction
   * records die roughly in the order they were written, so the oldest page
   * is nearly empty when its turn comes, where compacting each page a
   * quarter dead moved three live bytes for every dead one freed
   * (docs/memory.md).
   */
  toCompact(pageIndex: number): number {
    const used = this.#used[pageIndex]!;
    if (pageIndex !== this.#page && used !== 0 && this.#dead[pageIndex] === used) return pageIndex;
    const total = this.liveBytes + this.#deadBytes;
    if (this.#deadBytes <= total * DEAD_SHARE_CHEAP) return -1;
    if (this.#deadBytes <= total * DEAD_SHARE_MAX) {
      if (this.#deadBytes < this.#nextLook) return -1;
      this.#nextLook = this.#deadBytes + PAGE_SIZE / 2;
      const deadest = this.#deadest();
      return deadest >= 0 && this.#dead[deadest]! >= this.#used[deadest]! * QUARTER_DEAD
        ? deadest
        : -1;
    }
    return this.#deadest();
  }

  /** The page (other than the one being filled) with the largest dead share, or -1. */
  #deadest(): number {
    let best = -1;
    let bestShare = 0;
    for (let i = 0; i < this.pages.length; i++) {
      const bytes = this.#used[i]!;
      if (i === this.#page || bytes === 0 || this.pages[i] === undefined) continue;
      const share = this.#dead[i]! / bytes;
      if (share > bestShare) {
        best = i;
        bestShare = share;
      }
    }
    return best;
  }

  /** A page whose live records have been moved (and counted again where they went): frees it. */
  retire(pageIndex: number): void {
    this.#nextLook = 0;
    const dead = this.#dead[pageIndex]!;
    this.#deadBytes -= dead;
    this.liveBytes -= this.#used[pageIndex]! - dead;
    this.#used[pageIndex] = 0;
    this.#dead[pageIndex] = 0;
    if (this.#freePages.length < SPARE_PAGES) {
      this.#freePages.push(pageIndex);
    } else {
      free(this.pages[pageIndex]!);
      this.pages[pageIndex] = undefined;
    }
  }

  /** Every record died: frees every page but the one being filled, kept as a spare to reuse. */
  rewind(): void {
    const kept = this.#page < 0 ? undefined : this.pages[this.#page];
    if (kept !== undefined) this.pages[this.#page] = undefined;
    this.clear();
    if (kept === undefined) return;
    this.pages[0] = kept;
    this.#used[0] = 0;
    this.#dead[0] = 0;
    this.#freePages.push(0);
  }

  /** Frees every page. */
  clear(): void {
    for (const page of this.pages) if (page !== undefined) free(page);
    this.pages.length = 0;
    this.#used.length = 0;
    this.#dead.length = 0;
    this.#freePages.length = 0;
    this.#deadBytes = 0;
    this.liveBytes = 0;
    this.#page = -1;
    this.#pos = PAGE_SIZE;
    this.#nextLook = 0;
  }
}
