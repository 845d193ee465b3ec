/**
 * ACL categories of every command and subcommand, as COMMAND INFO and ACL CAT
 * report them, compared with a running redis-server 7.0's.
 */
import { deepEqual } from "node:assert/strict";
import { RespClient, startServer } from "./helpers.ts";
import { ChildServer, tempDir } from "./persistence_helpers.ts";

/** Full command name → its categories, sorted, over COMMAND's entries and subcommands. */
async function categoriesOf(c: RespClient): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = (entry: unknown[]) => {
    found.set(String(entry[0]), (entry[6] as string[]).toSorted().join(" "));
    for (const sub of (entry[9] as unknown[][] | undefined) ?? []) visit(sub);
  };
  for (const entry of await c.cmd("COMMAND") as unknown[][]) visit(entry);
  return found;
}

/** Category → the commands ACL CAT lists in it, sorted, keeping only `known` ones. */
async function aclCat(c: RespClient, known: Set<string>): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const category of await c.cmd("ACL", "CAT") as string[]) {
    const names = await c.cmd("ACL", "CAT", category) as string[];
    found.set(category, names.filter((n) => known.has(n)).toSorted());
  }
  return found;
}

Deno.test("ACL categories: COMMAND INFO and ACL CAT as redis-server's, command by command", async () => {
  using dir = tempDir();
  const redis = ChildServer.redis(dir.path);
  await using home = startServer();
  try {
    using expected = await redis.connect();
    using actual = await RespClient.connect(home.port);
    const want = await categoriesOf(expected);
    const got = await categoriesOf(actual);
    // Commands both servers have (cluster and module commands do not exist here).
    const shared = new Set([...want.keys()].filter((name) => got.has(name)));
    for (const name of shared) deepEqual(got.get(name), want.get(name), name);
    deepEqual(await aclCat(actual, shared), await aclCat(expected, shared));
  } finally {
    await redis.stop();
  }
});
