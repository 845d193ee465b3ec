/**
 * The encoder a snapshot of the server is written with: an RDB file, an AOF
 * base in RDB form (aof-use-rdb-preamble), or an AOF base of commands. Its
 * aux fields and options are the server's, as Redis's rdbSaveInfoAuxFields.
 */
import { VERSION } from "../../protocol/version.ts";
import type { ServerContext } from "../context.ts";
import { libraryCodes } from "../scripting/runner.ts";
import { commandEncoder, rdbEncoder, type SnapshotEncoder } from "./snapshot_file.ts";

const unixSeconds = () => Math.floor(Date.now() / 1000);

/** An encoder writing the server's snapshot of `kind` into `write`. */
export function snapshotEncoder(
  server: ServerContext,
  kind: "rdb" | "aof",
  write: (chunk: Uint8Array) => void,
): SnapshotEncoder {
  const config = server.config;
  const libraries = libraryCodes(server);
  if (kind === "aof" && !config.getBool("aof-use-rdb-preamble")) {
    // As Redis's rewriteAppendOnlyFileRio: a command base starts with the time it was made.
    const stamp = config.getBool("aof-timestamp-enabled") ? unixSeconds() : undefined;
    return commandEncoder(write, libraries, stamp);
  }
  const aux: [string, string][] = [
    ["redis-ver", VERSION],
    ["redis-bits", "64"],
    ["ctime", String(unixSeconds())],
    ["used-mem", String(Deno.memoryUsage().rss)],
    ["aof-base", kind === "aof" ? "1" : "0"],
    // As Redis: an AOF base records no replication history, a snapshot may.
    ...(kind === "rdb" ? server.replication.saveInfo() : []),
  ];
  const options = {
    compression: config.getBool("rdbcompression"),
    checksum: config.getBool("rdbchecksum"),
  };
  return rdbEncoder(options, aux, write, libraries);
}
