/** Hints and help text generated from command-table rows, as redis-cli derives them from COMMAND DOCS. */
import { deepEqual, equal } from "node:assert/strict";
import {
  commandHelpEntries,
  commandHint,
  type HelpEntry,
  helpText,
  sortHelpEntries,
} from "./help.ts";

function entry(words: string, params: string): HelpEntry {
  const name = words.split(" ").at(-1)!.toLowerCase();
  return {
    words: words.split(" "),
    params,
    summary: `Summary of ${name}.`,
    since: "1.0.0",
    group: "string",
  };
}

const entries = sortHelpEntries([
  entry("SET", "key value [NX | XX] [GET]"),
  entry("GET", "key"),
  entry("CONFIG", ""),
  entry("CONFIG GET", "parameter [parameter ...]"),
  entry("CONFIG SET", "parameter value"),
]);

Deno.test("entries list commands and subcommands sorted by full name", () => {
  deepEqual(entries.map((e) => e.words.join(" ")), [
    "CONFIG",
    "CONFIG GET",
    "CONFIG SET",
    "GET",
    "SET",
  ]);
});

Deno.test("the hint shows the arguments not typed yet, up to the first optional one", () => {
  // Each pair is redis-cli 7.0's hint for the same text (with its own syntax strings).
  const cases: [string, string | undefined][] = [
    ["get", " key"],
    ["GeT", " key"],
    ["get ", "key"],
    ["get f", " "],
    ["set", " key value [NX | XX] [GET]"],
    ["set k", " value [NX | XX] [GET]"],
    ["set k ", "value [NX | XX] [GET]"],
    ["set k v", " [NX | XX] [GET]"],
    ["set k v nx get", " [NX | XX] [GET]"],
    ["config", " "],
    ["config get", " parameter [parameter ...]"],
    ["config get maxmemory", " [parameter ...]"],
    ["config set x", " value"],
    ["nosuch", undefined],
    ["", undefined],
    ["   ", undefined],
    ['get "unbalanced', undefined],
  ];
  for (const [text, hint] of cases) equal(commandHint(text, entries), hint, JSON.stringify(text));
});

Deno.test("hints come from the bundled command data", () => {
  const real = commandHelpEntries();
  equal(commandHint("get", real), " key");
  equal(commandHint("ping", real), " [message]");
});

Deno.test("help <command> describes it like redis-cli, help @group lists the group", () => {
  equal(
    helpText(["get"], entries, "7.0.0"),
    "\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n" +
      "  \x1b[33msummary:\x1b[0m Summary of get.\r\n" +
      "  \x1b[33msince:\x1b[0m 1.0.0\r\n" +
      "  \x1b[33mgroup:\x1b[0m string\r\n\r\n",
  );
  const titles = (text: string) => text.split("\x1b[1m").slice(1).map((t) => t.split("\x1b")[0]);
  deepEqual(titles(helpText(["CONFIG"], entries, "7.0.0")), ["CONFIG", "CONFIG GET", "CONFIG SET"]);
  const group = helpText(["@string"], entries, "7.0.0");
  equal(titles(group).length, 5);
  equal(group.includes("group:"), false);
  equal(helpText(["nosuch"], entries, "7.0.0"), "\r\n");
  equal(
    helpText([], entries, "7.0.0").startsWith(
      "redis-home 7.0.0\nTo get help about Redis commands type:\n",
    ),
    true,
  );
});
