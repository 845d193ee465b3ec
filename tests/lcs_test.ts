/** LCS against the textbook dynamic programme, over random strings (reused tables included). */
import { equal, ok } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";

/** The LCS length by the plain recurrence, one full table per call. */
function lcsLength(a: string, b: string): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      t[i]![j] = a[i - 1] === b[j - 1]
        ? t[i - 1]![j - 1]! + 1
        : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
    }
  }
  return t[a.length]![b.length]!;
}

/** Whether `sub` is a subsequence of `s`. */
function isSubsequence(sub: string, s: string): boolean {
  let i = 0;
  for (let j = 0; j < s.length && i < sub.length; j++) if (s[j] === sub[i]) i++;
  return i === sub.length;
}

Deno.test("LCS and LCS LEN agree with the plain recurrence over random strings", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const word = () =>
    Array.from({ length: Math.floor(random() * 40) }, () => "abc"[Math.floor(random() * 3)])
      .join("");
  for (let round = 0; round < 200; round++) {
    const a = word();
    const b = word();
    await c.call("MSET", "a", a, "b", b);
    const expected = lcsLength(a, b);
    equal(await c.cmd("LCS", "a", "b", "LEN"), expected, `${a} ${b}`);
    const common = await c.cmd("LCS", "a", "b") as string;
    equal(common.length, expected);
    ok(isSubsequence(common, a) && isSubsequence(common, b), `${a} ${b} ${common}`);
  }
});
