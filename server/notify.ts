/**
 * Keyspace notifications (notify-keyspace-events): `__keyspace@<db>__:<key>`
 * and `__keyevent@<db>__:<event>` messages, with Redis's flag letters.
 */
export const enum NotifyClass {
  Keyspace = 1 << 0, // K
  Keyevent = 1 << 1, // E
  Generic = 1 << 2, // g
  String = 1 << 3, // $
  List = 1 << 4, // l
  Set = 1 << 5, // s
  Hash = 1 << 6, // h
  Zset = 1 << 7, // z
  Expired = 1 << 8, // x
  Evicted = 1 << 9, // e
  Stream = 1 << 10, // t
  KeyMiss = 1 << 11, // m
  Module = 1 << 12, // d
  New = 1 << 13, // n
}

const LETTERS: Record<string, number> = {
  K: NotifyClass.Keyspace,
  E: NotifyClass.Keyevent,
  g: NotifyClass.Generic,
  $: NotifyClass.String,
  l: NotifyClass.List,
  s: NotifyClass.Set,
  h: NotifyClass.Hash,
  z: NotifyClass.Zset,
  x: NotifyClass.Expired,
  e: NotifyClass.Evicted,
  t: NotifyClass.Stream,
  m: NotifyClass.KeyMiss,
  d: NotifyClass.Module,
  n: NotifyClass.New,
};

/** 'A' is an alias for "g$lshzxetd" (every class but m and n). */
const ALL = NotifyClass.Generic | NotifyClass.String | NotifyClass.List | NotifyClass.Set |
  NotifyClass.Hash | NotifyClass.Zset | NotifyClass.Expired | NotifyClass.Evicted |
  NotifyClass.Stream | NotifyClass.Module;

/** Parses the flag string; undefined for an unknown letter. */
export function parseNotifyFlags(flags: string): number | undefined {
  let mask = 0;
  for (const c of flags) {
    if (c === "A") mask |= ALL;
    else if (LETTERS[c] !== undefined) mask |= LETTERS[c];
    else return undefined;
  }
  return mask;
}

/**
 * The canonical flag string for a mask, as CONFIG GET reports it (Redis's
 * keyspaceEventsFlagsToString). One deviation: Redis hides 'n' behind 'A'
 * while still sending "new" events; the configuration keeps only this string,
 * so it shows "An" to keep them on.
 */
export function formatNotifyFlags(mask: number): string {
  let out = "";
  if ((mask & ALL) === ALL) {
    out += "A";
    if (mask & NotifyClass.New) out += "n";
  } else {
    for (const c of "g$lshzxetdn") if (mask & (LETTERS[c] ?? 0)) out += c;
  }
  if (mask & NotifyClass.Keyspace) out += "K";
  if (mask & NotifyClass.Keyevent) out += "E";
  if (mask & NotifyClass.KeyMiss) out += "m";
  return out;
}
