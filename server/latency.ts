/**
 * The latency monitor (Redis's latency.c): for each event ("command",
 * "fast-command", "expire-cycle", ...) that took at least
 * latency-monitor-threshold milliseconds, one sample per second (the worst
 * of that second) in a ring of the last 160, plus the all-time maximum.
 */
import type { Config } from "./config.ts";

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
export const HISTORY_LEN = 160;

export interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export interface LatencyEvent {
  /** Oldest first, at most HISTORY_LEN. */
  readonly samples: LatencySample[];
  /** The highest latency ever recorded for the event. */
  max: number;
}

export class LatencyMonitor {
  readonly events = new Map<string, LatencyEvent>();
  /** latency-monitor-threshold in milliseconds; 0: off. */
  threshold: number;

  constructor(config: Config) {
    this.threshold = config.getNumber("latency-monitor-threshold");
    const previous = config.onChange;
    config.onChange = (name, value) => {
      previous(name, value);
      if (name === "latency-monitor-threshold") this.threshold = Number(value);
    };
  }

  /** Records `ms` for `event` if the monitor is on and it reaches the threshold. */
  addIfNeeded(event: string, ms: number, now?: number): void {
    if (this.threshold > 0 && ms >= this.threshold) {
      this.add(event, Math.floor(ms), now ?? Date.now());
    }
  }

  add(event: string, ms: number, now = Date.now()): void {
    const time = Math.floor(now / 1000);
    let stats = this.events.get(event);
    if (stats === undefined) {
      stats = { samples: [], max: 0 };
      this.events.set(event, stats);
    }
    if (ms > stats.max) stats.max = ms;
    const last = stats.samples[stats.samples.length - 1];
    if (last !== undefined && last.time === time) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    stats.samples.push({ time, latency: ms });
    if (stats.samples.length > HISTORY_LEN) stats.samples.shift();
  }

  /** Forgets the named events (every event when none is named); returns how many it reset. */
  reset(names: readonly string[]): number {
    if (names.length === 0) {
      const count = this.events.size;
      this.events.clear();
      return count;
    }
    let count = 0;
    for (const name of new Set(names)) if (this.events.delete(name)) count++;
    return count;
  }
}

/** Average, mean deviation, period between samples of an event (LATENCY DOCTOR's figures). */
export function analyze(event: LatencyEvent): { avg: number; mad: number; period: number } {
  const samples = event.samples;
  const n = samples.length;
  if (n === 0) return { avg: 0, mad: 0, period: 0 };
  const sum = samples.reduce((acc, s) => acc + s.latency, 0);
  const avg = sum / n;
  const mad = samples.reduce((acc, s) => acc + Math.abs(s.latency - avg), 0) / n;
  const first = samples[0]?.time ?? 0;
  const period = n > 1 ? (Math.floor(Date.now() / 1000) - first) / n : 0;
  return { avg, mad, period };
}
