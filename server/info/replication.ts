/** INFO replication: role, replicas, link to the master, IDs and backlog (server/replication/info.ts). */
import type { ServerContext } from "../context.ts";
import { replicationInfo } from "../replication/info.ts";
import type { InfoField } from "./render.ts";

export function replicationSection(server: ServerContext): InfoField[] {
  return replicationInfo(server.replication);
}
