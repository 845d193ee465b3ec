import { deepEqual, equal } from "node:assert/strict";
import {
  boundingBox,
  decodeScore,
  encodeScore,
  estimateSteps,
  formatCoordinate,
  formatDistance,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  type GeoCell,
  geoDistance,
  geohashString,
  type GeoShape,
  interleave,
  type Range,
  scoreCell,
  searchRangeBounds,
  searchRanges,
  ShapeFilter,
  unitToMeters,
  validLonLat,
} from "./geohash.ts";

// Redis's documented example: Palermo and Catania.
const PALERMO = [13.361389, 38.115556] as const;
const CATANIA = [15.087269, 37.502669] as const;

Deno.test("encodeScore: Redis's 52-bit scores", () => {
  equal(encodeScore(...PALERMO), 3479099956230698);
  equal(encodeScore(...CATANIA), 3479447370796909);
  equal(encodeScore(-180, -85.05112878), 0);
});

Deno.test("a full-range point sets bits past the 52 (lon 180 is cell 2^26), as in Redis", () => {
  deepEqual(encodeCell(180, 85.05112878, 26), { lat: 2 ** 26, lon: 2 ** 26, step: 26 });
  equal(encodeScore(180, 85.05112878), 2 ** 52 + 2 ** 53);
});

Deno.test("decodeScore: the cell's centre", () => {
  const [lon, lat] = decodeScore(3479099956230698);
  equal(lon.toFixed(17), "13.36138933897018433");
  equal(lat.toFixed(17), "38.11555639549629859");
});

Deno.test("scoreCell converts any score as Redis's (uint64_t) cast does", () => {
  deepEqual(scoreCell(-1), { lat: 0xffffffff, lon: 0xffffffff, step: 26 });
  deepEqual(scoreCell(Infinity), { lat: 0, lon: 0, step: 26 });
  deepEqual(scoreCell(3.9), { lat: 1, lon: 1, step: 26 });
  equal(
    interleave(scoreCell(3479099956230698).lat, scoreCell(3479099956230698).lon),
    3479099956230698,
  );
});

Deno.test("geohashString: the standard 11-character geohash", () => {
  equal(geohashString(3479099956230698), "sqc8b49rny0");
  equal(geohashString(3479447370796909), "sqdtr74hyu0");
});

Deno.test("geoDistance and formatDistance: Redis's figures", () => {
  const [lon1, lat1] = decodeScore(encodeScore(...PALERMO));
  const [lon2, lat2] = decodeScore(encodeScore(...CATANIA));
  equal(formatDistance(geoDistance(lon1, lat1, lon2, lat2)), "166274.1516");
  equal(formatDistance(geoDistance(lon1, lat1, lon2, lat2) / 1000), "166.2742");
  equal(formatDistance(geoDistance(lon1, lat1, lon1, lat1)), "0.0000");
});

Deno.test("formatDistance rounds the 4th decimal half to even (llrint)", () => {
  equal(formatDistance(0.00025), "0.0002");
  equal(formatDistance(0.00035), "0.0004");
  equal(formatDistance(2.00015), "2.0002");
  equal(formatDistance(0.12345), "0.1234");
  equal(formatDistance(0.000035), "0.0000");
  equal(formatDistance(12), "12.0000");
});

Deno.test("validLonLat and unitToMeters", () => {
  equal(validLonLat(180, 85.05112878), true);
  equal(validLonLat(180.0001, 0), false);
  equal(validLonLat(0, -85.05112879), false);
  equal(unitToMeters("KM"), 1000);
  equal(unitToMeters("mi"), 1609.34);
  equal(unitToMeters("yd"), undefined);
});

Deno.test("estimateSteps: finer cells for smaller radii, coarser near the poles", () => {
  equal(estimateSteps(0, 0), 26);
  equal(estimateSteps(1, 0), 24);
  equal(estimateSteps(1000, 0), 14);
  equal(estimateSteps(1000, 70), 13);
  equal(estimateSteps(1000, -81), 12);
  equal(estimateSteps(1e9, 0), 1);
});

/**
 * Redis's geoWithinShape done plainly (decode, then its distances in full):
 * what ShapeFilter, with its precomputing and early rejection, must equal.
 */
function withinShape(shape: GeoShape, score: number) {
  const [lon, lat] = decodeScore(score);
  const dist = geoDistance(shape.lon, shape.lat, lon, lat);
  if ("radius" in shape) {
    return dist > shape.radius * shape.toMeters ? undefined : { lon, lat, dist };
  }
  // geoDistance along a meridian is Redis's latitude distance.
  if (geoDistance(lon, lat, lon, shape.lat) > shape.height * shape.toMeters / 2) return undefined;
  if (geoDistance(lon, lat, shape.lon, lat) > shape.width * shape.toMeters / 2) return undefined;
  return { lon, lat, dist };
}

function filtered(shape: GeoShape, score: number) {
  const filter = new ShapeFilter(shape);
  if (!filter.contains(score)) return undefined;
  return { lon: filter.lon, lat: filter.lat, dist: filter.dist };
}

