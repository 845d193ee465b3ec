/**
 * GEO commands: positions stored as sorted-set scores (Redis's 52-bit
 * geohash, server/types/geohash.ts). GEOADD is ZADD with computed scores;
 * the searches (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS[BYMEMBER][_RO]) follow
 * Redis's georadiusGeneric step for step, errors in the same order.
 */
import { arg, ArgCursor, floatArg, parseInteger } from "../args.ts";
import type { CommandSpec, Handler } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  GEO_ANY_WITHOUT_COUNT,
  GEO_BOX_NEGATIVE,
  GEO_COUNT_NOT_POSITIVE,
  GEO_HEIGHT_NOT_NUMBER,
  GEO_NO_MEMBER,
  GEO_RADIUS_NEGATIVE,
  GEO_RADIUS_NOT_NUMBER,
  GEO_UNIT,
  GEO_WIDTH_NOT_NUMBER,
  geoExactlyOneBy,
  geoExactlyOneFrom,
  geoInvalidPair,
  geoStoreWith,
  NOT_INTEGER,
  SYNTAX,
  WRONGTYPE,
} from "../errors.ts";
import { WRONG_TYPE } from "../db.ts";
import { keyAfter, keyRange, READ_KEY } from "../key_specs.ts";
import { NotifyClass } from "../notify.ts";
import { pqsort } from "../pqsort.ts";
import {
  decodeScore,
  distanceBytes,
  encodeScore,
  formatCoordinate,
  geohashString,
  type GeoShape,
  scoreDistance,
  searchRangeBounds,
  searchRanges,
  ShapeFilter,
  unitToMeters,
  validLonLat,
  writeDistance,
} from "../types/geohash.ts";
import { SortedSet } from "../types/sorted_set.ts";
import { zsetLimits } from "./collections.ts";

// ---- arguments -------------------------------------------------------------------

/** C's "%f": six decimals (inf and nan spelled as glibc does). */
function printf6(d: number): string {
  if (Number.isNaN(d)) return d < 0 ? "-nan" : "nan";
  if (!Number.isFinite(d)) return d < 0 ? "-inf" : "inf";
  return Math.abs(d) < 1e21 ? d.toFixed(6) : BigInt(d).toString() + ".000000";
}

/** A longitude and latitude argument pair, checked against the geohash ranges. */
function lonLatArgs(lonArg: string, latArg: string): [number, number] {
  const lon = floatArg(lonArg);
  const lat = floatArg(latArg);
  if (!validLonLat(lon, lat)) throw new CommandError(geoInvalidPair(printf6(lon), printf6(lat)));
  return [lon, lat];
}

function unitArg(arg: string): number {
  const toMeters = unitToMeters(arg);
  if (toMeters === undefined) throw new CommandError(GEO_UNIT);
  return toMeters;
}

/** `radius unit`. */
function distanceArgs(radiusArg: string, unit: string): { radius: number; toMeters: number } {
  const radius = floatArg(radiusArg, GEO_RADIUS_NOT_NUMBER);
  if (radius < 0) throw new CommandError(GEO_RADIUS_NEGATIVE);
  return { radius, toMeters: unitArg(unit) };
}

/** `width height unit`. */
function boxArgs(w: string, h: string, unit: string) {
  const width = floatArg(w, GEO_WIDTH_NOT_NUMBER);
  const height = floatArg(h, GEO_HEIGHT_NOT_NUMBER);
  if (height < 0 || width < 0) throw new CommandError(GEO_BOX_NEGATIVE);
  return { width, height, toMeters: unitArg(unit) };
}

/** A member's position, or Redis's "could not decode" error when it is not in the set. */
function memberPosition(set: SortedSet, member: string): [number, number] {
  const score = set.score(member);
  if (score === undefined) throw new CommandError(GEO_NO_MEMBER);
  return decodeScore(score);
}

// ---- replies ------------------------------------------------------------------------

/** A coordinate as Redis's addReplyHumanLongDouble replies it. */
function replyCoordinate(ctx: CommandContext, d: number): void {
  if (ctx.isNative) return ctx.out.double(d);
  const text = formatCoordinate(d);
  if (ctx.protocol === 3) ctx.out.raw(`,${text}\r\n`);
  else ctx.out.bulk(text);
}

// ---- GEOADD, GEODIST, GEOHASH, GEOPOS ------------------------------------------------

