/** INFO clients. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

export function clientsSection(server: ServerContext): InfoField[] {
  return [
    // As Redis: its replicas are not counted here (connected_slaves counts them).
    ["connected_clients", server.clients.size - server.replication.master.replicas.size],
    ["cluster_connections", 0],
    ["maxclients", server.config.getNumber("maxclients")],
    ["client_recent_max_input_buffer", 0],
    ["client_recent_max_output_buffer", 0],
    ["blocked_clients", server.blocking.blockedClients],
    ["tracking_clients", server.tracking.clients],
    ["clients_in_timeout_table", 0],
  ];
}
