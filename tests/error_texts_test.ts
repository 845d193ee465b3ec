/**
 * Every error reply text lives in server/errors.ts (protocol-level ones in
 * protocol/errors.ts): no other non-test module under server/ or protocol/
 * writes a string literal that starts with an error code ("ERR ...",
 * "WRONGTYPE ...", "BUSYKEY ..."). Comments and strings only compared
 * against (`startsWith("ERR unknown command")`) are not replies and pass.
 */
import { deepEqual } from "node:assert/strict";
import { ROOT } from "./helpers.ts";

const SCANNED_DIRS = ["server", "protocol"];
const HOMES = new Set(["server/errors.ts", "protocol/errors.ts"]);

const CODES = [
  "ERR",
  "WRONGTYPE",
  "NOPERM",
  "NOAUTH",
  "WRONGPASS",
  "BUSY",
  "BUSYKEY",
  "BUSYGROUP",
  "NOGROUP",
  "NOTBUSY",
  "UNKILLABLE",
  "NOSCRIPT",
  "OOM",
  "EXECABORT",
  "LOADING",
  "READONLY",
  "MASTERDOWN",
  "NOREPLICAS",
  "MISCONF",
  "DENIED",
  "NOPROTO",
  "UNBLOCKED",
  "TESTFAILED",
];

/** A quote, an error code and a space: the start of an error reply literal. */
const ERROR_LITERAL = new RegExp(`["'\`](?:${CODES.join("|")}) `, "g");
/** Text just before a literal that makes it a comparison, not a reply. */
const COMPARED = /(?:startsWith|endsWith|includes|indexOf)\(\s*$|[!=]==?\s*$/;

/** The lines of `source` holding an inline error reply text, as "line: text". */
export function inlineErrorTexts(source: string): string[] {
  const found: string[] = [];
  source.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed.startsWith("//") || trimmed.startsWith("*") || trimmed.startsWith("/*")) return;
    for (const match of line.matchAll(ERROR_LITERAL)) {
      if (COMPARED.test(line.slice(0, match.index))) continue;
      found.push(`${i + 1}: ${trimmed}`);
      break;
    }
  });
  return found;
}

/** Every non-test TypeScript module under the scanned folders, as repo paths. */
function scannedModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) found.push(path);
    }
  };
  for (const dir of SCANNED_DIRS) walk(dir);
  return found.filter((path) => !HOMES.has(path)).sort();
}

Deno.test("the scan finds inline error texts and skips comments and comparisons", () => {
  const source = [
    'const BAD = "ERR Bad data format";',
    "throw new CommandError(`NOPERM no ${what}`);",
    '  return { type: "error", value: "BUSYKEY Target key name already exists." };',
    '// "ERR in a comment" is fine',
    ' * "WRONGTYPE in JSDoc" too',
    'if (message.startsWith("ERR unknown command")) count();',
    'const code = message === "OOM command not allowed" ? 1 : 2;',
    'const word = "ERR";',
    'const other = "ERRORS are words";',
  ].join("\n");
  deepEqual(inlineErrorTexts(source), [
    '1: const BAD = "ERR Bad data format";',
    "2: throw new CommandError(`NOPERM no ${what}`);",
    '3: return { type: "error", value: "BUSYKEY Target key name already exists." };',
  ]);
});

Deno.test("every error reply text lives in server/errors.ts or protocol/errors.ts", () => {
  const inline: string[] = [];
  for (const path of scannedModules()) {
    for (const hit of inlineErrorTexts(Deno.readTextFileSync(`${ROOT}${path}`))) {
      inline.push(`${path}:${hit}`);
    }
  }
  deepEqual(inline, [], `error texts written inline:\n${inline.join("\n")}`);
});
