/**
 * Stored strings are "binary strings": JS strings whose every char code is one
 * byte (0-255). V8 keeps them in its compact one-byte representation, which
 * measured far smaller per value than a Uint8Array (no ArrayBuffer and backing
 * store per value), and they hash and compare natively as Map keys.
 *
 * These helpers convert between bytes and binary strings without TextDecoder:
 * the WHATWG "latin1" decoder is really windows-1252 and would corrupt
 * 0x80-0x9F.
 */
import { bytesToBinary } from "./binary.ts";
import { deferredForm, KEY_BYTES_MIN, keyByteCounts } from "./held_commands.ts";
import { shortArgument } from "./short_strings.ts";
export { bytesToBinary };
// The registry of what each command takes as bytes, where the decoders and handlers find it.
export {
  deferredIndex,
  HOLDS_ARGUMENTS,
  holdsArgument,
  holdsKeyWith,
  KEY_BYTES_MAX,
  KEY_BYTES_MIN,
  keyByteCounts,
  NAME_BYTES_MAX,
  takesArgumentBytes,
  takesBytes,
  takesKeyBytes,
  takesNameBytes,
} from "./held_commands.ts";

/**
 * A request's arguments from where its decoder found them (`spans`: each
 * argument's first byte, then its length), the command name already made;
 * `noted`: made by bytesToBinaryNoted (a long argument among them).
 * Array literals of the usual sizes: an array grown by push takes room for 17.
 */
export function argvFromSpans(
  buf: Uint8Array,
  spans: Int32Array,
  count: number,
  name: string,
  noted: boolean,
): string[] {
  switch (count) {
    case 1:
      return [name];
    case 2:
      return [name, spanString(buf, spans, 1, noted)];
    case 3:
      return [name, spanString(buf, spans, 1, noted), spanString(buf, spans, 2, noted)];
    case 4:
      return [
        name,
        spanString(buf, spans, 1, noted),
        spanString(buf, spans, 2, noted),
        spanString(buf, spans, 3, noted),
      ];
  }
  const argv = new Array<string>(count);
  argv[0] = name;
  for (let i = 1; i < count; i++) argv[i] = spanString(buf, spans, i, noted);
  return argv;
}

function spanString(buf: Uint8Array, spans: Int32Array, i: number, noted: boolean): string {
  const at = spans[2 * i]!;
  const len = spans[2 * i + 1]!;
  // An argument left as bytes (a held key, a deferred value) has its length set to 0.
  if (len === 0) return "";
  if (len <= 2) return shortArgument(buf, at, len);
  return noted ? bytesToBinaryNoted(buf, at, at + len) : bytesToBinary(buf, at, at + len);
}

/**
 * Command names RepeatedString keeps: 2 ** NAME_BITS, in pairs. One instance
 * serves every decoder (commandNames), so it holds the server's names.
 */
const NAME_BITS = 8;
const NAME_SLOTS = 1 << NAME_BITS;

/**
 * Decodes a short string that usually repeats (a client's command name): the
 * recent ones are kept, and one is reused when the bytes match, saving an
 * allocation per request and letting later lookups compare it by identity
 * and reuse its hash. A pipeline alternating commands (SET, DEL) reused
 * nothing with one kept name: the command lookup hashed a new string for
 * every request. A name's first 8 bytes are read once into two integers,
 * which pick a pair of slots and compare with theirs (the bytes after the
 * eighth char by char). A new name takes the pair's first slot and moves
 * the one there to the second, so two names meeting in a pair both stay.
 */
export class RepeatedString {
  readonly #names: string[] = new Array<string>(NAME_SLOTS).fill("");
  /** keyByteCounts of each slot's name, -1 until asked. */
  readonly #counts: number[] = new Array<number>(NAME_SLOTS).fill(-1);
  /** deferredForm of each slot's name, -1 until asked. */
  readonly #deferForms: number[] = new Array<number>(NAME_SLOTS).fill(-1);
  /** Each slot's name: its first 4 bytes, its bytes 5 to 8 and its length (0: none). */
  readonly #low = new Int32Array(NAME_SLOTS);
  readonly #high = new Int32Array(NAME_SLOTS);
  readonly #length = new Int32Array(NAME_SLOTS);
  /** The slot of the name decode returned last (-1: a long one, kept nowhere). */
  #slot = -1;

