/**
 * The append-only file end to end: logging and replay, Redis 7's directory
 * layout (loaded by redis-server 7, and Redis 7's loaded by us),
 * BGREWRITEAOF with writes during the rewrite kept, enabling the AOF at
 * runtime, and Redis's handling of truncated and corrupt files.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { LoadError } from "../server/persistence/load.ts";
import { plain, RespClient } from "./helpers.ts";
import {
  assertSameDataset,
  ChildServer,
  copyViaDump,
  dataset,
  eventually,
  fillAllTypes,
  persistenceInfo,
  startPersistent,
  tempDir,
} from "./persistence_helpers.ts";

const aofOn = (dir: string, extra: Record<string, string> = {}) => ({
  dir,
  appendonly: "yes",
  ...extra,
});

async function writeSome(client: RespClient): Promise<void> {
  await client.cmd("SET", "plain", "v1");
  await client.cmd("SET", "plain", "v2");
  await client.cmd("SET", "\x00bin\xff\r\n", "\x00\r\n\xff");
  await client.cmd("SET", "gone", "x");
  await client.cmd("DEL", "gone");
  await client.cmd("SET", "ttl", "t", "PX", "86400000");
  await client.cmd("SELECT", 5);
  await client.cmd("SET", "in-5", "five");
  await client.cmd("SELECT", 0);
  await client.cmd("MULTI");
  await client.cmd("SET", "tx-a", "1");
  await client.cmd("SET", "tx-b", "2");
  await client.cmd("EXEC");
  await client.cmd("RPUSH", "list", "a", "b", "c", "d");
  await client.cmd("LPOP", "list");
  await client.cmd("LMOVE", "list", "list2", "RIGHT", "LEFT");
  await client.cmd("HSET", "hash", "f", "1", "g", "2");
  await client.cmd("HINCRBY", "hash", "f", "10");
  await client.cmd("SADD", "set", "a", "b", "c");
  await client.cmd("SPOP", "set");
  await client.cmd("ZADD", "zset", "1", "a", "2", "b");
  await client.cmd("ZINCRBY", "zset", "2.5", "a");
  await client.cmd("EXPIRE", "hash", "1000");
  await fillAllTypes(client);
}

function aofDir(dir: string): string {
  return `${dir}/appendonlydir`;
}

function manifestOf(dir: string): string {
  return Deno.readTextFileSync(`${aofDir(dir)}/appendonly.aof.manifest`);
}

function filesIn(path: string): string[] {
  return [...Deno.readDirSync(path)].map((e) => e.name).sort();
}

async function waitForRewrite(client: RespClient): Promise<void> {
  await eventually(async () => {
    const info = await persistenceInfo(client);
    return info.aof_rewrite_in_progress === "0" && info.aof_rewrite_scheduled === "0";
  });
}

Deno.test("with appendonly yes every write is logged and replayed on start", async () => {
  using dir = tempDir();
  let expected;
  {
    await using srv = await startPersistent(aofOn(dir.path));
    using client = await RespClient.connect(srv.port);
    await writeSome(client);
    expected = await dataset(client);
    const info = await persistenceInfo(client);
    deepEqual(Object.keys(info).slice(-6), [
      "aof_current_size",
      "aof_base_size",
      "aof_pending_rewrite",
      "aof_buffer_length",
      "aof_pending_bio_fsync",
      "aof_delayed_fsync",
    ]);
    equal(info.aof_enabled, "1");
    equal(info.aof_last_write_status, "ok");
    ok(Number(info.aof_current_size) > Number(info.aof_base_size));
  }
  equal(
    manifestOf(dir.path),
    "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
  );
  const incr = Deno.readTextFileSync(`${aofDir(dir.path)}/appendonly.aof.1.incr.aof`);
  ok(incr.startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nplain\r\n"));
  match(incr, /MULTI[\s\S]*tx-a[\s\S]*tx-b[\s\S]*EXEC/);
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  assertSameDataset(await dataset(client), expected);
});

Deno.test("redis-server 7 loads our AOF directory, and we load its", async () => {
  using dir = tempDir();
  let expected;
  {
    await using srv = await startPersistent(aofOn(dir.path));
    using client = await RespClient.connect(srv.port);
    await writeSome(client);
    expected = await dataset(client);
  }
  const redis = ChildServer.redis(dir.path, "--appendonly", "yes");
  try {
    using client = await redis.connect();
    assertSameDataset(await dataset(client), expected);
    // Redis appends to the same directory; we must read what it wrote.
    await client.cmd("SET", "from-redis", "r");
    await client.cmd("SELECT", 5);
    await client.cmd("DEL", "in-5");
    expected = await dataset(client);
  } finally {
    await redis.stop();
  }
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  assertSameDataset(await dataset(client), expected);
});

Deno.test("BGREWRITEAOF compacts the log and keeps the writes made while it runs", async () => {
  using dir = tempDir();
  let expected;
  {
    await using srv = await startPersistent(aofOn(dir.path));
    using client = await RespClient.connect(srv.port);
    for (let i = 0; i < 300; i++) await client.cmd("SET", `k${i % 10}`, `value-${i}`);
    const before = Number((await persistenceInfo(client)).aof_current_size);
    // The rewrite starts, then these writes land before it finishes.
    const batch = ["BGREWRITEAOF", "SET during 1", "DEL k3", "SET k4 rewritten"];
    await client.writeRaw(batch.map((c) => c + "\r\n").join(""));
    deepEqual(plain(await client.read()), "Background append only file rewriting started");
    for (let i = 1; i < batch.length; i++) await client.read();
    await waitForRewrite(client);
    await client.cmd("SET", "after", "2");
    expected = await dataset(client);
    const info = await persistenceInfo(client);
    equal(info.aof_rewrites, "1");
    equal(info.aof_last_bgrewrite_status, "ok");
    ok(Number(info.aof_current_size) < before, "the rewritten AOF is smaller");
  }
  equal(
    manifestOf(dir.path),
    "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
  );
  deepEqual(filesIn(aofDir(dir.path)), [
    "appendonly.aof.2.base.rdb",
    "appendonly.aof.2.incr.aof",
    "appendonly.aof.manifest",
  ]);
  {
    await using srv = await startPersistent(aofOn(dir.path));
    using client = await RespClient.connect(srv.port);
    assertSameDataset(await dataset(client), expected);
  }
  const redis = ChildServer.redis(dir.path, "--appendonly", "yes");
  try {
    using client = await redis.connect();
    assertSameDataset(await dataset(client), expected);
  } finally {
    await redis.stop();
  }
});

for (const preamble of ["yes", "no"]) {
  Deno.test(`every type survives an AOF rewrite (aof-use-rdb-preamble ${preamble})`, async () => {
    using sourceDir = tempDir();
    using dir = tempDir();
    const params = aofOn(dir.path, { "aof-use-rdb-preamble": preamble });
    const source = ChildServer.redis(sourceDir.path);
    let expected;
    try {
      using reference = await source.connect();
      await fillAllTypes(reference);
      expected = await dataset(reference);
      await using srv = await startPersistent(params);
      using client = await RespClient.connect(srv.port);
      await copyViaDump(reference, client);
      equal(await client.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
      await waitForRewrite(client);
    } finally {
      await source.stop();
    }
    {
      await using srv = await startPersistent(params);
      using client = await RespClient.connect(srv.port);
      assertSameDataset(await dataset(client), expected);
    }
    const redis = ChildServer.redis(dir.path, "--appendonly", "yes");
    try {
      using client = await redis.connect();
      assertSameDataset(await dataset(client), expected);
    } finally {
      await redis.stop();
    }
  });
}

Deno.test("with aof-use-rdb-preamble no the base is written as commands", async () => {
  using dir = tempDir();
  const params = aofOn(dir.path, { "aof-use-rdb-preamble": "no" });
  let expected;
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    await writeSome(client);
    equal(await client.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
    await waitForRewrite(client);
    expected = await dataset(client);
  }
  const base = Deno.readTextFileSync(`${aofDir(dir.path)}/appendonly.aof.2.base.aof`);
  ok(base.startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"));
  match(base, /PEXPIREAT\r\n\$3\r\nttl\r\n/);
  await using srv = await startPersistent(params);
  using client = await RespClient.connect(srv.port);
  assertSameDataset(await dataset(client), expected);
});

Deno.test("aof-timestamp-enabled: #TS annotations before a new second's commands and atop a command base", async () => {
  using dir = tempDir();
  const params = aofOn(dir.path, { "aof-use-rdb-preamble": "no" });
  let expected;
  {
    await using srv = await startPersistent(params);
    using client = await RespClient.connect(srv.port);
    equal(await client.cmd("CONFIG", "SET", "aof-timestamp-enabled", "yes"), "OK");
    const before = Math.floor(Date.now() / 1000);
    equal(await client.cmd("SET", "foo", "bar"), "OK");
    equal(await client.cmd("SET", "foo2", "bar2"), "OK");
    const incr = Deno.readTextFileSync(`${aofDir(dir.path)}/appendonly.aof.1.incr.aof`);
    const stamps = [...incr.matchAll(/^#TS:(\d+)\r\n/gm)].map((m) => Number(m[1]));
    ok(incr.startsWith("#TS:"), incr.slice(0, 40));
    ok(stamps.length >= 1 && stamps.length <= 2 && stamps[0]! >= before, `${stamps}`);
    equal(await client.cmd("BGREWRITEAOF"), "Background append only file rewriting started");
    await waitForRewrite(client);
    const base = Deno.readTextFileSync(`${aofDir(dir.path)}/appendonly.aof.2.base.aof`);
    match(base, /^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n/);
    expected = await dataset(client);
  }
  // The annotations are skipped on load, as Redis skips them.
  await using srv = await startPersistent(params);
  using client = await RespClient.connect(srv.port);
  assertSameDataset(await dataset(client), expected);
});

Deno.test("CONFIG SET appendonly yes writes the current data into a new AOF", async () => {
  using dir = tempDir();
  let expected;
  {
    await using srv = await startPersistent({ dir: dir.path });
    using client = await RespClient.connect(srv.port);
    await writeSome(client);
    equal((await persistenceInfo(client)).aof_enabled, "0");
    equal(await client.cmd("CONFIG", "SET", "appendonly", "yes"), "OK");
    await client.cmd("SET", "while-enabling", "1");
    await waitForRewrite(client);
    await client.cmd("SET", "after-enabling", "2");
    equal((await persistenceInfo(client)).aof_enabled, "1");
    expected = await dataset(client);
  }
  equal(
    manifestOf(dir.path),
    "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
  );
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  assertSameDataset(await dataset(client), expected);
  equal(await client.cmd("CONFIG", "SET", "appendonly", "no"), "OK");
  equal((await persistenceInfo(client)).aof_enabled, "0");
});

/** Writes two keys through a server, then returns the incremental file's path. */
async function aofWithTwoKeys(dir: string): Promise<string> {
  await using srv = await startPersistent(aofOn(dir));
  using client = await RespClient.connect(srv.port);
  await client.cmd("SET", "a", "1");
  await client.cmd("SET", "b", "2");
  return `${aofDir(dir)}/appendonly.aof.1.incr.aof`;
}

