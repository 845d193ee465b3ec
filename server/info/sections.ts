/** Every INFO section's provider, by name: adding a section is one module and one line here. */
import { clientsSection } from "./clients.ts";
import { clusterSection } from "./cluster.ts";
import { commandstatsSection } from "./commandstats.ts";
import { cpuSection } from "./cpu.ts";
import { errorstatsSection } from "./errorstats.ts";
import { keyspaceSection } from "./keyspace.ts";
import { latencystatsSection } from "./latencystats.ts";
import { memorySection } from "./memory.ts";
import { persistenceSection } from "./persistence.ts";
import type { InfoProvider } from "./render.ts";
import { replicationSection } from "./replication.ts";
import { serverSection } from "./server.ts";
import { statsSection } from "./stats.ts";

export const INFO_PROVIDERS: ReadonlyMap<string, InfoProvider> = new Map([
  ["server", serverSection],
  ["clients", clientsSection],
  ["memory", memorySection],
  ["persistence", persistenceSection],
  ["stats", statsSection],
  ["replication", replicationSection],
  ["cpu", cpuSection],
  ["modules", () => []],
  ["commandstats", commandstatsSection],
  ["errorstats", errorstatsSection],
  ["latencystats", latencystatsSection],
  ["cluster", clusterSection],
  ["keyspace", keyspaceSection],
]);
