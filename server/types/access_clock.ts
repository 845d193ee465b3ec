/**
 * The clock the key table stamps accesses with (OBJECT IDLETIME, LRU and LFU
 * eviction): Redis's LRU clock, seconds modulo 2^24.
 */

export function lruClock(now: number): number {
  return Math.floor(now / 1000) & 0xffffff;
}

/**
 * The LRU clock stamped on accesses. Reading Date.now() costs ~60 ns, a
 * quarter of a GET, so like Redis's server.lruclock it is refreshed by the
 * server's cron (advanceAccessClock) instead of read per access.
 */
export let accessClock = lruClock(Date.now());

/** Called by the server cron every tick. */
export function advanceAccessClock(now: number): void {
  accessClock = lruClock(now);
}

/** Seconds from `last` to `now` on the wrapping 24-bit clock. */
export function clockDistance(last: number, now: number): number {
  return now >= last ? now - last : now + 0x1000000 - last;
}

/**
 * Counts the commands run: the key table keeps every collection a command
 * looked up as a live object until the command is over (it may still write
 * it), however many others the command looks up meanwhile.
 */
export let useEpoch = 0;
/** Commands running (nested: EXEC, scripts); 0 while loading or between commands. */
export let commandDepth = 0;

/**
 * The running command's time (ms), read on first use; -1 until then. In a
 * typed array: a module variable holding a time boxes each new value (16
 * bytes a command).
 */
const commandMs = new Float64Array([-1]);

/**
 * Called by dispatch as a command's handler starts and ends; `nowMs` is the
 * time dispatch already read for the call, if it did (-1: none), as Redis's
 * call() seeds its cached time from the call's timer.
 */
export function enterCommand(nowMs = -1): void {
  useEpoch = (useEpoch + 1) | 0;
  if (commandDepth++ === 0) commandMs[0] = nowMs;
}

/**
 * Now, in ms, for expiry: while a command runs (with the commands of its
 * EXEC or script), the time it first asked, as Redis's keyIsExpired reads
 * server.mstime during a call. A key cannot expire halfway through a
 * command, and a command checking many keys reads the clock (~50 ns) once.
 */
export function commandTime(): number {
  if (commandDepth === 0) return Date.now();
  if (commandMs[0]! < 0) commandMs[0] = Date.now();
  return commandMs[0]!;
}

/**
 * Now, in ms, for a time a command reports (TTL's remaining time, which Redis
 * reads from mstime()): the command's own time when it runs alone, read
 * microseconds ago; the clock itself inside EXEC or a script, where Redis's
 * readings advance as the transaction runs.
 */
export function reportTime(): number {
  return commandDepth === 1 ? commandTime() : Date.now();
}

export function leaveCommand(): void {
  commandDepth--;
}