  decode(buf: Uint8Array, start: number, len: number): string {
    if (len > 32 || len === 0) {
      this.#slot = -1;
      return bytesToBinary(buf, start, start + len);
    }
    const split = start + (len < 4 ? len : 4);
    const head = start + (len < 8 ? len : 8);
    let low = 0;
    let high = 0;
    for (let p = start; p < split; p++) low = (low << 8) | buf[p]!;
    for (let p = split; p < head; p++) high = (high << 8) | buf[p]!;
    const slot = (Math.imul(low ^ Math.imul(high ^ len, 0x9e3779b1), 0x85ebca6b) >>>
      (32 - NAME_BITS)) & ~1;
    if (this.#holds(slot, low, high, len, buf, start)) return this.#names[this.#slot = slot]!;
    if (this.#holds(slot + 1, low, high, len, buf, start)) {
      return this.#names[this.#slot = slot + 1]!;
    }
    this.#move(slot, slot + 1);
    this.#slot = slot;
    this.#low[slot] = low;
    this.#high[slot] = high;
    this.#length[slot] = len;
    this.#counts[slot] = -1;
    this.#deferForms[slot] = -1;
    return this.#names[slot] = bytesToBinary(buf, start, start + len);
  }

  /** Whether `slot` keeps the name of these first bytes and length, and these bytes after the eighth. */
  #holds(
    slot: number,
    low: number,
    high: number,
    len: number,
    buf: Uint8Array,
    start: number,
  ): boolean {
    if (this.#low[slot] !== low || this.#high[slot] !== high || this.#length[slot] !== len) {
      return false;
    }
    if (len <= 8) return true;
    const kept = this.#names[slot]!;
    let i = 8;
    while (i < len && buf[start + i] === kept.charCodeAt(i)) i++;
    return i === len;
  }

  #move(from: number, to: number): void {
    this.#names[to] = this.#names[from]!;
    this.#counts[to] = this.#counts[from]!;
    this.#deferForms[to] = this.#deferForms[from]!;
    this.#low[to] = this.#low[from]!;
    this.#high[to] = this.#high[from]!;
    this.#length[to] = this.#length[from]!;
  }

  /** keyByteCounts of `name`, the string decode returned last (remembered with it). */
  keyCounts(name: string): number {
    const slot = this.#slot;
    if (slot < 0) return keyByteCounts(name);
    const counts = this.#counts[slot]!;
    return counts >= 0 ? counts : this.#counts[slot] = keyByteCounts(name);
  }

  /**
   * The argument `name`, the string decode returned last, leaves as bytes
   * (takesBytes) in a request of `count` arguments; 0 for none. Remembered with it.
   */
  deferAt(name: string, count: number): number {
    const slot = this.#slot;
    let form = slot < 0 ? deferredForm(name) : this.#deferForms[slot]!;
    if (form < 0) form = this.#deferForms[slot] = deferredForm(name);
    return form >>> 5 === count ? form & 31 : 0;
  }
}

/**
 * The command names every request decoder shares. One per decoder cost each
 * client ~3 KB (three arrays and three typed arrays of 64 slots): 30 MB for
 * 10,000 idle clients. A decoder reads the slot its decode chose before it
 * returns, so decoders of different clients never see each other's slot.
 */
export const commandNames = new RepeatedString();

/**
 * The last long argument a request decoder made (`bytesToBinaryNoted`) and
 * the bytes it was made from, until `forgetNotedBytes`: while they stand,
 * writeBinary copies those bytes instead of encoding the string again (a
 * 1 KB value with bytes over 0x7f: ~0.05 us against ~0.4). The decoder's
 * owner forgets them before its buffer can change (the connection, at the
 * end of each batch), so the bytes are always the string's.
 */
let notedString = "";
let notedBytes: Uint8Array | undefined;
let notedStart = 0;

/** bytesToBinary, noting the bytes of a long result for writeBinary. */
export function bytesToBinaryNoted(buf: Uint8Array, start: number, end: number): string {
  const s = bytesToBinary(buf, start, end);
  if (end - start >= ENCODE_MIN) {
    notedString = s;
    notedBytes = buf;
    notedStart = start;
  }
  return s;
}

