/**
 * Set commands (Redis 7.0's t_set.c) over server/types/set.ts. Multi-set
 * results (SINTER, SUNION, SDIFF, SMEMBERS, SPOP with a count) are RESP3 sets.
 */
import type { Client } from "../client.ts";
import type { CommandSpec } from "../command.ts";
import {
  CommandError,
  LIMIT_NEGATIVE,
  NUMKEYS_NOT_POSITIVE,
  NUMKEYS_OVER_ARGS,
  SYNTAX,
} from "../errors.ts";
import { globMatch } from "../glob.ts";
import { NotifyClass } from "../notify.ts";
import { parseCursor, parseScanOptions, scanStep, writeScanReply } from "../scan.ts";
import { RedisSet } from "../types/set.ts";
import {
  deleteIfEmpty,
  intsetLimit,
  LONG_MAX,
  positiveLong,
  rangedLong,
  readObject,
} from "./collections.ts";

function readSet(client: Client, key: string): RedisSet | undefined {
  return readObject<RedisSet>(client, key, "set");
}

function writeSet(client: Client, key: string): RedisSet | undefined {
  return client.db.getObject<RedisSet>(key, "set");
}

/** The sets at `keys` (undefined for missing ones), WRONGTYPE if any holds another type. */
function readSets(client: Client, keys: readonly string[]): (RedisSet | undefined)[] {
  return keys.map((key) => readSet(client, key));
}

function replyMembers(client: Client, members: Iterable<string>, count: number): void {
  const out = client.out;
  out.set(count);
  for (const member of members) out.bulk(member);
}

/** Members in every set, iterating the smallest; stops after `limit` (0: all). */
function intersect(sets: RedisSet[], limit = 0): string[] {
  const ordered = sets.slice().sort((a, b) => a.size() - b.size());
  const [smallest, ...others] = ordered;
  const result: string[] = [];
  for (const member of smallest.members()) {
    if (others.every((set) => set === smallest || set.has(member))) {
      result.push(member);
      if (limit !== 0 && result.length >= limit) break;
    }
  }
  return result;
}

function union(sets: (RedisSet | undefined)[], maxIntset: number): RedisSet {
  const result = new RedisSet();
  for (const set of sets) {
    if (set === undefined) continue;
    for (const member of set.members()) result.add(member, maxIntset);
  }
  return result;
}

/** Members of the first set in none of the others. */
function difference(sets: (RedisSet | undefined)[], maxIntset: number): RedisSet {
  const result = new RedisSet();
  const [first, ...others] = sets;
  // A key repeated after the first removes everything.
  if (first === undefined || others.includes(first)) return result;
  for (const member of first.members()) {
    if (!others.some((set) => set !== undefined && set.has(member))) {
      result.add(member, maxIntset);
    }
  }
  return result;
}

/**
 * The STORE variants: a non-empty result replaces `destination` whatever it
 * held (and its TTL); an empty one deletes it.
 */
function store(client: Client, destination: string, result: RedisSet, event: string): void {
  const db = client.db;
  const server = client.server;
  if (result.size() > 0) {
    db.set(destination, result);
    client.out.int(result.size());
    server.keyChanged(db, destination, NotifyClass.Set, event);
  } else {
    client.out.int(0);
    if (db.delete(destination)) server.keyChanged(db, destination, NotifyClass.Generic, "del");
  }
}

function intersectionOf(client: Client, keys: readonly string[]): string[] {
  const sets = readSets(client, keys);
  if (sets.some((set) => set === undefined)) return [];
  return intersect(sets as RedisSet[]);
}

/** SRANDMEMBER with a count: negative allows repeats, else distinct members. */
function randomMembers(client: Client, set: RedisSet, count: number): void {
  const out = client.out;
  const size = set.size();
  if (count < 0 || count === 1) {
    const n = Math.abs(count);
    out.array(n);
    for (let i = 0; i < n; i++) out.bulk(set.random()![0]);
    return;
  }
  if (count >= size) {
    out.array(size);
    for (const member of set.members()) out.bulk(member);
    return;
  }
  out.array(count);
  if (count * 3 > size) {
    // Most of the set: a partial shuffle of all members.
    const members = [...set.members()];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (members.length - i));
      [members[i], members[j]] = [members[j], members[i]];
      out.bulk(members[i]);
    }
    return;
  }
  const seen = new Set<string>();
  while (seen.size < count) {
    const [member] = set.random()!;
    if (seen.has(member)) continue;
    seen.add(member);
    out.bulk(member);
  }
}

