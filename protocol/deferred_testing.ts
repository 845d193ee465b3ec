/**
 * Test support shared by the RESP and native decoders' tests of deferred
 * arguments (bytes.ts): both decoders are driven the same way.
 */
import { equal } from "node:assert/strict";
import {
  bytesToBinary,
  DEFERRED_ARG,
  KEY_ARG,
  requestKey,
  takeDeferred,
  takeKey,
} from "./bytes.ts";

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

/**
 * Decodes `requests` from `wire`, checks that the i-th's key was held as bytes
 * exactly when `held[i]` says (a key not held, of 4 bytes or more, is noted
 * as the request key), and takes every other held key as a handler would;
 * returns the decoded argvs (the keys not taken still marked until settled).
 */
export function decodeHolding(
  decoder: RequestDecoder,
  wire: Uint8Array,
  requests: readonly string[][],
  held: readonly boolean[],
): string[][] {
  const argvs: string[][] = [];
  let start = 0;
  for (const [i, request] of requests.entries()) {
    const argv = decoder.decode(wire, start, wire.length)!;
    start += decoder.consumed;
    equal(argv[1] === KEY_ARG, held[i], `request ${i}`);
    if (!held[i] && request[1]!.length >= 4) equal(requestKey.key, request[1]);
    // Taken by its handler: the bytes, and the string when asked for.
    if (i % 2 === 0 && held[i]) equal(takeKey(argv, 1)!.string(), request[1]);
    argvs.push(argv);
  }
  return argvs;
}
