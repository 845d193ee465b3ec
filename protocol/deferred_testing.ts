/**
 * Test support shared by the RESP and native decoders' tests of deferred
 * arguments (bytes.ts): both decoders are driven the same way.
 */
import { equal } from "node:assert/strict";
import { bytesToBinary, DEFERRED_ARG, takeDeferred } from "./bytes.ts";

/** What both request decoders offer. */
export interface RequestDecoder {
  consumed: number;
  decode(buf: Uint8Array, start: number, end: number): string[] | undefined;
}

/**
 * Decodes every whole request in buf[start, end), checks that argument 2 of
 * the i-th was deferred exactly when `deferred[i]` says, takes it as a
 * handler would and appends the request to `got` as sent; returns where the
 * next request starts.
 */
export function decodeTaking(
  decoder: RequestDecoder,
  buf: Uint8Array,
  start: number,
  end: number,
  deferred: readonly boolean[],
  got: string[][],
): number {
  for (;;) {
    const argv = decoder.decode(buf, start, end);
    start += decoder.consumed;
    if (argv === undefined) return start;
    equal(argv[2] === DEFERRED_ARG, deferred[got.length], `request ${got.length}`);
    const taken = takeDeferred(argv, 2);
    got.push(taken === undefined ? argv : [argv[0]!, argv[1]!, bytesToBinary(taken)]);
  }
}
