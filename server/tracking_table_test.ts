import { deepEqual, equal } from "node:assert/strict";
import { TrackingTable } from "./tracking_table.ts";

Deno.test("TrackingTable: a random key in O(1), the last key filling a removed one's slot", () => {
  const table = new TrackingTable();
  for (const key of ["a", "b", "c", "d"]) table.add(key).add(1);
  equal(table.randomKey(() => 0), "a");
  equal(table.randomKey(() => 0.99), "d");
  deepEqual(table.delete("a"), new Set([1]));
  equal(table.delete("a"), undefined);
  // "d" moved into "a"'s slot; "c" is last now.
  equal(table.randomKey(() => 0), "d");
  equal(table.randomKey(() => 0.99), "c");
  equal(table.size, 3);
  table.delete("c");
  equal(table.randomKey(() => 0.99), "b");
  table.clear();
  equal(table.randomKey(() => 0), undefined);
  equal(table.size, 0);
});
