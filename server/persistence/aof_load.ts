/**
 * Reading append-only files: the RESP command stream (after an optional RDB
 * preamble), with Redis's rules for damaged files: a file that ends in the
 * middle of a command, or inside a MULTI without its EXEC, is "truncated"
 * (loadable up to the last complete command when aof-load-truncated is on,
 * and only if it is the last file); anything else that is not a well-formed
 * command is a format error that stops the server from starting.
 */
import { bytesToBinary } from "../../protocol/bytes.ts";
import { FormatError } from "./format_error.ts";

export interface ParsedAof {
  commands: string[][];
  /** Offset just past the last command kept. */
  validUpTo: number;
  /** The file ended mid-command or inside an unfinished MULTI. */
  truncated: boolean;
}

/** A damaged AOF, with the offset where reading stopped. */
export class AofFormatError extends FormatError {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

/**
 * Parses the commands of `data` from `start`. Throws AofFormatError on a
 * format error; reports (not throws) a truncated end.
 */
export function parseAof(data: Uint8Array, start = 0): ParsedAof {
  const commands: string[][] = [];
  const end = data.length;
  let pos = start;
  let validUpTo = start;
  /** Where an open MULTI began, and how many commands preceded it. */
  let multiAt = -1;
  let multiCommands = 0;

  const lineEnd = (from: number): number => {
    for (let i = from; i < end; i++) if (data[i] === 10) return i;
    return -1;
  };
  const number = (from: number, to: number): number => {
    let n = 0;
    let digits = 0;
    for (let i = from; i < to; i++, digits++) {
      const d = data[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    return digits === 0 ? -1 : n;
  };

  for (;;) {
    if (pos >= end) break;
    const commandStart = pos;
    const headerEnd = lineEnd(pos);
    if (headerEnd < 0) return truncatedAt(commandStart);
    if (data[pos] === 35 /* # annotation */) {
      pos = headerEnd + 1;
      validUpTo = pos;
      continue;
    }
    if (data[pos] !== 42 /* * */) throw new AofFormatError("Bad file format", pos);
    const argc = number(pos + 1, headerEnd);
    if (argc < 1) throw new AofFormatError("Bad file format", pos);
    pos = headerEnd + 1;
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      const lenEnd = lineEnd(pos);
      if (lenEnd < 0) return truncatedAt(commandStart);
      if (data[pos] !== 36 /* $ */) throw new AofFormatError("Bad file format", pos);
      const len = number(pos + 1, lenEnd);
      if (len < 0) throw new AofFormatError("Bad file format", pos);
      pos = lenEnd + 1;
      if (pos + len + 2 > end) return truncatedAt(commandStart);
      argv.push(bytesToBinary(data, pos, pos + len));
      pos += len + 2;
    }
    const name = argv[0]?.toLowerCase();
    if (name === "multi") {
      multiAt = commandStart;
      multiCommands = commands.length;
    } else if (name === "exec") {
      multiAt = -1;
    }
    commands.push(argv);
    validUpTo = pos;
  }
  if (multiAt >= 0) {
    // A transaction without its EXEC never happened.
    commands.length = multiCommands;
    return { commands, validUpTo: multiAt, truncated: true };
  }
  return { commands, validUpTo, truncated: false };

  function truncatedAt(offset: number): ParsedAof {
    if (multiAt >= 0) {
      commands.length = multiCommands;
      return { commands, validUpTo: multiAt, truncated: true };
    }
    return { commands, validUpTo: offset, truncated: true };
  }
}
