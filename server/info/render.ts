/**
 * INFO's text: sections in Redis 7.0's order, each from its provider
 * (sections.ts lists them, one module per section in this folder).
 */
import type { ServerContext } from "../context.ts";

export type InfoField = [name: string, value: string | number];
export type InfoProvider = (server: ServerContext) => InfoField[];

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

/**
 * The INFO text for INFO's arguments, as Redis picks sections: none means
 * the default set, `default` adds it, `all` and `everything` mean every
 * section, other words name sections (any case); unknown names add nothing.
 */
export function renderInfo(
  server: ServerContext,
  args: readonly string[],
  providers: ReadonlyMap<string, InfoProvider>,
): string {
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
    let text = `# ${TITLES[name] ?? name.charAt(0).toUpperCase() + name.slice(1)}\r\n`;
    for (const [field, value] of provider(server)) text += `${field}:${value}\r\n`;
    parts.push(text);
  }
  return parts.join("\r\n");
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

/** A figure that needs a permission we may not have: empty rather than a failed INFO. */
export function tryOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
