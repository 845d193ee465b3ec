import { equal, ok } from "node:assert/strict";
import { formatDouble, strtod, strtodWhole } from "./double.ts";

/**
 * Expected strings produced by Redis's own deps/fpconv/fpconv_dtoa.c plus
 * util.c's d2string integer rule, compiled from the redis repository and fed
 * these bit patterns (curated edge cases, then pseudo-random values).
 */
const REDIS_OUTPUTS: readonly [bits: string, text: string][] = [
  ["0000000000000001", "5e-324"],
  ["0010000000000000", "2.2250738585072014e-308"],
  ["065f8b005ee05f40", "5.560664061923224e-278"],
  ["0c542800730d3840", "2.8152274144275895e-249"],
  ["0cfe7a40e8a9bd80", "4.3589676880744777e-246"],
  ["107c08000c379840", "2.888855298211416e-229"],
  ["21aea800c98db800", "1.9180119980872625e-146"],
  ["2454c0007495f000", "1.1419318346945844e-133"],
  ["2d767c8006323280", "1.1038748826998145e-89"],
  ["3b8065b891dd35ae", "4.340341760017637e-22"],
  ["3b874dc6b6f9a6c9", "6.168468044819446e-22"],
  ["3b8ec606fc10bf4f", "8.145689292814043e-22"],
  ["3b8ee64fbca94753", "8.179070361626608e-22"],
  ["3bcd350042a5c100", "1.2369660562536805e-20"],
  ["3ccba4bb0a6cc493", "7.672606720778193e-16"],
  ["3ce45e6bffc014a2", "2.261395008400097e-15"],
  ["3ce64468ef5eca91", "2.4721587201396072e-15"],
  ["3d171c4a87bb4483", "2.052625824033366e-14"],
  ["3d28136bb102cc4d", "4.276732211235285e-14"],
  ["3d320f3d6169ef00", "6.41603404803275e-14"],
  ["3e7ad7f29abcaf48", "1e-7"],
  ["3e8421f5f40d8376", "1.5e-7"],
  ["3e900ed9c19f01ab", "2.392829984120219e-7"],
  ["3e92baf24b336b7a", "2.7910261764039986e-7"],
  ["3eb0000000000000", "9.5367431640625e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["3ec32891f181811b", "2.2838684224231275e-6"],
  ["3ec35afac0532fe9", "2.3073421312243866e-6"],
  ["3ed0c89191646779", "4.00149135362261e-6"],
  ["3ee4f8b588e368f1", "0.00001"],
  ["3f0a36e2eb1c432d", "0.00005"],
  ["3f201f31f46ed246", "0.000123"],
  ["3f202e85be180b74", "1.2345678901234567e-4"],
  ["3f50624dd2f1a9fc", "0.001"],
  ["3fb999999999999a", "0.1"],
  ["3fd0000000000000", "0.25"],
  ["3fd3333333333334", "0.30000000000000004"],
  ["3fd5555555555555", "0.3333333333333333"],
  ["3fe0000000000000", "0.5"],
  ["3ff199999999999a", "1.1"],
  ["3ff252faa0000000", "1.1452585458755493"],
  ["3ff8000000000000", "1.5"],
  ["400921f9f01b866e", "3.14159"],
  ["4031000000006df3", "17.0000000001"],
  ["403c3d08d0000fff", "28.23841571809316"],
  ["4048e9a9a4000fff", "49.82548952105571"],
  ["405900a3d70a3d71", "100.01"],
  ["405af17dd0000fff", "107.7733039856539"],
  ["405e3d93c0000fff", "120.96214294439413"],
  ["406569c84dc00fff", "171.30570113670544"],
  ["406aba795dba6e1f", "213.82731520092145"],
  ["406ba15d40000fff", "221.042633056757"],
  ["4070510b3e000fff", "261.0652446749154"],
  ["4072f5f7b9000fff", "303.3729791643563"],
  ["4073cf71cb800fff", "316.96528196358116"],
  ["4077b7c124000fff", "379.48465347313316"],
  ["4079d4da23000fff", "413.30325603508385"],
  ["407afd04fc000fff", "431.8137168886605"],
  ["407e3e8503ea8fff", "483.9074744379613"],
  ["407f4fbed2a00fff", "500.98408758663567"],
  ["40803c99d8000fff", "519.5751190190202"],
  ["40838f7d43781e76", "625.9361638435646"],
  ["4084b52b1f000fff", "662.6460552220232"],
  ["40871215c3800fff", "738.2606267933733"],
  ["40873e235a000fff", "743.7672615055925"],
  ["408a1f70cd600fff", "835.930079222191"],
  ["40c81cd6e63a5c1c", "12345.678901"],
  ["40c81cd6e63c099c", "1.23456789012e+4"],
  ["40f869ffff972474", "99999.9999"],
  ["40fe240b33333333", "123456.7"],
  ["4132d68720000000", "1234567.125"],
  ["41e081fb000d8167", "2215630848.422046"],
  ["42239b37e40003a8", "42104254976.00714"],
  ["426238a48b80000f", "626077752320.0018"],
  ["430c6bf526340004", "1000000000000000.5"],
  ["4340000000000000", "9007199254740992"],
  ["4340000000000001", "9007199254740994"],
  ["43d0000000000000", "4611686018427387904"],
  ["43d0000000000002", "4611686018427390000"],
  ["43e0000000000000", "9223372036854776000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["4480f0cf064dd592", "1e+22"],
  ["4484d64651fe74c6", "12300000000000001000000"],
  ["44b52d02c7e14af6", "99999999999999990000000"],
  ["54b693878aae8f8a", "1.2345e+100"],
  ["6819f800d59ec800", "2.962023447033271e+193"],
  ["6a7228006dcb3800", "5.692504458784095e+204"],
  ["6d0d2e001e60c600", "2.0118127422877035e+217"],
  ["72413e00086b9600", "2.2994231690201356e+242"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["81a56e1fc2f8f359", "-1e-300"],
  ["83b0ac00c3216c00", "-6.682653537376044e-291"],
  ["9c025600fef2ce00", "-9.266932303359628e-174"],
  ["b1b4ea38b7f4fa00", "-3.0303820085479326e-69"],
  ["b860a0003be45000", "-3.90851955574762e-37"],
  ["bfe5555555555555", "-0.6666666666666666"],
  ["bff8000000000000", "-1.5"],
  ["c612ac0063db6c00", "-3.698347046269826e+29"],
  ["ecbd1600bcf68e00", "-6.266717934357168e+215"],
  ["f64f7c00001ffc00", "-7.745354963773228e+261"],
  ["f7202a00433e1200", "-6.515035962730454e+265"],
];

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt("0x" + hex));
  return view.getFloat64(0);
}

Deno.test("formatDouble matches Redis's d2string byte for byte", () => {
  for (const [bits, text] of REDIS_OUTPUTS) equal(formatDouble(fromBits(bits)), text, bits);
});

Deno.test("formatDouble spells the special values as Redis", () => {
  equal(formatDouble(Infinity), "inf");
  equal(formatDouble(-Infinity), "-inf");
  equal(formatDouble(NaN), "nan");
  equal(formatDouble(0), "0");
  equal(formatDouble(-0), "-0");
  equal(formatDouble(-12), "-12");
  equal(formatDouble(2 ** 62), "4611686018427387904");
  equal(formatDouble(-(2 ** 62)), "-4611686018427387904");
});

Deno.test("formatDouble output parses back to the same double", () => {
  let seed = 99;
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 20_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    view.setUint32(0, seed);
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    view.setUint32(4, seed ^ (seed << 7));
    const d = view.getFloat64(0);
    if (!Number.isFinite(d)) continue;
    equal(Number(formatDouble(d)), d, String(d));
  }
  for (let i = 0; i < 20_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const d = (seed / 2 ** 32) * 10 ** ((i % 30) - 12);
    equal(Number(formatDouble(d)), d, String(d));
  }
});

