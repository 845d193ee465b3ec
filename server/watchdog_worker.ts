/**
 * The watchdog's own thread (see watchdog.ts): checks the heartbeat a few
 * times per period and logs, once per stuck command, which command from
 * which client has run past watchdog-period.
 */
/// <reference lib="deno.worker" />
import { openLog } from "./log.ts";
import { CLIENT_ID, COMMAND_INDEX, SINCE, type WatchdogMessage } from "./watchdog.ts";

const names = new Map<number, string>();
const clients = new Map<number, string>();
let timer: ReturnType<typeof setInterval> | undefined;

self.onmessage = (event: MessageEvent<WatchdogMessage>) => {
  const message = event.data;
  if (message.type === "name") names.set(message.index, message.name);
  else if (message.type === "client") clients.set(message.id, message.addr);
  else if (message.type === "forget") clients.delete(message.id);
  else start(message.shared, message.periodMs, message.logfile);
};

function start(shared: SharedArrayBuffer, periodMs: number, logfile: string): void {
  const since = new Float64Array(shared, 0, 1);
  const ids = new Int32Array(shared);
  const log = openLog(logfile);
  let reported = 0;
  if (timer !== undefined) clearInterval(timer);
  timer = setInterval(() => {
    const began = since[SINCE] ?? 0;
    if (began === 0 || began === reported || Date.now() - began <= periodMs) return;
    reported = began;
    const id = ids[CLIENT_ID] ?? 0;
    const command = names.get(ids[COMMAND_INDEX] ?? -1) ?? "?";
    log(
      `--- WATCHDOG TIMER EXPIRED --- command '${command}' from client id=${id} ` +
        `addr=${clients.get(id) ?? "?"} has run for ${Date.now() - began} ms ` +
        `(watchdog-period ${periodMs} ms)`,
    );
  }, Math.max(5, Math.floor(periodMs / 4)));
}
