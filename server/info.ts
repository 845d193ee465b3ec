/**
 * INFO sections are contributed by the modules that own the figures (the
 * server commands, persistence, ...). Each provider returns its fields in
 * order; INFO prints sections in Redis's order. This module imports no
 * values, so any module can register a section while it loads.
 */
import type { RedisServer } from "./server.ts";

export type InfoField = [name: string, value: string | number];
export type InfoProvider = (server: RedisServer) => InfoField[];

/** Redis 7.0's section order; `everything` prints all of these. */
export const INFO_SECTION_ORDER = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "commandstats",
  "errorstats",
  "latencystats",
  "cluster",
  "keyspace",
] as const;

/** What plain INFO (and INFO default) prints. */
const DEFAULT_SECTIONS = new Set([
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "errorstats",
  "cluster",
  "keyspace",
]);

const TITLES: Record<string, string> = { cpu: "CPU" };

const providers = new Map<string, InfoProvider>();

export function registerInfoSection(name: string, provider: InfoProvider): void {
  providers.set(name.toLowerCase(), provider);
}

export function infoProvider(name: string): InfoProvider | undefined {
  return providers.get(name.toLowerCase());
}

/**
 * The INFO text for INFO's arguments, as Redis picks sections: none means
 * the default set, `default` adds it, `all` and `everything` mean every
 * section, other words name sections (any case); unknown names add nothing.
 */
export function renderInfo(server: RedisServer, args: readonly string[]): string {
  let all = false;
  const wanted = new Set<string>(args.length === 0 ? DEFAULT_SECTIONS : []);
  for (const arg of args) {
    const name = arg.toLowerCase();
    if (name === "all" || name === "everything") all = true;
    else if (name === "default") { for (const s of DEFAULT_SECTIONS) wanted.add(s); }
    else wanted.add(name);
  }
  const parts: string[] = [];
  for (const name of INFO_SECTION_ORDER) {
    const provider = providers.get(name);
    if (provider === undefined || !(all || wanted.has(name))) continue;
    let text = `# ${TITLES[name] ?? name[0].toUpperCase() + name.slice(1)}\r\n`;
    for (const [field, value] of provider(server)) text += `${field}:${value}\r\n`;
    parts.push(text);
  }
  return parts.join("\r\n");
}

/** Error replies by their first word ("ERR", "WRONGTYPE"), for INFO errorstats. */
export interface ErrorStats {
  total: number;
  byCode: Map<string, number>;
}

/** Redis stops tracking new error codes past this many (errors stay counted in the total). */
const MAX_ERROR_CODES = 128;

const errorStats = new WeakMap<RedisServer, ErrorStats>();

export function errorStatsOf(server: RedisServer): ErrorStats {
  let stats = errorStats.get(server);
  if (stats === undefined) errorStats.set(server, stats = { total: 0, byCode: new Map() });
  return stats;
}

/** Counts an error reply (dispatch calls this for every error a command ends with). */
export function countErrorReply(server: RedisServer, message: string): void {
  const stats = errorStatsOf(server);
  stats.total++;
  const space = message.indexOf(" ");
  const code = space < 0 ? message : message.slice(0, space);
  const seen = stats.byCode.get(code);
  if (seen !== undefined) stats.byCode.set(code, seen + 1);
  else if (stats.byCode.size < MAX_ERROR_CODES) stats.byCode.set(code, 1);
}

/** CONFIG RESETSTAT. */
export function resetErrorStats(server: RedisServer): void {
  errorStats.delete(server);
}

/** Redis's bytesToHuman: 1023B, 1.00K, 2.50M... */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let value = n / 1024;
  for (const unit of units) {
    if (value < 1024 || unit === "P") return `${value.toFixed(2)}${unit}`;
    value /= 1024;
  }
  return `${n}B`;
}
