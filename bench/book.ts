/**
 * The book's own server ("Build Your Own Redis", build-your-own.org, the
 * chapter-14 source) as the native protocol's yardstick. Its code is never
 * part of this repository: the bench copies or clones it into a scratch
 * directory, patches the two lines that fix its address (port 1234 on every
 * interface) to a free loopback port, and builds it with g++.
 *
 * Where the source comes from: `--book-src` or the BOOK_REDIS_SRC variable,
 * naming a directory that holds 14_server.cpp (or server.cpp) with its
 * avl/hashtable/zset/heap/thread_pool files, or a git repository (path or
 * URL) to clone. Without one the book's columns say "unavailable".
 */
import { freePort, sleep } from "./servers.ts";

/** The book's translation units besides the server itself. */
const LIBRARY = ["avl.cpp", "hashtable.cpp", "zset.cpp", "heap.cpp", "thread_pool.cpp"];
const SERVER_FILES = ["14_server.cpp", "server.cpp"];
const READY_TIMEOUT_MS = 10_000;

/** The original lines the patch replaces, and what they become. */
const PORT_LINE = /ntohs\(1234\)/;
const ANY_ADDRESS_LINE = /(addr\.sin_addr\.s_addr\s*=\s*)ntohl\(0\)/;

/** Makes the book's server listen on 127.0.0.1 at $BOOK_PORT; throws if its source differs. */
export function patchServerSource(source: string): string {
  if (!PORT_LINE.test(source) || !ANY_ADDRESS_LINE.test(source)) {
    throw new Error("the book's server source has no `ntohs(1234)` / `ntohl(0)` lines to patch");
  }
  return source.replace(PORT_LINE, 'ntohs(atoi(getenv("BOOK_PORT")))')
    .replace(ANY_ADDRESS_LINE, "$1ntohl(0x7f000001)");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  const output = await new Deno.Command(cmd, {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output().catch((err) => {
    if (err instanceof Deno.errors.NotFound) throw new Error(`${cmd} not found`);
    throw err;
  });
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`${cmd} ${args[0]} failed: ${stderr}`);
  }
}

/** The directory holding the sources: `origin` itself, or a clone of it in `workDir`. */
async function sourceDir(origin: string, workDir: string): Promise<string> {
  for (const name of SERVER_FILES) {
    if (await exists(`${origin}/${name}`)) return origin;
  }
  const clone = `${workDir}/book-src`;
  await run("git", ["clone", "--quiet", "--depth", "1", origin, clone]);
  return clone;
}

/** Copies, patches and builds the book's server in `workDir`; returns the binary. */
export async function buildBookServer(origin: string, workDir: string): Promise<string> {
  const src = await sourceDir(origin, workDir);
  const build = `${workDir}/book-build`;
  await Deno.mkdir(build, { recursive: true });
  let server: string | undefined;
  for (const name of SERVER_FILES) {
    if (await exists(`${src}/${name}`)) {
      server = name;
      break;
    }
  }
  if (server === undefined) throw new Error(`no ${SERVER_FILES.join(" or ")} in ${origin}`);
  const units = [server, ...LIBRARY];
  for (const name of [...units, ...await headers(src)]) {
    if (!await exists(`${src}/${name}`)) throw new Error(`${name} missing from ${origin}`);
    const text = await Deno.readTextFile(`${src}/${name}`);
    await Deno.writeTextFile(`${build}/${name}`, name === server ? patchServerSource(text) : text);
  }
  const binary = `${build}/book-server`;
  await run("g++", ["-O2", "-pthread", "-w", "-o", binary, ...units], build);
  return binary;
}

async function headers(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".h")) names.push(entry.name);
  }
  return names;
}

/** A running book server, shaped like ServerProcess where the matrix needs it. */
export class BookServer {
  #exited = false;

  private constructor(readonly port: number, readonly child: Deno.ChildProcess) {
    child.status.then(() => this.#exited = true);
  }

  get alive(): boolean {
    return !this.#exited;
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Starts the binary on a free port (pinned to `cpu` when given) and waits until it answers. */
  static async start(binary: string, cpu?: number): Promise<BookServer> {
    const port = freePort();
    const argv = cpu === undefined ? [binary] : ["taskset", "-c", String(cpu), binary];
    const child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      env: { BOOK_PORT: String(port) },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = new BookServer(port, child);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!await answers(port)) {
      if (!server.alive || Date.now() > deadline) {
        await server.stop();
        throw new Error(`the book's server did not start on port ${port}`);
      }
      await sleep(50);
    }
    return server;
  }

  async stop(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.child.status;
  }
}

/** The native request `get ping` encoded (u32 length, u32 count, then length-prefixed strings). */
function nativeGet(): Uint8Array {
  const frame = new Uint8Array(4 + 4 + 4 + 3 + 4 + 4);
  const dv = new DataView(frame.buffer);
  dv.setUint32(0, frame.length - 4, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, 3, true);
  frame.set(new TextEncoder().encode("get"), 12);
  dv.setUint32(15, 4, true);
  frame.set(new TextEncoder().encode("ping"), 19);
  return frame;
}

async function answers(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(nativeGet());
    const reply = new Uint8Array(16);
    return (await conn.read(reply) ?? 0) > 0;
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}
