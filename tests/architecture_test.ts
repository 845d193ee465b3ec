/**
 * The dependency rules, checked: no runtime import cycle anywhere (type-only
 * imports are allowed), every module under server/, client/ and protocol/
 * loads on its own in a fresh isolate, and the client never reaches the
 * server. The graph comes from `deno info --json`.
 */
import { deepEqual, equal } from "node:assert/strict";
import { ROOT } from "./helpers.ts";

/** The repository as a file URL prefix ("file:///.../"). */
const BASE = new URL("..", import.meta.url).href;

const SOURCE_DIRS = ["server", "client", "protocol"];

/** Every non-test TypeScript module under the source folders, as file URLs. */
function sourceModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        found.push(BASE + path);
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return found.sort();
}

interface Edge {
  to: string;
  typeOnly: boolean;
}

/** The import graph of `roots` (and main.ts): module URL to its edges. */
async function importGraph(roots: string[]): Promise<Map<string, Edge[]>> {
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const lines = [`${BASE}main.ts`, ...roots].map((url) => `import "${url}";`);
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `--config=${ROOT}deno.json`, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
    const info = JSON.parse(new TextDecoder().decode(output.stdout));
    const graph = new Map<string, Edge[]>();
    for (const module of info.modules) {
      if (!String(module.specifier).startsWith(BASE)) continue;
      const edges: Edge[] = [];
      for (const dep of module.dependencies ?? []) {
        const target = dep.code?.specifier ?? dep.type?.specifier;
        if (target === undefined) continue;
        if (!target.startsWith(BASE) && !target.startsWith("node:")) continue;
        edges.push({ to: target, typeOnly: dep.code === undefined || dep.isDynamic === true });
      }
      graph.set(module.specifier, edges);
    }
    return graph;
  } finally {
    await Deno.remove(entry);
  }
}

/** Strongly connected components of size > 1 (or self-loops) over runtime edges. */
export function runtimeCycles(graph: Map<string, Edge[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const { to, typeOnly } of graph.get(node) ?? []) {
      if (typeOnly) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const top = stack.pop()!;
      onStack.delete(top);
      component.push(top);
      if (top === node) break;
    }
    const selfLoop = (graph.get(node) ?? []).some((e) => !e.typeOnly && e.to === node);
    if (component.length > 1 || selfLoop) cycles.push(component.map(relative).sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

function relative(url: string): string {
  return url.slice(BASE.length);
}

Deno.test("cycle detection finds a runtime cycle and ignores type-only edges", () => {
  const file = (name: string) => BASE + name;
  const graph = new Map<string, Edge[]>([
    [file("a.ts"), [{ to: file("b.ts"), typeOnly: false }]],
    [file("b.ts"), [{ to: file("a.ts"), typeOnly: false }]],
    [file("c.ts"), [{ to: file("d.ts"), typeOnly: false }]],
    [file("d.ts"), [{ to: file("c.ts"), typeOnly: true }]],
  ]);
  deepEqual(runtimeCycles(graph), [["a.ts", "b.ts"]]);
});

Deno.test("no runtime import cycle; the client never imports the server", async () => {
  const graph = await importGraph(sourceModules());
  deepEqual(runtimeCycles(graph), []);
  const clientToServer: string[] = [];
  for (const [from, edges] of graph) {
    if (!relative(from).startsWith("client/")) continue;
    for (const { to } of edges) {
      if (relative(to).startsWith("server/")) {
        clientToServer.push(`${relative(from)} -> ${relative(to)}`);
      }
    }
  }
  deepEqual(clientToServer, []);
});

/** Targets reached from `start` through runtime (static, value) imports only. */
function loadedAtStart(graph: Map<string, Edge[]>, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const pending = [start];
  while (pending.length > 0) {
    for (const { to, typeOnly } of graph.get(pending.pop()!) ?? []) {
      if (typeOnly || seen.has(to)) continue;
      seen.add(to);
      pending.push(to);
    }
  }
  return seen;
}

Deno.test("the server loads no Node builtin at start but node:buffer", async () => {
  // node:net, node:tls and the like set up Node's socket layer when imported
  // (~2.5 MB of RSS on the empty server): features that need them import
  // them on first use.
  const graph = await importGraph(sourceModules());
  const builtins = [...loadedAtStart(graph, `${BASE}server/start.ts`)]
    .filter((target) => target.startsWith("node:"));
  deepEqual(builtins, ["node:buffer"]);
});

Deno.test("every module under server/, client/ and protocol/ loads on its own", async () => {
  // A child process without type checking: each module is imported first
  // thing in a fresh worker isolate, where an import cycle would throw.
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", "--allow-all", `${ROOT}tests/import_alone.ts`, ...sourceModules()],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  equal(output.success, true);
  const failures: string[] = JSON.parse(new TextDecoder().decode(output.stdout));
  equal(failures.map((f) => f.replace(BASE, "")).join("\n"), "");
});
