/** Keyspace notifications (notify-keyspace-events) as Redis 7 publishes them. */
import { deepEqual } from "node:assert/strict";
import { NativeClient, plain, RespClient, startServer, within } from "./helpers.ts";

/** A client subscribed to every keyspace and keyevent channel of db 0. */
async function listener(port: number): Promise<RespClient> {
  const c = await RespClient.connect(port);
  await c.send("PSUBSCRIBE", "__key*@0__:*");
  deepEqual(plain(await within(c.read())), ["psubscribe", "__key*@0__:*", 1]);
  return c;
}

/** The next `n` notifications as "channel message" strings. */
async function events(c: RespClient, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const [kind, , channel, message] = plain(await within(c.read())) as string[];
    deepEqual(kind, "pmessage");
    seen.push(`${channel} ${message}`);
  }
  return seen;
}

/** Both notifications of one event on key `key` in db 0. */
function both(event: string, key: string): string[] {
  return [`__keyspace@0__:${key} ${event}`, `__keyevent@0__:${event} ${key}`];
}

Deno.test("notify-keyspace-events: CONFIG SET validates, CONFIG GET is canonical", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  const cases: [string, string][] = [
    ["KEA", "AKE"],
    ["gx", "gx"],
    // Redis shows "AKEm" here, yet sends "new" events; we keep the 'n' visible.
    ["KEAmn", "AnKEm"],
    ["nK", "nK"],
    ["mK", "Km"],
    ["g$lshzxetd", "A"],
    ["Elg", "glE"],
    ["", ""],
  ];
  for (const [set, canonical] of cases) {
    deepEqual(await c.cmd("CONFIG", "SET", "notify-keyspace-events", set), "OK");
    deepEqual(await c.cmd("CONFIG", "GET", "notify-keyspace-events"), [
      "notify-keyspace-events",
      canonical,
    ]);
  }
  deepEqual(await c.cmd("CONFIG", "SET", "notify-keyspace-events", "KEQ"), {
    error:
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
  });
});

Deno.test("string and generic commands publish keyspace and keyevent messages", async () => {
  await using srv = startServer({ "notify-keyspace-events": "KEA" });
  using sub = await listener(srv.port);
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SET", "k", "v"), "OK");
  deepEqual(await events(sub, 2), both("set", "k"));
  deepEqual(await c.cmd("PEXPIRE", "k", "100000"), 1);
  deepEqual(await events(sub, 2), both("expire", "k"));
  deepEqual(await c.cmd("DEL", "k", "missing"), 1);
  deepEqual(await events(sub, 2), both("del", "k"));
  // Nothing changed, nothing published: the next message is the SET's.
  deepEqual(await c.cmd("DEL", "missing"), 0);
  deepEqual(await c.cmd("SET", "k2", "\x00bin"), "OK");
  deepEqual(await events(sub, 2), both("set", "k2"));
  // Other databases publish on their own channels.
  deepEqual(await c.cmd("SELECT", "3"), "OK");
  using sub3 = await RespClient.connect(srv.port);
  await sub3.send("SUBSCRIBE", "__keyevent@3__:set");
  await within(sub3.read());
  deepEqual(await c.cmd("SET", "k", "v"), "OK");
  deepEqual(plain(await within(sub3.read())), ["message", "__keyevent@3__:set", "k"]);
});

Deno.test("only the enabled classes and channels are published", async () => {
  await using srv = startServer({ "notify-keyspace-events": "E$" });
  using sub = await listener(srv.port);
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SET", "k", "v"), "OK");
  deepEqual(await c.cmd("DEL", "k"), 1); // generic: not enabled
  deepEqual(await c.cmd("SET", "j", "v"), "OK");
  deepEqual(await events(sub, 2), ["__keyevent@0__:set k", "__keyevent@0__:set j"]);

  deepEqual(await c.cmd("CONFIG", "SET", "notify-keyspace-events", "Kg"), "OK");
  deepEqual(await c.cmd("SET", "k", "v"), "OK"); // string: no longer enabled
  deepEqual(await c.cmd("DEL", "j"), 1);
  deepEqual(await events(sub, 1), ["__keyspace@0__:j del"]);
});

