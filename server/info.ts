/**
 * INFO sections are contributed by the modules that own the figures (the
 * server commands, persistence, ...). Each provider returns its fields in
 * order; INFO prints sections in Redis's order.
 */
import type { RedisServer } from "./server.ts";

export type InfoField = [name: string, value: string | number];
export type InfoProvider = (server: RedisServer) => InfoField[];

/** Redis's section order; `everything` prints all of these. */
export const INFO_SECTION_ORDER = [
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
  "commandstats",
  "latencystats",
] as const;

const providers = new Map<string, InfoProvider>();

export function registerInfoSection(name: string, provider: InfoProvider): void {
  providers.set(name.toLowerCase(), provider);
}

export function infoProvider(name: string): InfoProvider | undefined {
  return providers.get(name.toLowerCase());
}
