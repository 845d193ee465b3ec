import { deepEqual, equal, throws } from "node:assert/strict";
import { parseCpuSeconds, parseInfo, parseVmRss, withFileLimit } from "./servers.ts";

Deno.test("parseInfo reads name:value fields and skips section headers", () => {
  const info =
    "# Memory\r\nused_memory:1043416\r\nused_memory_human:1018.96K\r\n\r\n# CPU\r\nx:a:b\r\n";
  const fields = parseInfo(info);
  equal(fields.get("used_memory"), "1043416");
  equal(fields.get("x"), "a:b");
  equal(fields.has("# Memory"), false);
});

Deno.test("parseVmRss converts /proc status kB to bytes", () => {
  equal(parseVmRss("Name:\tredis-server\nVmHWM:\t  9000 kB\nVmRSS:\t  7216 kB\n"), 7216 * 1024);
  throws(() => parseVmRss("Name:\tx\n"), /VmRSS/);
});

Deno.test("withFileLimit raises the open-file limit and passes arguments through unchanged", async () => {
  const [sh, ...args] = withFileLimit([
    "sh",
    "-c",
    'ulimit -n; printf "%s|" "$@"',
    "-",
    "it's",
    "a b",
  ]);
  const output = await new Deno.Command(sh, { args }).output();
  const [limit, echoed] = new TextDecoder().decode(output.stdout).split("\n");
  const hard = new TextDecoder().decode(
    (await new Deno.Command("sh", { args: ["-c", "ulimit -Hn"] }).output()).stdout,
  ).trim();
  equal(limit, hard === "unlimited" ? "20000" : String(Math.min(20000, Number(hard))));
  deepEqual(echoed, "it's|a b|");
});

Deno.test("CPU seconds come from utime and stime, after a command name with spaces", () => {
  const stat = "4242 (deno x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0";
  equal(parseCpuSeconds(stat), 3);
});
