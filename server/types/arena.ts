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
   * its records all died (freeing it moves nothing); else, past an eighth of
   * the arena dead, the page with the largest dead share. The deadest page,
   * not every page past a threshold: under LRU eviction records die roughly
   * in the order they were written, so the oldest page is nearly empty when
   * its turn comes, where compacting each page a quarter dead moved three
   * live bytes for every dead one freed (docs/memory.md).
   */
  toCompact(pageIndex: number): number {
    const used = this.#used[pageIndex]!;
    if (pageIndex !== this.#page && used !== 0 && this.#dead[pageIndex] === used) return pageIndex;
    if (this.#deadBytes <= (this.liveBytes + this.#deadBytes) * DEAD_SHARE_MAX) return -1;
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
  }
}
