/**
 * The prompt's line editor, behaving and drawing as linenoise does in
 * redis-cli (multi-line mode: a long line wraps onto further rows): history
 * with up/down and Ctrl-R search, cursor keys, home/end, backspace/delete,
 * the Ctrl keys A B D E F H K L N P T U W, Tab completion, and a greyed hint
 * after the text. Ctrl-C abandons the line (redis-cli would exit) and Ctrl-D
 * on an empty line ends input.
 *
 * The terminal is an interface so tests can drive the editor with bytes.
 */
import type { History } from "./history.ts";

export interface Terminal {
  /** Some input bytes, or null at end of input. */
  read(): Promise<Uint8Array | null>;
  /** Writes text (encoded as UTF-8). */
  write(text: string): Promise<void>;
  /** Width in columns. */
  columns(): number;
  /** Raw mode: bytes arrive as typed, without echo or signals. */
  setRaw(raw: boolean): void;
}

/** What `readLine` returns when Ctrl-C abandoned the line. */
export const INTERRUPTED = Symbol("interrupted");

export type Key =
  | { kind: "text"; text: string }
  | { kind: "control"; code: number }
  | { kind: "up" | "down" | "left" | "right" | "home" | "end" | "delete" | "ignored" };

const ESC = "\x1b";

/**
 * Turns input bytes into keys: text, control characters and the escape
 * sequences of cursor keys (CSI and SS3 forms). Input is decoded as UTF-8;
 * a sequence split across reads waits for its remaining bytes.
 */
export class KeyDecoder {
  readonly #utf8 = new TextDecoder("utf-8", { fatal: false });
  #pending = "";

  push(bytes: Uint8Array): void {
    this.#pending += this.#utf8.decode(bytes, { stream: true });
  }

  /** The next complete key, or undefined until more input arrives. */
  next(): Key | undefined {
    const input = this.#pending;
    if (input === "") return undefined;
    const code = input.charCodeAt(0);
    if (input[0] === ESC) {
      const parsed = parseEscape(input);
      if (parsed === undefined) return undefined;
      this.#pending = input.slice(parsed.length);
      return parsed.key;
    }
    if (code < 0x20 || code === 0x7f) {
      this.#pending = input.slice(1);
      return { kind: "control", code };
    }
    // A run of printable text is one key, so a paste is inserted at once.
    let end = 1;
    while (end < input.length) {
      const c = input.charCodeAt(end);
      if (c < 0x20 || c === 0x7f) break;
      end++;
    }
    this.#pending = input.slice(end);
    return { kind: "text", text: input.slice(0, end) };
  }
}

const CSI_KEYS: Record<string, Key["kind"]> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
};

function parseEscape(input: string): { key: Key; length: number } | undefined {
  if (input.length < 2) return undefined;
  if (input[1] === "O") {
    // SS3: ESC O <letter>, sent by some terminals in application mode.
    if (input.length < 3) return undefined;
    const kind = CSI_KEYS[input.charAt(2)] ?? "ignored";
    return { key: { kind } as Key, length: 3 };
  }
  if (input[1] !== "[") return { key: { kind: "ignored" }, length: 1 };
  // CSI: parameters and intermediates, then a final byte in @..~.
  let i = 2;
  while (i < input.length && !(input.charCodeAt(i) >= 0x40 && input.charCodeAt(i) <= 0x7e)) i++;
  if (i >= input.length) return undefined;
  const body = input.slice(2, i + 1);
  const kind = CSI_KEYS[body] ?? "ignored";
  return { key: { kind } as Key, length: i + 1 };
}

const HINT_COLOR = "\x1b[0;90;49m";
const COLOR_RESET = "\x1b[0m";

/** The state of the line being edited, and how to draw it. */
export class EditLine {
  /** The line as code points, so the cursor never splits a character. */
  chars: string[] = [];
  pos = 0;
  /** Rows the drawing has used, and the cursor position it was drawn with. */
  #maxRows = 0;
  #drawnPos = 0;

  constructor(readonly prompt: string, readonly columns: number, readonly masked = false) {}

  get text(): string {
    return this.chars.join("");
  }

  set text(value: string) {
    this.chars = [...value];
    this.pos = this.chars.length;
  }

  insert(text: string): void {
    const added = [...text];
    this.chars.splice(this.pos, 0, ...added);
    this.pos += added.length;
  }

  backspace(): void {
    if (this.pos === 0) return;
    this.chars.splice(this.pos - 1, 1);
    this.pos--;
  }

  deleteForward(): void {
    if (this.pos < this.chars.length) this.chars.splice(this.pos, 1);
  }

  /** Ctrl-W: the spaces before the cursor, then the word before them. */
  deleteWordBack(): void {
    let start = this.pos;
    while (start > 0 && this.chars[start - 1] === " ") start--;
    while (start > 0 && this.chars[start - 1] !== " ") start--;
    this.chars.splice(start, this.pos - start);
    this.pos = start;
  }