function append(path: string, text: string): void {
  Deno.writeTextFileSync(path, text, { append: true });
}

Deno.test("a truncated last command is dropped (and cut off) with aof-load-truncated yes", async () => {
  using dir = tempDir();
  const incr = await aofWithTwoKeys(dir.path);
  const goodSize = Deno.statSync(incr).size;
  append(incr, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1");
  {
    await using srv = await startPersistent(aofOn(dir.path));
    using client = await RespClient.connect(srv.port);
    deepEqual((await client.cmd("KEYS", "*") as string[]).sort(), ["a", "b"]);
    equal(Deno.statSync(incr).size, goodSize, "the partial command was cut off");
    await client.cmd("SET", "c", "3");
  }
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  deepEqual((await client.cmd("KEYS", "*") as string[]).sort(), ["a", "b", "c"]);
});

Deno.test("a truncated AOF stops the start with aof-load-truncated no, naming the offset", async () => {
  using dir = tempDir();
  const incr = await aofWithTwoKeys(dir.path);
  const goodSize = Deno.statSync(incr).size;
  append(incr, "*3\r\n$3\r\nSET\r\n");
  await rejects(
    () => startPersistent(aofOn(dir.path, { "aof-load-truncated": "no" })),
    (err: Error) =>
      err instanceof LoadError &&
      err.message.includes(
        `Unexpected end of file reading the append only file appendonly.aof.1.incr.aof at offset ${goodSize}`,
      ),
  );
});

Deno.test("an unfinished MULTI at the end of the AOF is not applied", async () => {
  using dir = tempDir();
  const incr = await aofWithTwoKeys(dir.path);
  append(incr, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n");
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  deepEqual((await client.cmd("KEYS", "*") as string[]).sort(), ["a", "b"]);
});

Deno.test("keys do not expire while the AOF is replayed: a past PEXPIREAT holds to the end", async () => {
  using dir = tempDir();
  const incr = await aofWithTwoKeys(dir.path);
  const resp = (...argv: string[]) =>
    `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
  // Tcl integration/aof "AOF+EXPIRE": Redis loads this as one list [foo, bar], expired.
  append(incr, resp("RPUSH", "list", "foo") + resp("PEXPIREAT", "list", "1000"));
  append(incr, resp("RPUSH", "list", "bar") + resp("EXPIREAT", "a", "1"));
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("LLEN", "list"), 0);
  deepEqual((await client.cmd("KEYS", "*") as string[]).sort(), ["b"]);
});

Deno.test("a corrupt AOF stops the start with a message naming the offset", async () => {
  using dir = tempDir();
  const incr = await aofWithTwoKeys(dir.path);
  const goodSize = Deno.statSync(incr).size;
  append(incr, "garbage\r\n*1\r\n$4\r\nPING\r\n");
  await rejects(
    () => startPersistent(aofOn(dir.path)),
    (err: Error) =>
      err instanceof LoadError &&
      err.message.startsWith(
        `Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${goodSize}`,
      ),
  );
  // An unknown command is as fatal.
  Deno.truncateSync(incr, goodSize);
  append(incr, "*1\r\n$7\r\nNOSUCHC\r\n");
  await rejects(
    () => startPersistent(aofOn(dir.path)),
    /Unknown command 'NOSUCHC' reading the append only file/,
  );
  // So is a manifest naming a missing file.
  Deno.removeSync(incr);
  await rejects(
    () => startPersistent(aofOn(dir.path)),
    /appendonly\.aof\.1\.incr\.aof doesn't exist: No such file or directory/,
  );
});

Deno.test("an old-style appendonly.aof is moved into the AOF directory and loaded", async () => {
  using dir = tempDir();
  Deno.writeTextFileSync(
    `${dir.path}/appendonly.aof`,
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n",
  );
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  equal(await client.cmd("GET", "old"), "style");
  deepEqual(filesIn(aofDir(dir.path)), [
    "appendonly.aof",
    "appendonly.aof.1.incr.aof",
    "appendonly.aof.manifest",
  ]);
  equal(
    manifestOf(dir.path),
    "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
  );
});

Deno.test("one background job at a time: BGREWRITEAOF waits for BGSAVE, BGSAVE SCHEDULE for a rewrite", async () => {
  using dir = tempDir();
  await using srv = await startPersistent(aofOn(dir.path));
  using client = await RespClient.connect(srv.port);
  const args: string[] = [];
  for (let i = 0; i < 20000; i++) args.push(`k${i}`, "v");
  await client.cmd("MSET", ...args);
  // Each batch runs before any slice of the job it starts.
  const replies = async (batch: string[]) => {
    await client.writeRaw(batch.map((c) => c + "\r\n").join(""));
    const out = [];
    for (let i = 0; i < batch.length; i++) out.push(plain(await client.read()));
    return out;
  };
  deepEqual(await replies(["BGSAVE", "BGREWRITEAOF", "BGREWRITEAOF"]), [
    "Background saving started",
    "Background append only file rewriting scheduled",
    "Background append only file rewriting scheduled",
  ]);
  equal((await persistenceInfo(client)).aof_rewrite_scheduled, "1");
  await waitForRewrite(client);
  deepEqual(await replies(["BGREWRITEAOF", "BGSAVE", "BGREWRITEAOF", "BGSAVE SCHEDULE"]), [
    "Background append only file rewriting started",
    {
      error:
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
    },
    { error: "ERR Background append only file rewriting already in progress" },
    "Background saving scheduled",
  ]);
  await eventually(async () => {
    const info = await persistenceInfo(client);
    return info.aof_rewrites === "2" && info.rdb_saves === "2" &&
      info.rdb_bgsave_in_progress === "0";
  });
});

Deno.test("the AOF is rewritten automatically once it doubles past auto-aof-rewrite-min-size", async () => {
  using dir = tempDir();
  await using srv = await startPersistent(
    aofOn(dir.path, { "auto-aof-rewrite-min-size": "4096", "auto-aof-rewrite-percentage": "100" }),
  );
  using client = await RespClient.connect(srv.port);
  for (let i = 0; i < 100; i++) await client.cmd("SET", "same-key", `value-${i}`);
  await eventually(async () => (await persistenceInfo(client)).aof_rewrites === "1");
  await waitForRewrite(client);
  const info = await persistenceInfo(client);
  ok(Number(info.aof_current_size) < 4096, `${info.aof_current_size} bytes after the rewrite`);
  equal(await client.cmd("GET", "same-key"), "value-99");
});