/** Drops the noted bytes and settles a deferred argument: their buffer may change from now on. */
export function forgetNotedBytes(): void {
  settleDeferred();
  notedBytes = undefined;
  notedString = "";
  requestKey.key = "";
  requestKey.bytes = EMPTY_BYTES;
  requestSpans.argv = undefined;
  requestSpans.buf = EMPTY_BYTES;
}

/**
 * The first argument after the name of the request a decoder made last (most
 * commands' key) and where its bytes lie, noted as long values are and
 * forgotten with them (forgetNotedBytes). The key table hashes and compares a
 * key equal to it from these bytes rather than its string: each charCodeAt
 * checks the string's form, and a 20-byte key cost ~40 ns to hash and ~36 to
 * compare from its string against ~20 and ~15 from bytes. An equal string
 * has equal bytes, so whoever passes it (a handler, a script, EXEC) gets the
 * same answer either way.
 */
export const requestKey: { key: string; bytes: Uint8Array; start: number } = {
  key: "",
  bytes: new Uint8Array(0),
  start: 0,
};

/** Notes `key`, made from `buf` at `start`, as requestKey (decoders whose owner forgets). */
export function noteRequestKey(key: string, buf: Uint8Array, start: number): void {
  requestKey.key = key;
  requestKey.bytes = buf;
  requestKey.start = start;
}

/**
 * Where the arguments of the request a RESP decoder made last lie (`spans`: the array the
 * decoders share, each argument's first byte then its length), until one decodes another or the bytes are
 * forgotten: a command of many keys (MSET) notes each as requestKey in turn (noteKeyArgument).
 */
const requestSpans: { argv: readonly string[] | undefined; buf: Uint8Array; spans: Int32Array } = {
  argv: undefined,
  buf: new Uint8Array(0),
  spans: new Int32Array(0),
};

/** Notes `argv`'s spans (see requestSpans). */
export function noteRequestSpans(
  argv: readonly string[],
  buf: Uint8Array,
  spans: Int32Array,
): void {
  requestSpans.argv = argv;
  requestSpans.buf = buf;
  requestSpans.spans = spans;
}

/** Ends requestSpans: its decoder is about to write its spans again. */
export function forgetRequestSpans(): void {
  requestSpans.argv = undefined;
}

/** Notes argument `i` of `argv` as requestKey, when `argv` is the request decoded last. */
export function noteKeyArgument(argv: readonly string[], i: number): void {
  if (argv !== requestSpans.argv) return;
  const key = argv[i]!;
  if (key.length >= KEY_BYTES_MIN) {
    noteRequestKey(key, requestSpans.buf, requestSpans.spans[2 * i]!);
  }
}

/**
 * Deferred arguments: a long argument a request decoder leaves as its bytes in the query buffer.
 *
 * SET of a 1 KB value made the value's JS string (a copy, then the
 * collector's share: ~0.18 of 0.5 us in-process) only for the key table to
 * copy its bytes into a page. Redis copies once. A command whose handler
 * stores an argument's bytes registers it (`takesBytes`); a decoder whose
 * owner settles (forgetNotedBytes, before its buffer changes) then puts
 * DEFERRED_ARG in argv in its place, and the handler copies the bytes
 * (`takeDeferred`). Whatever else reads the argument first turns the mark
 * into the argument's string, in argv itself, while the bytes stand: logs
 * (`resolveDeferred`, slow log and MONITOR), propagation, and `settleDeferred`
 * for a request kept for later (queued in MULTI, a paused client), at the
 * next request decoded or the batch's end.
 */
/** Stands in argv for a deferred argument: no binary string holds a char over 0xff. */
export const DEFERRED_ARG = "\u0100";

/** Shortest argument deferred: below it, making the string costs about what the bookkeeping does. */
export const DEFER_MIN = 64;

/**
 * Shortest value deferred when its command stores it (takesBytes): from here
 * a copy into its record by a loop (no view made) costs less than its string
 * (in-process SET of 20 bytes 263-268 -> 251-254 ns, of 32 bytes 304-307 -> 259-272, of 63
 * bytes 349-362 -> 282-284; of 16 bytes 232-238 -> 244-251, the string still cheaper).
 */
