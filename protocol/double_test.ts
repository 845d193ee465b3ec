import { equal, ok } from "node:assert/strict";
import { formatDouble, strtod, strtodWhole } from "./double.ts";

/**
 * Doubles and how Redis 7.2+ replies with them. Where Redis's own conversion
 * (Grisu2) is not the shortest, the rule (shortest round trip) wins.
 */
const EXPECTED: readonly [value: number, text: string][] = [
  [5e-324, "5e-324"],
  [2.2250738585072014e-308, "2.2250738585072014e-308"],
  [4.340341760017637e-22, "4.340341760017637e-22"],
  [6.41603404803275e-14, "6.41603404803275e-14"],
  [1e-7, "1e-7"],
  [1.5e-7, "1.5e-7"],
  [9.5367431640625e-7, "9.5367431640625e-7"],
  [0.000001, "0.000001"],
  [2.2838684224231275e-6, "2.2838684224231275e-6"],
  [0.00001, "0.00001"],
  [0.000123, "0.000123"],
  [1.2345678901234567e-4, "1.2345678901234567e-4"],
  [0.001, "0.001"],
  [0.1, "0.1"],
  [0.30000000000000004, "0.30000000000000004"],
  [1 / 3, "0.3333333333333333"],
  [1.1, "1.1"],
  [3.14159, "3.14159"],
  [17.0000000001, "17.0000000001"],
  [100.01, "100.01"],
  [12345.678901, "12345.678901"],
  [99999.9999, "99999.9999"],
  [123456.7, "123456.7"],
  [1234567.125, "1234567.125"],
  [-6.515035962730454e+265, "-6.515035962730454e+265"],
  [1e21, "1e+21"],
  [1.5e300, "1.5e+300"],
  [2 ** 62 * 1.5, "6917529027641082000"],
  [1e22, "1e+22"],
  [-2.5e-10, "-2.5e-10"],
];

Deno.test("formatDouble writes Redis's notation with the shortest digits", () => {
  for (const [value, text] of EXPECTED) equal(formatDouble(value), text, String(value));
});

Deno.test("formatDouble spells the special values as Redis", () => {
  equal(formatDouble(Infinity), "inf");
  equal(formatDouble(-Infinity), "-inf");
  equal(formatDouble(NaN), "nan");
  equal(formatDouble(0), "0");
  equal(formatDouble(-0), "-0");
  equal(formatDouble(-12), "-12");
  equal(formatDouble(2 ** 62), "4611686018427387904");
  equal(formatDouble(-(2 ** 62)), "-4611686018427387904");
});

Deno.test("formatDouble output parses back to the same double", () => {
  let seed = 99;
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 20_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    view.setUint32(0, seed);
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    view.setUint32(4, seed ^ (seed << 7));
    const d = view.getFloat64(0);
    if (!Number.isFinite(d)) continue;
    equal(Number(formatDouble(d)), d, String(d));
  }
  for (let i = 0; i < 20_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const d = (seed / 2 ** 32) * 10 ** ((i % 30) - 12);
    equal(Number(formatDouble(d)), d, String(d));
  }
});

/**
 * glibc's strtod on each input: the value, the characters it consumed, and
 * whether it overflowed to inf or underflowed to 0 (ERANGE with such a result).
 */
const GLIBC_STRTOD: [input: string, value: number, length: number, outOfRange: boolean][] = [
  ["1", 1, 1, false],
  ["-1.5", -1.5, 4, false],
  ["+2", 2, 2, false],
  [" 3", 3, 2, false],
  ["\t4", 4, 2, false],
  ["", 0, 0, false],
  ["  ", 0, 0, false],
  ["abc", 0, 0, false],
  ["1e5", 100000, 3, false],
  ["1e", 1, 1, false],
  ["1e+", 1, 1, false],
  ["1e-3x", 0.001, 4, false],
  [".5", 0.5, 2, false],
  ["5.", 5, 2, false],
  [".", 0, 0, false],
  ["-.5e1", -5, 5, false],
  ["inf", Infinity, 3, false],
  ["-Infinity", -Infinity, 9, false],
  ["INFINITY", Infinity, 8, false],
  ["infx", Infinity, 3, false],
  ["infinit", Infinity, 3, false],
  ["nan", NaN, 3, false],
  ["NaN(123)", NaN, 8, false],
  ["nan(", NaN, 3, false],
  ["nan(abc", NaN, 3, false],
  ["0x10", 16, 4, false],
  ["0x1p3", 8, 5, false],
  ["0x1.8p1", 3, 7, false],
  ["0X.8", 0.5, 4, false],
  ["0x", 0, 1, false],
  ["0xg", 0, 1, false],
  ["0x.p1", 0, 1, false],
  ["0x1p", 1, 3, false],
  ["1e400", Infinity, 5, true],
  ["-1e400", -Infinity, 6, true],
  ["1e-400", 0, 6, true],
  ["4.9e-324", 4.9406564584124654e-324, 8, false],
  ["2e-324", 0, 6, true],
  ["1e-310", 9.9999999999999694e-311, 6, false],
  ["00012", 12, 5, false],
  ["1_000", 1, 1, false],
  ["0x1P-1074", 4.9406564584124654e-324, 9, false],
  ["0x1p-1080", 0, 9, true],
  ["-0", -0, 2, false],
  ["1.7976931348623157e308", 1.7976931348623157e+308, 22, false],
  ["1.7976931348623159e308", Infinity, 22, true],
];

Deno.test("strtod reads what glibc's strtod reads", () => {
  for (const [input, value, length, outOfRange] of GLIBC_STRTOD) {
    const parsed = strtod(input);
    ok(Object.is(parsed.value, value), `${JSON.stringify(input)}: ${parsed.value}`);
    equal(parsed.length, length, JSON.stringify(input));
    equal(parsed.outOfRange, outOfRange, JSON.stringify(input));
  }
});

Deno.test("strtodWhole wants the whole string and no leading space", () => {
  equal(strtodWhole("1.5")?.value, 1.5);
  equal(strtodWhole(" 1.5"), undefined);
  equal(strtodWhole("1.5 "), undefined);
  equal(strtodWhole(""), undefined);
  equal(strtodWhole("1\0"), undefined);
  ok(Number.isNaN(strtodWhole("nan")?.value));
});
