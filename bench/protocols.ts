/**
 * The native protocol against RESP on the same redis-home server: SET, then
 * GET of the keys just set, with the in-repo load generator, alternating
 * which protocol runs first.
 */
import { encodeRequests, runLoad } from "./load.ts";
import type { Step } from "./progress.ts";
import type { WireProtocol } from "./replies.ts";
import { failure, type ProtocolResult } from "./results.ts";
import type { ServerProcess } from "./servers.ts";

export interface ProtocolPlan {
  pipelines: number[];
  /** Measured seconds per run, after a short warm-up. */
  runSec: number;
}

const CONNECTIONS = 50;
const KEYS = 100_000;
const WARMUP_MS = 300;
/** redis-benchmark's default value size. */
const VALUE = "xxx";

function keyName(i: number): string {
  return `key:${String(i).padStart(12, "0")}`;
}

/** Random keys, as redis-benchmark -r draws them. */
function argvFor(op: string): (i: number) => string[] {
  return () => {
    const key = keyName(Math.floor(Math.random() * KEYS));
    return op === "SET" ? ["SET", key, VALUE] : ["GET", key];
  };
}

export function protocolSteps(
  plan: ProtocolPlan,
  server: () => Promise<ServerProcess>,
  results: ProtocolResult[],
): Step[] {
  const steps: Step[] = [];
  let order = 0;
  for (const op of ["SET", "GET"]) {
    for (const pipeline of plan.pipelines) {
      const protocols: WireProtocol[] = order++ % 2 === 0 ? ["resp", "native"] : ["native", "resp"];
      steps.push({
        label: `load generator ${op}, pipeline ${pipeline}, RESP and native`,
        estimateSec: 2 * (plan.runSec + WARMUP_MS / 1000 + 1),
        run: async () => {
          const measured = new Map<WireProtocol, ProtocolResult>();
          for (const protocol of protocols) {
            // Enough batches that connections rarely send the same requests at once.
            const requests = encodeRequests(protocol, CONNECTIONS * pipeline * 64, argvFor(op));
            const { port } = await server();
            const result = await runLoad({
              port,
              protocol,
              requests,
              connections: CONNECTIONS,
              pipeline,
              durationMs: plan.runSec * 1000,
              warmupMs: WARMUP_MS,
            }).then((load) =>
              load.errors > 0
                ? { error: load.firstError ?? "error replies" }
                : { opsPerSec: load.opsPerSec, p50Ms: load.p50Ms, p99Ms: load.p99Ms }
            ).catch(failure);
            measured.set(protocol, { op, pipeline, protocol, result });
          }
          results.push(measured.get("resp")!, measured.get("native")!);
        },
      });
    }
  }
  return steps;
}