export const VALUE_DEFER_MIN = 20;

const EMPTY_BYTES = new Uint8Array(0);

/**
 * An argument a decoder left as bytes [start, end) of its query buffer, a
 * mark in its place in argv, standing until it is settled (the next request
 * decoded, the batch's end). Serves the deferred value and the held key.
 */
export class HeldArgument {
  /** The request whose argument it is (undefined: none standing). */
  argv: string[] | undefined = undefined;
  /** Where in argv. */
  index = 0;
  bytes: Uint8Array = EMPTY_BYTES;
  start = 0;
  end = 0;
  /** Whether its handler took it: then nothing needs its string unless a log asks. */
  taken = false;

  /** `mark` stands in argv; a key's string, once made, is noted as requestKey (`notesKey`). */
  constructor(readonly mark: string, readonly notesKey: boolean) {}

  /** Leaves argument `i` of `args` as bytes [from, to) of `buf`; settles the one before. */
  hold(args: string[], i: number, buf: Uint8Array, from: number, to: number): void {
    this.settle();
    args[i] = this.mark;
    this.argv = args;
    this.index = i;
    this.bytes = buf;
    this.start = from;
    this.end = to;
    this.taken = false;
  }

  /** Whether it stands for argument `i` of `args`; if so its handler has taken it. */
  take(args: readonly string[], i: number): boolean {
    if (args !== this.argv || i !== this.index || args[i] !== this.mark) return false;
    this.taken = true;
    return true;
  }

  /** Whether it still stands in `args` (its string not made). */
  standsIn(args: readonly string[]): boolean {
    return args === this.argv && args[this.index] === this.mark;
  }

  /** Its string, made on first use and put in argv in place of the mark. */
  string(): string {
    const argv = this.argv!;
    const made = argv[this.index]!;
    if (made !== this.mark) return made;
    const s = bytesToBinary(this.bytes, this.start, this.end);
    argv[this.index] = s;
    // Whoever looks the key up next finds it from these bytes still (requestKey).
    if (this.notesKey) noteRequestKey(s, this.bytes, this.start);
    return s;
  }

  /** Ends it before its bytes can change: one its handler did not take becomes its string. */
  settle(): void {
    if (this.argv === undefined) return;
    if (!this.taken) this.string();
    this.argv = undefined;
    this.bytes = EMPTY_BYTES;
  }
}

/** The deferred value standing, if any. */
const heldValue = new HeldArgument(DEFERRED_ARG, false);

/** Leaves argument `i` of `args` as bytes [from, to) of `buf`; settles the previous value and key. */
export function deferArgument(
  args: string[],
  i: number,
  buf: Uint8Array,
  from: number,
  to: number,
): void {
  heldKey.settle();
  heldValue.hold(args, i, buf, from, to);
}

/**
 * The bytes of deferred argument `i` of `args` (a view into the query
 * buffer, to copy before the request ends), or undefined when it is a string.
 */
export function takeDeferred(args: readonly string[], i: number): Uint8Array | undefined {
  return heldValue.take(args, i)
    ? heldValue.bytes.subarray(heldValue.start, heldValue.end)
    : undefined;
}

/**
 * takeDeferred without a view: the held argument (its bytes, start and end,
 * to copy before the request ends) when argument `i` of `args` is deferred.
 */
export function takeDeferredSpan(args: readonly string[], i: number): HeldArgument | undefined {
  return heldValue.take(args, i) ? heldValue : undefined;
}

/** Whether `args` has a deferred argument (a value or a key left as bytes) standing. */
export function holdsDeferred(args: readonly string[]): boolean {
  return heldValue.standsIn(args) || heldKey.standsIn(args) || args === heldArgs.argv;
}

/** Makes `args`'s deferred arguments their strings, if it has any standing (logs, propagation). */
export function resolveDeferred(args: readonly string[]): void {
  if (heldValue.standsIn(args)) heldValue.string();
  if (heldKey.standsIn(args)) heldKey.string();
  if (args === heldArgs.argv) heldArgs.resolve();
}

/**
 * Ends the deferred arguments before their bytes can change: one its handler
 * did not take (the request was queued, held, refused) becomes its string.
 */
function settleDeferred(): void {
  heldKey.settle();
  heldValue.settle();
  heldArgs.settle();
}

