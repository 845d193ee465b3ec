/**
 * Redis's geohash: a position is a sorted-set score holding 52 bits, the
 * latitude's and longitude's 26-bit cell numbers interleaved (latitude in
 * the even bits), over Web Mercator's latitude range. Searches cover the
 * area with the cell containing the centre plus its 8 neighbours at a
 * precision chosen from the radius, scan those score ranges and keep the
 * points whose Haversine distance (Redis's Earth radius) passes.
 *
 * Every step follows Redis's arithmetic in the same order, in doubles, so
 * that scores, decoded coordinates, distances and the boxes scanned match
 * Redis's. (Math.sin/cos/asin may differ from glibc's in the last bit, which
 * shows only if a distance lands on a rounding edge of 4 decimals.)
 */
import { formatLongDouble, type LongDouble } from "./string.ts";
import { bytesToBinary, writeDecimal } from "../../protocol/bytes.ts";
import { isWord } from "../args.ts";

/** Cells per axis at full precision: 2^26 (52 bits in all). */
export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Redis's EARTH_RADIUS_IN_METERS (the WGS-84 quadratic mean radius). */
const EARTH_RADIUS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;
const TWO_32 = 4294967296;
/**
 * Cells per axis at full precision, and one cell's share of an axis (its
 * product is the quotient by 2^26, exactly): the hot paths would otherwise
 * call Math.pow for `2 ** GEO_STEP_MAX` and divide.
 */
const CELLS = 2 ** GEO_STEP_MAX;
const CELL = 2 ** -GEO_STEP_MAX;

/** A cell: its latitude and longitude numbers at `step` bits per axis. */
export interface GeoCell {
  lat: number;
  lon: number;
  step: number;
}

export interface Range {
  min: number;
  max: number;
}

const FULL_LON: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
/** The standard geohash's latitude range, for GEOHASH's strings. */
const FULL_LAT: Range = { min: -90, max: 90 };

const degRad = (deg: number) => deg * D_R;
const radDeg = (rad: number) => rad / D_R;

/** Whether GEOADD and friends accept the pair (Redis's range check). */
export function validLonLat(lon: number, lat: number): boolean {
  return lon >= GEO_LONG_MIN && lon <= GEO_LONG_MAX && lat >= GEO_LAT_MIN && lat <= GEO_LAT_MAX;
}

// ---- interleaving -----------------------------------------------------------

/** The bits of a 16-bit number spread to the even positions of 32. */
function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** The even bits of a 32-bit number gathered into 16. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  return (v | (v >>> 8)) & 0x0000ffff;
}

/** The interleaved bits of a cell (latitude even, longitude odd), as a number. */
export function interleave(lat: number, lon: number): number {
  const lo = (spread16(lat & 0xffff) | (spread16(lon & 0xffff) << 1)) >>> 0;
  const hi = spread16(lat >>> 16) + spread16(lon >>> 16) * 2;
  // One rounding, as Redis's conversion of the uint64 to a double score.
  return hi * TWO_32 + lo;
}

/**
 * scoreToUint64's result, high then low 32 bits. Typed arrays hold the
 * results of the per-point helpers: a module variable holding a double is a
 * boxed heap number, slower to write (measured).
 */
const uint64 = new Uint32Array(2);

/** Redis's `(uint64_t)score` on x86-64, into `uint64`. */
function scoreToUint64(score: number): void {
  if (!(score < 2 ** 64) || score <= -(2 ** 63) - 1) {
    uint64[0] = score < 0 ? 0x80000000 : 0;
    uint64[1] = 0;
    return;
  }
  const t = Math.trunc(score);
  const hi = Math.floor(t / TWO_32);
  uint64[0] = hi >>> 0;
  uint64[1] = t - hi * TWO_32;
}

// ---- encoding and decoding -------------------------------------------------------

/** GEOADD's score for a valid point: its full-precision cell's 52 bits. */
export function encodeScore(lon: number, lat: number): number {
  // A cell's numbers at full precision (Redis's geohashEncode).
  const latOffset = (lat - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN) * CELLS;
  const lonOffset = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN) * CELLS;
  return interleave(Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0);
}

