/**
 * The configuration registry: every parameter the server honours, plus
 * Redis's common tuning parameters that are accepted and reported but have no
 * effect here (marked `noop`). CONFIG GET/SET/REWRITE, redis.conf and
 * `--name value` flags all go through it, with Redis 7's names, aliases,
 * defaults, ranges and error texts.
 */
import { splitArgs } from "../protocol/inline.ts";
import {
  ConfigError,
  LONG_MAX,
  memoryBig,
  normalizePercent,
  PARAMS,
  type ParamSpec,
} from "./config_params.ts";
import {
  CONFIG_DUPLICATE,
  CONFIG_IMMUTABLE,
  CONFIG_NOT_BOOL,
  CONFIG_NOT_INTEGER,
  CONFIG_NOT_MEMORY,
  CONFIG_PROTECTED,
  configNotOneOf,
  configOutOfRange,
  configSetFailed,
  configUnknownOption,
} from "./errors.ts";
import { globMatch } from "./glob.ts";

export class Config {
  readonly specs = new Map<string, ParamSpec>();
  readonly #values = new Map<string, string>();
  /** Numbers of numeric parameters, parsed once per change. */
  readonly #numbers = new Map<string, number>();
  /** Live views of numeric parameters read on every request (see live()). */
  readonly #cells = new Map<string, { value: number }>();
  /** The redis.conf the server was started with (CONFIG REWRITE, INFO config_file). */
  configFile: string | undefined;
  /** redis.conf `user` lines, each [name, ...rules]; the server applies them at start. */
  readonly aclUsers: string[][] = [];
  /** redis.conf `rename-command` lines, each [from, to]; the server's command table applies them. */
  readonly renamedCommands: [string, string][] = [];
  /** Called after a parameter changes (the server applies live changes). */
  onChange: (name: string, value: string) => void = () => {};
  /**
   * Applies the parameters one CONFIG SET changed, once all are stored (as
   * Redis's apply functions: TLS reloads its certificates); a failure names
   * the parameter and the reason, and every value of the call is restored.
   */
  onApply: (names: readonly string[]) => { name: string; problem: string } | undefined = () =>
    undefined;

  constructor(params: readonly ParamSpec[] = PARAMS) {
    for (const spec of params) this.define(spec);
  }