Deno.test("searchRanges covers the centre's cell and its neighbours; ShapeFilter filters", () => {
  const [lon, lat] = decodeScore(encodeScore(...PALERMO));
  const shape = { lon, lat, toMeters: 1000, radius: 200 };
  const count = searchRanges(shape);
  equal(count >= 1 && count <= 9, true);
  const catania = encodeScore(...CATANIA);
  const bounds = searchRangeBounds;
  equal(
    [...Array(count).keys()].some((r) => catania >= bounds[2 * r]! && catania < bounds[2 * r + 1]!),
    true,
  );
  equal(filtered(shape, catania)!.dist.toFixed(4), "166274.1516");
  equal(filtered({ ...shape, radius: 100 }, catania), undefined);
  const box = { lon, lat, toMeters: 1000, width: 400, height: 200 };
  equal(filtered(box, catania) !== undefined, true);
  equal(filtered({ ...box, width: 200 }, catania), undefined);
});

/** A small deterministic generator (xorshift), so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

Deno.test("ShapeFilter equals the plain computation, at and around the shapes' edges", () => {
  const next = random(7);
  const between = (lo: number, hi: number) => lo + (hi - lo) * next();
  const units = [1, 1000, 0.3048, 1609.34];
  for (let round = 0; round < 3000; round++) {
    const lon = between(-180, 180);
    const lat = between(-85.05, 85.05);
    const toMeters = units[round % 4]!;
    // Sizes from centimeters to half the Earth, in meters.
    const size = 10 ** between(-2, 7.3) / toMeters;
    const spread = size * toMeters / 111_000 * 2;
    const points = [
      // Around the centre, anywhere, and scores Redis would never store.
      ...Array.from({ length: 20 }, () =>
        encodeScore(
          Math.min(180, Math.max(-180, lon + between(-spread, spread))),
          Math.min(85.05, Math.max(-85.05, lat + between(-spread, spread))),
        )),
      encodeScore(between(-180, 180), between(-85.05, 85.05)),
      -between(0, 2 ** 60),
      between(2 ** 52, 2 ** 70),
    ];
    const shapes: GeoShape[] = [
      { lon, lat, toMeters, radius: size },
      { lon, lat, toMeters, width: size * between(0.1, 2), height: size * between(0.1, 2) },
    ];
    // Radii exactly at a point's distance, and a rounding either side.
    const [plon, plat] = decodeScore(points[0]!);
    const edge = geoDistance(lon, lat, plon, plat) / toMeters;
    // Boxes as wide or as high as a point is far along the parallel or the meridian.
    const across = 2 * geoDistance(plon, plat, lon, plat) / toMeters;
    const along = 2 * geoDistance(plon, plat, plon, lat) / toMeters;
    for (const k of [1, 1 - 2 ** -52, 1 + 2 ** -52]) {
      shapes.push({ lon, lat, toMeters, radius: edge * k });
      shapes.push({ lon, lat, toMeters, width: across * k, height: along * 2 });
      shapes.push({ lon, lat, toMeters, width: across * 2, height: along * k });
    }
    for (const shape of shapes) {
      for (const score of points) deepEqual(filtered(shape, score), withinShape(shape, score));
    }
  }
});

/** "%.17f" of a double's exact value, ties to even, trimmed: glibc's printf done in BigInts. */
function printf17(d: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(d));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const mantissa = (bits & (2n ** 52n - 1n)) + (biased === 0 ? 0n : 2n ** 52n);
  const exponent = Math.max(biased, 1) - 1075;
  let fixed: bigint;
  if (exponent >= 0) fixed = (mantissa << BigInt(exponent)) * 10n ** 17n;
  else {
    const den = 1n << BigInt(-exponent);
    fixed = mantissa * 10n ** 17n / den;
    const twice = mantissa * 10n ** 17n % den * 2n;
    if (twice > den || (twice === den && fixed % 2n === 1n)) fixed++;
  }
  const digits = fixed.toString().padStart(18, "0");
  const text = `${digits.slice(0, -17)}.${digits.slice(-17)}`.replace(/\.?0+$/, "");
  return d < 0 && text !== "0" ? "-" + text : text;
}

Deno.test("formatCoordinate is printf's %.17f of the exact value, trimmed, ties to even", () => {
  equal(formatCoordinate(13.361389338970184), "13.36138933897018433");
  equal(formatCoordinate(-0), "0");
  equal(formatCoordinate(-1e-20), "0");
  equal(formatCoordinate(180), "180");
  // Ties: the last bit at 2^-18 (toFixed alone would round these up).
  equal(formatCoordinate(2 ** -18), "0.00000381469726562");
  equal(formatCoordinate(-3 * 2 ** -18), "-0.00001144409179688");
  const next = random(11);
  for (let i = 0; i < 20000; i++) {
    const d = i % 4 === 0
      ? Math.round((next() - 0.5) * 2 ** 30) * 2 ** -18
      : (next() - 0.5) * 10 ** (next() * 24 - 18);
    equal(formatCoordinate(d), printf17(d), String(d));
    const [lon, lat] = decodeScore(Math.floor(next() * 2 ** 52));
    equal(formatCoordinate(lon), printf17(lon));
    equal(formatCoordinate(lat), printf17(lat));
  }
});

