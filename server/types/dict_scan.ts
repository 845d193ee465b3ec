/**
 * SCAN over a PackedDict: Redis's reverse-binary cursor (dictScan's rev()
 * arithmetic), which keeps its guarantee across resizes, and an iterator
 * built on it that stays valid while the dict changes.
 */
import type { PackedDict } from "./packed_dict.ts";

/** Reverses the bits of a 32-bit cursor (Redis's rev()). */
function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Increments a reverse-binary cursor over the bits of `mask`. */
export function nextCursor(v: number, mask: number): number {
  return reverseBits((reverseBits((v | ~mask) >>> 0) + 1) >>> 0);
}

/** Walks a PackedDict bucket by bucket with a reverse-binary cursor, then its large entries. */
export class ScanIterator implements Iterator<[string, string]> {
  #cursor = 0;
  #started = false;
  #pending: [string, string][] = [];
  #pendingIndex = 0;
  #large: Iterator<[string, { value: string }]> | undefined;
  #bucketsDone = false;

  constructor(readonly dict: PackedDict) {}

  next(): IteratorResult<[string, string]> {
    for (;;) {
      const entry = this.#pending[this.#pendingIndex];
      if (entry !== undefined) {
        this.#pendingIndex++;
        return { done: false, value: entry };
      }
      if (this.#bucketsDone) return this.#nextLarge();
      if (this.#started && this.#cursor === 0) {
        this.#bucketsDone = true;
        this.#large = this.dict.largeEntries();
        continue;
      }
      this.#started = true;
      this.#pending = [];
      this.#pendingIndex = 0;
      this.#cursor = this.dict.scanBuckets(this.#cursor, (bucket) => {
        const pending = this.#pending;
        if (bucket.length > 0) this.dict.visitBucket(bucket, (f, v) => pending.push([f, v]));
      });
    }
  }

  #nextLarge(): IteratorResult<[string, string]> {
    const step = this.#large?.next();
    if (step === undefined || step.done) return { done: true, value: undefined };
    return { done: false, value: [step.value[0], step.value[1].value] };
  }
}