  define(spec: ParamSpec): void {
    this.specs.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) this.specs.set(alias, spec);
    this.#store(spec, spec.default);
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
    const n = this.#numbers.get(name) ?? this.#numbers.get(this.spec(name)?.name ?? "");
    if (n === undefined) throw new Error(`config parameter ${name} is not numeric`);
    return n;
  }

  /**
   * A numeric parameter as a cell that stays current: the request path reads
   * `cell.value` instead of looking the name up per command.
   */
  live(name: string): { readonly value: number } {
    const canonical = this.spec(name)?.name ?? name;
    let cell = this.#cells.get(canonical);
    if (cell === undefined) {
      cell = { value: this.getNumber(canonical) };
      this.#cells.set(canonical, cell);
    }
    return cell;
  }

  getBool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /** Whether a parameter still has its default value. */
  isDefault(name: string): boolean {
    const spec = this.spec(name)!;
    return this.#values.get(spec.name) === this.#canonical(spec, spec.default);
  }

  /** Normalises and validates a value; throws ConfigError with the reason. */
  normalize(spec: ParamSpec, value: string): string {
    switch (spec.type) {
      case "bool": {
        const v = value.toLowerCase();
        if (v !== "yes" && v !== "no") throw new ConfigError(CONFIG_NOT_BOOL);
        return v;
      }
      case "int":
      case "memory": {
        const n = spec.octal
          ? (/^[0-7]{1,21}$/.test(value) ? BigInt(`0o${value}`) : undefined)
          : spec.type === "int"
          ? (/^(0|-?[1-9]\d{0,18})$/.test(value) ? BigInt(value) : undefined)
          : memoryBig(value);
        if (n === undefined && spec.percent) return normalizePercent(value);
        if (n === undefined) {
          throw new ConfigError(
            spec.type === "int" ? CONFIG_NOT_INTEGER : CONFIG_NOT_MEMORY,
          );
        }
        const min = BigInt(spec.min ?? -LONG_MAX - 1n);
        const max = BigInt(spec.max ?? LONG_MAX);
        if (n < min || n > max) {
          throw new ConfigError(configOutOfRange(min, max));
        }
        return this.#canonical(spec, n.toString(spec.octal ? 8 : 10));
      }
      case "enum": {
        const v = value.toLowerCase();
        if (!spec.values!.includes(v)) {
          throw new ConfigError(
            configNotOneOf(spec.values!),
          );
        }
        return v;
      }
      case "string": {
        const problem = spec.validate?.(value);
        if (problem) throw new ConfigError(problem);
        return this.#canonical(spec, value);
      }
    }
  }

  #canonical(spec: ParamSpec, value: string): string {
    return spec.canonical ? spec.canonical(value, this.#values.get(spec.name) ?? "") : value;
  }

  /**
   * Sets several parameters atomically, with CONFIG SET's checks and error
   * order: every name first (unknown, immutable, protected, repeated), then
   * every value; nothing changes unless all pass. `localClient` says whether
   * the request came over loopback (enable-protected-configs local).
   */
  setMany(pairs: readonly [string, string][], atStartup = false, localClient = false): void {
    const changes: [ParamSpec, string][] = [];
    for (const [name, value] of pairs) {
      const spec = this.spec(name);
      if (!spec) {
        throw new ConfigError(configUnknownOption(name));
      }
      let problem: string | undefined;
      if (!atStartup && spec.immutable) problem = CONFIG_IMMUTABLE;
      else if (
        !atStartup && spec.protected && !this.allows("enable-protected-configs", localClient)
      ) {
        problem = CONFIG_PROTECTED;
      } else if (changes.some(([other]) => other === spec)) problem = CONFIG_DUPLICATE;
      if (problem) throw setFailed(name, problem);
      changes.push([spec, value]);
    }
    const normalized: [ParamSpec, string][] = [];
    for (const [spec, value] of changes) {
      try {
        normalized.push([spec, this.normalize(spec, value)]);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        throw setFailed(spec.name, err.message);
      }
    }
    this.#apply(normalized, atStartup);
  }

  /**
   * Stores the new values, then applies those that changed (onChange: the
   * server re-listens, resizes, ...), then, past startup, the call as a
   * whole (onApply: TLS reloads its files, even unchanged ones). When an
   * onChange fails with a ConfigError or onApply names a failure, every
   * value goes back and the changes applied so far are applied back, as
   * Redis 7's CONFIG SET does.
   */
  #apply(normalized: readonly [ParamSpec, string][], atStartup: boolean): void {
    const previous = normalized.map(([spec]) => this.#values.get(spec.name)!);
    normalized.forEach(([spec, value]) => this.#store(spec, value));
    const applied: number[] = [];
    const rollBack = () => {
      normalized.forEach(([spec], j) => this.#store(spec, previous[j]!));
      for (const j of applied) this.onChange(normalized[j]![0].name, previous[j]!);
    };
    for (const [i, [spec, value]] of normalized.entries()) {
      if (value === previous[i]) continue;
      try {
        this.onChange(spec.name, value);
        applied.push(i);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        rollBack();
        throw setFailed(spec.name, err.message);
      }
    }
    if (atStartup) return;
    const failed = this.onApply(normalized.map(([spec]) => spec.name));
    if (failed === undefined) return;
    rollBack();
    throw setFailed(failed.name, failed.problem);
  }

  set(name: string, value: string, atStartup = false): void {
    this.setMany([[name, value]], atStartup);
  }

  /** Whether a yes/no/local protection parameter lets this client through. */
  allows(name: string, localClient: boolean): boolean {
    const mode = this.get(name);
    return mode === "yes" || (mode === "local" && localClient);
  }

  #store(spec: ParamSpec, value: string): void {
    this.#values.set(spec.name, value);
    if (spec.type === "int" || spec.type === "memory") {
      // A percentage (maxmemory-clients) is kept negative, as Redis stores it.
      const n = value.endsWith("%")
        ? -Number(value.slice(0, -1))
        : spec.octal
        ? parseInt(value, 8)
        : Number(value);
      this.#numbers.set(spec.name, n);
      const cell = this.#cells.get(spec.name);
      if (cell !== undefined) cell.value = n;
    }
  }

  /** Canonical parameter names, each once. */
  names(): string[] {
    return [...this.#values.keys()];
  }

  /**
   * CONFIG GET: [name, value] for each pattern, globs matched without case
   * against every name and alias; an exact name is echoed as given. Each
   * name is reported once.
   */
  match(patterns: readonly string[]): [string, string][] {
    const found = new Map<string, string>();
    for (const pattern of patterns) {
      if (!/[*?[]/.test(pattern)) {
        const spec = this.spec(pattern);
        if (spec && !found.has(pattern)) found.set(pattern, this.#values.get(spec.name)!);
        continue;
      }
      for (const [name, spec] of this.specs) {
        if (!spec.hidden && !found.has(name) && globMatch(pattern, name, true)) {
          found.set(name, this.#values.get(spec.name)!);
        }
      }
    }
    return [...found];
  }

  /**
   * CONFIG REWRITE: rewrites `path` keeping its comments and unknown lines,
   * updating each parameter's first line in place (dropping repeats) and
   * appending changed parameters it did not mention. `directives` holds the
   * whole lines of repeatable directives the registry does not own (`user`):
   * they replace that directive's lines in order, extra ones are appended,
   * and lines left over are dropped, as Redis's rewriteConfigRewriteLine.
   */
  /**
   * Rewrites the file at `path` with the current values (CONFIG REWRITE):
   * those not at their defaults, or every one with `forceAll` (DEBUG
   * CONFIG-REWRITE-FORCE-ALL).
   */
  rewrite(
    path: string,
    directives: ReadonlyMap<string, readonly string[]> = new Map(),
    forceAll = false,
  ): void {
    let lines: string[] = [];
    try {
      lines = Deno.readTextFileSync(path).split("\n");
      if (lines.at(-1) === "") lines.pop();
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    const written = new Set<string>();
    const out: string[] = [];
    const pending = new Map([...directives].map(([name, lines]) => [name, [...lines].reverse()]));
    for (const line of lines) {
      const words = line.trim().startsWith("#") ? undefined : splitArgs(line);
      const name = words?.[0];
      const replacements = name === undefined ? undefined : pending.get(name.toLowerCase());
      if (replacements !== undefined) {
        const replacement = replacements.pop();
        if (replacement !== undefined) out.push(replacement);
        continue;
      }
      const spec = name === undefined ? undefined : this.spec(name);
      if (spec === undefined) {
        if (line !== REWRITE_SIGNATURE) out.push(line);
        continue;
      }
      if (written.has(spec.name)) continue;
      written.add(spec.name);
      out.push(this.#directive(spec));
    }
    const added = this.names().filter((name) =>
      !written.has(name) && (forceAll || !this.isDefault(name))
    )
      .map((name) => this.#directive(this.specs.get(name)!));
    for (const replacements of pending.values()) added.push(...replacements.reverse());
    if (added.length > 0) out.push(REWRITE_SIGNATURE, ...added);
    Deno.writeTextFileSync(path, out.join("\n") + "\n");
  }

  /** Whether parameter `name` takes several words on one line (save 900 1, bind a b). */
  takesSeveral(name: string): boolean {
    return MULTI_WORD.has(name);
  }

  #directive(spec: ParamSpec): string {
    const value = this.#values.get(spec.name)!;
    if (MULTI_WORD.has(spec.name) && value !== "") return `${spec.name} ${value}`;
    return `${spec.name} ${quoteConfigValue(value)}`;
  }
}

const REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE";

/** Parameters whose value is several words on one line. */
const MULTI_WORD = new Set([
  "bind",
  "save",
  "client-output-buffer-limit",
  "oom-score-adj-values",
  "latency-tracking-info-percentiles",
  "shutdown-on-sigint",
  "shutdown-on-sigterm",
]);

/** A value as redis.conf needs it: bare when safe, else double-quoted with escapes. */
function quoteConfigValue(value: string): string {
  // deno-lint-ignore no-control-regex
  if (value !== "" && !/[\s"'\\\x00-\x1f\x7f-\xff]/.test(value)) return value;
  let out = '"';
  for (const c of value) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (code < 32 || code >= 127) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += c;
  }
  return out + '"';
}

function setFailed(name: string, reason: string): ConfigError {
  return new ConfigError(configSetFailed(name, reason), reason);
}

/**
 * Parses redis.conf syntax: one directive per line, `#` comments, arguments
 * split with Redis's quoting rules. Returns [name, value] pairs in order; a
 * directive with several arguments (save 900 1) keeps them space-joined.
 */
export function parseConfigFile(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, text] of lines.entries()) {
    const line = text.trim();
    if (line === "" || line.startsWith("#")) continue;
    const words = splitArgs(line);
    if (words === undefined) throw new ConfigError(`line ${i + 1}: unbalanced quotes`);
    const [name = "", ...rest] = words;
    pairs.push([name.toLowerCase(), rest.join(" ")]);
  }
  return pairs;
}
