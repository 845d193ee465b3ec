import { equal } from "node:assert/strict";
import { parseInteger } from "../args.ts";
import { integerAt, steppedDigits, stepText } from "./packed_digits.ts";

function random(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

Deno.test("integerAt reads what parseInteger reads, where it lies, and NaN for the rest", () => {
  const next = random(11);
  const texts = [
    "0",
    "-0",
    "00",
    "07",
    "-07",
    "-",
    "",
    "+1",
    " 1",
    "1 ",
    "12a",
    "-12",
    "9".repeat(15),
  ];
  texts.push("9".repeat(16), "-" + "9".repeat(14), "-" + "9".repeat(15), "1e3", "0x10");
  for (let i = 0; i < 20000; i++) {
    const chars = "-0123456789x";
    let text = "";
    for (let n = next(18); n > 0; n--) text += chars[next(chars.length)];
    texts.push(text);
  }
  for (const text of texts) {
    const expected = text.length < 16 ? parseInteger(text) : undefined;
    const read = integerAt(`\x03ab${text}cd`, 3, text.length);
    equal(Number.isNaN(read) ? undefined : read, expected, JSON.stringify(text));
  }
});

Deno.test("stepText writes the tail that turns a value's text into its sum's, or declines", () => {
  const next = random(5);
  const values = [
    0,
    1,
    9,
    10,
    99,
    100,
    -1,
    -9,
    -10,
    -99,
    999_999_999_999_999,
    -999_999_999_999_999,
  ];
  for (let i = 0; i < 20000; i++) {
    const digits = 1 + next(15);
    const magnitude = Math.floor(Math.random() * 10 ** digits);
    values.push(next(3) === 0 ? -magnitude : magnitude);
  }
  const increments = [0, 1, -1, 2, 9, 10, 11, 99, 100, 101, -100, 12345, -999_999_999_999_999];
  for (const value of values) {
    for (const increment of [...increments, next(2000) - 1000]) {
      const text = String(value);
      const sum = value + increment;
      const tail = stepText(value, sum, text.length);
      if (String(sum).length !== text.length || (sum < 0) !== (value < 0)) {
        equal(tail, undefined, `${value} + ${increment}`);
        continue;
      }
      // Signs and lengths alike: the step applies, and writes at most what changed.
      equal(tail === undefined, false, `${value} + ${increment}`);
      equal(
        text.slice(0, text.length - steppedDigits) + tail,
        String(sum),
        `${value} + ${increment}`,
      );
      equal(tail!.length, steppedDigits);
    }
  }
});
