/** APPEND and SETRANGE: edits of a string's bytes, in place where it is stored when short. */
import { takeKey, takesKeyBytes, writeBinary } from "../../protocol/bytes.ts";
import { arg, intArg } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { type CommandSpec, offsetAt } from "../command.ts";
import { CommandError, OFFSET_OUT_OF_RANGE, STRING_TOO_LONG, WRONGTYPE } from "../errors.ts";
import { WRONG_TYPE, type WrongType } from "../db.ts";
import { NotifyClass } from "../notify.ts";
import { PROTO_MAX_BULK_LEN_MIN } from "../config_params.ts";

/** V8's longest string (String::kMaxLength on 64-bit), just under Redis's 512 MB. */
const MAX_JS_STRING = 2 ** 29 - 24;

/** Redis's checkStringLength: a string may not outgrow proto-max-bulk-len. */
export function checkStringLength(ctx: CommandContext, length: number): void {
  // Under the config's minimum (1 MB) no setting refuses it: skip the config lookup.
  if (length <= PROTO_MAX_BULK_LEN_MIN) return;
  if (length > ctx.server.config.getNumber("proto-max-bulk-len") || length > MAX_JS_STRING) {
    throw new CommandError(STRING_TOO_LONG);
  }
}

/** APPEND key suffix, whose key may be left as bytes (takesKeyBytes below). */
function append(ctx: CommandContext, argv: string[]): void {
  const db = ctx.db;
  const suffix = arg(argv, 2);
  const held = takeKey(argv, 1);
  // A short string grows where it is stored, into room left by its last move.
  if (held !== undefined) {
    const edited = db.editInlineAt(held, -1, suffix);
    if (edited !== undefined) {
      ctx.server.keyChangedAt(db, held, NotifyClass.String, "append");
      return ctx.out.int(edited);
    }
  }
  const key = held === undefined ? arg(argv, 1) : held.string();
  const edited = held === undefined ? db.editInline(key, -1, suffix) : undefined;
  const length = edited ?? appendString(ctx, key, suffix);
  if (length === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  ctx.server.keyChanged(db, key, NotifyClass.String, "append");
  ctx.out.int(length);
}

/**
 * APPEND to a missing key or a long string; its new length (WRONG_TYPE for another type's key).
 * A long string grows where it is kept as bytes (Database.editBytes, greedily as Redis's
 * sdsMakeRoomFor), so a run of appends mixed with edits or reads of the value costs the
 * suffixes, not a copy of the value each.
 */
function appendString(ctx: CommandContext, key: string, suffix: string): number | WrongType {
  const db = ctx.db;
  const current = db.stringLength(key);
  if (current === WRONG_TYPE) return current;
  if (current === undefined) {
    db.set(key, suffix);
    return suffix.length;
  }
  checkStringLength(ctx, current + suffix.length);
  const view = db.editBytes(key, current + suffix.length);
  if (view === WRONG_TYPE) return view;
  writeBinary(view.page, view.start + current, suffix);
  return current + suffix.length;
}

/**
 * SETRANGE edits the string's bytes in place (as SETBIT does), so a run of
 * small patches on a large string costs the patches, not copies of the value.
 */
function setRange(ctx: CommandContext, argv: string[]): void {
  const key = arg(argv, 1);
  const offset = intArg(arg(argv, 2));
  const patch = arg(argv, 3);
  if (offset < 0) throw new CommandError(OFFSET_OUT_OF_RANGE);
  const db = ctx.db;
  // A short string is patched where it is stored (KeyTable.editInline).
  let length = patch.length === 0 ? undefined : db.editInline(key, offset, patch);
  if (length === undefined) {
    // Another type's key is refused before the length is checked, as in Redis.
    const current = db.stringLength(key);
    if (current === WRONG_TYPE) return ctx.fail(WRONGTYPE);
    if (patch.length === 0) return ctx.out.int(current ?? 0);
    checkStringLength(ctx, offset + patch.length);
    const view = db.editBytes(key, offset + patch.length);
    if (view === WRONG_TYPE) return ctx.fail(WRONGTYPE);
    writeBinary(view.page, view.start + offset, patch);
    length = view.end - view.start;
  }
  ctx.server.keyChanged(db, key, NotifyClass.String, "setrange");
  ctx.out.int(length);
}

// APPEND looks its key up from the request's bytes (protocol/bytes.ts, keys left as bytes).
takesKeyBytes("append", 3);

export const appendCommand: CommandSpec = {
  name: "append",
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keys: [1, 1, 1],
  group: "string",
  since: "2.0.0",
  summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
  syntax: "key value",
  handler: append,
};

export const setRangeCommand: CommandSpec = {
  name: "setrange",
  arity: 4,
  flags: ["write", "denyoom"],
  keys: [1, 1, 1],
  boundedByArgs: offsetAt(2),
  group: "string",
  since: "2.2.0",
  summary:
    "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
  syntax: "key offset value",
  handler: setRange,
};
