/** Pub/Sub end to end: real clients over sockets, replies as Redis 7 sends them. */
import { deepEqual, equal, ok } from "node:assert/strict";
import type { NativeValue } from "../protocol/native.ts";
import { NativeClient, plain, RespClient, startServer, within } from "./helpers.ts";

async function next(client: RespClient): Promise<unknown> {
  return plain(await within(client.read()));
}

function str(value: string): NativeValue {
  return { type: "str", value };
}

function int(value: number): NativeValue {
  return { type: "int", value: BigInt(value) };
}

Deno.test("subscribers get messages in publish order, by channel and by pattern", async () => {
  await using srv = startServer();
  using sub = await RespClient.connect(srv.port);
  using psub = await RespClient.connect(srv.port);
  using pub = await RespClient.connect(srv.port);

  await sub.send("SUBSCRIBE", "news", "sport");
  deepEqual(await next(sub), ["subscribe", "news", 1]);
  deepEqual(await next(sub), ["subscribe", "sport", 2]);
  await psub.send("PSUBSCRIBE", "n?ws", "sp[aeiou]rt", "*");
  deepEqual(await next(psub), ["psubscribe", "n?ws", 1]);
  deepEqual(await next(psub), ["psubscribe", "sp[aeiou]rt", 2]);
  deepEqual(await next(psub), ["psubscribe", "*", 3]);

  // 200 pipelined publishes: every message arrives, in order.
  const count = 200;
  let pipeline = "";
  for (let i = 0; i < count; i++) pipeline += `PUBLISH news m${i}\r\n`;
  await pub.writeRaw(pipeline);
  for (let i = 0; i < count; i++) deepEqual(await next(pub), 3);
  for (let i = 0; i < count; i++) deepEqual(await next(sub), ["message", "news", `m${i}`]);
  for (let i = 0; i < count; i++) {
    deepEqual(await next(psub), ["pmessage", "n?ws", "news", `m${i}`]);
    deepEqual(await next(psub), ["pmessage", "*", "news", `m${i}`]);
  }

  deepEqual(await pub.cmd("PUBLISH", "sport", "goal"), 3);
  deepEqual(await next(sub), ["message", "sport", "goal"]);
  deepEqual(await next(psub), ["pmessage", "sp[aeiou]rt", "sport", "goal"]);
  deepEqual(await next(psub), ["pmessage", "*", "sport", "goal"]);
  deepEqual(await pub.cmd("PUBLISH", "spxrt", "nobody"), 1);
  deepEqual(await next(psub), ["pmessage", "*", "spxrt", "nobody"]);
  // Binary-safe channel and payload.
  deepEqual(await pub.cmd("PUBLISH", "news", "\x00\xff\r\n"), 3);
  deepEqual(await next(sub), ["message", "news", "\x00\xff\r\n"]);
});

