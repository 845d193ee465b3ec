/** The line editor driven by scripted keystrokes on a fake terminal. */
import { deepEqual, equal } from "node:assert/strict";
import { History } from "./history.ts";
import { EditLine, INTERRUPTED, KeyDecoder, LineEditor, type Terminal } from "./line_editor.ts";

const UP = "\x1b[A";
const DOWN = "\x1b[B";
const RIGHT = "\x1b[C";
const LEFT = "\x1b[D";
const HOME = "\x1b[H";
const END = "\x1b[F";
const DELETE = "\x1b[3~";

/** A terminal whose input is the given chunks (then end of input); output is recorded. */
class ScriptedTerminal implements Terminal {
  output = "";
  rawChanges: boolean[] = [];
  readonly #chunks: Uint8Array[];

  constructor(chunks: (string | Uint8Array)[], readonly width = 80) {
    this.#chunks = chunks.map((c) => typeof c === "string" ? new TextEncoder().encode(c) : c);
  }

  read(): Promise<Uint8Array | null> {
    return Promise.resolve(this.#chunks.shift() ?? null);
  }

  write(text: string): Promise<void> {
    this.output += text;
    return Promise.resolve();
  }

  columns(): number {
    return this.width;
  }

  setRaw(raw: boolean): void {
    this.rawChanges.push(raw);
  }
}

async function edit(chunks: (string | Uint8Array)[], history: string[] = []) {
  const terminal = new ScriptedTerminal(chunks);
  const h = new History();
  for (const line of history) h.add(line);
  const editor = new LineEditor(terminal, { history: h });
  const line = await editor.readLine("> ");
  return { line, terminal };
}

Deno.test("Enter returns the typed line, in raw mode only while editing", async () => {
  const { line, terminal } = await edit(["get foo\r"]);
  equal(line, "get foo");
  deepEqual(terminal.rawChanges, [true, false]);
  // The prompt, the redraw with the text, the final redraw, then a newline.
  equal(terminal.output, "> " + "\r\x1b[0K> get foo\r\x1b[9C".repeat(2) + "\n");
});

Deno.test("keys arriving one at a time and escape sequences split across reads", async () => {
  const { line } = await edit(["a", "b", "\x1b", "[", "D", "X", "\r"]);
  equal(line, "aXb");
});

Deno.test("cursor movement and deletion keys", async () => {
  const cases: [string, string][] = [
    ["abc" + LEFT + LEFT + "X", "aXbc"],
    ["abc" + HOME + "Z" + END + "!", "Zabc!"],
    ["abc\x01Z\x05!", "Zabc!"], // Ctrl-A, Ctrl-E
    ["abc\x02\x02\x06Y", "abYc"], // Ctrl-B, Ctrl-F
    ["abc" + LEFT + "\x7f", "ac"], // Backspace
    ["abc" + LEFT + "\x08", "ac"], // Ctrl-H
    ["abc" + HOME + DELETE, "bc"],
    ["abc" + HOME + "\x04", "bc"], // Ctrl-D deletes when the line is not empty
    ["abcdef" + LEFT + LEFT + LEFT + "\x0b", "abc"], // Ctrl-K
    ["abc\x15xy", "xy"], // Ctrl-U
    ["set key  value\x17", "set key  "], // Ctrl-W
    ["set key  \x17", "set "],
    ["abc" + LEFT + "\x14", "acb"], // Ctrl-T
    [LEFT + "a" + RIGHT + RIGHT + "b", "ab"], // nothing to move over
    ["ab\x1b[1;5Cc", "abc"], // unbound sequences are ignored
  ];
  for (const [keys, expected] of cases) {
    const { line } = await edit([keys + "\r"]);
    equal(line, expected, JSON.stringify(keys));
  }
});

Deno.test("up and down walk the history; edits to the new line survive", async () => {
  const history = ["set a 1", "get a"];
  equal((await edit([UP + "\r"], history)).line, "get a");
  equal((await edit([UP + UP + "\r"], history)).line, "set a 1");
  equal((await edit([UP + UP + UP + "\r"], history)).line, "set a 1");
  equal((await edit(["xy" + UP + DOWN + "\r"], history)).line, "xy");
  equal((await edit([UP + "!" + UP + DOWN + "\r"], history)).line, "get a!");
  equal((await edit(["\x10\x10\x0e\r"], history)).line, "get a"); // Ctrl-P, Ctrl-N
  equal((await edit([DOWN + "\r"], history)).line, "");
});

Deno.test("recalled lines are edited on a copy: the history stays as it was", async () => {
  const terminal = new ScriptedTerminal([UP + "\x15other\r"]);
  const history = new History();
  history.add("get a");
  equal(await new LineEditor(terminal, { history }).readLine("> "), "other");
  deepEqual(history.entries, ["get a"]);
});

Deno.test("Ctrl-C abandons the line; Ctrl-D on an empty line or end of input ends it", async () => {
  const interrupted = await edit(["abc\x03"]);
  equal(interrupted.line, INTERRUPTED);
  equal(interrupted.terminal.output.endsWith("> abc\r\x1b[5C^C\n"), true);
  equal((await edit(["\x04"])).line, null);
  equal((await edit([])).line, null);
  equal((await edit(["partial"])).line, "partial");
});

Deno.test("input is UTF-8, even split inside a character; the cursor moves by character", async () => {
  const e = new TextEncoder().encode("é");
  const { line } = await edit([e.subarray(0, 1), e.subarray(1), "x" + LEFT + LEFT + "a\r"]);
  equal(line, "aéx");
});

Deno.test("the hint follows the text in grey, and the final redraw drops it", async () => {
  const terminal = new ScriptedTerminal(["get\r"]);
  const editor = new LineEditor(terminal, {
    history: new History(),
    hint: (text) => text === "get" ? " key" : undefined,
  });
  equal(await editor.readLine("> "), "get");
  equal(
    terminal.output,
    "> \r\x1b[0K> get\x1b[0;90;49m key\x1b[0m\r\x1b[5C\r\x1b[0K> get\r\x1b[5C\n",
  );
});

Deno.test("a hint is cut at the terminal's edge, and left out when the text fills the row", () => {
  const line = new EditLine("> ", 10);
  line.insert("get");
  equal(line.render(" key value"), "\r\x1b[0K> get\x1b[0;90;49m key \x1b[0m\r\x1b[5C");
  const full = new EditLine("> ", 10);
  full.insert("12345678");
  equal(full.render(" hint").includes("hint"), false);
});

Deno.test("a line longer than the terminal wraps, and redraws clear every row it used", () => {
  const line = new EditLine("> ", 10);
  line.insert("12345678");
  // Exactly full: the cursor is moved to the next row's start.
  equal(line.render(undefined), "\r\x1b[0K> 12345678\n\r\r");
  line.insert("9");
  equal(line.render(undefined), "\r\x1b[0K\x1b[1A\r\x1b[0K> 123456789\r\x1b[1C");
  line.pos = 0;
  // Cursor back on the first row: go up from the second.
  equal(line.render(undefined), "\r\x1b[0K\x1b[1A\r\x1b[0K> 123456789\x1b[1A\r\x1b[2C");
});

Deno.test("KeyDecoder groups printable runs and names cursor keys", () => {
  const keys = new KeyDecoder();
  keys.push(new TextEncoder().encode("ab\x1bOH\x1b[4~\x1b[7~\x7f\x1bx"));
  deepEqual(
    [keys.next(), keys.next(), keys.next(), keys.next(), keys.next(), keys.next(), keys.next()],
    [
      { kind: "text", text: "ab" },
      { kind: "home" },
      { kind: "end" },
      { kind: "home" },
      { kind: "control", code: 0x7f },
      { kind: "ignored" },
      { kind: "text", text: "x" },
    ],
  );
  equal(keys.next(), undefined);
});

Deno.test("Ctrl-R searches the history backwards as typed; Ctrl-R again goes further back", async () => {
  const history = ["set a 1", "get a", "set b 2", "get b"];
  // "set" finds the newest line containing it; Ctrl-R an older one; Enter takes it.
  const older = await edit(["\x12", "set", "\x12", "\r"], history);
  equal(older.line, "set a 1");
  equal(older.terminal.output.includes("(reverse-i-search)`set': set b 2"), true);
  equal(older.terminal.output.includes("(reverse-i-search)`set': set a 1"), true);
  // Another key takes the line found and edits it.
  const edited = await edit(["\x12", "get", "\x1b[C", "x\r"], history);
  equal(edited.line, "get bx");
  // Backspace widens the query; nothing older: a beep.
  const widened = await edit(["\x12", "b 2", "\x7f\x7f\x7f", "a", "\x12", "\x12", "\r"], history);
  equal(widened.line, "set a 1");
  equal(widened.terminal.output.includes("\x07"), true);
  // Ctrl-G gives up: the line as it was.
  const cancelled = await edit(["draft", "\x12", "set", "\x07", "\r"], history);
  equal(cancelled.line, "draft");
});
