/**
 * Formats a double the way Redis 7.2+ replies with one: the shortest string
 * that round-trips (fpconv_dtoa), "inf"/"-inf"/"nan" for the specials, and
 * %g-style switching to exponent notation for very large or small magnitudes.
 */
export function formatDouble(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const s = String(d);
  const e = s.indexOf("e");
  if (e < 0) return s;
  // JS writes "1e+21" / "1e-7"; C's %g style (as fpconv) writes "1e+21" / "1e-07".
  const mantissa = s.slice(0, e);
  const sign = s[e + 1] === "-" ? "-" : "+";
  const digits = s.slice(e + 2);
  return `${mantissa}e${sign}${digits.length < 2 ? "0" + digits : digits}`;
}