function geoadd(ctx: CommandContext, argv: string[]): void {
  let nx = false;
  let xx = false;
  let ch = false;
  const args = new ArgCursor(argv, 2);
  // Options end at the first word that is not one (the first longitude).
  for (;;) {
    const option = args.peekOption();
    if (option === "nx") nx = true;
    else if (option === "xx") xx = true;
    else if (option === "ch") ch = true;
    else break;
    args.next();
  }
  const at = args.index;
  if ((argv.length - at) % 3 !== 0 || (nx && xx)) throw new CommandError(SYNTAX);
  const scores: number[] = [];
  let longest = 0;
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = lonLatArgs(arg(argv, i), arg(argv, i + 1));
    scores.push(encodeScore(lon, lat));
    longest = Math.max(longest, argv[i + 2]!.length);
  }
  const key = arg(argv, 1);
  const limits = zsetLimits(ctx);
  let set = ctx.db.writeObject<SortedSet>(key, "zset");
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  if (set === undefined) {
    if (xx) return ctx.out.int(0);
    set = new SortedSet();
    set.reserveFor(scores.length, longest, limits);
    ctx.db.set(key, set);
  }
  let added = 0;
  let updated = 0;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    const member = argv[at + i * 3 + 2]!;
    const old = set.score(member);
    if (old === undefined) {
      if (xx) continue;
      set.addNew(member, score, limits);
      added++;
    } else if (!nx && old !== score) {
      set.changeScore(member, old, score);
      updated++;
    }
  }
  // Redis runs this as ZADD, which is also what it propagates (only writes propagate).
  if (added + updated > 0) ctx.propagateAs = [zaddArgs(argv, at, scores)];
  ctx.out.int(ch ? added + updated : added);
  if (added + updated > 0) ctx.keyChanged(key, NotifyClass.Zset, "zadd", added + updated);
}

/** GEOADD's arguments as ZADD's: its options, then each score and member. */
function zaddArgs(argv: string[], at: number, scores: number[]): string[] {
  const zadd = ["zadd"];
  for (let i = 1; i < at; i++) zadd.push(argv[i]!);
  for (let i = 0; i < scores.length; i++) zadd.push(String(scores[i]), argv[at + i * 3 + 2]!);
  return zadd;
}

function geodist(ctx: CommandContext, argv: string[]): void {
  let toMeters = 1;
  if (argv.length === 5) toMeters = unitArg(arg(argv, 4));
  else if (argv.length > 5) throw new CommandError(SYNTAX);
  const set = ctx.db.viewObject<SortedSet>(arg(argv, 1), "zset");
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const score1 = set?.score(arg(argv, 2));
  const score2 = set?.score(arg(argv, 3));
  if (score1 === undefined || score2 === undefined) return ctx.out.nil();
  replyDistance(ctx, scoreDistance(score1, score2) / toMeters);
}

/** A distance replied from its characters' bytes: no string made. */
function replyDistance(ctx: CommandContext, meters: number): void {
  ctx.out.bulkBytes(distanceBytes, 0, writeDistance(meters));
}

function geohash(ctx: CommandContext, argv: string[]): void {
  const set = ctx.db.viewObject<SortedSet>(arg(argv, 1), "zset");
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  ctx.out.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = set?.score(arg(argv, i));
    if (score === undefined) ctx.out.nil();
    else ctx.out.bulk(geohashString(score));
  }
}

function geopos(ctx: CommandContext, argv: string[]): void {
  const set = ctx.db.viewObject<SortedSet>(arg(argv, 1), "zset");
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  ctx.out.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = set?.score(arg(argv, i));
    if (score === undefined) {
      ctx.out.nilArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    ctx.out.array(2);
    replyCoordinate(ctx, lon);
    replyCoordinate(ctx, lat);
  }
}

// ---- searches -------------------------------------------------------------------------

const enum Search {
  /** GEORADIUS: centre and radius before the options. */
  Coords = 1,
  /** GEORADIUSBYMEMBER: member and radius before the options. */
  Member = 2,
  /** The _RO variants: no STORE. */
  NoStore = 4,
  /** GEOSEARCH's FROM.../BY... options. */
  GeoSearch = 8,
  /** GEOSEARCHSTORE: destination first, STOREDIST without a key. */
  GeoSearchStore = 16,
}

interface SearchOptions {
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  any: boolean;
  sort: "none" | "asc" | "desc";
  count: number;
  storeKey: string | undefined;
  storeDist: boolean;
}

/** The parts of a search the options may set. */
interface Around {
  centre?: [number, number];
  from: "none" | "member" | "lonlat";
  by?: { radius: number; toMeters: number } | { width: number; height: number; toMeters: number };
}