/** Stands in argv for an argument of a request held whole (HeldArguments). */
export const HELD_ARG = "\u0102";

/**
 * A request whose arguments after the name a decoder left as bytes (MSET's
 * keys and values: 20 strings made per request, ~20% of its time, only for
 * the key table to hash, compare and copy their bytes). Each stands as
 * HELD_ARG in argv until `string(i)` makes it, as a held key does; whatever
 * else reads argv resolves them first (resolveDeferred), and a request its
 * handler did not take gets its strings when settled. It is also the
 * KeyBytes of the argument `at` put it on last.
 */
export class HeldArguments implements KeyBytesCursor {
  argv: string[] | undefined = undefined;
  bytes: Uint8Array = EMPTY_BYTES;
  /** Each argument's first byte, then its length (a copy: the decoder reuses its own). */
  readonly spans = new Int32Array(2 * HELD_ARGS_MAX);
  taken = false;
  /** The argument `at` stands on: its index and bytes [start, end). */
  index = 0;
  start = 0;
  end = 0;

  /** Leaves arguments 1.. of `args` as their spans in `buf`; settles the request before. */
  hold(args: string[], buf: Uint8Array, spans: Int32Array, count: number): void {
    this.settle();
    for (let i = 1; i < count; i++) args[i] = HELD_ARG;
    // A loop: subarray() for set() allocates a view (~100 bytes a request).
    const own = this.spans;
    for (let i = 0; i < 2 * count; i++) own[i] = spans[i]!;
    this.argv = args;
    this.bytes = buf;
    this.taken = false;
  }

  /** Argument `i` as the KeyBytes of this object. */
  at(i: number): this {
    const from = this.spans[2 * i]!;
    this.index = i;
    this.start = from;
    this.end = from + this.spans[2 * i + 1]!;
    return this;
  }

  /** The string of argument `index` (the one `at` stands on), noted as requestKey. */
  string(): string {
    const s = this.stringOf(this.index);
    noteRequestKey(s, this.bytes, this.start);
    return s;
  }

  /** Argument `i`'s string, made on first use and put in argv in place of the mark. */
  stringOf(i: number): string {
    const argv = this.argv!;
    const made = argv[i]!;
    if (made !== HELD_ARG) return made;
    const from = this.spans[2 * i]!;
    return argv[i] = bytesToBinary(this.bytes, from, from + this.spans[2 * i + 1]!);
  }

  /** Every argument made its string. */
  resolve(): void {
    for (let i = 1; i < this.argv!.length; i++) this.stringOf(i);
  }

  /** Ends it before its bytes can change: a request its handler did not take gets its strings. */
  settle(): void {
    if (this.argv === undefined) return;
    if (!this.taken) this.resolve();
    this.argv = undefined;
    this.bytes = EMPTY_BYTES;
  }
}

/** A key given as bytes (the key table's KeyBytes, which this module may not import). */
interface KeyBytesCursor {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  string(): string;
}

/** Most arguments a request held whole may have (the decoder's one-pass path's). */
export const HELD_ARGS_MAX = 64;

/** The request held whole, if `argv` is set. */
const heldArgs = new HeldArguments();

/** Leaves arguments 1..count-1 of `args` as their spans in `buf` (see HeldArguments). */
export function holdArguments(
  args: string[],
  buf: Uint8Array,
  spans: Int32Array,
  count: number,
): void {
  heldArgs.hold(args, buf, spans, count);
}

/** The arguments of `args` held as bytes, taken by its handler; undefined when they are strings. */
export function takeArguments(args: readonly string[]): HeldArguments | undefined {
  if (args !== heldArgs.argv || args[1] !== HELD_ARG) return undefined;
  heldArgs.taken = true;
  return heldArgs;
}

