/** INFO keyspace. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

/** The mean remaining TTL of up to this many keys (Redis estimates it by sampling too). */
const TTL_SAMPLE = 10_000;

export function keyspaceSection(server: ServerContext): InfoField[] {
  const fields: InfoField[] = [];
  const now = Date.now();
  for (const db of server.dbs) {
    if (db.size === 0) continue;
    let sum = 0;
    let counted = 0;
    for (const when of db.expires.values()) {
      if (when > now) {
        sum += when - now;
        counted++;
      }
      if (counted === TTL_SAMPLE) break;
    }
    const avgTtl = counted === 0 ? 0 : Math.round(sum / counted);
    fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${avgTtl}`]);
  }
  return fields;
}
