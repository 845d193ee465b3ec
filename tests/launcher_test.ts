/** ./redis-home: the launcher and the command line. */
import { equal, match, ok } from "node:assert/strict";
import { ROOT, run } from "./helpers.ts";

const launcher = `${ROOT}/redis-home`;

Deno.test("a second run uses the installed Deno: no npm, no network", async () => {
  // PATH holds only what a POSIX shell script needs; npm and deno are absent,
  // so the launcher can only succeed with the copy installed in .deno/.
  const installed = `${ROOT}/.deno/bin/deno`;
  if (!(await Deno.stat(installed).catch(() => undefined))) {
    // Deno came from PATH, so nothing was installed: stand in the running one.
    await Deno.mkdir(`${ROOT}/.deno/bin`, { recursive: true });
    await Deno.symlink(Deno.execPath(), installed);
  }
  const bin = await Deno.makeTempDir();
  try {
    for (const tool of ["sh", "dirname", "ls", "head"]) {
      const target = (await run("sh", ["-c", `command -v ${tool}`])).stdout.trim();
      await Deno.symlink(target, `${bin}/${tool}`);
    }
    const result = await run(launcher, ["version"], { env: { PATH: bin }, clearEnv: true });
    equal(result.code, 0, result.stderr);
    match(result.stdout, /^redis-home \d+\.\d+\.\d+\n$/);
    equal(result.stderr, "");
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("usage errors are one line with exit code 2", async () => {
  for (const args of [["frobnicate"], ["serve", "--bogus"], ["serve", "--port", "x"]]) {
    const result = await run(launcher, args);
    equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
});

Deno.test("help is available for the program and each subcommand", async () => {
  const help = await run(launcher, ["help"]);
  equal(help.code, 0);
  ok(help.stdout.includes("redis-home serve"));
  const serveHelp = await run(launcher, ["serve", "--help"]);
  equal(serveHelp.code, 0);
  ok(serveHelp.stdout.includes("--timeout"));
});
