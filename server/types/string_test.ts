import { deepEqual, equal } from "node:assert/strict";
import {
  addLongDouble,
  ByteString,
  exactDyadic,
  exactSumText,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
  stringEncoding,
  StringForm,
} from "./string.ts";

/** INCRBYFLOAT's result for `increments` applied to a missing key, or "error". */
function incrbyfloat(...increments: string[]): string {
  let value: LongDouble = parseLongDouble("0") as LongDouble;
  for (const text of increments) {
    const increment = parseLongDouble(text);
    if (increment === undefined || typeof increment === "number") return "error";
    const sum = addLongDouble(value, increment);
    if (typeof sum === "number") return "error";
    value = parseLongDouble(formatLongDouble(sum)) as LongDouble;
  }
  return formatLongDouble(value);
}

Deno.test("long double sums print as Redis 7's INCRBYFLOAT", () => {
  // Every expectation below is what redis-server 7.0 replied.
  equal(incrbyfloat("10.5"), "10.5");
  equal(incrbyfloat("3.0e3"), "3000");
  equal(incrbyfloat("0.1", "0.2"), "0.3");
  equal(incrbyfloat("-0"), "0");
  equal(incrbyfloat("0x1p-3"), "0.125");
  equal(incrbyfloat("+.5"), "0.5");
  equal(incrbyfloat("5."), "5");
  equal(incrbyfloat("1.23456789012345678901234"), "1.23456789012345679");
  equal(incrbyfloat("5e-18"), "0");
  equal(incrbyfloat("1e-4950"), "0");
  // Exact ties at the 17th decimal round to even, as glibc's printf does.
  equal(incrbyfloat("0.000003814697265625"), "0.00000381469726562");
  equal(incrbyfloat("0.000011444091796875"), "0.00001144409179688");
  equal(
    incrbyfloat("1.5e308", "1.5e308"),
    "299999999999999999999802952978936936062033681930121889934267370842360212133382092073513329456432044063805856741044049928681709165013290418975721613155792350350455287355122225755520606513477793033688249842856870392034430282663023473578541488576654642706081008486842868180099693230377808905266593729023699845120",
  );
  const huge = incrbyfloat("1e4000");
  equal(huge.length, 4000);
  equal(huge.slice(0, 40), "9999999999999999999965463873099623784932");
  equal(huge.slice(-40), "1956972190272729951206648276349901340672");
});

/** A random decimal text: dyadic or not, signed or not, short or long, sometimes odd syntax. */
function randomDecimal(): string {
  const shapes = [
    () => String(Math.floor(Math.random() * 2000) - 1000),
    () => String((Math.floor(Math.random() * 4000) - 2000) / 2 ** Math.floor(Math.random() * 6)),
    () => (Math.random() * 100).toFixed(Math.floor(Math.random() * 4)),
    () => String(Math.floor(Math.random() * 1e15)) + "." + String(Math.floor(Math.random() * 8)),
    () => "0." + String(Math.floor(Math.random() * 1e6)).padStart(6, "0"),
    () =>
      ["-0", "0.0", "1.", ".5", "+1.5", "1e3", "007.25", "-0.5", "inf", ""][
        Math.floor(Math.random() * 10)
      ]!,
  ];
  return shapes[Math.floor(Math.random() * shapes.length)]!();
}

Deno.test("exact double sums print exactly as the long double path prints them", () => {
  let quick = 0;
  for (let i = 0; i < 20000; i++) {
    const a = randomDecimal();
    const b = randomDecimal();
    const text = exactSumText(exactDyadic(a), exactDyadic(b));
    if (text === undefined) continue;
    quick++;
    const x = parseLongDouble(a) as LongDouble;
    const y = parseLongDouble(b) as LongDouble;
    equal(text, formatLongDouble(addLongDouble(x, y) as LongDouble), `${a} + ${b}`);
  }
  // Most shapes are exact; the fast path must actually be taken.
  equal(quick > 2000, true);
  equal(exactSumText(exactDyadic("10.5"), exactDyadic("1.5")), "12");
  equal(exactSumText(exactDyadic("3"), exactDyadic("0.25")), "3.25");
  equal(exactSumText(exactDyadic("10.5"), exactDyadic("0.1")), undefined);
  equal(exactSumText(exactDyadic("1e3"), exactDyadic("1")), undefined);
  equal(exactSumText(exactDyadic("-0.5"), exactDyadic("0.5")), "0");
});

Deno.test("strtold's syntax and range, as Redis's string2ld accepts it", () => {
  for (const bad of [" 1", "1 ", ".", "1e", "0x", "nan", "1e5000", "1e-5000", "", "1.2.3", "--1"]) {
    equal(incrbyfloat(bad), "error", bad);
  }
  equal(parseLongDouble("inf"), Infinity);
  equal(parseLongDouble("-Infinity"), -Infinity);
  equal(incrbyfloat("inf"), "error");
});

Deno.test("string encodings follow Redis's tryObjectEncoding", () => {
  equal(stringEncoding("123", StringForm.Encoded), "int");
  equal(stringEncoding("-9223372036854775808", StringForm.Encoded), "int");
  equal(stringEncoding("9223372036854775808", StringForm.Encoded), "embstr");
  equal(stringEncoding("0123", StringForm.Encoded), "embstr");
  equal(stringEncoding("x".repeat(44), StringForm.Encoded), "embstr");
  equal(stringEncoding("x".repeat(45), StringForm.Encoded), "raw");
  equal(stringEncoding("1", StringForm.Raw), "raw");
  equal(stringEncoding("3000", StringForm.Plain), "embstr");
});

Deno.test("ByteString.from keeps every byte of ASCII and binary strings, short and long", () => {
  const ascii = "bitmap:".repeat(20);
  const high = ascii + "\xff\x80" + ascii;
  const last = ascii + "\xe9";
  for (const s of ["", "ab\xff", ascii, high, last]) {
    const value = ByteString.from(s);
    equal(value.length, s.length);
    deepEqual([...value.bytes], [...s].map((c) => c.charCodeAt(0)));
  }
});