/** The full-precision cell a score stands for (any score: Redis converts it to uint64). */
export function scoreCell(score: number): GeoCell {
  scoreToUint64(score);
  const hi = uint64[0]!;
  const lo = uint64[1]!;
  const lat = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const lon = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return { lat, lon, step: GEO_STEP_MAX };
}

/** decodeTo's result, longitude then latitude (searches decode every point they scan). */
const decoded = new Float64Array(2);

/** decodeScore into `decoded`. */
function decodeTo(score: number): void {
  // scoreCell's arithmetic and the cell's centre, without objects.
  scoreToUint64(score);
  const hi = uint64[0]!;
  const lo = uint64[1]!;
  const latCell = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const lonCell = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const latMin = GEO_LAT_MIN + (latCell * CELL) * latScale;
  const latMax = GEO_LAT_MIN + (((latCell + 1) >>> 0) * CELL) * latScale;
  const lonMin = GEO_LONG_MIN + (lonCell * CELL) * lonScale;
  const lonMax = GEO_LONG_MIN + (((lonCell + 1) >>> 0) * CELL) * lonScale;
  decoded[0] = Math.min(Math.max((lonMin + lonMax) / 2, GEO_LONG_MIN), GEO_LONG_MAX);
  decoded[1] = Math.min(Math.max((latMin + latMax) / 2, GEO_LAT_MIN), GEO_LAT_MAX);
}

/** The position a score stands for: its cell's centre, clamped to the valid ranges. */
export function decodeScore(score: number): [lon: number, lat: number] {
  decodeTo(score);
  return [decoded[0]!, decoded[1]!];
}

const BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";

/**
 * GEOHASH's 11-character string for a score: the position re-encoded over
 * the standard -90..90 latitude range; the 11th character is always "0".
 */
export function geohashString(score: number): string {
  decodeTo(score);
  // A cell's numbers over the full latitude range and interleave's halves, without BigInts.
  const lat = Math.trunc((decoded[1]! - FULL_LAT.min) / (FULL_LAT.max - FULL_LAT.min) * CELLS);
  const lon = Math.trunc((decoded[0]! - FULL_LON.min) / (FULL_LON.max - FULL_LON.min) * CELLS);
  const lo = (spread16(lat & 0xffff) | (spread16(lon & 0xffff) << 1)) >>> 0;
  const hi = spread16(lat >>> 16) | (spread16(lon >>> 16) << 1);
  // Five bits a character from bit 51 down; none straddles the halves. One
  // string made at once (appending makes one per character).
  const c = (bits: number) => BASE32.charCodeAt(bits & 31);
  return String.fromCharCode(
    c(hi >>> 15),
    c(hi >>> 10),
    c(hi >>> 5),
    c(hi),
    c(lo >>> 27),
    c(lo >>> 22),
    c(lo >>> 17),
    c(lo >>> 12),
    c(lo >>> 7),
    c(lo >>> 2),
    48, // "0"
  );
}

// ---- searching ----------------------------------------------------------------------

/** A search: around a point (degrees), within a radius or a box given in units of `toMeters`. */
export type GeoShape =
  & { lon: number; lat: number; toMeters: number }
  & ({ radius: number } | { width: number; height: number });

/** The precision whose cells are about as large as the search (Redis's estimate). */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return GEO_STEP_MAX;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(Math.max(step, 1), GEO_STEP_MAX);
}

