/** Small helpers shared by the REPL's modes (--scan, --latency, --stat...). */
import type { RespValue } from "../protocol/resp.ts";
import { ConnectionError } from "./connection.ts";
import type { Session } from "./session.ts";

/** A mode gives up: its message is printed on stderr and the exit code is 1. */
export class ModeError extends Error {}

export const sleep = (seconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * `x` with `digits` decimals as C's printf("%.*f") writes it: an exact tie
 * rounds to even (JS's toFixed rounds it up).
 */
export function cFixed(x: number, digits: number): string {
  const scale = 10 ** digits;
  const scaled = x * scale;
  if (
    Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && scaled - Math.floor(scaled) === 0.5
  ) {
    const floor = Math.floor(scaled);
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / scale).toFixed(digits);
  }
  return x.toFixed(digits);
}

/**
 * Sends a command, reconnecting for as long as it takes when the link is
 * lost (reconnectingRedisCommand): "Reconnecting... N" on one line, a try a
 * second.
 */
export async function reconnectingCall(
  session: Session,
  argv: readonly string[],
): Promise<RespValue> {
  let tries = 0;
  for (;;) {
    const conn = session.connection;
    if (conn !== undefined) {
      try {
        const reply = await conn.call(argv);
        if (tries > 0) await session.options.output.stdout("\r\x1b[0K");
        return reply;
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        session.close();
      }
    }
    await session.options.output.stdout(`\r\x1b[0KReconnecting... ${++tries}\r`);
    await session.connect(true);
    await sleep(1);
  }
}
