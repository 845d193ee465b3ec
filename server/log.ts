/**
 * The server log as redis.conf's `logfile` places it: an empty name means
 * standard output, any other is a file opened for appending. Lines have
 * Redis's shape (`1234:M 04 Dec 2026 21:08:56.946 * message`) so that tools
 * reading Redis logs, such as Redis's own test harness, read ours.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Opens the log; throws Deno's error when the file cannot be opened. */
export function openLog(logfile: string): (message: string) => void {
  const file = logfile === ""
    ? Deno.stdout
    : Deno.openSync(logfile, { append: true, create: true, write: true });
  const encoder = new TextEncoder();
  return (message) => {
    const bytes = encoder.encode(`${Deno.pid}:M ${logTimestamp(new Date())} * ${message}\n`);
    try {
      for (let sent = 0; sent < bytes.length;) sent += file.writeSync(bytes.subarray(sent));
    } catch {
      // A log that cannot be written (stdout closed, disk full) must not stop the server.
    }
  };
}

/** Redis's log timestamp, local time: `04 Dec 2026 21:08:56.946`. */
export function logTimestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const day = `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${day} ${time}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