  /** Ctrl-T: swaps the characters around the cursor and moves past them. */
  transpose(): void {
    if (this.pos === 0 || this.pos >= this.chars.length) return;
    const c = this.chars;
    // 0 < pos < chars.length, checked above.
    [c[this.pos - 1], c[this.pos]] = [c[this.pos]!, c[this.pos - 1]!];
    if (this.pos !== c.length - 1) this.pos++;
  }

  /**
   * The escape sequence redrawing prompt, text and hint, leaving the cursor
   * at `pos`. A line longer than the terminal wraps: rows drawn before are
   * cleared first (linenoise's refreshMultiLine).
   */
  render(hint: string | undefined): string {
    const cols = this.columns;
    const plen = this.prompt.length;
    const len = this.chars.length;
    let rows = Math.floor((plen + len + cols - 1) / cols);
    const cursorRow = Math.floor((plen + this.#drawnPos + cols) / cols);
    const oldRows = this.#maxRows;
    this.#maxRows = Math.max(this.#maxRows, rows);

    let out = "";
    if (oldRows - cursorRow > 0) out += `\x1b[${oldRows - cursorRow}B`;
    for (let j = 0; j < oldRows - 1; j++) out += "\r\x1b[0K\x1b[1A";
    out += "\r\x1b[0K" + this.prompt + (this.masked ? "*".repeat(len) : this.text);
    if (hint !== undefined && plen + len < cols) {
      out += HINT_COLOR + [...hint].slice(0, cols - (plen + len)).join("") + COLOR_RESET;
    }
    // At the very end of a full row the terminal has not wrapped yet: wrap it.
    if (this.pos > 0 && this.pos === len && (this.pos + plen) % cols === 0) {
      out += "\n\r";
      rows++;
      this.#maxRows = Math.max(this.#maxRows, rows);
    }
    const newCursorRow = Math.floor((plen + this.pos + cols) / cols);
    if (rows - newCursorRow > 0) out += `\x1b[${rows - newCursorRow}A`;
    const col = (plen + this.pos) % cols;
    out += col ? `\r\x1b[${col}C` : "\r";
    this.#drawnPos = this.pos;
    return out;
  }
}

export interface LineEditorOptions {
  history: History;
  /** The hint for the current text, if any. */
  hint?: (text: string) => string | undefined;
  /** What Tab offers for the current text: whole lines to cycle through. */
  complete?: (text: string) => string[];
}

/** linenoise's beep when Tab has nothing (more) to offer. */
const BEEP = "\x07";

export class LineEditor {
  readonly #keys = new KeyDecoder();
  #inputEnded = false;

  constructor(readonly terminal: Terminal, readonly options: LineEditorOptions) {}

  /**
   * Edits one line after `prompt` in raw mode. Returns the line on Enter,
   * null at end of input (Ctrl-D on an empty line), INTERRUPTED on Ctrl-C.
   */
  async readLine(prompt: string, masked = false): Promise<string | null | typeof INTERRUPTED> {
    const terminal = this.terminal;
    terminal.setRaw(true);
    try {
      const line = new EditLine(prompt, terminal.columns() || 80, masked);
      const result = await this.#edit(line, !masked);
      await terminal.write(result === INTERRUPTED ? "^C\n" : "\n");
      return result;
    } finally {
      terminal.setRaw(false);
    }
  }

  async #edit(line: EditLine, assisted: boolean): Promise<string | null | typeof INTERRUPTED> {
    const { history } = this.options;
    const hint = assisted ? this.options.hint : undefined;
    const complete = assisted ? this.options.complete : undefined;
    // A working copy of the history whose last slot is the line being typed,
    // so browsing keeps edits to recalled lines only for this line.
    const browse = assisted ? [...history.entries, ""] : [""];
    let index = browse.length - 1;
    const redraw = (withHint = true) =>
      this.terminal.write(line.render(withHint && hint ? hint(line.text) : undefined));
    const recall = async (to: number) => {
      if (to < 0 || to >= browse.length) return;
      browse[index] = line.text;
      index = to;
      line.text = browse[index]!;
      await redraw();
    };

    await this.terminal.write(line.prompt);
    let pending: Key | undefined;
    for (;;) {
      let key = pending ?? await this.#nextKey();
      pending = undefined;
      if (key?.kind === "control" && key.code === 0x09 && complete !== undefined) {
        key = await this.#complete(line, complete(line.text), hint);
        if (key === undefined) continue;
      }
      if (key?.kind === "control" && key.code === 0x12 && assisted) {
        key = await this.#search(line, history.entries);
        if (key === undefined) {
          await redraw();
          continue;
        }
      }
      if (key === undefined) return line.chars.length > 0 ? line.text : null;
      switch (key.kind) {
        case "text":
          line.insert(key.text);
          break;
        case "control":
          switch (key.code) {
            case 0x0d: // Enter
            case 0x0a:
              line.pos = line.chars.length;
              // Leave the line as typed, without its hint.
              await redraw(false);
              return line.text;
            case 0x03: // Ctrl-C
              line.pos = line.chars.length;
              await redraw(false);
              return INTERRUPTED;
            case 0x04: // Ctrl-D: delete, or end of input on an empty line
              if (line.chars.length === 0) return null;
              line.deleteForward();
              break;
            case 0x7f: // Backspace
            case 0x08: // Ctrl-H
              line.backspace();
              break;
            case 0x01: // Ctrl-A
              line.pos = 0;
              break;
            case 0x05: // Ctrl-E
              line.pos = line.chars.length;
              break;
            case 0x02: // Ctrl-B
              line.pos = Math.max(0, line.pos - 1);
              break;
            case 0x06: // Ctrl-F
              line.pos = Math.min(line.chars.length, line.pos + 1);
              break;
            case 0x0b: // Ctrl-K
              line.chars.length = line.pos;
              break;
            case 0x15: // Ctrl-U
              line.text = "";
              break;
            case 0x17: // Ctrl-W
              line.deleteWordBack();
              break;
            case 0x14: // Ctrl-T
              line.transpose();
              break;
            case 0x10: // Ctrl-P
              await recall(index - 1);
              continue;
            case 0x0e: // Ctrl-N
              await recall(index + 1);
              continue;
            case 0x0c: // Ctrl-L
              await this.terminal.write("\x1b[H\x1b[2J");
              break;
            default:
              continue;
          }
          break;
        case "up":
          await recall(index - 1);
          continue;
        case "down":
          await recall(index + 1);
          continue;
        case "left":
          line.pos = Math.max(0, line.pos - 1);
          break;
        case "right":
          line.pos = Math.min(line.chars.length, line.pos + 1);
          break;
        case "home":
          line.pos = 0;
          break;
        case "end":
          line.pos = line.chars.length;
          break;
        case "delete":
          line.deleteForward();
          break;
        case "ignored":
          continue;
      }
      await redraw();
    }
  }

  /**
   * Tab completion as linenoise does it: each Tab shows the next candidate
   * in place of the line, then the line as typed again (with a beep), and
   * round; Esc goes back to the line as typed; any other key takes the
   * candidate shown and is returned to be handled. Undefined when the key
   * was consumed here.
   */
  async #complete(
    line: EditLine,
    candidates: string[],
    hint: ((text: string) => string | undefined) | undefined,
  ): Promise<Key | undefined> {
    if (candidates.length === 0) {
      await this.terminal.write(BEEP);
      return undefined;
    }
    const typed = { text: line.text, pos: line.pos };
    const show = async (i: number) => {
      if (i < candidates.length) line.text = candidates[i]!;
      await this.terminal.write(line.render(hint?.(line.text)));
      line.chars = [...typed.text];
      line.pos = typed.pos;
    };
    let i = 0;
    for (;;) {
      await show(i);
      const key = await this.#nextKey();
      if (key?.kind === "control" && key.code === 0x09) {
        i = (i + 1) % (candidates.length + 1);
        if (i === candidates.length) await this.terminal.write(BEEP);
        continue;
      }
      if (key?.kind === "ignored") {
        if (i < candidates.length) await show(candidates.length);
        return undefined;
      }
      if (i < candidates.length) line.text = candidates[i]!;
      return key;
    }
  }

