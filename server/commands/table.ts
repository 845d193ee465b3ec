/**
 * Every command module's rows; the composition root builds each server's
 * CommandTable (server/command.ts) from them. Adding a command means adding
 * a row to its group's module; adding a group means one import here.
 */
import type { CommandSpec } from "../command.ts";
import { aclCommands } from "./acl.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { clusterCommands } from "./cluster.ts";
import { commandCommands } from "./command_info.ts";
import { configCommands } from "./config.ts";
import { connectionCommands } from "./connection.ts";
import { debugCommands } from "./debug.ts";
import { geoCommands } from "./geo.ts";
import { functionCommands } from "./functions.ts";
import { hashCommands } from "./hashes.ts";
import { hyperloglogCommands } from "./hyperloglog.ts";
import { keyCommands } from "./keys.ts";
import { listCommands } from "./lists.ts";
import { memoryCommands } from "./memory.ts";
import { migrateCommands } from "./migrate.ts";
import { moduleCommands } from "./module.ts";
import { observabilityCommands } from "./observability.ts";
import { persistenceCommands } from "./persistence.ts";
import { pubsubCommands } from "./pubsub.ts";
import { replicationCommands } from "./replication.ts";
import { serverAdminCommands } from "./server_admin.ts";
import { setCommands } from "./sets.ts";
import { sortCommands } from "./sort.ts";
import { sortedSetCommands } from "./sorted_sets.ts";
import { streamGroupCommands } from "./stream_cgroups.ts";
import { streamReadCommands } from "./stream_reads.ts";
import { streamCommands } from "./streams.ts";
import { stringCommands } from "./strings.ts";
import { scriptingCommands } from "./scripting.ts";
import { transactionCommands } from "./transactions.ts";

export const commandGroups: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  serverAdminCommands,
  commandCommands,
  configCommands,
  keyCommands,
  stringCommands,
  bitmapCommands,
  clusterCommands,
  listCommands,
  hashCommands,
  setCommands,
  sortedSetCommands,
  hyperloglogCommands,
  geoCommands,
  sortCommands,
  memoryCommands,
  migrateCommands,
  debugCommands,
  streamCommands,
  streamReadCommands,
  streamGroupCommands,
  pubsubCommands,
  transactionCommands,
  persistenceCommands,
  aclCommands,
  scriptingCommands,
  functionCommands,
  replicationCommands,
  observabilityCommands,
  moduleCommands,
];
