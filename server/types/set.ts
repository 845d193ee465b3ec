/**
 * The set type: members in a PackedDict. While every member is an integer and
 * there are at most set-max-intset-entries of them, the set is Redis's
 * "intset": one bucket kept in numeric order (so SMEMBERS answers sorted, as
 * Redis does). Any other member, or one too many, makes it a hash table for
 * good. (Redis 7.2's listpack sets do not exist in 7.0.)
 */
import { PackedDict } from "./packed_dict.ts";
import { PackedKind } from "./packed_record.ts";
import type { RedisObject } from "./value.ts";

/** Default set-max-intset-entries. */
export const SET_MAX_INTSET_ENTRIES = 512;

/** Whether Redis would store `s` in an intset: a canonical int64 ("7", "-3", not "07" or "+1"). */
export function isIntsetMember(s: string): boolean {
  if (s.length === 0 || s.length > 20 || !/^(0|-?[1-9][0-9]*)$/.test(s)) return false;
  if (s.length < 19) return true;
  const v = BigInt(s);
  return v >= -9223372036854775808n && v <= 9223372036854775807n;
}

/** Orders canonical integer strings by value without parsing them. */
export function compareIntegers(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  if (negA !== negB) return negA ? -1 : 1;
  const byMagnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return negA ? -byMagnitude : byMagnitude;
}

export class RedisSet extends PackedDict implements RedisObject {
  get type(): "set" {
    return "set";
  }

  protected get withValues(): boolean {
    return false;
  }

  protected override get sortedCompact(): boolean {
    return true;
  }

  protected override compare(a: string, b: string): number {
    return compareIntegers(a, b);
  }

  encoding(): string {
    return this.compact ? "intset" : "hashtable";
  }

  size(): number {
    return this.count;
  }

  /** Adds a member; true if it is new. `maxIntset` is the server's set-max-intset-entries. */
  add(member: string, maxIntset = SET_MAX_INTSET_ENTRIES): boolean {
    if (this.compact && !isIntsetMember(member)) this.expand();
    const added = this.set(member);
    // As Redis, an intset never holds more than 2^30 members.
    if (added && this.compact && this.count > Math.min(maxIntset, 2 ** 30)) this.expand();
    return added;
  }

  /** Every member (sorted while the set is an intset). */
  *members(): IterableIterator<string> {
    for (const [member] of this.entries()) yield member;
  }

  /**
   * Calls `visit` for every member, in members() order, with no object per
   * member (the set algebra's loops). The set must not be written meanwhile.
   */
  forEachMember(visit: (member: string) => void): void {
    this.forEach(visit);
  }

  /** See packed_value.ts. */
  packedKind(): PackedKind {
    const variant = this.packedVariant();
    return variant < 0 ? PackedKind.NotPackable : PackedKind.SetIntset + variant;
  }

  /**
   * A set of `members`, distinct (a set algebra result), built in one pass:
   * an intset, sorted, when every member is an integer and they fit it (as
   * add() would leave them), else a hashtable.
   */
  static fromDistinct(members: string[], maxIntset = SET_MAX_INTSET_ENTRIES): RedisSet {
    const set = new RedisSet();
    const intset = members.length <= Math.min(maxIntset, 2 ** 30) &&
      members.every(isIntsetMember);
    if (intset) members.sort(compareIntegers);
    if (!set.fillDistinct(members, intset)) { for (const m of members) set.add(m, maxIntset); }
    return set;
  }

  /**
   * A hashtable set of distinct entries a walk of a table of `tableSize`
   * buckets copied (set_algebra.ts: SINTERSTORE), entries[k] from bucket
   * at[k]; the caller knows some member is not an integer (so no intset).
   * Undefined when they cannot be placed as they are.
   */
  static fromEntries(
    entries: readonly string[],
    at: readonly number[],
    tableSize: number,
  ): RedisSet | undefined {
    const set = new RedisSet();
    return set.fillEntries(entries, at, tableSize) ? set : undefined;
  }

  /** A set from its packedData() and packedKind() (and its size(), if known), as RedisHash's. */
  static fromPacked(
    data: string,
    kind: PackedKind,
    count?: number,
    into = new RedisSet(),
  ): RedisSet {
    into.restorePacked(data, kind - PackedKind.SetIntset, count);
    return into;
  }

  clone(): RedisSet {
    return this.copyInto(new RedisSet());
  }
}
