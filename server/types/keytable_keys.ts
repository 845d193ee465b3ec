/**
 * Whole-table walks over a KeyTable, built on its SCAN step: safe while the
 * table changes (keys present throughout come once or more).
 */
import type { KeyTable } from "./keytable.ts";
import type { RedisValue } from "./value.ts";

/** Every key of `table`. */
export function* tableKeys(table: KeyTable): IterableIterator<string> {
  const batch: string[] = [];
  const push = (key: string) => batch.push(key);
  let cursor = 0;
  do {
    cursor = table.scan(cursor, 128, push);
    for (const key of batch) yield key;
    batch.length = 0;
  } while (cursor !== 0);
}

/** Every key of `table` with its value (read without recording an access). */
export function* tableEntries(table: KeyTable): IterableIterator<[string, RedisValue]> {
  for (const key of tableKeys(table)) {
    const value = table.peek(key);
    if (value !== undefined) yield [key, value];
  }
}
