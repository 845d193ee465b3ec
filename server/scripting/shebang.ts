/**
 * What Redis reads from a script before it runs it, and so what the command
 * layer needs without the Lua VM (which loads on first use): the shebang's
 * flags, the script's SHA1, the error scripts raise, and the size INFO
 * reports for a Lua state.
 */
import { sha1Hex } from "../sha.ts";
import { splitArgs } from "../../protocol/inline.ts";
import {
  SHEBANG_INVALID,
  SHEBANG_NO_ENGINE,
  shebangEngine,
  shebangFlag,
  shebangOption,
} from "../errors.ts";

/**
 * A state's memory cannot be read apart from the JavaScript heap: it is
 * estimated from Redis's figure for an empty state (INFO used_memory_lua,
 * collectgarbage("count")).
 */
export const EMPTY_STATE_BYTES = 31744;

export const SCRIPT_FLAGS = [
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
];

/** A script's declared flags; `compat` when it has no shebang (EVAL's pre-7.0 behaviour). */
export interface ScriptFlags {
  compat: boolean;
  flags: Set<string>;
}

/** A script error whose text is the reply (without the leading `-`). */
export class ScriptError extends Error {}

/** Parses `#!lua flags=a,b` (Redis's evalExtractShebangFlags). Returns the flags and the shebang's length. */
export function parseShebang(body: string): { flags: ScriptFlags; length: number } {
  if (!body.startsWith("#!")) return { flags: { compat: true, flags: new Set() }, length: 0 };
  const end = body.indexOf("\n");
  if (end < 0) throw new ScriptError(SHEBANG_INVALID);
  const parts = splitArgs(body.slice(0, end));
  if (parts === undefined || parts.length === 0) {
    throw new ScriptError(SHEBANG_NO_ENGINE);
  }
  if (parts[0] !== "#!lua") {
    throw new ScriptError(shebangEngine(parts[0]!));
  }
  const flags = new Set<string>();
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) {
      throw new ScriptError(shebangOption(part));
    }
    for (const flag of part.slice(6).split(",")) {
      if (flag === "") continue;
      if (!SCRIPT_FLAGS.includes(flag)) {
        throw new ScriptError(shebangFlag(flag));
      }
      flags.add(flag);
    }
  }
  return { flags: { compat: false, flags }, length: end };
}

/** Longest string sha1hex remembers: a hash of that costs milliseconds, holding it is cheap. */
const REMEMBERED_MAX = 1 << 20;
/** The last string sha1hex hashed, and its SHA. */
let lastHashed: string | undefined;
let lastSha = "";

/**
 * SHA-1 of a binary string as hex: script SHAs and redis.sha1hex. EVAL
 * hashes its body twice (for the flags, then to load it) and clients send
 * the same body again and again: comparing with the last string costs far
 * less than hashing it again (SHA-1 in JavaScript, ~40 µs for 10 KB).
 */
export function sha1hex(s: string): string {
  if (s === lastHashed) return lastSha;
  lastSha = sha1Hex(s);
  lastHashed = s.length <= REMEMBERED_MAX ? s : undefined;
  return lastSha;
}