/**
 * glibc's strtod on each input: the value, the characters it consumed, and
 * whether it overflowed to inf or underflowed to 0 (ERANGE with such a result).
 */
const GLIBC_STRTOD: [input: string, value: number, length: number, outOfRange: boolean][] = [
  ["1", 1, 1, false],
  ["-1.5", -1.5, 4, false],
  ["+2", 2, 2, false],
  [" 3", 3, 2, false],
  ["\t4", 4, 2, false],
  ["", 0, 0, false],
  ["  ", 0, 0, false],
  ["abc", 0, 0, false],
  ["1e5", 100000, 3, false],
  ["1e", 1, 1, false],
  ["1e+", 1, 1, false],
  ["1e-3x", 0.001, 4, false],
  [".5", 0.5, 2, false],
  ["5.", 5, 2, false],
  [".", 0, 0, false],
  ["-.5e1", -5, 5, false],
  ["inf", Infinity, 3, false],
  ["-Infinity", -Infinity, 9, false],
  ["INFINITY", Infinity, 8, false],
  ["infx", Infinity, 3, false],
  ["infinit", Infinity, 3, false],
  ["nan", NaN, 3, false],
  ["NaN(123)", NaN, 8, false],
  ["nan(", NaN, 3, false],
  ["nan(abc", NaN, 3, false],
  ["0x10", 16, 4, false],
  ["0x1p3", 8, 5, false],
  ["0x1.8p1", 3, 7, false],
  ["0X.8", 0.5, 4, false],
  ["0x", 0, 1, false],
  ["0xg", 0, 1, false],
  ["0x.p1", 0, 1, false],
  ["0x1p", 1, 3, false],
  ["1e400", Infinity, 5, true],
  ["-1e400", -Infinity, 6, true],
  ["1e-400", 0, 6, true],
  ["4.9e-324", 4.9406564584124654e-324, 8, false],
  ["2e-324", 0, 6, true],
  ["1e-310", 9.9999999999999694e-311, 6, false],
  ["00012", 12, 5, false],
  ["1_000", 1, 1, false],
  ["0x1P-1074", 4.9406564584124654e-324, 9, false],
  ["0x1p-1080", 0, 9, true],
  ["-0", -0, 2, false],
  ["1.7976931348623157e308", 1.7976931348623157e+308, 22, false],
  ["1.7976931348623159e308", Infinity, 22, true],
];

Deno.test("strtod reads what glibc's strtod reads", () => {
  for (const [input, value, length, outOfRange] of GLIBC_STRTOD) {
    const parsed = strtod(input);
    ok(Object.is(parsed.value, value), `${JSON.stringify(input)}: ${parsed.value}`);
    equal(parsed.length, length, JSON.stringify(input));
    equal(parsed.outOfRange, outOfRange, JSON.stringify(input));
  }
});

Deno.test("strtodWhole wants the whole string and no leading space", () => {
  equal(strtodWhole("1.5")?.value, 1.5);
  equal(strtodWhole(" 1.5"), undefined);
  equal(strtodWhole("1.5 "), undefined);
  equal(strtodWhole(""), undefined);
  equal(strtodWhole("1\0"), undefined);
  ok(Number.isNaN(strtodWhole("nan")?.value));
});
