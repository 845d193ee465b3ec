/**
 * What Redis reads from a script before it runs it, and so what the command
 * layer needs without the Lua VM (which loads on first use): the shebang's
 * flags, the script's SHA1, the error scripts raise, and the size INFO
 * reports for a Lua state.
 */
import { createHash } from "node:crypto";
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

/** A script's SHA1 in lower-case hex (its EVALSHA name), over its bytes. */
export function sha1hex(s: string): string {
  return createHash("sha1").update(Buffer.from(s, "latin1")).digest("hex");
}
