/**
 * SORT and SORT_RO: options parsed as Redis's sortCommandGeneric does, the
 * sorting itself in server/sort.ts, pattern keys read through the keyspace
 * API (lookupRead: expiry, hit and miss counts) like every other read.
 */
import { arg, ArgCursor } from "../args.ts";
import type { CommandSpec, Handler } from "../command.ts";
import type { CommandContext } from "../context.ts";
import { readsAnyKey } from "../acl/access.ts";
import {
  CommandError,
  SORT_BY_DENIED,
  SORT_GET_DENIED,
  SORT_NOT_DOUBLE,
  SYNTAX,
  WRONGTYPE,
} from "../errors.ts";
import { keyAfter, keyRange, READ_KEY } from "../key_specs.ts";
import { NotifyClass } from "../notify.ts";
import {
  sortElements,
  type SortLookup,
  type SortSource,
  type SortSpec,
  sortSpec,
} from "../sort.ts";
import type { RedisHash } from "../types/hash.ts";
import { RedisList } from "../types/list.ts";
import type { RedisSet } from "../types/set.ts";
import type { SortedSet } from "../types/sorted_set.ts";
import { ByteString } from "../types/string.ts";

/**
 * Parses SORT's options. BY with a pattern and GET read keys the command's
 * key specs do not name, so they need a user who may read every key
 * (`readsAnyKey`), as Redis's sortCommandGeneric checks.
 */
function parseSort(
  argv: string[],
  readonly: boolean,
  readsAnyKey: () => boolean,
): SortSpec & { storeKey?: string } {
  const spec: SortSpec & { storeKey?: string } = sortSpec();
  const args = new ArgCursor(argv, 2);
  while (args.hasMore()) {
    const option = args.nextOption();
    const left = args.remaining;
    if (option === "asc") spec.desc = false;
    else if (option === "desc") spec.desc = true;
    else if (option === "alpha") spec.alpha = true;
    else if (option === "limit" && left >= 2) {
      spec.limitStart = args.nextInt();
      spec.limitCount = args.nextInt();
    } else if (option === "store" && left >= 1 && !readonly) {
      spec.storeKey = args.next();
      spec.store = true;
    } else if (option === "by" && left >= 1) {
      spec.by = args.next();
      if (spec.by.includes("*") && !readsAnyKey()) throw new CommandError(SORT_BY_DENIED);
    } else if (option === "get" && left >= 1) {
      if (!readsAnyKey()) throw new CommandError(SORT_GET_DENIED);
      spec.gets.push(args.next());
    } else throw new CommandError(SYNTAX);
  }
  return spec;
}

/** The elements of the value to sort, in its own order, and what it is. */
function elementsOf(ctx: CommandContext, key: string): { elements: string[]; source: SortSource } {
  const value = ctx.db.lookupStored(key);
  if (value === undefined) return { elements: [], source: "list" };
  if (typeof value === "string" || value instanceof ByteString) throw new CommandError(WRONGTYPE);
  switch (value.type) {
    case "list": {
      // A visitor: the values() generator cost a result object per element.
      const list = value as RedisList;
      const elements: string[] = [];
      list.forRange(0, list.length, (element) => elements.push(element));
      return { elements, source: "list" };
    }
    case "set": {
      const elements: string[] = [];
      (value as RedisSet).forEachMember((member) => elements.push(member));
      return { elements, source: "set" };
    }
    case "zset": {
      const zset = value as SortedSet;
      const elements: string[] = [];
      if (zset.size() > 0) zset.visitRange(0, zset.size() - 1, (member) => elements.push(member));
      return { elements, source: "zset" };
    }
  }
  throw new CommandError(WRONGTYPE);
}

/** Pattern keys: a string's value, or a hash field's; anything else is missing. */
function patternLookup(ctx: CommandContext): SortLookup {
  return (key, field) => {
    const value = ctx.db.lookupRead(key);
    if (value === undefined) return undefined;
    if (field === undefined) return typeof value === "string" ? value : undefined;
    if (typeof value === "string" || value.type !== "hash") return undefined;
    return (value as RedisHash).get(field);
  };
}

function sortCommand(readonly: boolean): Handler {
  return (ctx, argv) => {
    let allowed: boolean | undefined;
    const spec = parseSort(argv, readonly, () => allowed ??= readsAnyKey(ctx, argv));
    spec.fromScript = ctx.client.fromScript;
    const { elements, source } = elementsOf(ctx, arg(argv, 1));
    const result = sortElements(elements, source, spec, patternLookup(ctx));
    if ("error" in result) throw new CommandError(SORT_NOT_DOUBLE);
    if (spec.storeKey === undefined) {
      ctx.out.array(result.rows.length);
      for (const row of result.rows) {
        if (row === undefined) ctx.out.nil();
        else ctx.out.bulk(row);
      }
      return;
    }
    const key = spec.storeKey;
    if (result.rows.length > 0) {
      const list = new RedisList();
      for (const row of result.rows) list.pushRight(row ?? "");
      ctx.db.set(key, list);
      ctx.keyChanged(key, NotifyClass.List, "sortstore", result.rows.length);
    } else if (ctx.db.delete(key)) {
      ctx.keyChanged(key, NotifyClass.Generic, "del");
    }
    ctx.out.int(result.rows.length);
  };
}

const COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

/** Redis's categories for SORT and SORT_RO: the types it sorts, not @keyspace. */
const SORT_ACL = ["set", "sortedset", "list", "dangerous"];

export const sortCommands: CommandSpec[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    // The last STORE wins, as in SORT itself: search from the end.
    keySpecs: [keyRange(READ_KEY, 1), keyAfter(["OW", "update"], "STORE", -1)],
    group: "generic",
    acl: SORT_ACL,
    since: "1.0.0",
    summary: "Sort the elements in a list, set or sorted set",
    syntax:
      "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]",
    complexity: COMPLEXITY,
    handler: sortCommand(false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: [keyRange(READ_KEY, 1)],
    group: "generic",
    acl: SORT_ACL,
    since: "7.0.0",
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    syntax:
      "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]",
    complexity: COMPLEXITY,
    handler: sortCommand(true),
  },
];
