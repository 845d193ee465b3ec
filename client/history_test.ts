/** History kept as linenoise keeps it, and a history file that may not be writable. */
import { deepEqual, equal } from "node:assert/strict";
import { History } from "./history.ts";

Deno.test("a line repeating the latest entry is kept once; the oldest go past the limit", () => {
  const history = new History(3);
  for (const line of ["a", "a", "b", "a", "c", "d"]) history.add(line);
  deepEqual(history.entries, ["a", "c", "d"]);
});

Deno.test("history file round trip, owner-only, tolerating a missing file and a bad path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/.redis_home_history`;
    const fresh = new History();
    await fresh.load(path);
    deepEqual(fresh.entries, []);

    fresh.add('set k "a b"');
    fresh.add("get ключ");
    await fresh.save(path);
    equal(await Deno.readTextFile(path), 'set k "a b"\nget ключ\n');
    equal((await Deno.stat(path)).mode! & 0o777, 0o600);

    await Deno.writeTextFile(path, "one\r\n\ntwo\n");
    const loaded = new History();
    await loaded.load(path);
    deepEqual(loaded.entries, ["one", "two"]);

    await loaded.save(`${dir}/missing/dir/history`);
    await loaded.load(dir);
    deepEqual(loaded.entries, ["one", "two"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
