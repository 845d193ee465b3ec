/**
 * Redis 7's AOF manifest: the list of files in the append-only directory,
 * one per line, `file <name> seq <n> type <b|h|i>`:
 *
 *   b  the base: a snapshot (RDB, or commands) from the last rewrite;
 *   i  incremental files: commands since then, replayed in order;
 *   h  history: superseded files, deleted once the manifest stops naming them.
 *
 * Files are named `<appendfilename>.<seq>.base.rdb|aof` and
 * `<appendfilename>.<seq>.incr.aof`.
 */
import { splitArgs } from "../../protocol/inline.ts";
import { FormatError } from "./format_error.ts";

export type AofFileType = "b" | "h" | "i";

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** The longest manifest line Redis reads (its MANIFEST_MAX_LINE, the newline excluded). */
const MAX_LINE = 1024;

export class Manifest {
  base: AofFileInfo | undefined;
  incrs: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  /** Highest sequence numbers used so far. */
  baseSeq = 0;
  incrSeq = 0;

  /** Whether the manifest names any file to load. */
  get isEmpty(): boolean {
    return this.base === undefined && this.incrs.length === 0;
  }

  clone(): Manifest {
    const copy = new Manifest();
    copy.base = this.base && { ...this.base };
    copy.incrs = this.incrs.map((f) => ({ ...f }));
    copy.history = this.history.map((f) => ({ ...f }));
    copy.baseSeq = this.baseSeq;
    copy.incrSeq = this.incrSeq;
    return copy;
  }

  /** The name the next base file gets (a rewrite writes it before installing it). */
  nextBase(prefix: string, rdbFormat: boolean): AofFileInfo {
    const seq = this.baseSeq + 1;
    return { name: `${prefix}.${seq}.base.${rdbFormat ? "rdb" : "aof"}`, seq, type: "b" };
  }

  /** Makes `info` the base; the old base becomes history. */
  installBase(info: AofFileInfo): void {
    if (this.base !== undefined) this.history.unshift({ ...this.base, type: "h" });
    this.base = info;
    this.baseSeq = info.seq;
  }

  /** Names a new incremental file, appended after the others. */
  newIncr(prefix: string): AofFileInfo {
    const seq = ++this.incrSeq;
    const info: AofFileInfo = { name: `${prefix}.${seq}.incr.aof`, seq, type: "i" };
    this.incrs.push(info);
    return info;
  }

  /** After a rewrite: every incremental file but the last (`keepLast`) becomes history. */
  retireIncrs(keepLast: boolean): void {
    const kept = keepLast ? this.incrs.slice(-1) : [];
    const retired = keepLast ? this.incrs.slice(0, -1) : this.incrs;
    for (const info of retired.reverse()) this.history.unshift({ ...info, type: "h" });
    this.incrs = kept;
  }

  format(): string {
    const line = (f: AofFileInfo) => `file ${quoted(f.name)} seq ${f.seq} type ${f.type}\n`;
    return [this.base, ...this.history, ...this.incrs].filter((f) => f !== undefined)
      .map((f) => line(f!)).join("");
  }

  /** Parses a manifest; throws FormatError with the line number, as Redis refuses to start. */
  static parse(text: string): Manifest {
    const manifest = new Manifest();
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (lines.length === 0) throw new FormatError("Found an empty AOF manifest");
    let maxIncr = 0;
    lines.forEach((raw, i) => {
      if (raw.startsWith("#")) return;
      const fail: (why: string) => never = (why) => {
        throw new FormatError(`${why} (manifest line ${i + 1}: '${raw}')`);
      };
      // Redis reads a line into 1024 bytes and refuses one that does not fit.
      if (raw.length >= MAX_LINE) fail("The AOF manifest file contains too long line");
      const words = splitArgs(raw.trim());
      if (words === undefined || words.length < 6 || words.length % 2 !== 0) {
        fail("Invalid AOF manifest file format");
      }
      let name: string | undefined;
      let seq = 0;
      let type = "";
      // Key-value pairs: an even count of words, checked above.
      for (let w = 0; w < words.length; w += 2) {
        const key = words[w]!.toLowerCase();
        const value = words[w + 1]!;
        if (key === "file") name = value;
        else if (key === "seq") seq = Number.parseInt(value, 10) || 0;
        else if (key === "type") type = value[0] ?? "";
      }
      if (name === undefined || seq === 0 || type === "") fail("Invalid AOF manifest file format");
      if (name.includes("/")) fail("File can't be a path, just a filename");
      const info = { name, seq, type: type as AofFileType };
      if (type === "b") {
        if (manifest.base !== undefined) fail("Found duplicate base file information");
        manifest.base = info;
        manifest.baseSeq = seq;
      } else if (type === "h") {
        manifest.history.push(info);
      } else if (type === "i") {
        if (seq <= maxIncr) fail("Found a non-monotonic sequence number");
        manifest.incrs.push(info);
        manifest.incrSeq = maxIncr = seq;
      } else {
        fail("Unknown AOF file type");
      }
    });
    return manifest;
  }
}

/** Names that need quoting are written as Redis's sdscatrepr would. */
function quoted(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !/["'\\]/.test(name)) return name;
  let out = '"';
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c > 0x7e) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}