/** SPOP key count: replies a set, reaches the AOF as one SREM per member (DEL when all go). */
function popMembers(client: Client, key: string, count: number): void {
  const out = client.out;
  const set = writeSet(client, key);
  if (set === undefined || count === 0) return out.set(0);
  const server = client.server;
  const size = set.size();
  server.keyChanged(client.db, key, NotifyClass.Set, "spop", Math.min(count, size));
  if (count >= size) {
    replyMembers(client, set.members(), size);
    client.db.delete(key);
    server.keyChanged(client.db, key, NotifyClass.Generic, "del", 0);
    client.propagateAs = [["DEL", key]];
    return;
  }
  out.set(count);
  const propagate: string[][] = [];
  for (let i = 0; i < count; i++) {
    const [member] = set.random()!;
    set.delete(member);
    out.bulk(member);
    propagate.push(["SREM", key, member]);
  }
  client.propagateAs = propagate;
}

const SCAN_COMPLEXITY =
  "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";
const INTER_COMPLEXITY =
  "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const UNION_COMPLEXITY = "O(N) where N is the total number of elements in all given sets.";

export const setCommands: CommandSpec[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Add one or more members to a set",
    syntax: "key member [member ...]",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    handler(client, argv) {
      const key = argv[1];
      let set = writeSet(client, key);
      if (set === undefined) {
        set = new RedisSet();
        client.db.set(key, set);
      }
      const maxIntset = intsetLimit(client);
      let added = 0;
      for (let i = 2; i < argv.length; i++) {
        if (set.add(argv[i], maxIntset)) added++;
      }
      client.out.int(added);
      if (added > 0) client.server.keyChanged(client.db, key, NotifyClass.Set, "sadd", added);
    },
  },
  {
    name: "srem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Remove one or more members from a set",
    syntax: "key member [member ...]",
    complexity: "O(N) where N is the number of members to be removed.",
    handler(client, argv) {
      const key = argv[1];
      const set = writeSet(client, key);
      let removed = 0;
      if (set !== undefined) {
        for (let i = 2; i < argv.length && set.size() > 0; i++) {
          if (set.delete(argv[i])) removed++;
        }
      }
      client.out.int(removed);
      if (removed === 0) return;
      client.server.keyChanged(client.db, key, NotifyClass.Set, "srem", removed);
      deleteIfEmpty(client, key, set!);
    },
  },
  {
    name: "smove",
    arity: 4,
    flags: ["write", "fast"],
    keys: [1, 2, 1],
    group: "set",
    since: "1.0.0",
    summary: "Move a member from one set to another",
    syntax: "source destination member",
    complexity: "O(1)",
    handler(client, argv) {
      const [, source, destination, member] = argv;
      const db = client.db;
      const out = client.out;
      if (!db.has(source)) return out.int(0);
      const from = writeSet(client, source)!;
      let to = writeSet(client, destination);
      if (from === to) return out.int(from.has(member) ? 1 : 0);
      if (!from.delete(member)) return out.int(0);
      const server = client.server;
      server.keyChanged(db, source, NotifyClass.Set, "srem");
      deleteIfEmpty(client, source, from);
      if (to === undefined) {
        to = new RedisSet();
        db.set(destination, to);
      }
      if (to.add(member, intsetLimit(client))) {
        server.keyChanged(db, destination, NotifyClass.Set, "sadd");
      }
      out.int(1);
    },
  },
  {
    name: "sismember",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Determine if a given value is a member of a set",
    syntax: "key member",
    complexity: "O(1)",
    handler(client, argv) {
      client.out.int(readSet(client, argv[1])?.has(argv[2]) ? 1 : 0);
    },
  },
  {
    name: "smismember",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "6.2.0",
    summary: "Returns the membership associated with the given elements for a set",
    syntax: "key member [member ...]",
    complexity: "O(N) where N is the number of elements being checked for membership",
    handler(client, argv) {
      const set = readSet(client, argv[1]);
      const out = client.out;
      out.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) out.int(set?.has(argv[i]) ? 1 : 0);
    },
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Get all the members in a set",
    syntax: "key",
    complexity: "O(N) where N is the set cardinality.",
    handler(client, argv) {
      const set = readSet(client, argv[1]);
      const out = client.out;
      out.set(set?.size() ?? 0);
      set?.forEach((member) => out.bulk(member));
    },
  },
  {
    name: "scard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Get the number of members in a set",
    syntax: "key",
    complexity: "O(1)",
    handler(client, argv) {
      client.out.int(readSet(client, argv[1])?.size() ?? 0);
    },
  },
  {
    name: "spop",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Remove and return one or multiple random members from a set",
    syntax: "key [count]",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    handler(client, argv) {
      if (argv.length > 3) throw new CommandError(SYNTAX);
      const key = argv[1];
      if (argv.length === 3) return popMembers(client, key, positiveLong(argv[2]));
      const set = writeSet(client, key);
      if (set === undefined) return client.out.nil();
      const [member] = set.random()!;
      set.delete(member);
      client.server.keyChanged(client.db, key, NotifyClass.Set, "spop");
      client.propagateAs = [["SREM", key, member]];
      client.out.bulk(member);
      deleteIfEmpty(client, key, set);
    },
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Get one or multiple random members from a set",
    syntax: "key [count]",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    handler(client, argv) {
      if (argv.length > 3) throw new CommandError(SYNTAX);
      const out = client.out;
      if (argv.length === 3) {
        const count = rangedLong(argv[2], -LONG_MAX, LONG_MAX);
        const set = readSet(client, argv[1]);
        if (set === undefined || count === 0) return out.array(0);
        return randomMembers(client, set, count);
      }
      const picked = readSet(client, argv[1])?.random();
      if (picked === undefined) out.nil();
      else out.bulk(picked[0]);
    },
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Intersect multiple sets",
    syntax: "key [key ...]",
    complexity: INTER_COMPLEXITY,
    handler(client, argv) {
      const members = intersectionOf(client, argv.slice(1));
      replyMembers(client, members, members.length);
    },
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    group: "set",
    since: "7.0.0",
    summary: "Intersect multiple sets and return the cardinality of the result",
    syntax: "numkeys key [key ...] [LIMIT limit]",
    complexity: INTER_COMPLEXITY,
    handler(client, argv) {
      const numkeys = rangedLong(argv[1], 1n, LONG_MAX, NUMKEYS_NOT_POSITIVE);
      if (numkeys > argv.length - 2) throw new CommandError(NUMKEYS_OVER_ARGS);
      let limit = 0;
      for (let j = 2 + numkeys; j < argv.length; j++) {
        if (argv[j].toUpperCase() === "LIMIT" && j + 1 < argv.length) {
          limit = positiveLong(argv[++j], LIMIT_NEGATIVE);
        } else {
          throw new CommandError(SYNTAX);
        }
      }
      const sets = readSets(client, argv.slice(2, 2 + numkeys));
      if (sets.some((set) => set === undefined)) return client.out.int(0);
      client.out.int(intersect(sets as RedisSet[], limit).length);
    },
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Intersect multiple sets and store the resulting set in a key",
    syntax: "destination key [key ...]",
    complexity: INTER_COMPLEXITY,
    handler(client, argv) {
      const result = new RedisSet();
      const maxIntset = intsetLimit(client);
      for (const member of intersectionOf(client, argv.slice(2))) result.add(member, maxIntset);
      store(client, argv[1], result, "sinterstore");
    },
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Add multiple sets",
    syntax: "key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(client, argv) {
      const result = union(readSets(client, argv.slice(1)), intsetLimit(client));
      replyMembers(client, result.members(), result.size());
    },
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Add multiple sets and store the resulting set in a key",
    syntax: "destination key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(client, argv) {
      const result = union(readSets(client, argv.slice(2)), intsetLimit(client));
      store(client, argv[1], result, "sunionstore");
    },
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Subtract multiple sets",
    syntax: "key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(client, argv) {
      const result = difference(readSets(client, argv.slice(1)), intsetLimit(client));
      replyMembers(client, result.members(), result.size());
    },
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    group: "set",
    since: "1.0.0",
    summary: "Subtract multiple sets and store the resulting set in a key",
    syntax: "destination key [key ...]",
    complexity: UNION_COMPLEXITY,
    handler(client, argv) {
      const result = difference(readSets(client, argv.slice(2)), intsetLimit(client));
      store(client, argv[1], result, "sdiffstore");
    },
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "set",
    since: "2.8.0",
    summary: "Incrementally iterate Set elements",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    complexity: SCAN_COMPLEXITY,
    handler(client, argv) {
      const out = client.out;
      const cursor = parseCursor(argv[2]);
      const set = readSet(client, argv[1]);
      if (set === undefined) {
        return writeScanReply(out, 0n, []);
      }
      const { match, count } = parseScanOptions(argv, 3, false);
      const members: string[] = [];
      const emit = (member: string) => {
        if (match === undefined || globMatch(match, member)) members.push(member);
      };
      let next = 0n;
      // An intset is returned whole, whatever the cursor (as Redis).
      if (set.compact) { for (const member of set.members()) emit(member); }
      else next = scanStep(set, () => set.scanIterator(), cursor, count, ([m]) => emit(m));
      writeScanReply(out, next, members);
    },
  },
];
