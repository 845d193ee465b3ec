/**
 * --rdb FILE (redis-cli's getRDB): fetch a snapshot over the replication
 * protocol. REPLCONF capa eof and rdb-only 1, then SYNC; the server answers
 * "$<length>" and that many bytes, or "$EOF:<40-byte mark>" and bytes up to
 * the mark (a diskless transfer). The snapshot goes to FILE, or to standard
 * output for "-". Messages go to stderr in redis-cli's words.
 */
import { binaryToBytes, bytesToBinary } from "../protocol/bytes.ts";
import type { ServerConnection } from "./connection.ts";
import { ModeError } from "./mode_util.ts";
import type { Output } from "./session.ts";

const EOF_MARK_SIZE = 40;
const CHUNK = 4096;

async function replconf(conn: ServerConnection, out: Output, name: string, value: string) {
  await out.stderr(`sending REPLCONF ${name} ${value}\n`);
  const reply = await conn.call(["REPLCONF", name, value]);
  // Not fatal: an older server may not know the option.
  if (reply.type === "error") await out.stderr(`REPLCONF ${name} error: ${reply.value}\n`);
}

/** Where the snapshot goes: a file (created, not truncated until the end, as redis-cli opens it) or stdout. */
interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  /** Cuts a file to `size` (it may have been longer before) and syncs it. */
  finish(size: number): Promise<void>;
}

async function openSink(filename: string): Promise<Sink> {
  const writeAll = async (w: { write(p: Uint8Array): Promise<number> }, bytes: Uint8Array) => {
    let done = 0;
    while (done < bytes.length) done += await w.write(bytes.subarray(done));
  };
  if (filename === "-") {
    return { write: (bytes) => writeAll(Deno.stdout, bytes), finish: () => Promise.resolve() };
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(filename, { create: true, write: true, mode: 0o644 });
  } catch (err) {
    throw new ModeError(`Error opening '${filename}': ${(err as Error).message}`);
  }
  return {
    write: (bytes) => writeAll(file, bytes),
    async finish(size) {
      await file.truncate(size);
      await file.sync();
      file.close();
    },
  };
}

/** Writes what arrives, holding back the last 40 bytes until they are known not to be the mark. */
async function copyUntilMark(conn: ServerConnection, sink: Sink, mark: string): Promise<number> {
  let tail = "";
  let written = 0;
  for (;;) {
    tail += bytesToBinary(await conn.readBytes(CHUNK));
    if (tail.endsWith(mark)) {
      const body = tail.slice(0, -EOF_MARK_SIZE);
      await sink.write(binaryToBytes(body));
      return written + body.length;
    }
    if (tail.length > EOF_MARK_SIZE) {
      const body = tail.slice(0, tail.length - EOF_MARK_SIZE);
      await sink.write(binaryToBytes(body));
      written += body.length;
      tail = tail.slice(-EOF_MARK_SIZE);
    }
  }
}

async function copyLength(conn: ServerConnection, sink: Sink, length: number): Promise<void> {
  for (let left = length; left > 0;) {
    const bytes = await conn.readBytes(Math.min(left, CHUNK));
    await sink.write(bytes);
    left -= bytes.length;
  }
}

/** Fetches the snapshot into `filename`; throws ModeError (or ConnectionError) on failure. */
export async function rdbMode(conn: ServerConnection, out: Output, filename: string) {
  await replconf(conn, out, "capa", "eof");
  await replconf(conn, out, "rdb-only", "1");
  await conn.write(binaryToBytes("SYNC\r\n"));
  const header = await conn.readLine();
  if (header.startsWith("-")) throw new ModeError(`SYNC with master failed: ${header}`);
  const diskless = header.startsWith("$EOF:") && header.length - 5 >= EOF_MARK_SIZE;
  const sink = await openSink(filename);
  if (diskless) {
    await out.stderr(
      `SYNC sent to master, writing bytes of bulk transfer until EOF marker to '${filename}'\n`,
    );
    const size = await copyUntilMark(conn, sink, header.slice(5, 5 + EOF_MARK_SIZE));
    conn.close();
    await sink.finish(size);
    await out.stderr(`Transfer finished with success after ${size} bytes\n`);
    return;
  }
  const length = parseInt(header.slice(1), 10) || 0;
  await out.stderr(`SYNC sent to master, writing ${length} bytes to '${filename}'\n`);
  await copyLength(conn, sink, length);
  conn.close();
  await sink.finish(length);
  await out.stderr("Transfer finished with success.\n");
}
