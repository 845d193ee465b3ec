/**
 * Counting replies without decoding them: the load generator only needs to
 * know how many complete replies arrived and whether any was an error, so it
 * walks the framing in place and allocates nothing on the hot path.
 */

/** The wire protocols redis-home speaks (docs: /work/shared/protocol.md). */
export type WireProtocol = "resp" | "native";

const CR = 13;
const MINUS = 45;
const BANG = 33;
const DOLLAR = 36;
const EQUALS = 61;
const STAR = 42;
const TILDE = 126;
const GT = 62;
const PERCENT = 37;
const PIPE = 124;
const NATIVE_ERR_TAG = 1;

/** Index of the CR ending the line that starts at `start`, or -1 if the line is incomplete. */
function lineEnd(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i + 1 < end; i++) {
    if (buf[i] === CR) return i;
  }
  return -1;
}

/** The signed decimal integer in buf[start, stop). */
function parseLength(buf: Uint8Array, start: number, stop: number): number {
  let negative = false;
  let i = start;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  }
  let value = 0;
  for (; i < stop; i++) value = value * 10 + buf[i]! - 48;
  return negative ? -value : value;
}

/**
 * The position just past the RESP2/RESP3 reply that starts at `start`, or -1
 * when the reply has not fully arrived.
 */
export function skipRespReply(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  const cr = lineEnd(buf, start + 1, end);
  if (cr < 0) return -1;
  const next = cr + 2;
  switch (buf[start]) {
    case DOLLAR:
    case EQUALS:
    case BANG: {
      const len = parseLength(buf, start + 1, cr);
      if (len < 0) return next;
      return end - next >= len + 2 ? next + len + 2 : -1;
    }
    case STAR:
    case TILDE:
    case GT:
    case PERCENT:
    case PIPE: {
      const n = parseLength(buf, start + 1, cr);
      const count = buf[start] === PERCENT || buf[start] === PIPE ? n * 2 : n;
      let pos = next;
      for (let i = 0; i < count; i++) {
        pos = skipRespReply(buf, pos, end);
        if (pos < 0) return -1;
      }
      // An attribute annotates the reply that follows it.
      return buf[start] === PIPE ? skipRespReply(buf, pos, end) : pos;
    }
    default:
      return next;
  }
}

/** The position just past the native reply frame at `start`, or -1 if incomplete. */
export function skipNativeReply(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 4) return -1;
  const len = buf[start]! | buf[start + 1]! << 8 | buf[start + 2]! << 16 | buf[start + 3]! << 24;
  return end - start >= 4 + len ? start + 4 + len : -1;
}

/**
 * An error message without the arguments Redis quotes after "unknown
 * command": those are random keys, and without them a failure reads the same
 * in every run.
 */
export function withoutArguments(message: string): string {
  return message.replace(/, with args beginning with:.*$/s, "");
}

/** The text of the error reply at `start`, for the report. */
function errorText(protocol: WireProtocol, buf: Uint8Array, start: number, stop: number): string {
  let bytes = buf.subarray(start + 13, stop);
  if (protocol === "resp") {
    const cr = lineEnd(buf, start + 1, stop);
    // A RESP3 blob error (`!len`) carries its text on the following line.
    bytes = buf[start] === BANG ? buf.subarray(cr + 2, stop - 2) : buf.subarray(start + 1, cr);
  }
  return new TextDecoder().decode(bytes);
}

/** Counts complete replies, and errors among them, as bytes arrive. */
export class ReplyCounter {
  replies = 0;
  errors = 0;
  firstError: string | undefined;

  constructor(readonly protocol: WireProtocol) {}

  /** Counts every complete reply in buf[start, end); returns where the unfinished rest begins. */
  scan(buf: Uint8Array, start: number, end: number): number {
    const resp = this.protocol === "resp";
    for (;;) {
      const next = resp ? skipRespReply(buf, start, end) : skipNativeReply(buf, start, end);
      if (next < 0) return start;
      const isError = resp
        ? buf[start] === MINUS || buf[start] === BANG
        : buf[start + 4] === NATIVE_ERR_TAG;
      if (isError) {
        this.errors++;
        this.firstError ??= withoutArguments(errorText(this.protocol, buf, start, next));
      }
      this.replies++;
      start = next;
    }
  }
}
