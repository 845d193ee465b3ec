/**
 * MONITOR: every command the server runs, as a status line to each
 * monitoring client, in Redis's format:
 *
 *   +1339518083.107412 [0 127.0.0.1:60866] "set" "key" "value"
 *
 * (time with microseconds, database, client address or "lua" for commands
 * run by scripts, arguments quoted as Redis's sdscatrepr, secrets redacted).
 */
import type { Client } from "./client.ts";
import type { Command } from "./command.ts";
import { redactArgs } from "./slowlog.ts";
import { unixMicros } from "./clock.ts";

const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\x07": "\\a",
  "\b": "\\b",
};

/** A binary string quoted as Redis's sdscatrepr: escapes, \xHH for other unprintables. */
export function quoteRepr(s: string): string {
  let out = '"';
  for (const c of s) {
    const escaped = ESCAPES[c];
    if (escaped !== undefined) out += escaped;
    else {
      const code = c.charCodeAt(0);
      out += code >= 32 && code < 127 ? c : `\\x${code.toString(16).padStart(2, "0")}`;
    }
  }
  return out + '"';
}

/** One MONITOR line (without the "+" and CRLF the reply writer adds). */
export function monitorLine(
  client: Client,
  dbIndex: number,
  argv: readonly string[],
  nowMs: number,
): string {
  const seconds = Math.floor(nowMs / 1000);
  const micros = Math.floor((nowMs - seconds * 1000) * 1000);
  // A client without a socket runs the commands of scripts (AOF replay happens before MONITOR).
  const origin = client.transport.remoteAddr === "" ? "lua" : client.transport.remoteAddr;
  const args = argv.map(quoteRepr).join(" ");
  return `${seconds}.${String(micros).padStart(6, "0")} [${dbIndex} ${origin}] ${args}`;
}

/**
 * When a call is shown: scripts (EVAL, FCALL: flagged skip_monitor) before
 * they run, so that the commands they run follow them; other commands after
 * they ran, except admin ones, which Redis never shows.
 */
export function monitorWhen(command: Command): "before" | "after" | "never" {
  const flags = command.spec.flags;
  if (flags.includes("skip_monitor")) {
    return command.spec.group === "scripting" ? "before" : "never";
  }
  return flags.includes("admin") ? "never" : "after";
}

/** Sends a call's line to every monitoring client. */
export function feedMonitors(
  monitors: ReadonlySet<Client>,
  client: Client,
  command: Command,
  argv: readonly string[],
): void {
  const nowMs = unixMicros() / 1000;
  const line = monitorLine(client, client.db.index, redactArgs(command.fullName, argv), nowMs);
  for (const monitor of monitors) {
    const out = monitor.out;
    const running = out.replyOpen;
    // The monitor's own reply may be open (it ran this command): the line goes in front.
    const setAside = out.beginOutOfBand();
    out.simple(line);
    out.endPush(setAside);
    if (!running) monitor.transport.flushSoon();
  }
}
