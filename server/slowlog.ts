/**
 * The slow log (Redis's slowlog.c): commands that ran for at least
 * slowlog-log-slower-than microseconds, newest first, at most
 * slowlog-max-len of them. Arguments are stored as Redis stores them: at most
 * 32 (the last one saying how many more there were), each cut to 128 bytes,
 * and secrets (AUTH passwords, sensitive configs) replaced by "(redacted)".
 */
import type { Config } from "./config.ts";
import { resolveDeferred } from "../protocol/bytes.ts";

/** Arguments kept per entry; the last of them says how many more there were. */
const MAX_ARGC = 32;
/** Bytes kept of each argument. */
const MAX_STRING = 128;
/** Below this slowlog-log-slower-than (µs) even fast commands are timed on every call. */
const FAST_COMMAND_FLOOR_US = 1000;
/**
 * Thresholds (slow log, latency monitor) from this many µs up are watched on
 * the millisecond clock: Date.now() costs half a performance.now(), and a
 * command that slow is logged within a millisecond of its time.
 */
const COARSE_MIN_US = 2000;

/** How dispatch times a call (SlowLog.fastTiming, otherTiming): by sampling only. */
export const SAMPLED = 0;
/** Every call, exactly. */
export const EXACT = 1;
/** Every call on the millisecond clock (Date.now), the sampled ones exactly. */
export const COARSE = -1;

export interface SlowLogEntry {
  readonly id: number;
  /** Unix time in seconds when the command finished. */
  readonly time: number;
  readonly microseconds: number;
  readonly argv: readonly string[];
  /** The client's address ("ip:port"), and its name ("" if none). */
  readonly peer: string;
  readonly name: string;
}

/** Configuration parameters whose values CONFIG SET must not show (Redis's SENSITIVE_CONFIG). */
const SENSITIVE_CONFIGS = new Set(["masteruser", "masterauth", "requirepass"]);

/**
 * The arguments of a call as logs may show them (slow log, MONITOR): the
 * secrets Redis redacts replaced by "(redacted)". `name` is the command's
 * full name ("config|set"). Returns argv itself when nothing is secret (a
 * value SET took as bytes made its string first).
 */
export function redactArgs(name: string, argv: readonly string[]): readonly string[] {
  resolveDeferred(argv);
  const hidden = secretPositions(name, argv);
  if (hidden.length === 0) return argv;
  const copy = argv.slice();
  for (const i of hidden) copy[i] = "(redacted)";
  return copy;
}

function secretPositions(name: string, argv: readonly string[]): number[] {
  const positions: number[] = [];
  const from = (start: number) => {
    for (let i = start; i < argv.length; i++) positions.push(i);
  };
  if (name === "auth") from(1);
  else if (name === "acl|setuser") from(2);
  else if (name === "config|set") {
    for (let i = 2; i + 1 < argv.length; i += 2) {
      if (SENSITIVE_CONFIGS.has((argv[i] ?? "").toLowerCase())) positions.push(i + 1);
    }
  } else if (name === "hello" || name === "migrate") {
    // HELLO ... AUTH user pass; MIGRATE ... AUTH pass | AUTH2 user pass.
    const authWords = name === "hello" ? 2 : 1;
    for (let i = 1; i < argv.length; i++) {
      const word = (argv[i] ?? "").toLowerCase();
      const count = word === "auth" ? authWords : word === "auth2" && name === "migrate" ? 2 : 0;
      for (let k = 1; k <= count; k++) positions.push(i + k);
      i += count;
    }
  }
  return positions.filter((i) => i < argv.length);
}

/** An entry's arguments: at most 32, each at most 128 bytes, as Redis trims them. */
export function trimArgs(argv: readonly string[]): string[] {
  const kept = Math.min(argv.length, MAX_ARGC);
  const args: string[] = [];
  for (let i = 0; i < kept; i++) {
    const arg = argv[i] ?? "";
    if (i === kept - 1 && kept !== argv.length) {
      args.push(`... (${argv.length - kept + 1} more arguments)`);
    } else if (arg.length > MAX_STRING) {
      args.push(`${arg.slice(0, MAX_STRING)}... (${arg.length - MAX_STRING} more bytes)`);
    } else {
      args.push(arg);
    }
  }
  return args;
}