function countArg(arg: string): number {
  const count = parseInteger(arg);
  if (count === undefined) throw new CommandError(NOT_INTEGER);
  if (count <= 0) throw new CommandError(GEO_COUNT_NOT_POSITIVE);
  return count;
}

/** Redis's option loop: every option, in order, with its conditions; SYNTAX for the rest. */
function parseOptions(
  argv: string[],
  base: number,
  flags: number,
  set: SortedSet | undefined,
  around: Around,
  options: SearchOptions,
): void {
  const geosearch = (flags & Search.GeoSearch) !== 0;
  const canStore = (flags & Search.NoStore) === 0 && !geosearch;
  const args = new ArgCursor(argv, base);
  while (args.hasMore()) {
    const option = args.nextOption();
    const left = args.remaining;
    if (option === "withdist") options.withDist = true;
    else if (option === "withhash") options.withHash = true;
    else if (option === "withcoord") options.withCoord = true;
    else if (option === "any") options.any = true;
    else if (option === "asc") options.sort = "asc";
    else if (option === "desc") options.sort = "desc";
    else if (option === "count" && left >= 1) {
      options.count = countArg(args.next());
    } else if ((option === "store" || option === "storedist") && left >= 1 && canStore) {
      options.storeKey = args.next();
      options.storeDist = option === "storedist";
    } else if (option === "storedist" && geosearch && (flags & Search.GeoSearchStore) !== 0) {
      options.storeDist = true;
    } else if (option === "frommember" && left >= 1 && geosearch && around.from !== "lonlat") {
      const member = args.next();
      if (set !== undefined) around.centre = memberPosition(set, member);
      around.from = "member";
    } else if (option === "fromlonlat" && left >= 2 && geosearch && around.from !== "member") {
      around.centre = lonLatArgs(args.next(), args.next());
      around.from = "lonlat";
    } else if (option === "byradius" && left >= 2 && geosearch && !isBox(around.by)) {
      around.by = distanceArgs(args.next(), args.next());
    } else if (option === "bybox" && left >= 3 && geosearch && !isRadius(around.by)) {
      around.by = boxArgs(args.next(), args.next(), args.next());
    } else {
      throw new CommandError(SYNTAX);
    }
  }
}

const isBox = (by: Around["by"]) => by !== undefined && "width" in by;
const isRadius = (by: Around["by"]) => by !== undefined && "radius" in by;