/**
 * Keys left as bytes. GET of a 20-byte key spent ~40 ns making the key's
 * string (a 1-byte key ~10), which the key table then only hashed and
 * compared with its page's bytes. A command whose handler looks its key up
 * by bytes registers (`takesKeyBytes`); a decoder whose owner settles puts
 * KEY_ARG in argv in the key's place and holds its bytes (`heldKey`). The
 * handler takes them (`takeKey`) and passes them to the keyspace's lookups
 * by bytes, which make the string only when they need it (a key with a TTL
 * to check, a change someone listens to: `heldKey.string()`, which also puts
 * it in argv). Whatever else reads argv makes it first, as for a deferred
 * value: `resolveDeferred` (logs, propagation, ACL key checks, tracking,
 * snapshots' copy-on-write), and `settleDeferred` for a request not run at
 * once (queued in MULTI, a paused client) at the next request decoded or the
 * batch's end. A handler that took the key leaves the mark in an argv that
 * nothing reads afterwards.
 */
/** Stands in argv for a key left as bytes: no binary string holds a char over 0xff. */
export const KEY_ARG = "\u0101";

/** A key a decoder left as bytes, taken by its handler (takeKey): `string()` makes it when needed. */
export type HeldKey = HeldArgument;
/** The one key left as bytes, if `argv` is set. */
const heldKey = new HeldArgument(KEY_ARG, true);

/** Leaves argument `i` of `args` as bytes [from, to) of `buf`; settles the previous key. */
export function holdKey(
  args: string[],
  i: number,
  buf: Uint8Array,
  from: number,
  to: number,
): void {
  heldKey.hold(args, i, buf, from, to);
}

/** The held key standing for argument `i` of `args`, taken by its handler; undefined when a string. */
export function takeKey(args: readonly string[], i: number): HeldKey | undefined {
  return heldKey.take(args, i) ? heldKey : undefined;
}

const encoder = new TextEncoder();
/** Below this, a loop beats encodeInto's call and view. */
const ENCODE_MIN = 64;
/** Below this, a loop beats base64's two passes (they break even at ~256 chars). */
const BASE64_MIN = 256;

/** Whether the first 16 chars are ASCII (random bytes pass with odds of 1 in 65,536). */
function startsAscii(s: string): boolean {
  let high = 0;
  for (let i = 0; i < 16; i++) high |= s.charCodeAt(i);
  return high < 0x80;
}

/** Uint8Array.prototype.setFromBase64 (V8 ships it; Deno's types do not declare it yet). */
type Base64Target = Uint8Array & { setFromBase64(base64: string): unknown };

/**
 * Writes binary string `s` into `buf` at `offset`; returns the offset after it.
 * Long strings take native paths: encodeInto copies ASCII ~13x faster than a
 * charCodeAt loop (1 KB: 0.11 against 1.4 us), but crawls over chars above
 * 0x7f (0.86 us), which UTF-8 would widen anyway. Those strings go through
 * base64 when long: btoa reads exactly one byte a char and setFromBase64
 * writes the bytes back (1 KB: 0.38 us). A look at the first chars sends
 * binary data (compressed, serialized) there without trying encodeInto.
 */
export function writeBinary(buf: Uint8Array, offset: number, s: string): number {
  const len = s.length;
  // The long paths are a call of their own, so this stays small enough for
  // V8 to inline into reply writers (a native ZQUERY's member copy was called).
  if (len >= ENCODE_MIN) {
    const end = writeLongBinary(buf, offset, s);
    if (end >= 0) return end;
  }
  // Four chars a step: each charCodeAt checks the string's kind, and fewer
  // loop steps cut a 20-char member's copy by a sixth (42 → 35 ns).
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    buf[offset + i] = s.charCodeAt(i);
    buf[offset + i + 1] = s.charCodeAt(i + 1);
    buf[offset + i + 2] = s.charCodeAt(i + 2);
    buf[offset + i + 3] = s.charCodeAt(i + 3);
  }
  for (; i < len; i++) buf[offset + i] = s.charCodeAt(i);
  return offset + len;
}

/** writeBinary of a string of ENCODE_MIN chars or more by a native path, or -1 (the loop's). */
function writeLongBinary(buf: Uint8Array, offset: number, s: string): number {
  const len = s.length;
  // Equal strings have equal bytes: an equal string copies the noted ones.
  if (notedBytes !== undefined && len === notedString.length && s === notedString) {
    buf.set(notedBytes.subarray(notedStart, notedStart + len), offset);
    return offset + len;
  }
  const target = buf.subarray(offset, offset + len);
  if (startsAscii(s)) {
    // Every char read and no more bytes written than chars: all ASCII.
    const { read, written } = encoder.encodeInto(s, target);
    if (read === len && written === len) return offset + len;
  }
  if (len >= BASE64_MIN) {
    try {
      (target as Base64Target).setFromBase64(btoa(s));
      return offset + len;
    } catch {
      // Not a binary string (a char over 0xff): the loop keeps each char's low byte.
    }
  }
  return -1;
}

