import { equal, throws } from "node:assert/strict";
import { ArgCursor, isWord, parseDouble, parseInt64, rangedLong } from "./args.ts";
import { CommandError, NOT_INTEGER, SYNTAX } from "./errors.ts";

function error(text: string) {
  return (err: unknown) => err instanceof CommandError && err.message === text;
}

Deno.test("ArgCursor: options in any case, values consumed in order, leftovers refused", () => {
  const args = new ArgCursor(["zrange", "k", "0", "-1", "LIMIT", "1", "2", "WithScores"], 4);
  equal(args.nextOption(), "limit");
  equal(args.remaining, 3);
  equal(args.nextInt(), 1);
  equal(args.nextInt(), 2);
  equal(args.peekOption(), "withscores");
  equal(args.eat("withscores"), true);
  equal(args.hasMore(), false);
  args.end();
  throws(() => args.next(), error(SYNTAX));
  throws(() => new ArgCursor(["get", "k", "extra"], 2).end(), error(SYNTAX));
});

Deno.test("ArgCursor: numbers with Redis's error for each command", () => {
  const args = new ArgCursor([
    "x",
    "abc",
    "-1",
    "5",
    "9223372036854775808",
    "-9223372036854775808",
  ]);
  throws(() => args.nextInt(), error(NOT_INTEGER));
  throws(
    () => args.nextLong(0n, 10n, "ERR COUNT can't be negative"),
    error("ERR COUNT can't be negative"),
  );
  throws(
    () => args.nextLong(0n, 4n),
    error("ERR value is out of range, value must between 0 and 4"),
  );
  throws(() => args.nextInt64(), error(NOT_INTEGER));
  equal(args.nextInt64(), -9223372036854775808n);
});

Deno.test("rangedLong: exact at the int64 bounds", () => {
  equal(rangedLong("9223372036854775807", 1n), 9223372036854775807);
  throws(
    () => rangedLong("-9223372036854775808", -9223372036854775807n),
    error(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    ),
  );
  throws(() => rangedLong("01", 0n), error(NOT_INTEGER));
});

Deno.test("parseInt64 and rangedLong: the short-number path agrees with string2ll's rules", () => {
  const reference = (s: string): bigint | undefined => {
    if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return undefined;
    const v = BigInt(s);
    return v > 9223372036854775807n || v < -9223372036854775808n ? undefined : v;
  };
  const inputs = [
    "",
    "0",
    "-0",
    "00",
    "01",
    "-01",
    "-",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "1e3",
    "0x10",
    "\uff11",
    "7",
    "-7",
    "123456789012345",
    "-12345678901234",
    "1234567890123456",
    "-123456789012345",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    // Every one-char string (parseInteger's single-digit path).
    ...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)),
  ];
  for (let i = 0; i < 2000; i++) {
    const digits = String(Math.floor(Math.random() * 10 ** (1 + (i % 16))));
    inputs.push(digits, "-" + digits, digits + "x", "0" + digits);
  }
  for (const s of inputs) {
    equal(parseInt64(s), reference(s), JSON.stringify(s));
    const expected = reference(s);
    if (expected === undefined) {
      throws(() => rangedLong(s, -(10n ** 18n)), { message: NOT_INTEGER });
    } else if (expected < 0n) throws(() => rangedLong(s, 0n), /must be between|out of range/);
    else equal(rangedLong(s, 0n), Number(expected));
  }
});

Deno.test("isWord: an option in any ASCII case, nothing else", () => {
  for (const word of ["ex", "EX", "Ex", "eX"]) equal(isWord(word, "ex"), true, word);
  for (const word of ["e", "exx", "ey", "\u00c9x", "e\x18", ""]) {
    equal(isWord(word, "ex"), false, word);
  }
  equal(isWord("KEEPTTL", "keepttl"), true);
  // Only A-Z fold: a control character is not its letter's or digit's lower case.
  equal(isWord("\x01", "!"), false);
  equal(isWord("\x0b", "+"), false);
});

Deno.test("parseDouble: the plain decimals' fast path accepts and refuses as the full syntax", () => {
  /** The full syntax alone (Redis's strtold forms), to compare the fast path with. */
  const full = (s: string) =>
    /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s) ? Number(s) : undefined;
  const samples = ["0", "-0", "+7", "007", "1.", ".5", "-.5", "+1.25", "15", "37.502669", "."];
  samples.push("+", "-", "", "1..2", "1.2.3", "--1", "+-1", "1-", "1e5", " 1", "1 ", "0x10");
  samples.push("123456789012345678901.5", "-.", "+.", "9".repeat(23), "1.7976931348623157");
  for (const s of samples) {
    const expected = /^[+-]?(inf|infinity)$/i.test(s) ? Number(s) : full(s);
    equal(parseDouble(s), s.length === 0 ? undefined : expected, JSON.stringify(s));
  }
});