/** The longitude and latitude bounds of a search: [minLon, minLat, maxLon, maxLat]. */
export function boundingBox(shape: GeoShape): [number, number, number, number] {
  const halfHeight = "radius" in shape ? shape.radius : shape.height / 2;
  const halfWidth = "radius" in shape ? shape.radius : shape.width / 2;
  const height = shape.toMeters * halfHeight;
  const width = shape.toMeters * halfWidth;
  const latDelta = radDeg(height / EARTH_RADIUS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS / Math.cos(degRad(shape.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS / Math.cos(degRad(shape.lat - latDelta)));
  // The box widens towards the equator side's opposite pole.
  const lonDelta = shape.lat < 0 ? lonDeltaBottom : lonDeltaTop;
  return [shape.lon - lonDelta, shape.lat - latDelta, shape.lon + lonDelta, shape.lat + latDelta];
}

/**
 * searchRanges' result: the [min, max) score ranges to scan, as pairs (at most nine), read
 * before the next search (a search made ~30 objects and took ~500 ns before the scan began).
 */
export const searchRangeBounds = new Float64Array(18);

/** 2^k for the cell scales 2^(52 - 2 * step): no Math.pow call. */
const POW2 = Float64Array.from({ length: 53 }, (_, k) => 2 ** k);

const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LON_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/**
 * The sorted-set score ranges [min, max) to scan for a search, into searchRangeBounds, in
 * Redis's order: the centre's cell, then north, south, east, west, north-east, north-west,
 * south-east, south-west, leaving out neighbours outside the bounding box and any cell equal
 * to the one scanned just before it; returns how many. Cells at `steps` bits a side, as
 * Redis's geohashEncode numbers them, neighbours wrapping as Redis's bit arithmetic does.
 */
export function searchRanges(shape: GeoShape): number {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters = "radius" in shape
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  let steps = estimateSteps(radiusMeters * shape.toMeters, shape.lat);
  let cells = 1 << steps;
  let mask = cells - 1;
  let lat = Math.trunc((shape.lat - GEO_LAT_MIN) / LAT_SCALE * cells) >>> 0;
  let lon = Math.trunc((shape.lon - GEO_LONG_MIN) / LON_SCALE * cells) >>> 0;
  // The neighbours' far edges: north's top, south's bottom, east's right, west's left.
  const tooCoarse = GEO_LAT_MIN + (((((lat + 1) & mask) + 1) >>> 0) / cells) * LAT_SCALE < maxLat ||
    GEO_LAT_MIN + (((lat - 1) & mask) / cells) * LAT_SCALE > minLat ||
    GEO_LONG_MIN + (((((lon + 1) & mask) + 1) >>> 0) / cells) * LON_SCALE < maxLon ||
    GEO_LONG_MIN + (((lon - 1) & mask) / cells) * LON_SCALE > minLon;
  if (steps > 1 && tooCoarse) {
    steps--;
    cells = 1 << steps;
    mask = cells - 1;
    lat = Math.trunc((shape.lat - GEO_LAT_MIN) / LAT_SCALE * cells) >>> 0;
    lon = Math.trunc((shape.lon - GEO_LONG_MIN) / LON_SCALE * cells) >>> 0;
  }
  // Which sides' neighbours lie wholly outside the box (none below two steps).
  const fine = steps >= 2;
  const south = fine && GEO_LAT_MIN + (lat / cells) * LAT_SCALE < minLat;
  const north = fine && GEO_LAT_MIN + (((lat + 1) >>> 0) / cells) * LAT_SCALE > maxLat;
  const west = fine && GEO_LONG_MIN + (lon / cells) * LON_SCALE < minLon;
  const east = fine && GEO_LONG_MIN + (((lon + 1) >>> 0) / cells) * LON_SCALE > maxLon;
  const scale = POW2[52 - steps * 2]!;
  let count = putRange(0, interleave(lat, lon), scale);
  // Redis never compares with the centre (its "last processed" index 0 reads as none).
  let lastLat = -1;
  let lastLon = -1;
  for (let n = 0; n < 8; n++) {
    const dLon = NEIGHBOUR_LON[n]!;
    const dLat = NEIGHBOUR_LAT[n]!;
    if ((dLat > 0 && north) || (dLat < 0 && south) || (dLon > 0 && east) || (dLon < 0 && west)) {
      continue;
    }
    const cellLat = dLat === 0 ? lat : (lat + dLat) & mask;
    const cellLon = dLon === 0 ? lon : (lon + dLon) & mask;
    if (cellLat === lastLat && cellLon === lastLon) continue;
    count = putRange(count, interleave(cellLat, cellLon), scale);
    lastLat = cellLat;
    lastLon = cellLon;
  }
  return count;
}

/** North, south, east, west, north-east, north-west, south-east, south-west as (dLon, dLat). */
const NEIGHBOUR_LON = Int8Array.of(0, 0, 1, -1, 1, -1, 1, -1);
const NEIGHBOUR_LAT = Int8Array.of(1, -1, 0, 0, 1, 1, -1, -1);

/** Writes range `count`: the scores [min, max) of the points in a cell (exact in doubles). */
function putRange(count: number, bits: number, scale: number): number {
  searchRangeBounds[count * 2] = bits * scale;
  searchRangeBounds[count * 2 + 1] = (bits + 1) * scale;
  return count + 1;
}

/**
 * A search shape prepared for testing the many points a search scans:
 * Redis's tests with the centre's trigonometry worked out once, and a bound
 * that turns away points surely too far before any trigonometry of theirs.
 */
export class ShapeFilter {
  /** The last point tested: its position, and its distance (meters) from the centre if inside. */
  lon = 0;
  lat = 0;
  dist = 0;
  readonly #box: boolean;
  readonly #lonRad: number;
  readonly #latRad: number;
  readonly #cosLat: number;
  /** The radius, or half the box's width, in meters. */
  readonly #reach: number;
  readonly #halfHeight: number;
  /** Haversine's `a` past which a distance surely exceeds #reach (Infinity: no such bound). */
  readonly #farA: number;

  constructor(shape: GeoShape) {
    this.#box = !("radius" in shape);
    this.#lonRad = degRad(shape.lon);
    this.#latRad = degRad(shape.lat);
    this.#cosLat = Math.cos(this.#latRad);
    // The products Redis compares with, computed the same way.
    this.#reach = "radius" in shape
      ? shape.radius * shape.toMeters
      : shape.width * shape.toMeters / 2;
    this.#halfHeight = "radius" in shape ? 0 : shape.height * shape.toMeters / 2;
    // dist <= reach iff a <= sin²(reach / 2R) while reach / 2R < π/2; the margin
    // covers rounding on both sides, and tiny bounds are left to the exact test.
    const angle = this.#reach / (2 * EARTH_RADIUS);
    this.#farA = angle < 1 ? Math.max(Math.sin(angle) ** 2 * (1 + 1e-9), 1e-280) : Infinity;
  }

  /** Whether the point a score stands for lies in the shape (Redis's geoWithinShape). */
  contains(score: number): boolean {
    decodeTo(score);
    const lon = this.lon = decoded[0]!;
    const lat = this.lat = decoded[1]!;
    const lonRad = degRad(lon);
    const latRad = degRad(lat);
    const cosLow = Math.max(0, 1 - latRad * latRad / 2);
    if (!this.#box) {
      if (this.#surelyFar(latRad - this.#latRad, lonRad - this.#lonRad, this.#cosLat * cosLow)) {
        return false;
      }
      const dist = this.#distance(lonRad, latRad);
      if (dist > this.#reach) return false;
      this.dist = dist;
      return true;
    }
    // Latitude first: it is the cheaper distance.
    if (EARTH_RADIUS * Math.abs(this.#latRad - latRad) > this.#halfHeight) return false;
    if (this.#surelyFar(0, this.#lonRad - lonRad, cosLow * cosLow)) return false;
    // geoDistance(lon, lat, centre lon, lat): along the point's parallel.
    const v = Math.sin((this.#lonRad - lonRad) / 2);
    if (v !== 0) {
      // (Redis's `u` is sin(0): its term adds nothing.)
      const cos = Math.cos(latRad);
      const a = cos * cos * v * v;
      if (2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a)) > this.#reach) return false;
    }
    this.dist = this.#distance(lonRad, latRad);
    return true;
  }

  /**
   * Whether a point is surely farther than #reach, from lower bounds on
   * Haversine's terms: sin x >= x - x³/6 (x >= 0) and cos φ >= 1 - φ²/2;
   * `cosLow` bounds the product of the latitudes' cosines.
   */
  #surelyFar(dLat: number, dLon: number, cosLow: number): boolean {
    const x = Math.abs(dLat) / 2;
    const y = Math.abs(dLon) / 2;
    const sinX = Math.max(0, x - x * x * x / 6);
    const sinY = Math.max(0, y - y * y * y / 6);
    return sinX * sinX + cosLow * sinY * sinY > this.#farA;
  }

  /** geoDistance from the centre to a point given in radians, in the same operations. */
  #distance(lonRad: number, latRad: number): number {
    const v = Math.sin((lonRad - this.#lonRad) / 2);
    if (v === 0.0) return EARTH_RADIUS * Math.abs(latRad - this.#latRad);
    const u = Math.sin((latRad - this.#latRad) / 2);
    const a = u * u + this.#cosLat * Math.cos(latRad) * v * v;
    return 2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
  }
}

// ---- distances ----------------------------------------------------------------------

/** Distance along a meridian. */
function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** geoDistance between the points two scores stand for (GEODIST), decoding no pair into an array. */
export function scoreDistance(score1: number, score2: number): number {
  decodeTo(score1);
  const lon1 = decoded[0]!;
  const lat1 = decoded[1]!;
  decodeTo(score2);
  return geoDistance(lon1, lat1, decoded[0]!, decoded[1]!);
}

/** Haversine great-circle distance in meters, as Redis computes it. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((degRad(lon2) - degRad(lon1)) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
}

/**
 * A distance as Redis replies it: 4 decimals, the scaled value rounded
 * half to even (llrint), e.g. "166274.1516".
 */
export function formatDistance(d: number): string {
  return bytesToBinary(distanceBytes, 0, writeDistance(d));
}

/**
 * formatDistance's characters, written into `distanceBytes`; returns their
 * length. A reply copies them as they are: no string made (GEODIST, WITHDIST).
 */
export function writeDistance(d: number): number {
  const b = distanceBytes;
  const scaled = d * 10000;
  let n = Math.round(scaled);
  if (n - scaled === 0.5 && n % 2 !== 0) n -= 1;
  let p = 0;
  if (n < 0) {
    b[p++] = 45; // -
    n = -n;
  }
  // Exact: n is far below 2^53 for any distance on the earth, in any unit.
  const fraction = n % 10000;
  p = writeDecimal(b, p, (n - fraction) / 10000);
  b[p] = 46; // .
  b[p + 1] = 48 + Math.floor(fraction / 1000);
  b[p + 2] = 48 + (Math.floor(fraction / 100) % 10);
  b[p + 3] = 48 + (Math.floor(fraction / 10) % 10);
  b[p + 4] = 48 + (fraction % 10);
  return p + 5;
}

/** Where writeDistance writes. */
export const distanceBytes = new Uint8Array(32);

/**
 * A coordinate as Redis replies it (addReplyHumanLongDouble): "%.17Lf" of
 * its exact value, trailing zeros trimmed, e.g. "13.36138933897018433".
 */
export function formatCoordinate(d: number): string {
  // toFixed rounds the exact value as printf does, but breaks a tie upwards
  // where glibc breaks it to even; d * 10^17 is a tie when d's last bit is 2^-18.
  const tieBits = d * 2 ** 18;
  if ((Number.isInteger(tieBits) && tieBits % 2 !== 0) || !(Math.abs(d) < 1e21)) {
    return formatLongDouble(exactLongDouble(d));
  }
  const text = d.toFixed(17);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--; // 0
  if (text.charCodeAt(end - 1) === 46) end--; // .
  return end === 2 && text.charCodeAt(0) === 45 && text.charCodeAt(1) === 48
    ? "0"
    : text.slice(0, end);
}

/** One view reused for every conversion. */
const doubleBits = new DataView(new ArrayBuffer(8));

/** A finite double's exact value in formatLongDouble's form. */
function exactLongDouble(d: number): LongDouble {
  doubleBits.setFloat64(0, d);
  const high = doubleBits.getUint32(0);
  const low = doubleBits.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  // Below 2^53: the mantissa is exact as a double, and one BigInt is made from it.
  const fraction = (high & 0xfffff) * 2 ** 32 + low;
  const mantissa = BigInt(biased === 0 ? fraction : fraction + 2 ** 52);
  return { negative: high >>> 31 === 1, mantissa, exponent: Math.max(biased, 1) - 1075 };
}

/** Meters per unit for GEO's unit arguments (case-insensitive), undefined if unknown. */
export function unitToMeters(unit: string): number | undefined {
  // Matched where it stands (as strcasecmp): no lower-case copy.
  if (isWord(unit, "m")) return 1;
  if (isWord(unit, "km")) return 1000;
  if (isWord(unit, "ft")) return 0.3048;
  if (isWord(unit, "mi")) return 1609.34;
  return undefined;
}
