import { deepEqual, equal, ok } from "node:assert/strict";
import { AofWriter } from "./aof.ts";

Deno.test("AofWriter reports each write's and fsync's time under Redis's latency event names", async () => {
  const dir = await Deno.makeTempDir();
  const writer = new AofWriter();
  const writes: string[] = [];
  const fsyncs: number[] = [];
  writer.onWrite = (event, ms) => {
    ok(ms >= 0);
    writes.push(event);
  };
  writer.onFsync = (ms) => fsyncs.push(ms);
  try {
    writer.open(`${dir}/appendonly.aof.1.incr.aof`);
    writer.append(0, ["SET", "k", "v"]);
    writer.write();
    deepEqual(writes, ["aof-write-alone", "aof-write"]);
    const synced = writer.durable();
    writer.append(0, ["SET", "k", "w"]);
    writer.write();
    deepEqual(writes.slice(2), ["aof-write-pending-fsync", "aof-write"]);
    await synced;
    equal(fsyncs.length, 1);
    writer.close();
    equal(fsyncs.length, 2);
    equal(writer.write(), 0);
    equal(writes.length, 4);
  } finally {
    writer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AofWriter tells when its file opens and closes (the AOF propagator's active flag)", async () => {
  const dir = await Deno.makeTempDir();
  const writer = new AofWriter();
  const told: boolean[] = [];
  writer.onOpenChange = (open) => told.push(open);
  try {
    writer.open(`${dir}/appendonly.aof.1.incr.aof`);
    deepEqual(told, [true]);
    writer.close();
    writer.close();
    deepEqual(told, [true, false]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
