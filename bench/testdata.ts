/** A small, hand-checkable run for the report and SVG tests. */
import type { BenchResults } from "./results.ts";

const MB = 1024 * 1024;

export function sampleResults(): BenchResults {
  return {
    date: "2026-01-02",
    mode: "quick",
    seconds: 95.4,
    machine: { cpus: 2, os: "linux 6.1", deno: "2.9.6", redis: "7.0.15" },
    throughput: [
      {
        test: "GET",
        pipeline: 1,
        keyspace: "random",
        redis: { rps: 80_000, p50Ms: 0.3, p99Ms: 0.9, samples: [80_000] },
        home: { rps: 88_000, p50Ms: 0.31, p99Ms: 1.2, samples: [88_000] },
      },
      {
        test: "SET",
        pipeline: 16,
        keyspace: "random",
        redis: { rps: 600_000, p50Ms: 1.1, p99Ms: 2.5, samples: [600_000] },
        home: { rps: 300_000, p50Ms: 2.2, p99Ms: 6, samples: [300_000] },
      },
      {
        test: "HSET",
        pipeline: 1,
        keyspace: "random",
        redis: { rps: 70_000, p50Ms: 0.3, p99Ms: 0.8, samples: [70_000] },
        home: { error: "ERR unknown command 'HSET'" },
      },
    ],
    protocols: [
      {
        op: "GET",
        pipeline: 1,
        protocol: "resp",
        result: { opsPerSec: 70_000, p50Ms: 0.5, p99Ms: 2 },
      },
      { op: "GET", pipeline: 1, protocol: "native", result: { error: "server closed" } },
    ],
    memory: [
      {
        dataset: "strings",
        count: 1_000_000,
        redis: {
          empty: { rss: 10 * MB, usedMemory: 1 * MB },
          loaded: { rss: 110 * MB, usedMemory: 90 * MB },
        },
        home: {
          empty: { rss: 40 * MB, usedMemory: null },
          loaded: { rss: 200 * MB, usedMemory: null },
        },
      },
    ],
    connections: [
      {
        count: 10_000,
        redis: {
          opened: 10_000,
          emptyRss: 10 * MB,
          rss: 100 * MB,
          pingEmpty: { p50Ms: 0.03, p99Ms: 0.08 },
          pingWithConnections: { p50Ms: 0.03, p99Ms: 0.1 },
        },
        home: {
          opened: 10_000,
          emptyRss: 40 * MB,
          rss: 120 * MB,
          pingEmpty: { p50Ms: 0.05, p99Ms: 0.2 },
          pingWithConnections: { p50Ms: 0.06, p99Ms: 0.2 },
        },
      },
    ],
    zsetScale: [
      { op: "ZRANK", size: 10_000, redis: 2, home: 3 },
      { op: "ZRANK", size: 100_000, redis: 2.5, home: 4 },
      { op: "ZQUERY 10", size: 10_000, home: 5 },
      { op: "ZQUERY 10", size: 100_000, home: { error: "ERR unknown command 'ZQUERY'" } },
    ],
    replication: [
      {
        redis: {
          keys: 200_000,
          fullSyncMs: 400,
          setRps: 500_000,
          maxLagBytes: 90_000,
          catchUpMs: 2,
        },
        home: { error: "the replica never caught up" },
      },
    ],
  };
}
