/**
 * How dispatch times calls, as the slow log decides it from the slow log's
 * and latency monitor's thresholds, at startup and as CONFIG SET changes them.
 */
import { deepEqual } from "node:assert/strict";
import { Config } from "./config.ts";
import { COARSE, EXACT, SAMPLED, SlowLog } from "./slowlog.ts";

function timing(slowlog: SlowLog): [number, number] {
  return [slowlog.fastTiming, slowlog.otherTiming];
}

Deno.test("timing modes follow slowlog-log-slower-than, slowlog-max-len and latency-monitor-threshold", () => {
  const config = new Config();
  const slowlog = new SlowLog(config);
  // Defaults: 10000 µs, 128 entries, latency monitor off.
  deepEqual(timing(slowlog), [SAMPLED, COARSE]);
  const cases: [[string, string][], [number, number]][] = [
    [[["slowlog-log-slower-than", "0"]], [EXACT, EXACT]],
    [[["slowlog-log-slower-than", "999"]], [EXACT, EXACT]],
    [[["slowlog-log-slower-than", "1000"]], [SAMPLED, EXACT]],
    [[["slowlog-log-slower-than", "1999"]], [SAMPLED, EXACT]],
    [[["slowlog-log-slower-than", "2000"]], [SAMPLED, COARSE]],
    [[["slowlog-log-slower-than", "-1"]], [SAMPLED, SAMPLED]],
    [[["latency-monitor-threshold", "1"]], [SAMPLED, EXACT]],
    [[["latency-monitor-threshold", "2"]], [SAMPLED, COARSE]],
    [[["latency-monitor-threshold", "0"], ["slowlog-log-slower-than", "0"]], [EXACT, EXACT]],
    [[["slowlog-max-len", "0"]], [SAMPLED, SAMPLED]],
    [[["latency-monitor-threshold", "1"]], [SAMPLED, EXACT]],
    [[["slowlog-max-len", "5"], ["latency-monitor-threshold", "0"]], [EXACT, EXACT]],
  ];
  for (const [pairs, expected] of cases) {
    config.setMany(pairs);
    deepEqual(timing(slowlog), expected, JSON.stringify(pairs));
  }
});

Deno.test("timing modes read the thresholds set before the slow log starts", () => {
  const config = new Config();
  config.setMany([["slowlog-log-slower-than", "-1"], ["latency-monitor-threshold", "1"]], true);
  deepEqual(timing(new SlowLog(config)), [SAMPLED, EXACT]);
});
