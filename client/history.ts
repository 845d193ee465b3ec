/**
 * The REPL's command history, kept like linenoise keeps it: the last 100
 * lines, a line equal to the one before it stored once, and the whole list
 * rewritten to the history file after each command. File trouble (no HOME, a
 * read-only directory) only costs the persistence, never the session.
 */

const DEFAULT_MAX_LENGTH = 100;

export class History {
  readonly entries: string[] = [];

  constructor(readonly maxLength = DEFAULT_MAX_LENGTH) {}

  /** Appends `line` unless it repeats the latest entry; drops the oldest past the limit. */
  add(line: string): void {
    if (this.entries.at(-1) === line) return;
    this.entries.push(line);
    if (this.entries.length > this.maxLength) {
      this.entries.splice(0, this.entries.length - this.maxLength);
    }
  }

  /** Adds the lines of a history file; a missing or unreadable file adds nothing. */
  async load(path: string): Promise<void> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      const entry = line.replace(/\r.*$/, "");
      if (entry !== "") this.add(entry);
    }
  }

  /** Writes every entry, one a line, readable by the owner only; failures are ignored. */
  async save(path: string): Promise<void> {
    try {
      await Deno.writeTextFile(path, this.entries.map((e) => e + "\n").join(""), { mode: 0o600 });
    } catch {
      // The session goes on without a saved history.
    }
  }
}
