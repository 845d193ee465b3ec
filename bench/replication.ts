/**
 * Replication: a master and one replica of the same kind (Redis and Redis,
 * redis-home and redis-home), each a process of its own. Measures the full
 * sync of a loaded dataset (REPLICAOF until the replica has every byte), SET
 * throughput on the master while the replica follows, the largest lag seen
 * during that load (master offset minus replica offset, sampled), and how
 * long the replica takes to catch up once the load stops.
 */
import type { Step } from "./progress.ts";
import { runBenchmark } from "./redis_benchmark.ts";
import { failure, notRun, type ReplicationFigures, type ReplicationResult } from "./results.ts";
import {
  alternating,
  command,
  parseInfo,
  SERVER_NAMES,
  type ServerProcess,
  sleep,
  withServer,
} from "./servers.ts";

export interface ReplicationPlan {
  /** Keys loaded before the replica attaches (the full sync's dataset). */
  keys: number;
  /** SET requests sent while the replica follows. */
  requests: number;
}

const SET = { name: "SET", flag: "set", row: "SET", weight: 1 };
const POLL_MS = 20;
const SYNC_TIMEOUT_MS = 120_000;

async function info(port: number, field: string): Promise<string | undefined> {
  const reply = await command(port, "INFO", "replication");
  if (reply.type !== "bulk" && reply.type !== "verbatim") return undefined;
  return parseInfo(reply.value).get(field);
}

/** master_repl_offset minus the replica's offset, or undefined while its link is down. */
async function lagBytes(
  master: ServerProcess,
  replica: ServerProcess,
): Promise<number | undefined> {
  const [target, link, offset] = await Promise.all([
    info(master.port, "master_repl_offset"),
    info(replica.port, "master_link_status"),
    info(replica.port, "slave_repl_offset"),
  ]);
  if (link !== "up") return undefined;
  return Number(target) - Number(offset);
}

/** Milliseconds until the replica's link is up and it has every byte the master produced. */
async function untilCaughtUp(master: ServerProcess, replica: ServerProcess): Promise<number> {
  const started = performance.now();
  for (;;) {
    if ((await lagBytes(master, replica)) === 0) return performance.now() - started;
    if (performance.now() - started > SYNC_TIMEOUT_MS) {
      throw new Error("the replica never caught up");
    }
    await sleep(POLL_MS);
  }
}

export async function measureReplication(
  master: ServerProcess,
  replica: ServerProcess,
  plan: ReplicationPlan,
): Promise<ReplicationFigures> {
  await command(master.port, "CONFIG", "SET", "repl-diskless-sync-delay", "0");
  // A Redis replica leaves its received RDB in the shared work directory: start empty.
  await command(master.port, "FLUSHALL");
  const timeoutMs = 600_000;
  const load = await runBenchmark({
    port: master.port,
    test: SET,
    clients: 50,
    requests: plan.keys,
    pipeline: 16,
    keyspace: plan.keys,
    timeoutMs,
  });
  if ("error" in load) throw new Error(`loading: ${load.error}`);
  const keys = await command(master.port, "DBSIZE");
  await command(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));
  const fullSyncMs = await untilCaughtUp(master, replica);
  let sampling = true;
  let maxLagBytes = 0;
  const sampler = (async () => {
    while (sampling) {
      maxLagBytes = Math.max(maxLagBytes, (await lagBytes(master, replica)) ?? 0);
      await sleep(POLL_MS);
    }
  })();
  const run = await runBenchmark({
    port: master.port,
    test: SET,
    clients: 50,
    requests: plan.requests,
    pipeline: 16,
    keyspace: 100_000,
    timeoutMs,
  });
  sampling = false;
  await sampler;
  if ("error" in run) throw new Error(run.error);
  const catchUpMs = await untilCaughtUp(master, replica);
  return {
    keys: keys.type === "int" ? Number(keys.value) : 0,
    fullSyncMs,
    setRps: run.rps,
    maxLagBytes,
    catchUpMs,
  };
}

/** One step per kind: a fresh master and replica each time. */
export function replicationSteps(
  plan: ReplicationPlan,
  workDir: string,
  results: ReplicationResult[],
): Step[] {
  const entry: ReplicationResult = { redis: notRun(), home: notRun() };
  results.push(entry);
  return alternating(0).map((kind) => ({
    label: `${SERVER_NAMES[kind]} master with a ${SERVER_NAMES[kind]} replica`,
    estimateSec: 20,
    run: async () => {
      entry[kind] = await withServer(
        kind,
        workDir,
        (master) =>
          withServer(kind, workDir, (replica) => measureReplication(master, replica, plan)),
      )
        .catch(failure);
    },
  }));
}
