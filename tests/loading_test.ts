/**
 * Loading at start-up as Redis 7.0: the server listens while it reads its
 * RDB file in steps (loading-process-events-interval-bytes), pausing
 * key-load-delay microseconds after each key; commands without the
 * `loading` flag get -LOADING, INFO persistence shows the progress, CONFIG
 * SET of dir is refused, and a SHUTDOWN meanwhile exits without saving.
 * An AOF's RDB preamble loads the same way, its commands in steps of 1024.
 * key-load-delay 1000 makes the load last at least 4 s (4000 keys) until a
 * test sets it to 0.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RespClient, ROOT, startServer } from "./helpers.ts";
import { eventually, freePort, persistenceInfo, tempDir } from "./persistence_helpers.ts";

const LOADING = { error: "LOADING Redis is loading the dataset in memory" };
const KEYS = 4000;

async function fill(c: RespClient): Promise<void> {
  for (let batch = 0; batch < KEYS / 1000; batch++) {
    const pairs = Array.from({ length: 1000 }, (_, i) => [`key:${batch}:${i}`, "v".repeat(100)]);
    await c.cmd("MSET", ...pairs.flat());
  }
}

async function writeRdb(dir: string): Promise<number> {
  await using srv = startServer({ dir, rdbcompression: "no" });
  using c = await RespClient.connect(srv.port);
  await fill(c);
  equal(await c.cmd("SAVE"), "OK");
  return Deno.statSync(`${dir}/dump.rdb`).size;
}

/** An AOF directory whose base (an RDB preamble) holds the keys. */
async function writeAof(dir: string): Promise<void> {
  await using srv = startServer({ dir });
  using c = await RespClient.connect(srv.port);
  await fill(c);
  equal(await c.cmd("CONFIG", "SET", "appendonly", "yes"), "OK");
  await eventually(async () => {
    const info = await persistenceInfo(c);
    return info.aof_rewrite_in_progress === "0" && info.aof_rewrite_scheduled === "0";
  });
}

/** Lets the load finish quickly, and waits until it has. */
async function finishLoading(c: RespClient): Promise<void> {
  equal(await c.cmd("CONFIG", "SET", "key-load-delay", "0"), "OK");
  for (let attempt = 0; (await c.cmd("PING")) !== "PONG"; attempt++) {
    ok(attempt < 200, "still loading");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `redis-home serve` loading `dir`'s dump.rdb slowly, and a client connected to it. */
async function serveLoading(dir: string, extra: string[] = []) {
  const port = freePort();
  const args = ["serve", "--port", String(port), "--dir", dir, "--key-load-delay", "1000"];
  const child = new Deno.Command(`${ROOT}redis-home`, {
    args: [...args, "--loading-process-events-interval-bytes", "1024", ...extra],
    stdout: "null",
  }).spawn();
  for (let attempt = 0;; attempt++) {
    try {
      return { child, client: await RespClient.connect(port) };
    } catch (err) {
      if (attempt === 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function infoFields(info: unknown): Record<string, string> {
  return Object.fromEntries(
    String(info).split("\r\n").filter((l) => l.includes(":")).map((l) => l.split(":")),
  );
}

Deno.test("loading: -LOADING and INFO's loading fields while the RDB loads, then the data", async () => {
  using dir = tempDir();
  const size = await writeRdb(dir.path);
  const { child, client } = await serveLoading(dir.path);
  using c = client;
  deepEqual(await c.cmd("PING"), LOADING);
  deepEqual(await c.cmd("GET", "key:0:0"), LOADING);
  const info = infoFields(await c.cmd("INFO", "persistence"));
  equal(info.loading, "1");
  equal(info.loading_total_bytes, String(size));
  ok(Number(info.loading_loaded_bytes) < size);
  ok("loading_eta_seconds" in info && "loading_loaded_perc" in info, JSON.stringify(info));
  equal(await c.cmd("CONFIG", "SET", "loglevel", "debug"), "OK");
  deepEqual(await c.cmd("CONFIG", "SET", "dir", "/tmp"), LOADING);
  deepEqual(await c.cmd("CONFIG", "GET", "dir"), ["dir", dir.path]);
  await finishLoading(c);
  equal(await c.cmd("DBSIZE"), KEYS);
  equal(infoFields(await c.cmd("INFO", "persistence")).loading, "0");
  // SHUTDOWN closes the connection without a reply.
  await c.cmd("SHUTDOWN", "NOSAVE").catch(() => {});
  equal((await child.status).code, 0);
});

Deno.test("loading: a SHUTDOWN while loading exits without saving the partial dataset", async () => {
  using dir = tempDir();
  await writeRdb(dir.path);
  const before = Deno.readFileSync(`${dir.path}/dump.rdb`);
  const { child, client } = await serveLoading(dir.path, ["--save", "3600 1"]);
  using c = client;
  deepEqual(await c.cmd("PING"), LOADING);
  await c.cmd("SHUTDOWN").catch(() => {});
  equal((await child.status).code, 0);
  deepEqual(Deno.readFileSync(`${dir.path}/dump.rdb`), before);
});

Deno.test("loading: an AOF loads in steps too, clients answered -LOADING meanwhile", async () => {
  using dir = tempDir();
  await writeAof(dir.path);
  const { child, client } = await serveLoading(dir.path, ["--appendonly", "yes"]);
  using c = client;
  deepEqual(await c.cmd("PING"), LOADING);
  const info = infoFields(await c.cmd("INFO", "persistence"));
  equal(info.loading, "1");
  const files = [...Deno.readDirSync(`${dir.path}/appendonlydir`)]
    .filter((f) => !f.name.endsWith(".manifest"));
  const total = files.reduce(
    (sum, f) => sum + Deno.statSync(`${dir.path}/appendonlydir/${f.name}`).size,
    0,
  );
  equal(info.loading_total_bytes, String(total));
  ok(Number(info.loading_loaded_bytes) < total, JSON.stringify(info));
  await finishLoading(c);
  equal(await c.cmd("DBSIZE"), KEYS);
  await c.cmd("SHUTDOWN", "NOSAVE").catch(() => {});
  equal((await child.status).code, 0);
});