/** searchRanges written plainly, with a cell object per neighbour (the model it must equal). */
function plainRanges(shape: GeoShape): number[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radius = "radius" in shape
    ? shape.radius
    : Math.sqrt((shape.width / 2) ** 2 + (shape.height / 2) ** 2);
  let steps = estimateSteps(radius * shape.toMeters, shape.lat);
  const moved = (cell: GeoCell, dLon: number, dLat: number): GeoCell => {
    const mask = (1 << cell.step) - 1;
    return {
      lon: dLon === 0 ? cell.lon : (cell.lon + dLon) & mask,
      lat: dLat === 0 ? cell.lat : (cell.lat + dLat) & mask,
      step: cell.step,
    };
  };
  let center = encodeCell(shape.lon, shape.lat, steps)!;
  const tooCoarse = decodeCell(moved(center, 0, 1)).lat.max < maxLat ||
    decodeCell(moved(center, 0, -1)).lat.min > minLat ||
    decodeCell(moved(center, 1, 0)).lon.max < maxLon ||
    decodeCell(moved(center, -1, 0)).lon.min > minLon;
  if (steps > 1 && tooCoarse) center = encodeCell(shape.lon, shape.lat, --steps)!;
  const area = decodeCell(center);
  const [north, south, east, west] = steps >= 2
    ? [area.lat.max > maxLat, area.lat.min < minLat, area.lon.max > maxLon, area.lon.min < minLon]
    : [false, false, false, false];
  const cells: GeoCell[] = [center];
  let last: GeoCell | undefined;
  for (
    const [dLon, dLat] of [[0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]]
  ) {
    if (
      (dLat! > 0 && north) || (dLat! < 0 && south) || (dLon! > 0 && east) || (dLon! < 0 && west)
    ) {
      continue;
    }
    const cell = moved(center, dLon!, dLat!);
    if (last !== undefined && cell.lat === last.lat && cell.lon === last.lon) continue;
    cells.push(last = cell);
  }
  return cells.flatMap((cell) => {
    const bits = interleave(cell.lat, cell.lon);
    const scale = 2 ** (52 - cell.step * 2);
    return [bits * scale, (bits + 1) * scale];
  });
}

Deno.test("searchRanges equals the plain computation: radii and boxes, poles, the antimeridian", () => {
  const next = random(11);
  const between = (lo: number, hi: number) => lo + (hi - lo) * next();
  for (let i = 0; i < 20000; i++) {
    const lon = i % 5 === 0 ? between(179, 180) * (i % 2 ? 1 : -1) : between(-180, 180);
    const lat = i % 7 === 0 ? between(80, 85.05) * (i % 2 ? 1 : -1) : between(-85.05, 85.05);
    const size = 10 ** between(-2, 7);
    const shape: GeoShape = i % 3 === 0
      ? { lon, lat, toMeters: 1, width: size, height: size * between(0.1, 3) }
      : { lon, lat, toMeters: 1, radius: size };
    const count = searchRanges(shape);
    deepEqual(
      [...searchRangeBounds.subarray(0, count * 2)],
      plainRanges(shape),
      JSON.stringify(shape),
    );
  }
});

// ---- the plain model: cells as objects (Redis's geohashEncode and geohashDecode) ----

interface Area {
  lon: Range;
  lat: Range;
}

const MERCATOR_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
const FULL_LON: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };

/** The cell holding a point at `step` bits per axis, or undefined outside the ranges. */
function encodeCell(
  lon: number,
  lat: number,
  step: number,
  latRange: Range = MERCATOR_LAT,
): GeoCell | undefined {
  if (!validLonLat(lon, lat)) return undefined;
  if (lat < latRange.min || lat > latRange.max) return undefined;
  // (1 << step is 2 ** step for steps up to 26, without a Math.pow call.)
  const latOffset = (lat - latRange.min) / (latRange.max - latRange.min) * (1 << step);
  const lonOffset = (lon - FULL_LON.min) / (FULL_LON.max - FULL_LON.min) * (1 << step);
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(lonOffset) >>> 0, step };
}

/** The area a cell covers. */
function decodeCell(cell: GeoCell, latRange: Range = MERCATOR_LAT): Area {
  const cells = 1 << cell.step;
  const latScale = latRange.max - latRange.min;
  const lonScale = FULL_LON.max - FULL_LON.min;
  return {
    lat: {
      min: latRange.min + (cell.lat / cells) * latScale,
      // (a uint32 sum in Redis: only a garbage score's 2^32 - 1 wraps)
      max: latRange.min + (((cell.lat + 1) >>> 0) / cells) * latScale,
    },
    lon: {
      min: FULL_LON.min + (cell.lon / cells) * lonScale,
      max: FULL_LON.min + (((cell.lon + 1) >>> 0) / cells) * lonScale,
    },
  };
}
