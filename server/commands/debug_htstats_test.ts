import { equal } from "node:assert/strict";
import { tableStats } from "./debug_htstats.ts";

Deno.test("tableStats writes Redis's dictGetStats paragraph (text from redis-server 7.0.15)", () => {
  // SADD s x y 1 on redis-server: 4 buckets, chains of 2 and 1.
  equal(
    tableStats(0, [2, 0, 1, 0]),
    "Hash table 0 stats (main hash table):\n table size: 4\n number of elements: 3\n" +
      " different slots: 2\n max chain length: 2\n avg chain length (counted): 1.50\n" +
      " avg chain length (computed): 1.50\n Chain length distribution:\n" +
      "   0: 2 (50.00%)\n   1: 1 (25.00%)\n   2: 1 (25.00%)\n",
  );
  equal(
    tableStats(1, [0, 0, 0, 0, 0, 0, 0, 0]),
    "Hash table 1 stats (rehashing target):\nNo stats available for empty dictionaries\n",
  );
  // Chains of 49 or more are counted but not listed, as DICT_STATS_VECTLEN's last slot.
  const long = tableStats(0, [60, 0]);
  equal(long.includes(" max chain length: 60\n"), true);
  equal(long.endsWith("   0: 1 (50.00%)\n"), true);
});
