/**
 * What ACL decides by, for every command and subcommand, compared with a
 * running redis-server 7.0's: categories (COMMAND INFO, ACL CAT) and the key
 * permissions each key spec needs (read for "access"; write for "insert",
 * "delete", "update").
 */
import { deepEqual } from "node:assert/strict";
import type { RespClient } from "./helpers.ts";
import { onBoth } from "./redis_compare.ts";

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

/** Category → the commands ACL CAT lists in it. */
async function aclCat(c: RespClient): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const category of await c.cmd("ACL", "CAT") as string[]) {
    found.set(category, await c.cmd("ACL", "CAT", category) as string[]);
  }
  return found;
}

Deno.test("ACL categories: COMMAND INFO and ACL CAT as redis-server's, command by command", async () => {
  const [want, got] = await onBoth(async (c) => ({
    commands: await categoriesOf(c),
    cat: await aclCat(c),
  }));
  // Commands both servers have (cluster and module commands do not exist here).
  const shared = new Set([...want.commands.keys()].filter((name) => got.commands.has(name)));
  for (const name of shared) deepEqual(got.commands.get(name), want.commands.get(name), name);
  // Each category's list, sorted, keeping only the shared commands.
  const known = (cat: Map<string, string[]>) =>
    new Map([...cat].map(([name, names]) => [name, names.filter((n) => shared.has(n)).toSorted()]));
  deepEqual(known(got.cat), known(want.cat));
});

/** Full command name → per key spec, the permissions ACL asks for ("r", "w", "rw" or ""). */
async function keyPermissionsOf(c: RespClient): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = (entry: unknown[]) => {
    const perms = (entry[8] as unknown[][]).map((spec) => {
      const flags = spec[spec.indexOf("flags") + 1] as string[];
      const read = flags.includes("access") ? "r" : "";
      const write = flags.some((f) => f === "insert" || f === "delete" || f === "update");
      return read + (write ? "w" : "");
    });
    found.set(String(entry[0]), perms.join(" "));
    for (const sub of (entry[9] as unknown[][] | undefined) ?? []) visit(sub);
  };
  for (const entry of await c.cmd("COMMAND") as unknown[][]) visit(entry);
  return found;
}

/**
 * Left out: SET and BITFIELD (Redis's variable_flags; access.ts decides by
 * their arguments, as Redis), XREADGROUP (its key is flagged written here, so
 * snapshots copy it first: ACL asks for write, not read), SORT/SORT_RO (Redis
 * lists BY/GET patterns as one more key spec; access.ts checks them).
 */
const DECIDED_ELSEWHERE = new Set(["set", "bitfield", "xreadgroup", "sort", "sort_ro"]);

Deno.test("ACL key permissions: each key spec asks for read/write as redis-server's", async () => {
  const [want, got] = await onBoth(keyPermissionsOf);
  for (const [name, perms] of want) {
    if (!got.has(name) || DECIDED_ELSEWHERE.has(name)) continue;
    deepEqual(got.get(name), perms, name);
  }
});
