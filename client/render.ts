/**
 * Reply rendering exactly as redis-cli 7.0 prints it: the decorated form for
 * a terminal (`cliFormatReplyTTY`: quoted strings, `(integer) 1`, numbered
 * nested arrays) and the bare form for pipes (`cliFormatReplyRaw`).
 *
 * Native replies are first turned into the RESP reply they stand for
 * (`fromNative`), so both protocols render through the same code. Inputs and
 * outputs are binary strings (one char per byte).
 */
import { formatDouble } from "../protocol/double.ts";
import type { NativeValue } from "../protocol/native.ts";
import type { RespValue } from "../protocol/resp.ts";

/**
 * The RESP reply a native value stands for: STR is a bulk string (the frame
 * does not say whether it was a status), DBL a RESP3 double printed as Redis
 * prints doubles, ARR an array.
 */
export function fromNative(value: NativeValue): RespValue {
  switch (value.type) {
    case "nil":
      return { type: "null" };
    case "err":
      return { type: "error", value: value.message };
    case "str":
      return { type: "bulk", value: value.value };
    case "int":
      return { type: "int", value: value.value };
    case "dbl":
      return { type: "double", value: value.value, raw: formatDouble(value.value) };
    case "arr":
      return { type: "array", values: value.values.map(fromNative) };
  }
}

/** A string as redis-cli quotes it (sds.c sdscatrepr). */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c: // backslash
        out += "\\\\";
        break;
      case 0x22: // double quote
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        // C isprint() in the "C" locale: every byte outside ASCII is escaped.
        out += c >= 0x20 && c <= 0x7e ? s[i] : "\\x" + c.toString(16).padStart(2, "0");
    }
  }
  return out + '"';
}

type Aggregate = Extract<RespValue, { values: RespValue[] }> | Extract<RespValue, { type: "map" }>;

function elementCount(reply: Aggregate): number {
  return reply.type === "map" ? reply.entries.length : reply.values.length;
}

/** Whether the terminal form of `reply` spans several lines (cliIsMultilineValueTTY). */
function isMultiline(reply: RespValue): boolean {
  switch (reply.type) {
    case "array":
    case "set":
    case "push": {
      const [first, second] = reply.values;
      return first !== undefined && (second !== undefined || isMultiline(first));
    }
    case "map": {
      const [first, second] = reply.entries;
      return first !== undefined && (second !== undefined || isMultiline(first[1]));
    }
    default:
      return false;
  }
}

const EMPTY_AGGREGATE: Record<Aggregate["type"], string> = {
  array: "(empty array)\n",
  map: "(empty hash)\n",
  set: "(empty set)\n",
  push: "(empty push)\n",
};

/**
 * The terminal form, ending in a newline. `prefix` is the indentation of the
 * enclosing aggregate; the first element of a nested aggregate goes on its
 * parent's line, the others under it.
 */
export function formatReplyTTY(reply: RespValue, prefix = ""): string {
  switch (reply.type) {
    case "error":
      return `(error) ${reply.value}\n`;
    case "simple":
      return reply.value + "\n";
    case "int":
      return `(integer) ${reply.value}\n`;
    case "double":
      return `(double) ${reply.raw}\n`;
    case "bignum":
      return `(big number) ${reply.value}\n`;
    case "bulk":
      return quoteString(reply.value) + "\n";
    case "verbatim":
      return reply.value + "\n";
    case "null":
    case "nullArray":
      return "(nil)\n";
    case "bool":
      return reply.value ? "(true)\n" : "(false)\n";
    case "array":
    case "set":
    case "push":
    case "map":
      return formatAggregateTTY(reply, prefix);
  }
}

function formatAggregateTTY(reply: Aggregate, prefix: string): string {
  const count = elementCount(reply);
  if (count === 0) return EMPTY_AGGREGATE[reply.type];
  const width = String(count).length;
  // Nested elements line up after this level's "N) ".
  const inner = prefix + " ".repeat(width + 2);
  const separator = reply.type === "set" ? "~" : reply.type === "map" ? "#" : ")";
  let out = "";
  for (let i = 0; i < count; i++) {
    // The first element continues the line the parent already numbered.
    out += (i === 0 ? "" : prefix) + String(i + 1).padStart(width) + separator + " ";
    // count is the length of entries or values.
    if (reply.type === "map") {
      const [key, value] = reply.entries[i]!;
      out += formatReplyTTY(key, inner).slice(0, -1) + " => ";
      // A multi-line value starts on its own line so its numbers align.
      if (isMultiline(value)) out += "\n" + inner;
      out += formatReplyTTY(value, inner);
    } else {
      out += formatReplyTTY(reply.values[i]!, inner);
    }
  }
  return out;
}