Deno.test("expired: from lazy expiry on access and from the active cycle", async () => {
  await using srv = startServer({ "notify-keyspace-events": "Ex", hz: "50" });
  using sub = await listener(srv.port);
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("SET", "lazy", "v"), "OK");
  deepEqual(await c.cmd("SET", "active", "v"), "OK");
  deepEqual(await c.cmd("PEXPIRE", "active", "20"), 1);
  // Nobody touches "active": the expiry cycle deletes it.
  deepEqual(await events(sub, 1), ["__keyevent@0__:expired active"]);

  // Lazy: a TTL already passed when the key is read (the cycle may win the race; both say so).
  deepEqual(await c.cmd("PEXPIRE", "lazy", "1"), 1);
  await new Promise((r) => setTimeout(r, 5));
  deepEqual(await c.cmd("GET", "lazy"), null);
  deepEqual(await events(sub, 1), ["__keyevent@0__:expired lazy"]);
});

Deno.test("list, hash and sorted set writes publish their events", async () => {
  await using srv = startServer({ "notify-keyspace-events": "KEA" });
  using sub = await listener(srv.port);
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("LPUSH", "list", "a", "b"), 2);
  deepEqual(await events(sub, 2), both("lpush", "list"));
  deepEqual(await c.cmd("RPUSH", "list", "c"), 3);
  deepEqual(await events(sub, 2), both("rpush", "list"));
  // A rotation (source and destination one list): the push's events, then the pop's.
  deepEqual(await c.cmd("RPOPLPUSH", "list", "list"), "c");
  deepEqual(await events(sub, 4), [...both("lpush", "list"), ...both("rpop", "list")]);
  deepEqual(await c.cmd("LMOVE", "list", "list", "LEFT", "RIGHT"), "c");
  deepEqual(await events(sub, 4), [...both("rpush", "list"), ...both("lpop", "list")]);
  deepEqual(await c.cmd("HSET", "hash", "f", "v", "g", "w"), 2);
  deepEqual(await events(sub, 2), both("hset", "hash"));
  deepEqual(await c.cmd("ZADD", "zset", "1", "m"), 1);
  deepEqual(await events(sub, 2), both("zadd", "zset"));
  deepEqual(await c.cmd("ZINCRBY", "zset", "2", "m"), "3");
  deepEqual(await events(sub, 2), both("zincr", "zset"));
  // Emptying a collection also deletes the key.
  deepEqual(await c.cmd("HDEL", "hash", "f", "g"), 2);
  deepEqual(await events(sub, 4), [...both("hdel", "hash"), ...both("del", "hash")]);
});

Deno.test("'n' announces new keys before the command's own event", async () => {
  await using srv = startServer({ "notify-keyspace-events": "KEA" });
  using sub = await listener(srv.port);
  using c = await RespClient.connect(srv.port);
  // 'A' leaves out 'n': no "new" yet.
  deepEqual(await c.cmd("SET", "k", "v"), "OK");
  deepEqual(await events(sub, 2), both("set", "k"));
  deepEqual(await c.cmd("CONFIG", "SET", "notify-keyspace-events", "KEAn"), "OK");
  deepEqual(await c.cmd("SET", "fresh", "v"), "OK");
  deepEqual(await events(sub, 4), [...both("new", "fresh"), ...both("set", "fresh")]);
  deepEqual(await c.cmd("SET", "fresh", "w"), "OK");
  deepEqual(await events(sub, 2), both("set", "fresh"));
  deepEqual(await c.cmd("RENAME", "fresh", "renamed"), "OK");
  deepEqual(await events(sub, 6), [
    ...both("new", "renamed"),
    ...both("rename_from", "fresh"),
    ...both("rename_to", "renamed"),
  ]);
});

Deno.test("a client's own notifications reach it before its reply", async () => {
  await using srv = startServer({ "notify-keyspace-events": "E$" });
  using native = await NativeClient.connect(srv.port);
  await native.send("subscribe", "__keyevent@0__:set");
  await within(native.read());
  await native.send("set", "k", "v");
  deepEqual(await within(native.read()), {
    type: "arr",
    values: [
      { type: "str", value: "message" },
      { type: "str", value: "__keyevent@0__:set" },
      { type: "str", value: "k" },
    ],
  });
  deepEqual(await within(native.read()), { type: "nil" });
});
