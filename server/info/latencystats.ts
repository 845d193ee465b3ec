/**
 * INFO latencystats: per command, the latency-tracking-info-percentiles of
 * its timed calls, in microseconds (the upper bound of the power-of-two
 * bucket the percentile falls in), when latency-tracking is on.
 */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

/** A percentile as Redis names it: "%f" without trailing zeros ("50", "99.9"). */
function percentileName(p: number): string {
  return p.toFixed(6).replace(/\.?0+$/, "");
}

/** The value under which `p` percent of the bucketed calls fall. */
export function valueAtPercentile(buckets: readonly [number, number][], p: number): number {
  const total = buckets[buckets.length - 1]?.[1] ?? 0;
  const wanted = (p / 100) * total;
  for (const [micros, cumulative] of buckets) if (cumulative >= wanted) return micros;
  return 0;
}

export function latencystatsSection(server: ServerContext): InfoField[] {
  if (!server.config.getBool("latency-tracking")) return [];
  const percentiles = server.config.get("latency-tracking-info-percentiles").split(" ")
    .filter((word) => word !== "").map(Number);
  const fields: InfoField[] = [];
  for (const command of server.commands.everyCommand()) {
    const buckets = command.latencyBuckets();
    if (buckets.length === 0) continue;
    const values = percentiles.map((p) =>
      `p${percentileName(p)}=${valueAtPercentile(buckets, p).toFixed(3)}`
    );
    fields.push([`latency_percentiles_usec_${command.fullName}`, values.join(",")]);
  }
  return fields;
}
