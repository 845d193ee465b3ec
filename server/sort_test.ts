import { deepEqual, equal } from "node:assert/strict";
import {
  compareCStrings,
  limitWindow,
  patternKey,
  sortElements,
  type SortLookup,
  type SortSpec,
  sortSpec,
} from "./sort.ts";

// The keyspace of the examples below (replies recorded from redis-server 7.0).
const strings = new Map([["w_3", "30"], ["w_1", "10"], ["w_2", "20"], ["w_10", "5"]]);
const hashes = new Map([["h_1", new Map([["f", "x"]])], ["h_2", new Map([["f", "y"]])]]);
const lookup: SortLookup = (key, field) =>
  field === undefined ? strings.get(key) : hashes.get(key)?.get(field);
const list = ["3", "1", "2", "10", "b", "a"];
const numbers = ["3", "1", "2", "10"];

function sorted(elements: string[], over: Partial<SortSpec>, source: "list" | "set" = "list") {
  const result = sortElements(elements, source, sortSpec(over), lookup);
  return "error" in result ? result.error : result.rows;
}

Deno.test("numeric sort; a non-number is an error", () => {
  deepEqual(sorted(numbers, {}), ["1", "2", "3", "10"]);
  deepEqual(sorted(numbers, { desc: true }), ["10", "3", "2", "1"]);
  equal(sorted(list, {}), "conversion");
  deepEqual(sorted([" 2", "1"], {}), ["1", " 2"]);
  equal(sorted(["1", "   "], {}), "conversion");
  equal(sorted(["1", "3x"], {}), "conversion");
  deepEqual(sorted(["", "2", "1"], {}), ["", "1", "2"]);
  deepEqual(sorted(["1.5", "0x10", "-inf", "1e3"], {}), ["-inf", "1.5", "0x10", "1e3"]);
});

Deno.test("ALPHA compares bytes; LIMIT takes a window of the result", () => {
  deepEqual(sorted(list, { alpha: true }), ["1", "10", "2", "3", "a", "b"]);
  deepEqual(sorted(list, { alpha: true, desc: true, limitStart: 1, limitCount: 3 }), [
    "a",
    "3",
    "2",
  ]);
});

Deno.test("BY weights: missing keys weigh 0 and ties fall back to the elements", () => {
  deepEqual(sorted(list, { by: "w_*" }), ["a", "b", "10", "1", "2", "3"]);
  deepEqual(sorted(list, { by: "w_*", alpha: true }), ["b", "a", "1", "2", "3", "10"]);
});

Deno.test("GET patterns: #, string keys and hash fields, missing as undefined", () => {
  deepEqual(sorted(list, { by: "w_*", gets: ["#", "h_*->f", "w_*"] }), [
    ...["a", undefined, undefined],
    ...["b", undefined, undefined],
    ...["10", undefined, "5"],
    ...["1", "x", "10"],
    ...["2", "y", "20"],
    ...["3", undefined, "30"],
  ]);
});

Deno.test("BY without * keeps the value's order (reversed by DESC except for sets)", () => {
  deepEqual(sorted(list, { by: "nosort", desc: true, limitStart: 1, limitCount: 2 }), ["b", "10"]);
  deepEqual(sorted(list, { by: "nosort" }, "set"), list);
  deepEqual(sorted(list, { by: "nosort", desc: true }, "set"), list);
  deepEqual(sorted(list, { by: "nosort", store: true }, "set"), ["1", "10", "2", "3", "a", "b"]);
});

Deno.test("patternKey: first * replaced, ->field after it with a non-empty field", () => {
  deepEqual(patternKey("w_*", "1"), { key: "w_1", field: undefined });
  deepEqual(patternKey("h_*->f", "1"), { key: "h_1", field: "f" });
  deepEqual(patternKey("h_*->", "1"), { key: "h_1->", field: undefined });
  deepEqual(patternKey("a->b*", "1"), { key: "a->b1", field: undefined });
  deepEqual(patternKey("*_*", "x"), { key: "x_*", field: undefined });
  equal(patternKey("const", "1"), undefined);
  equal(patternKey("#", "1"), "#");
});

Deno.test("limitWindow clamps like Redis", () => {
  deepEqual(limitWindow(5, 0, -1), [0, 4]);
  deepEqual(limitWindow(5, 1, 2), [1, 2]);
  deepEqual(limitWindow(5, -3, 2), [0, 1]);
  deepEqual(limitWindow(5, 4, 10), [4, 4]);
  deepEqual(limitWindow(5, 5, 1), [4, 3]);
  deepEqual(limitWindow(0, 0, -1), [-1, -2]);
});

Deno.test("compareCStrings stops at the first NUL, as strcoll in the C locale", () => {
  equal(compareCStrings("a\0b", "a\0c"), 0);
  equal(compareCStrings("ab", "a") > 0, true);
  equal(compareCStrings("\xff", "a") > 0, true);
});