interface Found {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/** Index of the first of the `n` first `scores` (ascending) that is `score` or more. */
function firstAtOrAbove(scores: Float64Array, n: number, score: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scores[mid]! < score) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A small set's scores and member handles, decoded anew by each search (grown as needed). */
let smallScores = new Float64Array(128);
let smallRefs = new Int32Array(128);

/** The points in the shape, scanning Redis's ranges in order; stops at `limit` (ANY). */
function findPoints(set: SortedSet, shape: GeoShape, limit: number): Found[] {
  const filter = new ShapeFilter(shape);
  const found: Found[] = [];
  const n = set.size();
  if (smallScores.length < n && set.encoding() === "listpack") {
    smallScores = new Float64Array(n);
    smallRefs = new Int32Array(n);
  }
  // A small (packed) set's scores are read once for all the ranges (counting
  // each range's bounds in the packed form walks it from the start every
  // time), and a member is read only for a point inside the shape.
  if (n > 0 && set.scoresInto(smallScores, smallRefs)) {
    const scores = smallScores;
    const ranges = searchRanges(shape);
    for (let r = 0; r < ranges; r++) {
      const to = firstAtOrAbove(scores, n, searchRangeBounds[r * 2 + 1]!);
      for (let i = firstAtOrAbove(scores, n, searchRangeBounds[r * 2]!); i < to; i++) {
        if (limit > 0 && found.length >= limit) return found;
        const score = scores[i]!;
        if (!filter.contains(score)) continue;
        const member = set.memberOf(smallRefs[i]!);
        found.push({ member, score, lon: filter.lon, lat: filter.lat, dist: filter.dist });
      }
    }
    return found;
  }
  const test = (member: string, score: number) => {
    if (limit > 0 && found.length >= limit) return;
    if (!filter.contains(score)) return;
    found.push({ member, score, lon: filter.lon, lat: filter.lat, dist: filter.dist });
  };
  const ranges = searchRanges(shape);
  for (let r = 0; r < ranges; r++) {
    if (limit > 0 && found.length >= limit) break;
    const from = set.countByScore(searchRangeBounds[r * 2]!, false);
    const to = set.countByScore(searchRangeBounds[r * 2 + 1]!, false) - 1;
    if (from <= to) set.visitRange(from, to, test);
  }
  return found;
}

function search(ctx: CommandContext, argv: string[], source: number, flags: number): void {
  const name = arg(argv, 0);
  const set = ctx.db.readObject<SortedSet>(arg(argv, source), "zset");
  if (set === WRONG_TYPE) return ctx.fail(WRONGTYPE);
  const around: Around = { from: "none" };
  let base = source + 1;
  if (flags & Search.Coords) {
    around.centre = lonLatArgs(arg(argv, 2), arg(argv, 3));
    around.by = distanceArgs(arg(argv, 4), arg(argv, 5));
    base = 6;
  } else if (flags & Search.Member) {
    base = 5;
    if (set !== undefined) {
      around.centre = memberPosition(set, arg(argv, 2));
      around.by = distanceArgs(arg(argv, 3), arg(argv, 4));
    }
  }
  const options: SearchOptions = {
    withDist: false,
    withHash: false,
    withCoord: false,
    any: false,
    sort: "none",
    count: 0,
    storeKey: flags & Search.GeoSearchStore ? argv[1] : undefined,
    storeDist: false,
  };
  parseOptions(argv, base, flags, set, around, options);
  const geosearch = (flags & Search.GeoSearch) !== 0;
  if (
    options.storeKey !== undefined && (options.withDist || options.withHash || options.withCoord)
  ) {
    const what = flags & Search.GeoSearchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    throw new CommandError(geoStoreWith(what));
  }
  if (geosearch && around.from === "none") throw new CommandError(geoExactlyOneFrom(name));
  if (geosearch && around.by === undefined) throw new CommandError(geoExactlyOneBy(name));
  if (options.any && options.count === 0) throw new CommandError(GEO_ANY_WITHOUT_COUNT);
  if (set === undefined) {
    if (options.storeKey === undefined) return ctx.out.array(0);
    if (ctx.db.delete(options.storeKey)) {
      ctx.keyChanged(options.storeKey, NotifyClass.Generic, "del");
    }
    return ctx.out.int(0);
  }
  if (options.count !== 0 && options.sort === "none" && !options.any) options.sort = "asc";
  const [lon, lat] = around.centre!;
  const shape: GeoShape = { lon, lat, ...around.by! };
  const found = findPoints(set, shape, options.any ? options.count : 0);
  const returnedCount = options.count === 0 ? found.length : Math.min(options.count, found.length);
  if (options.sort !== "none") {
    const desc = options.sort === "desc";
    // Redis: qsort (glibc's is stable) for all, its partial quicksort for the first COUNT.
    if (returnedCount === found.length) sortByDistance(found, desc);
    else pqsort(found, desc ? farFirst : nearFirst, 0, returnedCount - 1);
  }
  const returned = found.slice(0, returnedCount);
  for (const point of returned) point.dist /= shape.toMeters;
  if (options.storeKey === undefined) replyPoints(ctx, returned, options);
  else storePoints(ctx, returned, options, geosearch ? "geosearchstore" : "georadiusstore");
}

const nearFirst = (a: Found, b: Found) => a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
const farFirst = (a: Found, b: Found) => a.dist < b.dist ? 1 : a.dist === b.dist ? 0 : -1;

/**
 * A stable sort by distance: by insertion for the few points most searches
 * find (no comparator calls: the builtin's took a tenth of a search of 30
 * points), the builtin's stable sort past that.
 */
function sortByDistance(found: Found[], desc: boolean): void {
  if (found.length > 64) {
    found.sort(desc ? farFirst : nearFirst);
    return;
  }
  for (let i = 1; i < found.length; i++) {
    const point = found[i]!;
    const dist = point.dist;
    let j = i - 1;
    if (desc) {
      for (; j >= 0 && found[j]!.dist < dist; j--) found[j + 1] = found[j]!;
    } else {
      for (; j >= 0 && found[j]!.dist > dist; j--) found[j + 1] = found[j]!;
    }
    found[j + 1] = point;
  }
}

function replyPoints(ctx: CommandContext, points: Found[], options: SearchOptions): void {
  const extras = Number(options.withDist) + Number(options.withHash) + Number(options.withCoord);
  ctx.out.array(points.length);
  for (const point of points) {
    if (extras > 0) ctx.out.array(extras + 1);
    ctx.out.bulk(point.member);
    if (options.withDist) replyDistance(ctx, point.dist);
    if (options.withHash) ctx.out.int(Math.trunc(point.score));
    if (options.withCoord) {
      ctx.out.array(2);
      replyCoordinate(ctx, point.lon);
      replyCoordinate(ctx, point.lat);
    }
  }
}

function storePoints(ctx: CommandContext, points: Found[], options: SearchOptions, event: string) {
  const key = options.storeKey!;
  if (points.length > 0) {
    const result = new SortedSet();
    const limits = zsetLimits(ctx);
    for (const p of points) result.add(p.member, options.storeDist ? p.dist : p.score, limits);
    ctx.db.set(key, result);
    ctx.keyChanged(key, NotifyClass.Zset, event, points.length);
  } else if (ctx.db.delete(key)) {
    ctx.keyChanged(key, NotifyClass.Generic, "del");
  }
  ctx.out.int(points.length);
}

function searchHandler(source: number, flags: number): Handler {
  return (ctx, argv) => search(ctx, argv, source, flags);
}

// ---- the table ---------------------------------------------------------------------------

const STORE_KEYS = (from: number) => [
  keyRange(READ_KEY, 1),
  keyAfter(["OW", "update"], "STORE", from),
  keyAfter(["OW", "update"], "STOREDIST", from),
];

const SEARCH_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const RADIUS_OPTIONS =
  "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]";
const RADIUS_RO_OPTIONS = "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]";
const SEARCH_FROM_BY =
  "FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI";

export const geoCommands: CommandSpec[] = [
  {
    name: "geoadd",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    group: "geo",
    since: "3.2.0",
    summary:
      "Add one or more geospatial items in the geospatial index represented using a sorted set",
    syntax: "key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    handler: geoadd,
  },
  {
    name: "geodist",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: true,
    group: "geo",
    since: "3.2.0",
    summary: "Returns the distance between two members of a geospatial index",
    syntax: "key member1 member2 [M | KM | FT | MI]",
    complexity: "O(log(N))",
    handler: geodist,
  },
  {
    name: "geohash",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: true,
    group: "geo",
    since: "3.2.0",
    summary: "Returns members of a geospatial index as standard geohash strings",
    syntax: "key [member [member ...]]",
    complexity:
      "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
    handler: geohash,
  },
  {
    name: "geopos",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    boundedByArgs: true,
    group: "geo",
    since: "3.2.0",
    summary: "Returns longitude and latitude of members of a geospatial index",
    syntax: "key [member [member ...]]",
    complexity: "O(N) where N is the number of members requested.",
    handler: geopos,
  },
  {
    name: "georadius",
    arity: -6,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: STORE_KEYS(6),
    group: "geo",
    since: "3.2.0",
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
    syntax: `key longitude latitude radius M | KM | FT | MI ${RADIUS_OPTIONS}`,
    complexity: SEARCH_COMPLEXITY,
    handler: searchHandler(1, Search.Coords),
  },
  {
    name: "georadius_ro",
    arity: -6,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "geo",
    since: "3.2.10",
    summary: "A read-only variant for GEORADIUS",
    syntax: `key longitude latitude radius M | KM | FT | MI ${RADIUS_RO_OPTIONS}`,
    complexity: SEARCH_COMPLEXITY,
    handler: searchHandler(1, Search.Coords | Search.NoStore),
  },
  {
    name: "georadiusbymember",
    arity: -5,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: STORE_KEYS(5),
    group: "geo",
    since: "3.2.0",
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
    syntax: `key member radius M | KM | FT | MI ${RADIUS_OPTIONS}`,
    complexity: SEARCH_COMPLEXITY,
    handler: searchHandler(1, Search.Member),
  },
  {
    name: "georadiusbymember_ro",
    arity: -5,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "geo",
    since: "3.2.10",
    summary: "A read-only variant for GEORADIUSBYMEMBER",
    syntax: `key member radius M | KM | FT | MI ${RADIUS_RO_OPTIONS}`,
    complexity: SEARCH_COMPLEXITY,
    handler: searchHandler(1, Search.Member | Search.NoStore),
  },
  {
    name: "geosearch",
    arity: -7,
    flags: ["readonly"],
    keys: [1, 1, 1],
    group: "geo",
    since: "6.2.0",
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
    syntax:
      `key ${SEARCH_FROM_BY} [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`,
    complexity:
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
    handler: searchHandler(1, Search.GeoSearch),
  },
  {
    name: "geosearchstore",
    arity: -8,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    keySpecs: [keyRange(["OW", "update"], 1), keyRange(READ_KEY, 2)],
    group: "geo",
    since: "6.2.0",
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
    syntax: `destination source ${SEARCH_FROM_BY} [ASC | DESC] [COUNT count [ANY]] [STOREDIST]`,
    complexity:
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
    handler: searchHandler(2, Search.GeoSearch | Search.GeoSearchStore),
  },
];
