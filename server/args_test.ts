import { equal, throws } from "node:assert/strict";
import { ArgCursor, rangedLong } from "./args.ts";
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
