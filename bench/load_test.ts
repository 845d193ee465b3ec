import { deepEqual, equal, ok } from "node:assert/strict";
import { NativeRequestDecoder } from "../protocol/native.ts";
import { RespRequestDecoder } from "../protocol/resp.ts";
import { RespClient, startServer } from "../tests/helpers.ts";
import { encodeRequests, percentile, runLoad } from "./load.ts";

Deno.test("encodeRequests lays requests back to back, each decodable on its own", () => {
  for (
    const [protocol, decoder] of [
      ["resp", new RespRequestDecoder()],
      ["native", new NativeRequestDecoder()],
    ] as const
  ) {
    const requests = encodeRequests(protocol, 3, (i) => ["SET", `k${i}`, "é".repeat(i)]);
    equal(requests.count, 3);
    equal(requests.offsets[3], requests.bytes.length);
    const decoded = [0, 1, 2].map((i) =>
      decoder.decode(requests.bytes, requests.offsets[i]!, requests.offsets[i + 1]!)
    );
    // Text arguments go out as UTF-8 (binary strings on the server side).
    deepEqual(decoded, [["SET", "k0", ""], ["SET", "k1", "\xc3\xa9"], [
      "SET",
      "k2",
      "\xc3\xa9\xc3\xa9",
    ]]);
  }
});

Deno.test("percentile picks from sorted samples", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  deepEqual([percentile(sorted, 0.5), percentile(sorted, 0.99), percentile([], 0.5)], [51, 100, 0]);
});

Deno.test("runLoad sends every request once over both protocols", async () => {
  await using server = startServer();
  for (const protocol of ["resp", "native"] as const) {
    const requests = encodeRequests(protocol, 1000, (i) => ["SET", `${protocol}:${i}`, "v"]);
    const result = await runLoad({
      port: server.port,
      protocol,
      requests,
      connections: 4,
      pipeline: 16,
    });
    equal(result.ops, 1000);
    equal(result.errors, 0);
    ok(result.opsPerSec > 0);
  }
  using client = await RespClient.connect(server.port);
  equal(await client.cmd("GET", "native:999"), "v");
  equal(await client.cmd("GET", "resp:0"), "v");
});

Deno.test("runLoad in throughput mode cycles until the deadline and counts error replies", async () => {
  await using server = startServer();
  const requests = encodeRequests("native", 8, () => ["NOSUCHCOMMAND"]);
  const result = await runLoad({
    port: server.port,
    protocol: "native",
    requests,
    connections: 2,
    pipeline: 4,
    durationMs: 100,
  });
  ok(result.ops > 8, `cycled: ${result.ops} ops`);
  ok(result.errors >= result.ops);
  equal(result.firstError, "ERR unknown command 'NOSUCHCOMMAND'");
});
