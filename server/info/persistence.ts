/** INFO persistence: the figures live with the persistence manager. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

export function persistenceSection(server: ServerContext): InfoField[] {
  return server.persistence.info();
}
