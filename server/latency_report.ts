/**
 * LATENCY DOCTOR's human-readable report and LATENCY GRAPH's ASCII graph,
 * from the latency monitor's events (Redis's latency.c wording for the
 * events redis-home records).
 */
import { analyze, type LatencyEvent, type LatencyMonitor } from "./latency.ts";

const GRAPH_COLUMNS = 80;
const GRAPH_ROWS = 4;

const NO_SPIKES = "Dave, no latency spike was observed during the lifetime of this Redis " +
  "instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a " +
  "stress pill, and think things over.\n";
const DISABLED = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this " +
  'Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order ' +
  "to enable it. If we weren't in a deep space mission I'd suggest to take a look at " +
  "https://redis.io/topics/latency-monitor.\n";
const INTRO = "Dave, I have observed latency spikes in this Redis instance. You don't mind " +
  "talking about it, do you Dave?\n\n";

const ADVICE = {
  slowlogInspect: "- Check your Slow Log to understand what are the commands you are running " +
    "which are too slow to execute. Please check https://redis.io/commands/slowlog for more " +
    "information.\n",
  scheduler: "- The system is slow to execute Redis code paths not containing system calls. " +
    "This usually means the system does not provide Redis CPU time to run for long periods. You " +
    "should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you " +
    'are running other software in the same system.\n  3) Check if you have a "noisy ' +
    "neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the " +
    "intrinsic latency in your system.\n  5) Check if the problem is allocator-related by " +
    "recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create " +
    "fragmentation problems.\n",
  hz: "- In order to make the Redis keys expiring process more incremental, try to set the " +
    "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
  largeObjects: "- Deleting, expiring or evicting (because of maxmemory policy) large objects " +
    "is a blocking operation. If you have very large objects that are often deleted, expired, " +
    "or evicted, try to fragment those objects into multiple smaller objects.\n",
};

/** What the doctor knows beyond the events. */
export interface DoctorSettings {
  slowlogSlowerThan: number;
  hz: number;
}

/** LATENCY DOCTOR: one line per event, then the advice those events call for. */
export function doctorReport(monitor: LatencyMonitor, settings: DoctorSettings): string {
  if (monitor.threshold === 0 && monitor.events.size === 0) return DISABLED;
  if (monitor.events.size === 0) return NO_SPIKES;
  let report = INTRO;
  const advice = new Set<string>();
  let n = 0;
  for (const [name, event] of monitor.events) {
    const { avg, mad, period } = analyze(event);
    const samples = event.samples.length;
    report += `${++n}. ${name}: ${samples} latency spikes (average ${Math.floor(avg)}ms, ` +
      `mean deviation ${Math.floor(mad)}ms, period ${period.toFixed(2)} sec). ` +
      `Worst all time event ${event.max}ms.\n`;
    for (const line of adviceFor(name, monitor.threshold, settings)) advice.add(line);
  }
  if (advice.size === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any " +
      "easy fix. Please use the Redis community to get some help, providing this report in " +
      "your help request.\n";
  }
  return report + "\nI have a few advices for you:\n\n" + [...advice].join("");
}

function adviceFor(event: string, threshold: number, settings: DoctorSettings): string[] {
  if (event === "command") {
    const tune = `'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'`;
    const lines = [];
    if (settings.slowlogSlowerThan < 0) {
      lines.push(
        "- There are latency issues with potentially slow commands you are using. Try to " +
          `enable the Slow Log Redis feature using the command ${tune}. If the Slow log is ` +
          "disabled Redis is not able to log slow commands execution for you.\n",
      );
    } else if (settings.slowlogSlowerThan / 1000 > threshold) {
      lines.push(
        "- Your current Slow Log configuration only logs events that are slower than your " +
          `configured latency monitor threshold. Please use ${tune}.\n`,
      );
    }
    return [...lines, ADVICE.slowlogInspect, ADVICE.largeObjects];
  }
  if (event === "fast-command") return [ADVICE.scheduler];
  if (event === "expire-cycle") {
    return settings.hz < 100 ? [ADVICE.hz, ADVICE.largeObjects] : [ADVICE.largeObjects];
  }
  return [];
}

/** How long ago a sample was: "12s", "5m", "3h", "2d". */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/**
 * LATENCY GRAPH: a header, a rule, then one column per sample (oldest left),
 * its height the latency between the lowest and highest sample, with its
 * age written vertically below.
 */
export function latencyGraph(name: string, event: LatencyEvent, now = Date.now()): string {
  const samples = event.samples;
  const values = samples.map((s) => s.latency);
  const high = Math.max(...values);
  const low = Math.min(...values);
  let graph = `${name} - high ${high} ms, low ${low} ms (all time high ${event.max} ms)\n` +
    "-".repeat(GRAPH_COLUMNS) + "\n";
  const span = high - low || 1;
  const heights = values.map((v) => 1 + Math.round(((v - low) / span) * (GRAPH_ROWS - 1)));
  for (let row = GRAPH_ROWS; row >= 1; row--) {
    graph += heights.map((h) => (h >= row ? "#" : " ")).join("").trimEnd() + "\n";
  }
  const labels = samples.map((s) => ago(Math.max(0, Math.floor(now / 1000) - s.time)));
  const depth = Math.max(...labels.map((l) => l.length));
  for (let i = 0; i < depth; i++) {
    graph += labels.map((l) => l[i] ?? " ").join("").trimEnd() + "\n";
  }
  return graph;
}
