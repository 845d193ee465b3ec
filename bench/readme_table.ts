/**
 * Writes a run's matrix tables into README.md, between the markers
 * `<!-- bench-matrix:start -->` and `<!-- bench-matrix:end -->`, then
 * formats README with `deno fmt` so `deno fmt --check` stays clean:
 *
 *   deno run --allow-read --allow-write --allow-run bench/readme_table.ts bench/results/<date>.json
 */
import { matrixMarkdown } from "./matrix_report.ts";
import type { BenchResults } from "./results.ts";

const START = "<!-- bench-matrix:start -->";
const END = "<!-- bench-matrix:end -->";

/** `readme` with the text between the markers replaced by `tables`. */
export function replaceBetweenMarkers(readme: string, tables: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README has no ${START} … ${END} block`);
  return `${readme.slice(0, start + START.length)}\n\n${tables}\n${readme.slice(end)}`;
}

async function main(args: string[]): Promise<number> {
  const file = args[0];
  if (file === undefined) {
    console.error("usage: bench/readme_table.ts bench/results/<date>.json");
    return 2;
  }
  const results = JSON.parse(await Deno.readTextFile(file)) as BenchResults;
  if ((results.matrix ?? []).length === 0) {
    console.error(`${file} has no matrix results`);
    return 1;
  }
  const root = new URL("../", import.meta.url).pathname;
  const relative = file.startsWith(root) ? file.slice(root.length) : file;
  const readme = `${root}README.md`;
  const text = await Deno.readTextFile(readme);
  await Deno.writeTextFile(readme, replaceBetweenMarkers(text, matrixMarkdown(results, relative)));
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", readme] })
    .output();
  if (!fmt.success) console.error("deno fmt README.md failed; run it by hand");
  console.log(`README.md: matrix tables from ${relative}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
