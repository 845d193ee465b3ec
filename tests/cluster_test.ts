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

Deno.test("ASKING, READONLY, READWRITE and RESTORE-ASKING: rows and replies as redis-server's", async () => {
  await sameAsRedis([
    ["ASKING"],
    ["READONLY"],
    ["READWRITE"],
    ["READONLY", "x"],
    ["COMMAND", "INFO", "asking", "readonly", "readwrite", "restore-asking"],
    ["ACL", "SETUSER", "scripter", "on", "nopass", "+readonly"],
    ["ACL", "DRYRUN", "scripter", "READONLY"],
    ["SET", "a", "1"],
    [
      "EVAL",
      "local d = redis.call('dump', 'a') redis.call('del', 'a') return redis.call('restore-asking', 'a', 0, d)",
      "0",
    ],
    ["GET", "a"],
    ["RESTORE-ASKING", "a", "0", "bad"],
  ]);
});
