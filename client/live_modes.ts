/**
 * The modes that watch a server over time, printing what redis-cli 7.0
 * prints: `--latency`, `--latency-history`, `--latency-dist` (PING round
 * trips) and `--stat` (a line of INFO figures per interval). They run until
 * Ctrl-C, except --latency with bare output, which samples for one interval
 * and prints one line.
 */
import type { RespValue } from "../protocol/resp.ts";
import { cFixed, ModeError, reconnectingCall, sleep } from "./mode_util.ts";
import type { OutputFormat } from "./options.ts";
import type { Session } from "./session.ts";

/** Milliseconds between PINGs. */
const LATENCY_SAMPLE_RATE = 10;
const LATENCY_HISTORY_DEFAULT_INTERVAL = 15_000;
const LATENCY_DIST_DEFAULT_INTERVAL = 1_000;

function latencyLine(format: OutputFormat, min: number, max: number, avg: number, count: number) {
  const average = cFixed(avg, 2);
  switch (format) {
    case "standard":
      return `min: ${min}, max: ${max}, avg: ${average} (${count} samples)`;
    case "csv":
      return `${min},${max},${average},${count}\n`;
    case "raw":
      return `${min} ${max} ${average} ${count}\n`;
  }
}

/**
 * --latency and --latency-history (latencyMode): PING every 10 ms, times in
 * whole milliseconds. `interval` is -i in seconds, 0 when not given.
 */
export async function latencyMode(
  session: Session,
  format: OutputFormat,
  history: boolean,
  interval: number,
): Promise<void> {
  const out = session.options.output;
  const historyInterval = interval > 0 ? interval * 1000 : LATENCY_HISTORY_DEFAULT_INTERVAL;
  const sampleFor = interval > 0 ? interval * 1000 : 1000;
  let min = 0, max = 0, total = 0, count = 0;
  let historyStart = Date.now();
  for (;;) {
    const start = Date.now();
    await reconnectingCall(session, ["PING"]);
    const latency = Date.now() - start;
    count++;
    if (count === 1) {
      min = max = total = latency;
    } else {
      min = Math.min(min, latency);
      max = Math.max(max, latency);
      total += latency;
    }
    const avg = total / count;
    if (format === "standard") {
      await out.stdout("\x1b[0G\x1b[2K" + latencyLine(format, min, max, avg, count));
    } else if (history) {
      await out.stdout(latencyLine(format, min, max, avg, count));
    } else if (Date.now() - historyStart > sampleFor) {
      await out.stdout(latencyLine(format, min, max, avg, count));
      return;
    }
    if (history && Date.now() - historyStart > historyInterval) {
      await out.stdout(` -- ${cFixed((Date.now() - historyStart) / 1000, 2)} seconds range\n`);
      historyStart = Date.now();
      min =
        max =
        total =
        count =
          0;
    }
    await sleep(LATENCY_SAMPLE_RATE / 1000);
  }
}

/** Upper bounds in microseconds (0: everything above) and the character of each bucket. */
const DIST_BUCKETS: [number, string][] = [
  [10, "."],
  [125, "-"],
  [250, "*"],
  [500, "#"],
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((ms): [number, string] => [ms * 1000, String(ms)]),
  [10_000, "A"],
  [20_000, "B"],
  [30_000, "C"],
  [40_000, "D"],
  [50_000, "E"],
  [100_000, "F"],
  [200_000, "G"],
  [300_000, "H"],
  [400_000, "I"],
  [500_000, "J"],
  [1_000_000, "K"],
  [2_000_000, "L"],
  [4_000_000, "M"],
  [8_000_000, "N"],
  [16_000_000, "O"],
  [30_000_000, "P"],
  [60_000_000, "Q"],
  [0, "?"],
];

/** xterm-256 colours from black to red, by share of the samples. */
const PALETTE = [
  0,
  233,
  234,
  235,
  237,
  239,
  241,
  243,
  245,
  247,
  144,
  143,
  142,
  184,
  226,
  214,
  208,
  202,
  196,
];

function distLegend(): string {
  return "---------------------------------------------\n" +
    ". - * #          .01 .125 .25 .5 milliseconds\n" +
    "1,2,3,...,9      from 1 to 9     milliseconds\n" +
    "A,B,C,D,E        10,20,30,40,50  milliseconds\n" +
    "F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n" +
    "K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n" +
    "From 0 to 100%: " + PALETTE.map((c) => `\x1b[48;5;${c}m `).join("") + "\x1b[0m\n" +
    "---------------------------------------------\n";
}

