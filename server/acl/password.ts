/**
 * Password handling for ACL users: only SHA-256 hex digests are kept, the
 * comparison takes the same time wherever the digests differ, and ACL
 * GENPASS draws from the system's secure random source.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { binaryToBytes } from "../../protocol/bytes.ts";

/** SHA-256 of a binary-string password, as 64 lower-case hex digits (ACLHashPassword). */
export function hashPassword(password: string): string {
  return createHash("sha256").update(binaryToBytes(password)).digest("hex");
}

/** Whether `s` is a stored hash: exactly 64 characters, each 0-9 or a-f. */
export function isPasswordHash(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** Compares two hashes without an early exit (time_independent_strcmp). */
export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(binaryToBytes(a), binaryToBytes(b));
}

/** ACL GENPASS's largest bit count. */
export const GENPASS_MAX_BITS = 4096;

/** `bits` random bits as hex, rounded up to whole hex digits (ACL GENPASS). */
export function generatePassword(bits = 256): string {
  const chars = Math.ceil(bits / 4);
  return randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars);
}
