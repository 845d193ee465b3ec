/** INFO errorstats: error replies by their first word. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

export function errorstatsSection(server: ServerContext): InfoField[] {
  return [...server.stats.errorCodes].map((
    [code, count],
  ) => [`errorstat_${code}`, `count=${count}`]);
}