function distLine(counts: number[], total: number): string {
  let line = "\x1b[38;5;0m";
  DIST_BUCKETS.forEach(([, char], i) => {
    const color = PALETTE[Math.ceil(counts[i]! / total * (PALETTE.length - 1))];
    line += `\x1b[48;5;${color}m${char}`;
  });
  return line + "\x1b[0m\n";
}

/** --latency-dist (latencyDistMode): a spectrum line of PING times per interval. */
export async function latencyDistMode(session: Session, interval: number): Promise<void> {
  const out = session.options.output;
  const every = interval > 0 ? interval * 1000 : LATENCY_DIST_DEFAULT_INTERVAL;
  const counts = new Array(DIST_BUCKETS.length).fill(0);
  let count = 0;
  let outputs = 0;
  let start = performance.now();
  for (;;) {
    const sent = performance.now();
    await reconnectingCall(session, ["PING"]);
    const micros = Math.floor((performance.now() - sent) * 1000);
    count++;
    const bucket = DIST_BUCKETS.findIndex(([max]) => max === 0 || micros <= max);
    counts[bucket]++;
    if (performance.now() - start > every) {
      if (outputs++ % 20 === 0) await out.stdout(distLegend());
      await out.stdout(distLine(counts, count));
      counts.fill(0);
      count = 0;
      start = performance.now();
    }
    await sleep(LATENCY_SAMPLE_RATE / 1000);
  }
}

/** An INFO field as getInfoField finds it: the first occurrence anywhere, up to CR or comma. */
function infoField(info: string, field: string): number | undefined {
  const at = info.indexOf(field);
  if (at < 0) return undefined;
  const rest = info.slice(at + field.length + 1);
  const match = /^[ \t\n\v\f]*([+-]?\d+)/.exec(rest.split(/[\r,]/, 1)[0] ?? "");
  return match ? parseInt(match[1] ?? "", 10) : 0;
}

/** Bytes as bytesToHuman writes them: 100B, 1.50K, 2.00M, 3.10G. */
export function bytesToHuman(n: number): string {
  const sign = n < 0 ? "-" : "";
  const size = Math.abs(n);
  if (size < 1024) return `${sign}${size}B`;
  if (size < 1024 ** 2) return `${sign}${cFixed(size / 1024, 2)}K`;
  if (size < 1024 ** 3) return `${sign}${cFixed(size / 1024 ** 2, 2)}M`;
  return `${sign}${cFixed(size / 1024 ** 3, 2)}G`;
}

const STAT_HEADER =
  "------- data ------ --------------------- load -------------------- - child -\n" +
  "keys       mem      clients blocked requests            connections          \n";

const CHILDREN = ["", "SAVE", "AOF", "SAVE+AOF", "LOAD"];

function statLine(info: string, previousRequests: number): [string, number] {
  // A missing field reads as LONG_MIN in redis-cli; redis-home has them all.
  const field = (name: string) => infoField(info, name) ?? Number.MIN_SAFE_INTEGER;
  let keys = 0;
  for (let db = 0; db < 20; db++) keys += infoField(info, `db${db}:keys`) ?? 0;
  const requests = field("total_commands_processed");
  const delta = previousRequests === 0 ? 0 : requests - previousRequests;
  const children = field("bgsave_in_progress") | (field("aof_rewrite_in_progress") << 1) |
    (field("loading") << 2);
  const line = String(keys).padEnd(11) +
    bytesToHuman(field("used_memory")).padEnd(8) +
    " " + String(field("connected_clients")).padEnd(8) +
    String(field("blocked_clients")).padEnd(8) +
    `${requests} (+${delta})`.padEnd(19) +
    " " + String(field("total_connections_received")).padEnd(12) +
    (CHILDREN[children] ?? "") + "\n";
  return [line, requests];
}

/** --stat (statMode): one line of figures from INFO every interval (default a second). */
export async function statMode(session: Session, interval: number): Promise<void> {
  const out = session.options.output;
  let requests = 0;
  for (let i = 0;; i++) {
    const reply: RespValue = await reconnectingCall(session, ["INFO"]);
    if (reply.type === "error") throw new ModeError(`ERROR: ${reply.value}`);
    const info = "value" in reply ? String(reply.value) : "";
    if (i % 20 === 0) await out.stdout(STAT_HEADER);
    const [line, total] = statLine(info, requests);
    requests = total;
    await out.stdout(line);
    await sleep(interval > 0 ? interval : 1);
  }
}
