import { deepEqual, equal, notEqual } from "node:assert/strict";
import { bytesToBinary } from "../../protocol/bytes.ts";
import { NO_REPLID } from "./ids.ts";
import { ReplicationStream } from "./stream.ts";

function collector(): { text: () => string; feed(bytes: Uint8Array): void } {
  const parts: string[] = [];
  return { text: () => parts.join(""), feed: (bytes) => parts.push(bytesToBinary(bytes)) };
}

Deno.test("with no backlog and no replica nothing is produced", () => {
  const stream = new ReplicationStream();
  stream.propagate(0, ["SET", "k", "v"]);
  equal(stream.offset, 0);
  equal(stream.active, false);
});

Deno.test("commands are RESP, with SELECT when the database changes", () => {
  const stream = new ReplicationStream();
  const replica = collector();
  stream.receivers.add(replica);
  stream.propagate(0, ["SET", "k", "v"]);
  stream.propagate(0, ["DEL", "k"]);
  stream.propagate(3, ["INCR", "n"]);
  stream.control(["PING"]);
  stream.forceSelect();
  stream.propagate(3, ["INCR", "n"]);
  const expected = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" +
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" +
    "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n" +
    "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" +
    "*1\r\n$4\r\nPING\r\n" +
    "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n";
  equal(replica.text(), expected);
  equal(stream.offset, expected.length);
});

Deno.test("the backlog records the stream and offsets survive freeing it", () => {
  const stream = new ReplicationStream();
  stream.createBacklog(1 << 20);
  const firstId = stream.ids.replid;
  equal(stream.ids.replid2, NO_REPLID);
  stream.propagate(0, ["SET", "k", "v"]);
  const backlog = stream.backlog!;
  equal(
    bytesToBinary(backlog.copyFrom(1)),
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
  );
  const offset = stream.offset;
  stream.freeBacklog();
  equal(stream.offset, offset);
  stream.createBacklog(1 << 20);
  notEqual(stream.ids.replid, firstId);
  equal(stream.backlog!.firstByteOffset, offset + 1);
});

Deno.test("a replica forwards its master's bytes and ignores its own writes", () => {
  const stream = new ReplicationStream();
  stream.forwarding = true;
  stream.resetTo(1000, 1 << 20);
  const sub = collector();
  stream.receivers.add(sub);
  stream.propagate(0, ["SET", "local", "x"]);
  const bytes = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n");
  stream.forward(bytes);
  bytes.fill(0);
  equal(sub.text(), "*1\r\n$4\r\nPING\r\n");
  equal(stream.offset, 1014);
  deepEqual(bytesToBinary(stream.backlog!.copyFrom(1001)), "*1\r\n$4\r\nPING\r\n");
});

Deno.test("active follows the backlog and the receivers (the server reads it per write)", () => {
  const stream = new ReplicationStream();
  const replica = collector();
  stream.receivers.add(replica);
  equal(stream.active, true);
  stream.receivers.delete(replica);
  equal(stream.active, false);
  stream.createBacklog(1 << 10);
  equal(stream.active, true);
  stream.receivers.add(replica);
  stream.freeBacklog();
  equal(stream.active, true);
  stream.receivers.clear();
  equal(stream.active, false);
  stream.resetTo(5, 1 << 10);
  equal(stream.active, true);
});
