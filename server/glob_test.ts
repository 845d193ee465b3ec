import { deepEqual, equal, ok } from "node:assert/strict";
import { globMatch } from "./glob.ts";

// Subjects every pattern below is tried against.
// deno-fmt-ignore
const SUBJECTS = [
  "", "a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc",
  "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo",
  "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::",
];

// Pattern → the subjects it matches, as redis-server 7.0.15 (x86-64) answered `KEYS pattern` with
// every subject stored as a key. KEYS skips the matcher for a lone `*`, so its row leaves out the
// empty key (`**` shows what the matcher itself does with it).
// deno-fmt-ignore
const CASE_SENSITIVE: [string, string[]][] = [
  ["", [""]],
  ["*", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["**", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["?", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f", "\x80", "\xff"]],
  ["??", ["ab", "x]"]],
  ["a", ["a"]],
  ["a*", ["a", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "a\x00b"]],
  ["*a", ["a", "aaa"]],
  ["*a*", ["a", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hallo", "a\x00b", "\xffab", "foo:bar:baz"]],
  ["a*b", ["ab", "abab", "aab", "a*b", "a?b", "a\\b", "a\x00b"]],
  ["a*c", ["abc", "aXc", "aac"]],
  ["a?c", ["abc", "aXc", "aac"]],
  ["a**b", ["ab", "abab", "aab", "a*b", "a?b", "a\\b", "a\x00b"]],
  ["*b*b", ["abab"]],
  ["?*", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["*?", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["*?*", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["a*a*b", ["abab", "aab"]],
  ["h?llo", ["hello", "hallo", "hillo"]],
  ["h*llo", ["hello", "hallo", "hllo", "heeeello", "hillo"]],
  ["h[ae]llo", ["hello", "hallo"]],
  ["h[^e]llo", ["hallo", "hillo"]],
  ["h[a-b]llo", ["hallo"]],
  ["h[b-a]llo", ["hallo"]],
  ["[a-c]", ["a", "b", "c"]],
  ["[c-a]", ["a", "b", "c"]],
  ["[a-]", ["a", "_", "^", "]"]],
  ["[-a]", ["a", "-"]],
  ["[]", []],
  ["[]a]", []],
  ["[^]", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f", "\x80", "\xff"]],
  ["[^", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f", "\x80", "\xff"]],
  ["[", []],
  ["[^a", ["b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f", "\x80", "\xff"]],
  ["[a", ["a"]],
  ["[ab", ["a", "b"]],
  ["[\\]]", ["]"]],
  ["[\\]", ["]"]],
  ["[\\", ["\\"]],
  ["\\", ["\\"]],
  ["\\*", ["*"]],
  ["\\?", ["?"]],
  ["a\\", []],
  ["\\a", ["a"]],
  ["a\\*b", ["a*b"]],
  ["a\\?b", ["a?b"]],
  ["a\\\\b", ["a\\b"]],
  ["[a-c-e]", ["a", "b", "c", "-"]],
  ["[a\\-c]", ["a", "c", "-"]],
  ["[\\-]", ["-"]],
  ["[*]", ["*"]],
  ["[?]", ["?"]],
  ["[[]", ["["]],
  ["[]]", []],
  ["x[]]", []],
  ["[Z-a]", ["a", "Z", "_", "^", "]", "[", "\\"]],
  ["[a-Z]", ["a", "Z", "_", "^", "]", "[", "\\"]],
  ["[\x00-a]", ["a", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00"]],
  ["[a-\xff]", ["a", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\xff"]],
  ["[\x80-\xff]", ["\x80", "\xff"]],
  ["[\xff-\x80]", ["\x80", "\xff"]],
  ["[\x00-\x7f]", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f"]],
  ["[^a-z]", ["A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f", "\x80", "\xff"]],
  ["[^\x00]", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "\x7f", "\x80", "\xff"]],
  ["*[", []],
  ["*[a", ["a", "aaa"]],
  ["[a-z]*[a-z]", ["ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "a\x00b", "foo:bar:baz"]],
  ["foo:*", ["foo:bar:baz", "foo::"]],
  ["foo:*:*", ["foo:bar:baz", "foo::"]],
  ["*:*:*", ["foo:bar:baz", "foo::"]],
  ["*\x00*", ["\x00", "a\x00b"]],
  ["[\x00]", ["\x00"]],
  ["\\\x00", ["\x00"]],
  ["[a-\\]]", []],
  ["[\\a-c]", ["a", "c", "-"]],  // Unterminated classes: the class runs to the end of the pattern, stars and all.
  ["*[a*", ["a", "*", "aaa"]],
  ["[a*", ["a", "*"]],
  ["*[a*b", ["a", "b", "*", "ab", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "a\x00b", "\xffab"]],
  ["a*[", []],
  ["*[^", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["[^*", ["a", "b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "?", "\x00", "\x7f", "\x80", "\xff"]],
  ["*[*", ["*"]],
  ["[*a", ["a", "*"]],
  ["*[\\", ["\\"]],
  ["*[a-", ["a", "-", "aaa"]],
  ["[a-", ["a", "-"]],
  ["*[[[[[[a", ["a", "[", "aaa"]],
  ["*[b[a", ["a", "b", "[", "ab", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "a\x00b", "\xffab"]],
  ["a*[b", ["ab", "abab", "aab", "a*b", "a?b", "a\\b", "a\x00b"]],
  ["*[]a", []],
  ["*a[a", ["aaa"]],
  ["[a\\", ["a", "\\"]],
  ["*\\", ["\\"]],
  ["\\[a", []],
  ["*[a-c-", ["a", "b", "c", "-", "ab", "abc", "aXc", "aac", "abab", "aab", "aaa", "a*b", "a?b", "a\\b", "a\x00b", "\xffab"]],
  ["*[\\]", ["]", "x]"]],
  ["*[^a-", ["b", "c", "z", "A", "Z", "_", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
  ["h*[l", []],
  ["*[o", ["hello", "hallo", "hllo", "heeeello", "hillo", "Hello"]],
  ["*[^a", ["b", "c", "z", "A", "Z", "_", "-", "^", "]", "[", "\\", "*", "?", "ab", "abc", "aXc", "aac", "abab", "aab", "a*b", "a?b", "a\\b", "hello", "hallo", "hllo", "heeeello", "hillo", "Hello", "\x00", "\x7f", "\x80", "\xff", "a\x00b", "\xffab", "x]", "foo:bar:baz", "foo::"]],
];

// Names `FUNCTION LIST LIBRARYNAME pattern` is tried against (it matches without case).
const LIBRARIES = ["abc", "ABC", "Abc", "_", "a_b", "Z", "z", "a1", "A_B", "zZ9"];

// Pattern → the library names redis-server 7.0.15 listed for it.
// deno-fmt-ignore
const NO_CASE: [string, string[]][] = [
  ["A*", ["abc", "ABC", "Abc", "a_b", "a1", "A_B"]],
  ["abc", ["abc", "ABC", "Abc"]],
  ["ABC", ["abc", "ABC", "Abc"]],
  ["[Z-a]", []],
  ["[a-Z]", []],
  ["[z-A]", ["Z", "z"]],
  ["[A-C]*", ["abc", "ABC", "Abc", "a_b", "a1", "A_B"]],
  ["[a-c]*", ["abc", "ABC", "Abc", "a_b", "a1", "A_B"]],
  ["[^a]*", ["_", "Z", "z", "zZ9"]],
  ["[^A]*", ["_", "Z", "z", "zZ9"]],
  ["a?C", ["abc", "ABC", "Abc"]],
  ["[_]", ["_"]],
  ["*B*", ["abc", "ABC", "Abc", "a_b", "A_B"]],
  ["[\\A]bc", ["ABC", "Abc"]],
  ["[\\a]bc", ["abc"]],
  ["\\Abc", ["abc", "ABC", "Abc"]],
  ["[ab]_[B]", ["a_b", "A_B"]],
  ["z*", ["Z", "z", "zZ9"]],
  ["[y-Z]*", []],
  ["*[Z]", ["Z", "z"]],
  ["[_-a]", ["_"]],
  ["[^Z-a]", ["_", "Z", "z"]],  ["[A", []],
  ["*[B", ["a_b", "A_B"]],
  ["[^Z", ["_"]],
  ["*[^A", ["abc", "ABC", "Abc", "_", "a_b", "Z", "z", "a1", "A_B", "zZ9"]],
  ["[a-", []],
  ["*[Z-", ["Z", "z"]],
  ["[\\A", []],
  ["*[\\b", ["a_b"]],
];

function matching(pattern: string, subjects: string[], nocase: boolean): string[] {
  return subjects.filter((s) => globMatch(pattern, s, nocase));
}

Deno.test("glob: every pattern matches exactly the subjects Redis matched", () => {
  for (const [pattern, expected] of CASE_SENSITIVE) {
    deepEqual(matching(pattern, SUBJECTS, false), expected, JSON.stringify(pattern));
  }
});

Deno.test("glob: nocase folds ASCII letters as Redis does, ranges ordered before folding", () => {
  for (const [pattern, expected] of NO_CASE) {
    deepEqual(matching(pattern, LIBRARIES, true), expected, JSON.stringify(pattern));
  }
});

Deno.test("glob: many stars against a long run of one letter end with the right answer", () => {
  const subject = "a".repeat(40);
  equal(globMatch("a*".repeat(20) + "b", subject), false);
  equal(globMatch("a*".repeat(20) + "a", subject), true);
  equal(globMatch("*a".repeat(20) + "*b", subject), false);
  equal(globMatch("*a".repeat(40), subject), true);
  equal(globMatch("*a".repeat(41), subject), false);
});

Deno.test("glob: patterns that would take exponential backtracking finish with the answer", () => {
  const long = "a".repeat(2000);
  equal(globMatch("*a".repeat(200) + "*b", long), false);
  equal(globMatch("*?".repeat(200) + "*[b-z]", long), false);
  equal(globMatch("*[a-a]".repeat(200) + "*", long), true);
  equal(globMatch("*a".repeat(200) + "*b", long + "b"), true);
  equal(globMatch("*aab".repeat(100), "aab".repeat(100)), true);
  equal(globMatch("*aab".repeat(100) + "*c", "aab".repeat(1000)), false);
});

Deno.test("glob: a pattern of 100,000 stars needs no recursion", () => {
  const stars = "*".repeat(100_000);
  equal(globMatch(stars, "x"), true);
  equal(globMatch(stars + "x" + stars + "y" + stars, "axbyc"), true);
  equal(globMatch("*x".repeat(50_000), "x".repeat(49_999)), false);
});

Deno.test("glob: a class is read once per pattern, not once per byte tried", () => {
  // Each class runs to the end of the pattern; read at every byte after the
  // star, as Redis's stringmatchlen does, this takes ~10^9 steps.
  const unterminated = "*" + "[a".repeat(20_000);
  const classes = "[a-z]".repeat(20_000) + "[0-9]";
  const subject = "a".repeat(20_000);
  const started = performance.now();
  equal(globMatch(unterminated, subject), true);
  equal(globMatch(unterminated, subject + "b"), false);
  equal(globMatch(unterminated, subject + "["), true);
  equal(globMatch("[" + "a".repeat(100_000), "a"), true);
  equal(globMatch(classes, "a".repeat(20_000) + "0"), true);
  equal(globMatch(classes, "a".repeat(20_000) + "x"), false);
  for (let i = 0; i < 1000; i++) equal(globMatch(unterminated, `key:${i}`), false);
  const elapsed = performance.now() - started;
  ok(elapsed < 1000, `took ${elapsed} ms`);
});
