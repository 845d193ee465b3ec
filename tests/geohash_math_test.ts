/**
 * server/types/geohash.ts against the real redis-server: scores, decoded
 * positions, GEOHASH strings, distances and the points a search finds (in
 * Redis's scan order, and sorted) must match digit for digit. The searches
 * are replayed here on the module over a copy of the points.
 */
import { deepEqual, equal } from "node:assert/strict";
import {
  decodeScore,
  encodeScore,
  formatDistance,
  geoDistance,
  geohashString,
  type GeoShape,
  searchRangeBounds,
  searchRanges,
  ShapeFilter,
} from "../server/types/geohash.ts";
import { pipeline, withRedis } from "./persistence_helpers.ts";
import type { RespClient } from "./helpers.ts";
import { xorshift as xorshift32 } from "./xorshift.ts";

/** xorshift32 scaled to [0, 1). */
function xorshift(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 4294967296;
}

/** Redis's "human" long double text of a double: %.17Lf without trailing zeros. */
function human(d: number): string {
  const text = d.toFixed(17).replace(/0+$/, "").replace(/\.$/, "");
  return text === "-0" ? "0" : text;
}

interface Point {
  member: string;
  lon: number;
  lat: number;
  score: number;
}

/** Points in clusters of every size, some sharing a position, some on the range limits. */
function makePoints(): Point[] {
  const rand = xorshift(99);
  const points: Point[] = [];
  const add = (lon: number, lat: number) => {
    points.push({ member: `p${points.length}`, lon, lat, score: encodeScore(lon, lat) });
  };
  const centres = [[13.361389, 38.115556], [-122.27652, 37.805186], [0, 0], [
    179.9,
    -84.9,
  ]] as const;
  for (const [clon, clat] of centres) {
    for (const spread of [0.001, 0.1, 5]) {
      for (let i = 0; i < 60; i++) {
        const lon = Math.min(180, Math.max(-180, clon + (rand() - 0.5) * spread));
        const lat = Math.min(85.05112878, Math.max(-85.05112878, clat + (rand() - 0.5) * spread));
        add(lon, lat);
      }
    }
  }
  for (let i = 0; i < 300; i++) add(rand() * 360 - 180, rand() * 170.1 - 85.05);
  for (let i = 0; i < 5; i++) add(2.5, 48.5);
  add(180, 85.05112878);
  add(-180, -85.05112878);
  return points;
}

async function loadPoints(redis: RespClient, points: Point[]): Promise<void> {
  const args = points.flatMap((p) => [String(p.lon), String(p.lat), p.member]);
  equal(await redis.cmd("GEOADD", "geo", ...args), points.length);
}

Deno.test("geohash: scores, positions, GEOHASH strings and distances equal redis-server's", async () => {
  const points = makePoints();
  await withRedis(async (redis) => {
    await loadPoints(redis, points);
    const scores = await pipeline(redis, points.map((p) => ["ZSCORE", "geo", p.member]));
    points.forEach((p, i) => equal(String(p.score), scores[i], `score of ${p.lon},${p.lat}`));
    const positions = await redis.cmd("GEOPOS", "geo", ...points.map((p) => p.member));
    deepEqual(positions, points.map((p) => decodeScore(p.score).map(human)));
    const hashes = await redis.cmd("GEOHASH", "geo", ...points.map((p) => p.member));
    deepEqual(hashes, points.map((p) => geohashString(p.score)));
    const rand = xorshift(5);
    const pairs = Array.from({ length: 400 }, () => {
      const a = points[Math.floor(rand() * points.length)]!;
      const b = points[Math.floor(rand() * points.length)]!;
      return [a, b, ["m", "km", "ft", "mi"][Math.floor(rand() * 4)]!] as const;
    });
    const dists = await pipeline(
      redis,
      pairs.map(([a, b, unit]) => ["GEODIST", "geo", a.member, b.member, unit]),
    );
    const factor: Record<string, number> = { m: 1, km: 1000, ft: 0.3048, mi: 1609.34 };
    pairs.forEach(([a, b, unit], i) => {
      const [lon1, lat1] = decodeScore(a.score);
      const [lon2, lat2] = decodeScore(b.score);
      const d = geoDistance(lon1, lat1, lon2, lat2) / factor[unit]!;
      equal(formatDistance(d), dists[i], `${a.member} to ${b.member} in ${unit}`);
    });
  });
});

/** GEOSEARCH on the module: the ranges in order, each scanned in score order. */
function search(points: Point[], shape: GeoShape): { member: string; dist: number }[] {
  const byScore = [...points].sort((a, b) =>
    a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)
  );
  const found: { member: string; dist: number }[] = [];
  const filter = new ShapeFilter(shape);
  const ranges = searchRanges(shape);
  for (let r = 0; r < ranges; r++) {
    const min = searchRangeBounds[2 * r]!;
    const max = searchRangeBounds[2 * r + 1]!;
    for (const p of byScore) {
      if (p.score < min || p.score >= max) continue;
      if (filter.contains(p.score)) {
        found.push({ member: p.member, dist: filter.dist / shape.toMeters });
      }
    }
  }
  return found;
}

Deno.test("geohash: searches find the points redis-server finds, in its order", async () => {
  const points = makePoints();
  await withRedis(async (redis) => {
    await loadPoints(redis, points);
    const rand = xorshift(17);
    const shapes: GeoShape[] = [];
    for (const radius of [0, 1, 50, 1000, 20000, 300000, 2000000, 8000000]) {
      for (let i = 0; i < 6; i++) {
        const p = points[Math.floor(rand() * points.length)]!;
        const [lon, lat] = i % 2 === 0 ? [p.lon, p.lat] : [rand() * 360 - 180, rand() * 170 - 85];
        const toMeters = [1, 1000, 0.3048, 1609.34][i % 4]!;
        shapes.push({ lon, lat, toMeters, radius: radius / toMeters });
        shapes.push({
          lon,
          lat,
          toMeters,
          width: 2 * radius / toMeters,
          height: radius / toMeters,
        });
      }
    }
    const units: Record<number, string> = { 1: "m", 1000: "km", 0.3048: "ft", 1609.34: "mi" };
    const unit = (f: number) => units[f]!;
    const command = (s: GeoShape, ...opts: string[]) => [
      "GEOSEARCH",
      "geo",
      "FROMLONLAT",
      String(s.lon),
      String(s.lat),
      ...("radius" in s
        ? ["BYRADIUS", String(s.radius)]
        : ["BYBOX", String(s.width), String(s.height)]),
      unit(s.toMeters),
      "WITHDIST",
      ...opts,
    ];
    const replies = await pipeline(redis, [
      ...shapes.map((s) => command(s)),
      ...shapes.map((s) => command(s, "ASC")),
    ]);
    let nonEmpty = 0;
    shapes.forEach((shape, i) => {
      const found = search(points, shape);
      const rows = found.map((f) => [f.member, formatDistance(f.dist)]);
      deepEqual(replies[i], rows, `search ${i} ${JSON.stringify(shape)}`);
      const sorted = [...found].sort((a, b) => a.dist - b.dist);
      deepEqual(replies[shapes.length + i], sorted.map((f) => [f.member, formatDistance(f.dist)]));
      if (found.length > 0) nonEmpty++;
    });
    equal(nonEmpty > shapes.length / 2, true, `${nonEmpty} of ${shapes.length} found points`);
  });
});