export class SlowLog {
  /** Newest first. */
  readonly entries: SlowLogEntry[] = [];
  #nextId = 0;
  /** slowlog-log-slower-than in microseconds; negative: off. */
  slowerThan: number;
  maxLen: number;

  /** latency-monitor-threshold in ms (0: off): the latency monitor also needs calls timed. */
  #latencyMs: number;
  /**
   * latency-tracking: whether timed calls fill their command's latency
   * histogram (as Redis, not while it is off). Kept here with the other
   * settings dispatch reads per call.
   */
  tracksLatency: boolean;

  constructor(config: Config) {
    this.slowerThan = config.getNumber("slowlog-log-slower-than");
    this.maxLen = config.getNumber("slowlog-max-len");
    this.#latencyMs = config.getNumber("latency-monitor-threshold");
    this.tracksLatency = config.getBool("latency-tracking");
    this.#update();
    const previous = config.onChange;
    config.onChange = (name, value) => {
      previous(name, value);
      if (name === "slowlog-log-slower-than") this.slowerThan = Number(value);
      if (name === "latency-monitor-threshold") this.#latencyMs = Number(value);
      if (name === "latency-tracking") this.tracksLatency = value === "yes";
      if (name === "slowlog-max-len") {
        this.maxLen = Number(value);
        this.#trim();
      }
      this.#update();
    };
  }

  /** Whether any call could be logged (the log is on and may hold entries). */
  enabled = false;
  /**
   * Whether fast commands (Redis's "fast" flag: GET, INCR...) must be timed
   * every call: only under a threshold below FAST_COMMAND_FLOOR_US. Above it
   * dispatch times them by sampling, since one rarely takes a millisecond and
   * reading the clock costs a good part of one.
   */
  timesFast = false;
  /**
   * How dispatch times a call of a fast command or one bounded by its
   * arguments (Command.timedBySampling): EXACT while the slow log times
   * fast commands, else SAMPLED. Kept here, decided when the thresholds
   * change, so that a call reads one field.
   */
  fastTiming = SAMPLED;
  /**
   * How it times any other call: EXACT while a slow log or latency
   * threshold under COARSE_MIN_US could record it, COARSE while either is
   * on, else SAMPLED.
   */
  otherTiming = SAMPLED;

  #update(): void {
    this.enabled = this.slowerThan >= 0 && this.maxLen > 0;
    this.timesFast = this.enabled && this.slowerThan < FAST_COMMAND_FLOOR_US;
    const latencyUs = this.#latencyMs * 1000;
    const finely = (this.enabled && this.slowerThan < COARSE_MIN_US) ||
      (latencyUs > 0 && latencyUs < COARSE_MIN_US);
    this.fastTiming = this.timesFast ? EXACT : SAMPLED;
    this.otherTiming = finely ? EXACT : this.enabled || latencyUs > 0 ? COARSE : SAMPLED;
  }

  /**
   * Logs a call that took `microseconds` if it passes the threshold.
   * `name` is the command's full name, for redaction.
   */
  record(
    name: string,
    argv: readonly string[],
    microseconds: number,
    peer: string,
    clientName: string,
  ): void {
    if (this.slowerThan < 0 || microseconds < this.slowerThan) return;
    this.entries.unshift({
      id: this.#nextId++,
      time: Math.floor(Date.now() / 1000),
      microseconds: Math.floor(microseconds),
      argv: trimArgs(redactArgs(name, argv)),
      peer,
      name: clientName,
    });
    this.#trim();
  }

  reset(): void {
    this.entries.length = 0;
  }

  #trim(): void {
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }
}