/**
 * The piped form (redis-cli when stdout is not a terminal): bare values, one
 * aggregate element per line, a map entry as "key value", nil as nothing.
 * The caller ends each reply with a newline.
 */
export function formatReplyRaw(reply: RespValue, delimiter = "\n"): string {
  switch (reply.type) {
    case "null":
    case "nullArray":
      return "";
    case "error":
      return reply.value + "\n";
    case "simple":
    case "bulk":
    case "verbatim":
    case "bignum":
      return reply.value;
    case "bool":
      return reply.value ? "(true)" : "(false)";
    case "int":
      return String(reply.value);
    case "double":
      return reply.raw;
    case "array":
    case "set":
    case "push":
      return reply.values.map((v) => formatReplyRaw(v, delimiter)).join(delimiter);
    case "map":
      return reply.entries.map(([k, v]) =>
        formatReplyRaw(k, delimiter) + " " + formatReplyRaw(v, delimiter)
      ).join(delimiter);
  }
}

/**
 * redis-cli's --csv form (cliFormatReplyCSV): quoted strings, NULL, true and
 * false, ERROR,"text", and aggregates (maps too) as one flat comma list.
 */
export function formatReplyCSV(reply: RespValue): string {
  switch (reply.type) {
    case "error":
      return "ERROR," + quoteString(reply.value);
    case "simple":
    case "bulk":
    case "verbatim":
      return quoteString(reply.value);
    case "int":
      return String(reply.value);
    case "double":
      return reply.raw;
    case "bignum":
      return reply.value;
    case "null":
    case "nullArray":
      return "NULL";
    case "bool":
      return reply.value ? "true" : "false";
    case "array":
    case "set":
    case "push":
      return reply.values.map(formatReplyCSV).join(",");
    case "map":
      return reply.entries.flat().map(formatReplyCSV).join(",");
  }
}

/** How replies are printed: redis-cli's three output modes and their delimiters. */
export interface OutputStyle {
  format: "standard" | "raw" | "csv";
  /** Between the elements of a raw aggregate (-d). */
  bulkDelimiter: string;
  /** After each raw reply (-D). */
  replyDelimiter: string;
}

/**
 * A reply as redis-cli prints it (cliFormatReply). `verbatim` replies (INFO,
 * CLIENT LIST...) are reports for people and print bare whatever the mode.
 */
/**
 * A client-side caching invalidation (a RESP3 `invalidate` push with its
 * keys) on one line, as redis-cli shows it at a terminal:
 * `-> invalidate: 'k1', 'k2'`. Undefined for any other reply (the "every
 * key" null after a flush is shown as the push it is, as redis-cli does).
 */
export function formatInvalidateTTY(reply: RespValue): string | undefined {
  if (reply.type !== "push" || reply.values.length !== 2) return undefined;
  const [kind, keys] = reply.values;
  if (kind?.type !== "bulk" || !kind.value.startsWith("invalidate")) return undefined;
  if (keys?.type !== "array") return undefined;
  const names: string[] = [];
  for (const key of keys.values) {
    if (key.type !== "bulk") return undefined;
    names.push(`'${key.value}'`);
  }
  return `-> invalidate: ${names.join(", ")}\n`;
}

export function formatReply(reply: RespValue, style: OutputStyle, verbatim = false): string {
  if (verbatim) return formatReplyRaw(reply, style.bulkDelimiter);
  switch (style.format) {
    case "standard":
      return formatInvalidateTTY(reply) ?? formatReplyTTY(reply);
    case "raw":
      return formatReplyRaw(reply, style.bulkDelimiter) + style.replyDelimiter;
    case "csv":
      return formatReplyCSV(reply) + "\n";
  }
}
