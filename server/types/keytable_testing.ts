/** Helpers the key table's tests share. */
import type { KeyBytes } from "./page_bytes.ts";
import type { RedisObject } from "./value.ts";

/** A deterministic generator, so a failure replays. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

export function binary(random: () => number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(random() * 256));
  return s;
}

/** A key as a request's bytes (KeyTable.refAt's). */
export function bytesKey(key: string): KeyBytes {
  const bytes = Uint8Array.from(key, (c) => c.charCodeAt(0));
  return { bytes, start: 0, end: bytes.length, string: () => key };
}

export const list = (): RedisObject => ({
  type: "list",
  encoding: () => "listpack",
  clone: list,
  size: () => 1,
});
