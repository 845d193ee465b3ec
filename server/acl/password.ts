/**
 * Password handling for ACL users: only SHA-256 hex digests are kept, the
 * comparison takes the same time wherever the digests differ, and ACL
 * GENPASS draws from the system's secure random source.
 */
import { sha256Hex } from "../sha.ts";

/** SHA-256 of a binary-string password, as 64 lower-case hex digits (ACLHashPassword). */
export function hashPassword(password: string): string {
  return sha256Hex(password);
}

/** Whether `s` is a stored hash: exactly 64 characters, each 0-9 or a-f. */
export function isPasswordHash(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/**
 * Compares two hashes without an early exit (time_independent_strcmp): every
 * char is looked at and the differences are OR-ed together, so the time taken
 * does not tell how long a prefix matched.
 */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** ACL GENPASS's largest bit count. */
export const GENPASS_MAX_BITS = 4096;

/** `bits` random bits as hex, rounded up to whole hex digits (ACL GENPASS). */
export function generatePassword(bits = 256): string {
  const chars = Math.ceil(bits / 4);
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(chars / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, chars);
}
