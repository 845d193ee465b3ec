import { splitArgs } from "../protocol/inline.ts";
/**
 * The configuration registry: every parameter the server honours, plus
 * Redis's common tuning parameters that are accepted and reported but have no
 * effect here (marked `noop`). CONFIG GET/SET, redis.conf and `--name value`
 * flags all go through it.
 */
export type ParamType = "int" | "memory" | "bool" | "string" | "enum";

export interface ParamSpec {
  name: string;
  type: ParamType;
  default: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Accepted and reported for compatibility; does nothing in redis-home. */
  noop?: boolean;
  /** Only settable at start-up (command line or redis.conf). */
  immutable?: boolean;
  /** Extra validation; returns an error text for a bad value. */
  validate?: (value: string) => string | undefined;
  aliases?: readonly string[];
}

const MB = 1024 * 1024;

/** Parameters and their defaults (Redis 7's, where Redis has the parameter). */
export const PARAMS: ParamSpec[] = [
  { name: "bind", type: "string", default: "127.0.0.1", immutable: true },
  { name: "port", type: "int", default: "6379", min: 0, max: 65535, immutable: true },
  { name: "timeout", type: "int", default: "0", min: 0, max: 2147483647 },
  { name: "databases", type: "int", default: "16", min: 1, max: 2147483647, immutable: true },
  { name: "hz", type: "int", default: "10", min: 1, max: 500 },
  { name: "maxclients", type: "int", default: "10000", min: 1, max: 2147483647 },
  { name: "proto-max-bulk-len", type: "memory", default: String(512 * MB), min: MB },
  { name: "client-query-buffer-limit", type: "memory", default: String(1024 * MB), min: MB },
  {
    name: "client-output-buffer-limit",
    type: "string",
    default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  },
  { name: "notify-keyspace-events", type: "string", default: "" },
  { name: "save", type: "string", default: "" },
  { name: "appendonly", type: "bool", default: "no" },
  { name: "dir", type: "string", default: "." },
  { name: "dbfilename", type: "string", default: "dump.rdb" },
  {
    name: "loglevel",
    type: "enum",
    default: "notice",
    values: ["debug", "verbose", "notice", "warning", "nothing"],
  },
  { name: "logfile", type: "string", default: "", immutable: true },
  { name: "maxmemory", type: "memory", default: "0", noop: true },
  {
    name: "maxmemory-policy",
    type: "enum",
    default: "noeviction",
    noop: true,
    values: [
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "noeviction",
    ],
  },
  { name: "tcp-keepalive", type: "int", default: "300", min: 0, noop: true },
  { name: "tcp-backlog", type: "int", default: "511", min: 0, noop: true, immutable: true },
];

export function parseMemory(value: string): number | undefined {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: MB,
    g: 1000 * 1000 * 1000,
    gb: 1024 * MB,
  };
  return n * mult[unit];
}

export class ConfigError extends Error {}

export class Config {
  readonly specs = new Map<string, ParamSpec>();
  readonly #values = new Map<string, string>();
  /** Called after a parameter changes (the server applies live changes). */
  onChange: (name: string, value: string) => void = () => {};

  constructor(params: readonly ParamSpec[] = PARAMS) {
    for (const spec of params) this.define(spec);
  }

  define(spec: ParamSpec): void {
    this.specs.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) this.specs.set(alias, spec);
    this.#values.set(spec.name, spec.default);
  }

  spec(name: string): ParamSpec | undefined {
    return this.specs.get(name.toLowerCase());
  }

  get(name: string): string {
    const spec = this.spec(name);
    if (!spec) throw new Error(`unknown config parameter ${name}`);
    return this.#values.get(spec.name)!;
  }

  getNumber(name: string): number {
    const spec = this.spec(name)!;
    const raw = this.get(name);
    return spec.type === "memory" ? parseMemory(raw)! : Number(raw);
  }

  getBool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /** Normalises and validates a value; throws ConfigError with the reason. */
  normalize(spec: ParamSpec, value: string): string {
    switch (spec.type) {
      case "bool": {
        const v = value.toLowerCase();
        if (v !== "yes" && v !== "no") throw new ConfigError("argument must be 'yes' or 'no'");
        return v;
      }
      case "int": {
        if (!/^-?\d+$/.test(value)) {
          throw new ConfigError("argument couldn't be parsed into an integer");
        }
        const n = Number(value);
        if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
          throw new ConfigError(`argument must be between ${spec.min} and ${spec.max} inclusive`);
        }
        return String(n);
      }
      case "memory": {
        const n = parseMemory(value);
        if (n === undefined) throw new ConfigError("argument must be a memory value");
        if (spec.min !== undefined && n < spec.min && n !== 0) {
          throw new ConfigError(
            `argument must be between ${spec.min} and ${Number.MAX_SAFE_INTEGER} inclusive`,
          );
        }
        return String(n);
      }
      case "enum": {
        const v = value.toLowerCase();
        if (!spec.values!.includes(v)) {
          throw new ConfigError(
            "argument(s) must be one of the following: " + spec.values!.join(", "),
          );
        }
        return v;
      }
      case "string": {
        const problem = spec.validate?.(value);
        if (problem) throw new ConfigError(problem);
        return value;
      }
    }
  }

  /** Sets several parameters atomically: all are validated before any changes. */
  setMany(pairs: readonly [string, string][], atStartup = false): void {
    const normalized: [ParamSpec, string][] = [];
    for (const [name, value] of pairs) {
      const spec = this.spec(name);
      if (!spec) {
        throw new ConfigError(`Unknown option or number of arguments for CONFIG SET - '${name}'`);
      }
      if (spec.immutable && !atStartup) {
        throw new ConfigError(
          `CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`,
        );
      }
      try {
        normalized.push([spec, this.normalize(spec, value)]);
      } catch (err) {
        throw new ConfigError(
          `CONFIG SET failed (possibly related to argument '${name}') - ${(err as Error).message}`,
        );
      }
    }
    for (const [spec, value] of normalized) {
      this.#values.set(spec.name, value);
      this.onChange(spec.name, value);
    }
  }

  set(name: string, value: string, atStartup = false): void {
    this.setMany([[name, value]], atStartup);
  }

  /** Canonical parameter names, each once. */
  names(): string[] {
    return [...this.#values.keys()];
  }
}

/**
 * Parses redis.conf syntax: one directive per line, `#` comments, arguments
 * split with Redis's quoting rules. Returns [name, value] pairs in order; a
 * directive with several arguments (save 900 1) keeps them space-joined.
 */
export function parseConfigFile(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const words = splitArgs(line);
    if (words === undefined) throw new ConfigError(`line ${i + 1}: unbalanced quotes`);
    const [name, ...rest] = words;
    pairs.push([name.toLowerCase(), rest.join(" ")]);
  }
  return pairs;
}
