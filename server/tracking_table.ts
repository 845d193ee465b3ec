/**
 * The key tracking table: key → ids of the clients that read it. Past
 * tracking-table-max-keys Redis drops keys picked by a random walk of its
 * radix tree (trackingLimitUsedSlots); here every key also sits in an array
 * so that a random one is picked in O(1), and a removed key's slot is taken
 * by the last key.
 */
interface Entry {
  readonly ids: Set<number>;
  slot: number;
}

export class TrackingTable {
  readonly #entries = new Map<string, Entry>();
  readonly #keys: string[] = [];

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Set<number> | undefined {
    return this.#entries.get(key)?.ids;
  }

  /** The ids of `key`, an empty set added when the key was not in the table. */
  add(key: string): Set<number> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { ids: new Set(), slot: this.#keys.length };
      this.#entries.set(key, entry);
      this.#keys.push(key);
    }
    return entry.ids;
  }

  /** Removes `key`; returns its ids, undefined when it was not there. */
  delete(key: string): Set<number> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    const last = this.#keys.pop()!;
    if (last !== key) {
      this.#keys[entry.slot] = last;
      this.#entries.get(last)!.slot = entry.slot;
    }
    return entry.ids;
  }

  clear(): void {
    this.#entries.clear();
    this.#keys.length = 0;
  }

  /** A key picked with `random` (a number in [0, 1)), undefined when the table is empty. */
  randomKey(random: () => number): string | undefined {
    if (this.#keys.length === 0) return undefined;
    return this.#keys[Math.floor(random() * this.#keys.length)];
  }
}