Deno.test("unsubscribe replies: counts, all at once, and when not subscribed", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.send("UNSUBSCRIBE");
  deepEqual(await next(c), ["unsubscribe", null, 0]);
  await c.send("PUNSUBSCRIBE");
  deepEqual(await next(c), ["punsubscribe", null, 0]);
  await c.send("SUNSUBSCRIBE");
  deepEqual(await next(c), ["sunsubscribe", null, 0]);

  await c.send("SUBSCRIBE", "a", "b", "a");
  deepEqual(await next(c), ["subscribe", "a", 1]);
  deepEqual(await next(c), ["subscribe", "b", 2]);
  deepEqual(await next(c), ["subscribe", "a", 2]);
  await c.send("PSUBSCRIBE", "p*");
  deepEqual(await next(c), ["psubscribe", "p*", 3]);
  // Shard channels are counted on their own.
  await c.send("SSUBSCRIBE", "s1");
  deepEqual(await next(c), ["ssubscribe", "s1", 1]);
  await c.send("UNSUBSCRIBE", "zz", "a", "a");
  deepEqual(await next(c), ["unsubscribe", "zz", 3]);
  deepEqual(await next(c), ["unsubscribe", "a", 2]);
  deepEqual(await next(c), ["unsubscribe", "a", 2]);
  await c.send("SUBSCRIBE", "c");
  deepEqual(await next(c), ["subscribe", "c", 3]);
  // No arguments: one reply per channel (Redis's order is its hash order).
  await c.send("UNSUBSCRIBE");
  const replies = [await next(c), await next(c)] as [string, string, number][];
  deepEqual(replies.map((r) => r[1]).sort(), ["b", "c"]);
  deepEqual(replies.map((r) => [r[0], r[2]]), [["unsubscribe", 2], ["unsubscribe", 1]]);
  await c.send("PUNSUBSCRIBE");
  deepEqual(await next(c), ["punsubscribe", "p*", 0]);
  // Still subscribed to a shard channel, so still in subscribed mode.
  deepEqual(await c.cmd("GET", "k"), {
    error:
      "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  });
  await c.send("SUNSUBSCRIBE");
  deepEqual(await next(c), ["sunsubscribe", "s1", 0]);
  deepEqual(await c.cmd("GET", "k"), null);
});

Deno.test("RESP2 subscribed mode allows only (un)subscribing, PING and QUIT", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  await c.send("SUBSCRIBE", "ch");
  deepEqual(await next(c), ["subscribe", "ch", 1]);
  deepEqual(await c.cmd("SET", "k", "v"), {
    error:
      "ERR Can't execute 'set': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  });
  deepEqual(await c.cmd("PUBSUB", "NUMPAT"), {
    error:
      "ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  });
  deepEqual(await c.cmd("PING"), ["pong", ""]);
  deepEqual(await c.cmd("PING", "hi"), ["pong", "hi"]);
  deepEqual(await c.cmd("QUIT"), "OK");
  ok(await c.reader.closedWithin(2000));
  // The closed subscriber is gone from the channel.
  using other = await RespClient.connect(srv.port);
  deepEqual(await other.cmd("PUBSUB", "NUMSUB", "ch"), ["ch", 0]);
});

Deno.test("PUBSUB introspection and shard channels", async () => {
  await using srv = startServer();
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  using q = await RespClient.connect(srv.port);
  await a.send("SUBSCRIBE", "news.tech", "news.art");
  await next(a);
  await next(a);
  await b.send("SUBSCRIBE", "news.tech", "weather");
  await next(b);
  await next(b);
  await b.send("PSUBSCRIBE", "news.*", "x");
  await next(b);
  await next(b);
  await a.send("PSUBSCRIBE", "news.*");
  await next(a);
  await a.send("SSUBSCRIBE", "shard1", "shard2");
  await next(a);
  await next(a);

  deepEqual((await q.cmd("PUBSUB", "CHANNELS") as string[]).sort(), [
    "news.art",
    "news.tech",
    "weather",
  ]);
  deepEqual((await q.cmd("PUBSUB", "channels", "news.*") as string[]).sort(), [
    "news.art",
    "news.tech",
  ]);
  deepEqual(await q.cmd("PUBSUB", "NUMSUB", "news.tech", "weather", "none"), [
    "news.tech",
    2,
    "weather",
    1,
    "none",
    0,
  ]);
  deepEqual(await q.cmd("PUBSUB", "NUMSUB"), []);
  deepEqual(await q.cmd("PUBSUB", "NUMPAT"), 2);
  deepEqual((await q.cmd("PUBSUB", "SHARDCHANNELS") as string[]).sort(), ["shard1", "shard2"]);
  deepEqual(await q.cmd("PUBSUB", "SHARDCHANNELS", "*2"), ["shard2"]);
  deepEqual(await q.cmd("PUBSUB", "SHARDNUMSUB", "shard1", "news.tech"), [
    "shard1",
    1,
    "news.tech",
    0,
  ]);

  // SPUBLISH reaches shard subscribers only; patterns never see it.
  deepEqual(await q.cmd("SPUBLISH", "shard1", "hello"), 1);
  deepEqual(await next(a), ["smessage", "shard1", "hello"]);
  deepEqual(await q.cmd("SPUBLISH", "news.tech", "x"), 0);
  deepEqual(await q.cmd("PUBLISH", "shard1", "x"), 0);
  await a.send("SUNSUBSCRIBE", "shard2");
  deepEqual(await next(a), ["sunsubscribe", "shard2", 1]);

  deepEqual(await q.cmd("PUBSUB", "CHANNELS", "a", "b"), {
    error: "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
  });
  deepEqual(await q.cmd("PUBSUB", "NUMPAT", "x"), {
    error: "ERR wrong number of arguments for 'pubsub|numpat' command",
  });
  deepEqual(await q.cmd("PUBSUB"), { error: "ERR wrong number of arguments for 'pubsub' command" });
  deepEqual(await q.cmd("PUBSUB", "foo"), {
    error: "ERR unknown subcommand 'foo'. Try PUBSUB HELP.",
  });
  deepEqual(await q.cmd("SUBSCRIBE"), {
    error: "ERR wrong number of arguments for 'subscribe' command",
  });
  deepEqual(await q.cmd("PUBLISH", "a"), {
    error: "ERR wrong number of arguments for 'publish' command",
  });
  const help = await q.cmd("PUBSUB", "HELP") as string[];
  equal(help.length, 14);
  equal(help[0], "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  equal(help[13], "    Prints this help.");

  // Disconnecting drops every kind of subscription.
  a.close();
  b.close();
  for (let i = 0; i < 100 && srv.server.clients.size > 1; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  deepEqual(await q.cmd("PUBSUB", "CHANNELS"), []);
  deepEqual(await q.cmd("PUBSUB", "NUMPAT"), 0);
  deepEqual(await q.cmd("PUBSUB", "SHARDCHANNELS"), []);
});

Deno.test("native clients get each confirmation and message as a frame of its own", async () => {
  await using srv = startServer();
  using sub = await NativeClient.connect(srv.port);
  using pub = await NativeClient.connect(srv.port);
  await sub.send("subscribe", "a", "b");
  deepEqual(await within(sub.read()), {
    type: "arr",
    values: [str("subscribe"), str("a"), int(1)],
  });
  deepEqual(await within(sub.read()), {
    type: "arr",
    values: [str("subscribe"), str("b"), int(2)],
  });
  deepEqual(await pub.call("publish", "b", "hello"), int(1));
  deepEqual(await within(sub.read()), {
    type: "arr",
    values: [str("message"), str("b"), str("hello")],
  });
  // Native is not RESP2: a subscribed client may run any command.
  deepEqual(await within(sub.call("set", "k", "v")), { type: "nil" });
  await sub.send("unsubscribe");
  const names = [];
  for (let i = 0; i < 2; i++) {
    const reply = await within(sub.read());
    ok(reply.type === "arr" && reply.values[1]!.type === "str");
    names.push(reply.values[1]!.value);
  }
  deepEqual(names.sort(), ["a", "b"]);
  await sub.send("unsubscribe");
  deepEqual(await within(sub.read()), {
    type: "arr",
    values: [str("unsubscribe"), { type: "nil" }, int(0)],
  });
});

Deno.test("a client publishing to itself gets the message before the reply", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  await native.send("subscribe", "self");
  await within(native.read());
  await native.send("publish", "self", "hi");
  deepEqual(await within(native.read()), {
    type: "arr",
    values: [str("message"), str("self"), str("hi")],
  });
  deepEqual(await within(native.read()), int(1));
  // Inside EXEC too: the message frame, then EXEC's whole reply.
  await native.send("multi");
  await native.send("publish", "self", "one");
  await native.send("get", "missing");
  await native.send("publish", "self", "two");
  await native.send("exec");
  deepEqual(await within(native.read()), str("OK"));
  for (let i = 0; i < 3; i++) deepEqual(await within(native.read()), str("QUEUED"));
  deepEqual(await within(native.read()), {
    type: "arr",
    values: [str("message"), str("self"), str("one")],
  });
  deepEqual(await within(native.read()), {
    type: "arr",
    values: [str("message"), str("self"), str("two")],
  });
  deepEqual(await within(native.read()), {
    type: "arr",
    values: [int(1), { type: "nil" }, int(1)],
  });
  deepEqual(await within(native.call("get", "missing")), { type: "nil" });
});

Deno.test("RESP3 subscribers get push frames and may run any command", async () => {
  await using srv = startServer();
  using native = await NativeClient.connect(srv.port);
  await native.send("subscribe", "self");
  await within(native.read());
  using resp3 = await RespClient.connect(srv.port);
  ok((await resp3.cmd("HELLO", "3")) instanceof Map);
  const confirmation = await resp3.call("SUBSCRIBE", "self");
  equal(confirmation.type, "push");
  deepEqual(plain(confirmation), ["subscribe", "self", 1]);
  // RESP3 allows every command while subscribed.
  deepEqual(await resp3.cmd("SET", "k", "v"), "OK");
  // Publishing to itself: the push comes before the PUBLISH reply.
  await resp3.send("PUBLISH", "self", "hey");
  const push = await within(resp3.read());
  equal(push.type, "push");
  deepEqual(plain(push), ["message", "self", "hey"]);
  deepEqual(await next(resp3), 2);
  deepEqual(await within(native.read()), {
    type: "arr",
    values: [str("message"), str("self"), str("hey")],
  });
});

Deno.test("CLIENT REPLY OFF silences replies but not confirmations and messages", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  ok((await c.cmd("HELLO", "3")) instanceof Map);
  await c.send("CLIENT", "REPLY", "OFF");
  await c.send("SUBSCRIBE", "ch");
  await c.send("PUBLISH", "ch", "quiet");
  await c.send("CLIENT", "REPLY", "ON");
  deepEqual(await next(c), ["subscribe", "ch", 1]);
  deepEqual(await next(c), ["message", "ch", "quiet"]);
  deepEqual(await next(c), "OK");
});

Deno.test("a subscriber that stops reading is dropped; the others keep receiving", async () => {
  await using srv = startServer({ "client-output-buffer-limit": "pubsub 262144 0 0" });
  using slow = await RespClient.connect(srv.port);
  using good = await RespClient.connect(srv.port);
  using pub = await RespClient.connect(srv.port);
  await slow.send("SUBSCRIBE", "feed");
  await next(slow);
  await good.send("SUBSCRIBE", "feed");
  await next(good);
  // From here on `slow` never reads: its output piles up on the server.

  const payload = "x".repeat(64 * 1024);
  const rounds = 320; // 20 MB: more than the limit plus any socket buffers
  let received = 0;
  const reading = (async () => {
    for (; received < rounds; received++) {
      deepEqual(await next(good), ["message", "feed", `${received}:${payload}`]);
    }
  })();
  const counts: unknown[] = [];
  for (let i = 0; i < rounds; i++) counts.push(await pub.cmd("PUBLISH", "feed", `${i}:${payload}`));
  await within(reading, 20_000);

  equal(received, rounds);
  equal(counts[0], 2);
  equal(counts[rounds - 1], 1);
  deepEqual(await pub.cmd("PUBSUB", "NUMSUB", "feed"), ["feed", 1]);
  ok(await slow.reader.closedWithin(5000));
});

Deno.test("a subscriber past its soft output limit is dropped on time with no more traffic", async () => {
  // Soft limit 256 KB for 0 whole seconds: it goes once the clock passes a second boundary.
  await using srv = startServer({ "client-output-buffer-limit": "pubsub 0 262144 0" });
  using slow = await RespClient.connect(srv.port);
  using pub = await RespClient.connect(srv.port);
  await slow.send("CLIENT", "SETNAME", "slow");
  await next(slow);
  await slow.send("SUBSCRIBE", "feed");
  await next(slow);
  // Publish until the server holds more than the soft limit for it, then stop all traffic.
  const payload = "x".repeat(64 * 1024);
  const pending = async () => {
    const list = String(await pub.cmd("CLIENT", "LIST"));
    return Number(/name=slow .*omem=(\d+)/.exec(list)?.[1] ?? 0);
  };
  for (let i = 0; i < 640 && await pending() <= 262144; i++) {
    await pub.cmd("PUBLISH", "feed", payload);
  }
  ok(await pending() > 262144);
  // Only the cron can drop it now (Redis's clientsCron checks the limit too).
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && String(await pub.cmd("CLIENT", "LIST")).includes("name=slow")) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  deepEqual(await pub.cmd("PUBSUB", "NUMSUB", "feed"), ["feed", 0]);
});
