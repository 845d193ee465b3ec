/** INFO server. */
import type { ServerContext } from "../context.ts";
import { unixMicros } from "../clock.ts";
import { VERSION } from "../../protocol/version.ts";
import { type InfoField, tryOr } from "./render.ts";

export function serverSection(server: ServerContext): InfoField[] {
  const uptime = Math.floor((Date.now() - server.startedAt) / 1000);
  const os = Deno.build.os;
  const hz = server.config.getNumber("hz");
  return [
    ["redis_version", VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", "standalone"],
    [
      "os",
      `${os.charAt(0).toUpperCase()}${os.slice(1)} ${
        tryOr(() => Deno.osRelease(), "")
      } ${Deno.build.arch}`,
    ],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", server.multiplexingApi],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", Deno.pid],
    ["process_supervised", "no"],
    ["run_id", server.runId],
    ["tcp_port", server.port],
    ["server_time_usec", unixMicros()],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", Math.floor(Date.now() / 1000) & 0xffffff],
    ["executable", tryOr(() => Deno.execPath(), "")],
    ["config_file", server.config.configFile ?? ""],
    ["io_threads_active", 0],
    // As Redis: only while a shutdown waits for its replicas.
    ...(server.shutdownWait.inProgress
      ? [["shutdown_in_milliseconds", server.shutdownWait.remainingMs()] as InfoField]
      : []),
  ];
}
