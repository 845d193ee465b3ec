/** CLUSTER without cluster support: Redis 7.0's rows and replies with cluster-enabled no. */
import { sameAsRedis } from "./redis_compare.ts";

Deno.test("CLUSTER: every subcommand answers as redis-server without cluster support", async () => {
  await sameAsRedis([
    ["CLUSTER", "INFO"],
    ["CLUSTER", "HELP"],
    ["CLUSTER", "KEYSLOT", "a"],
    ["CLUSTER", "KEYSLOT"],
    ["CLUSTER", "NOPE"],
    ["CLUSTER"],
    ["CLUSTER", "RESET", "HARD"],
    ["COMMAND", "INFO", "cluster|reset", "cluster|addslots", "cluster|getkeysinslot"],
    ["COMMAND", "DOCS", "cluster|reset", "cluster|info", "cluster|myid"],
    // A script may not run a noscript command (CLUSTER RESET), nor one that exists not at all.
    ["EVAL", "return redis.pcall('cluster', 'reset', 'hard')['err']", "0"],
    ["EVAL", "return redis.pcall('cluster', 'info')['err']", "0"],
  ]);
});