  /**
   * Ctrl-R, reverse incremental search as readline does it: typed text
   * narrows to the newest history line containing it, Ctrl-R again to an
   * older one, Backspace widens; Ctrl-G or Ctrl-C gives up (undefined); any
   * other key takes the line found and is returned to be handled (Enter runs
   * it).
   */
  async #search(line: EditLine, entries: readonly string[]): Promise<Key | undefined> {
    let query = "";
    let at = -1;
    const find = (from: number) => {
      for (let i = Math.min(from, entries.length - 1); i >= 0; i--) {
        if (entries[i]!.includes(query)) return i;
      }
      return -1;
    };
    for (;;) {
      const view = new EditLine(`(reverse-i-search)\`${query}': `, line.columns);
      view.text = at >= 0 ? entries[at]! : "";
      await this.terminal.write(view.render(undefined));
      const key = await this.#nextKey();
      if (key === undefined) return undefined;
      if (key.kind === "text") {
        query += key.text;
        at = find(at >= 0 ? at : entries.length - 1);
        continue;
      }
      if (key.kind === "control") {
        if (key.code === 0x7f || key.code === 0x08) {
          query = [...query].slice(0, -1).join("");
          at = query === "" ? -1 : find(entries.length - 1);
          continue;
        }
        if (key.code === 0x12) {
          const older = query === "" ? -1 : find(at - 1);
          if (older >= 0) at = older;
          else await this.terminal.write(BEEP);
          continue;
        }
        if (key.code === 0x07 || key.code === 0x03) return undefined;
      }
      if (at >= 0) line.text = entries[at]!;
      return key;
    }
  }

  /** The next key; undefined once input has ended. */
  async #nextKey(): Promise<Key | undefined> {
    for (;;) {
      const key = this.#keys.next();
      if (key !== undefined) return key;
      if (this.#inputEnded) return undefined;
      const bytes = await this.terminal.read();
      if (bytes === null) this.#inputEnded = true;
      else this.#keys.push(bytes);
    }
  }
}
