/**
 * GEO commands end to end, every reply compared with redis-server's
 * (tests/redis_compare.ts), over RESP2 and RESP3. The geohash arithmetic is
 * pinned against redis-server in tests/geohash_math_test.ts.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { sameAsRedis, type Step } from "./redis_compare.ts";

const SICILY: Step = [
  "GEOADD",
  "Sicily",
  "13.361389",
  "38.115556",
  "Palermo",
  "15.087269",
  "37.502669",
  "Catania",
  "12.758489",
  "38.788135",
  "edge1",
  "17.241510",
  "38.788135",
  "edge2",
];

/** GEOADD's arguments for `n` points 0.01° apart, ten to a row, two members at each. */
function gridPoints(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const lon = String(13 + (i % 10) / 100);
    const lat = String(38 + Math.floor(i / 10) / 100);
    return [lon, lat, `p${i}`, lon, lat, `q${i}`];
  }).flat();
}

/**
 * The steps; stored distances are read back with their scores over RESP3 only,
 * since redis-home prints RESP2 scores with the shortest round-trip digits
 * (as Redis 7.2), not Redis 7.0's %.17g.
 */
const steps = (withScores: string[]): Step[] => [
  SICILY,
  ["GEOADD", "Sicily", "CH", "13.361389", "38.115556", "Palermo", "1", "2", "new"],
  ["GEOADD", "Sicily", "XX", "CH", "1", "3", "new", "1", "4", "newer"],
  ["GEOADD", "Sicily", "NX", "1", "5", "new"],
  ["GEOADD", "Sicily", "NX", "XX", "1", "5", "new"],
  ["GEOADD", "Sicily", "1", "5"],
  ["GEOADD", "Sicily", "200", "5", "bad"],
  ["GEOADD", "Sicily", "1", "86", "bad"],
  ["GEOADD", "Sicily", "x", "5", "bad"],
  ["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"],
  ["GEOPOS", "Sicily", "Palermo", "nosuch", "Catania", "edge1"],
  ["GEOPOS", "nokey", "a"],
  ["GEOHASH", "Sicily", "Palermo", "Catania", "nosuch"],
  ["GEODIST", "Sicily", "Palermo", "Catania"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "KM"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "mi"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "yd"],
  ["GEODIST", "Sicily", "Palermo", "nosuch"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"],
  ["GEODIST", "nokey", "a", "b"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "DESC", "WITHDIST"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"],
  ["GEORADIUS", "Sicily", "15", "37", "-1", "km"],
  ["GEORADIUS", "Sicily", "15", "37", "x", "km"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst"],
  ["ZRANGE", "dst", "0", "-1", ...withScores],
  ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "dst"],
  ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "300", "km", "WITHDIST"],
  ["GEORADIUSBYMEMBER", "Sicily", "nosuch", "300", "km"],
  ["GEORADIUSBYMEMBER", "nokey", "nosuch", "300", "km", "STORE", "dst"],
  ["EXISTS", "dst"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "WITHCOORD"],
  ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km", "ASC"],
  ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m"],
  ["geosearch", "Sicily", "BYRADIUS", "1", "m", "ASC"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "ASC", "WITHDIST"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "-1", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "9", "km", "STORE", "x"],
  ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
  [
    "GEOSEARCHSTORE",
    "dst",
    "Sicily",
    "FROMLONLAT",
    "15",
    "37",
    "BYRADIUS",
    "200",
    "km",
    "STOREDIST",
  ],
  ["ZRANGE", "dst", "0", "-1", ...withScores],
  ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"],
  ["EXISTS", "dst"],
  ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m", "WITHDIST"],
  // Equal distances with COUNT: Redis's partial quicksort decides their order.
  ["GEOADD", "same", ...Array.from({ length: 60 }, (_, i) => ["2.5", "48.5", `p${i}`]).flat()],
  ["GEOSEARCH", "same", "FROMLONLAT", "2.5", "48.5", "BYRADIUS", "1", "km", "ASC", "COUNT", "5"],
  ["GEOSEARCH", "same", "FROMLONLAT", "2.5", "48.5", "BYRADIUS", "1", "km", "DESC", "COUNT", "9"],
  ["GEORADIUS", "same", "2.5", "48.5", "1", "km", "COUNT", "41", "WITHDIST"],
  // A grid of members in pairs (equal distances): full sorts both ways, of a
  // few points, of more than 64, in a small set (100 members) and a big one.
  ["GEOADD", "grid", ...gridPoints(50)],
  ["GEOSEARCH", "grid", "FROMLONLAT", "13.045", "38.045", "BYRADIUS", "3", "km", "ASC", "WITHDIST"],
  ["GEOSEARCH", "grid", "FROMLONLAT", "13.045", "38.045", "BYRADIUS", "3", "km", "DESC"],
  ["GEOSEARCH", "grid", "FROMLONLAT", "13.045", "38.045", "BYBOX", "5", "4", "km", "ASC"],
  ["GEOSEARCH", "grid", "FROMLONLAT", "13.045", "38.045", "BYRADIUS", "30", "km", "DESC"],
  ["GEORADIUS", "grid", "13.045", "38.045", "30", "km", "ASC", "WITHDIST", "WITHHASH"],
  ["GEOADD", "grid", ...gridPoints(100)],
  ["GEOSEARCH", "grid", "FROMLONLAT", "13.045", "38.045", "BYRADIUS", "3", "km", "ASC", "WITHDIST"],
  ["GEOSEARCH", "grid", "FROMLONLAT", "13.045", "38.045", "BYRADIUS", "30", "km", "DESC"],
  ["SET", "str", "x"],
  ["GEOSEARCH", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"],
  ["GEOPOS", "str", "a"],
];

Deno.test("GEO commands: same replies as redis-server (RESP2)", async () => {
  await sameAsRedis(steps([]));
});

Deno.test("GEO commands: same replies as redis-server (RESP3)", async () => {
  await sameAsRedis(steps(["WITHSCORES"]), { protocol: 3 });
});

Deno.test("GEOADD goes to the AOF as ZADD with its options and scores, and only when it writes", async () => {
  await using srv = startServer();
  using client = await RespClient.connect(srv.port);
  const aof: string[][] = [];
  srv.server.propagators.push({ propagate: (_db, argv) => aof.push([...argv]) });
  equal(await client.cmd("GEOADD", "g", "CH", "13.361389", "38.115556", "a", "15", "37", "b"), 2);
  equal(await client.cmd("GEOADD", "g", "13.361389", "38.115556", "a"), 0);
  equal(await client.cmd("GEOADD", "g", "XX", "1", "2", "c"), 0);
  equal(await client.cmd("GEOADD", "g", "NX", "1", "2", "a", "1", "2", "c"), 1);
  deepEqual(aof, [
    ["zadd", "g", "CH", "3479099956230698", "a", "3476504601741708", "b"],
    ["zadd", "g", "NX", "3378080408407459", "a", "3378080408407459", "c"],
  ]);
});