/** A binary string as a fresh Uint8Array. */
export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeBinary(out, 0, s);
  return out;
}

const utf8Decoder = new TextDecoder();

/** Text (any Unicode) as a binary string of its UTF-8 bytes. */
export function utf8ToBinary(text: string): string {
  // Pure ASCII is already its own UTF-8 encoding.
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return bytesToBinary(encoder.encode(text));
}

/** A binary string of UTF-8 bytes as text (invalid sequences become U+FFFD). */
export function binaryToUtf8(s: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return utf8Decoder.decode(binaryToBytes(s));
}

/**
 * Parses a signed decimal integer from buf[start, end) as strictly as Redis's
 * string2ll: no '+', no leading zeros, no "-0".
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number | undefined {
  if (start >= end || end - start > 20) return undefined;
  if (end - start === 1 && buf[start] === 48 /* 0 */) return 0;
  let i = start;
  let negative = false;
  if (buf[i] === 45 /* - */) {
    negative = true;
    i++;
  }
  if (i === end || buf[i] === 48 /* 0 */) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  if (!Number.isSafeInteger(value)) return undefined;
  return negative ? -value : value;
}

/** "00".."99": writeDecimal writes two digits per division (Redis's ll2string does the same). */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/**
 * Writes non-negative safe integer `n` in decimal at `p`; returns the offset
 * after it. Lengths and counts go out without building a string per reply.
 */
export function writeDecimal(b: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  if (n > 0x7fffffff) {
    if (n > Number.MAX_SAFE_INTEGER || n !== Math.floor(n)) return writeBinary(b, p, String(n));
    // Clock milliseconds and the like: two int32 halves, no string built.
    const high = Math.floor(n / 1e8);
    p = writeDecimal(b, p, high);
    writePairs(b, p + 6, n - high * 1e8, 4);
    return p + 8;
  }
  // Small integers: int32 arithmetic, no float division.
  const end = p + decimalLength(n);
  const last = writePairs(b, end - 2, n, (end - p) >> 1);
  if (last >= 0) b[p] = 48 + last;
  return end;
}

/**
 * Writes the last `pairs` digit pairs of int32 `n`, the last at `at`,
 * moving left; returns the digit left over (-1 if none).
 */
function writePairs(b: Uint8Array, at: number, n: number, pairs: number): number {
  for (; pairs > 0; pairs--, at -= 2) {
    const q = (n / 100) | 0;
    const r = (n - q * 100) * 2;
    b[at] = DIGIT_PAIRS[r]!;
    b[at + 1] = DIGIT_PAIRS[r + 1]!;
    n = q;
  }
  return n > 0 ? n : -1;
}

/** How many digits writeDecimal writes for a non-negative integer (no division up to 10^16). */
export function decimalLength(n: number): number {
  if (n < 1e8) {
    if (n < 1e4) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
    return n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : 8;
  }
  if (n < 1e12) return n < 1e9 ? 9 : n < 1e10 ? 10 : n < 1e11 ? 11 : 12;
  if (n < 1e16) return n < 1e13 ? 13 : n < 1e14 ? 14 : n < 1e15 ? 15 : 16;
  return decimalLength(Math.floor(n / 1e8)) + 8;
}

/** Below this many bytes a loop copies faster than making a view for `set`. */
const COPY_LOOP_MAX = 64;

/** Copies bytes [start, end) of `from` to `to` at `at`; returns the end of the copy in `to`. */
export function copyBytes(
  to: Uint8Array,
  at: number,
  from: Uint8Array,
  start: number,
  end: number,
): number {
  const len = end - start;
  if (len < COPY_LOOP_MAX) {
    // Indexed from the source: ~11 ns for 16 bytes where (at + i, start + i) took ~18.
    const shift = at - start;
    for (let i = start; i < end; i++) to[shift + i] = from[i]!;
  } else {
    to.set(from.subarray(start, end), at);
  }
  return at + len;
}
