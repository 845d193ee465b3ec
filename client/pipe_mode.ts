/**
 * --pipe (redis-cli's pipeMode): mass insertion. Standard input, already in
 * RESP, goes to the server as it is while replies are read and counted; at
 * the end of input an ECHO of 20 random bytes marks the last reply. Prints
 * redis-cli's lines, ending with "errors: E, replies: R".
 */
import { binaryToBytes, bytesToBinary } from "../protocol/bytes.ts";
import { ConnectionError, type ServerConnection } from "./connection.ts";
import type { Output } from "./session.ts";

export interface PipeResult {
  errors: number;
  replies: number;
}

/** Where --pipe reads from: standard input, or bytes in tests. */
export interface ByteSource {
  read(buf: Uint8Array): Promise<number | null>;
}

const CHUNK = 16 * 1024;

/**
 * Streams `input` to the connection (which must speak RESP) and counts the
 * replies. `timeout` seconds without a reply after the input ended gives up
 * (0 waits forever).
 */
export async function pipeMode(
  conn: ServerConnection,
  input: ByteSource,
  out: Output,
  timeout: number,
): Promise<PipeResult> {
  const magic = bytesToBinary(crypto.getRandomValues(new Uint8Array(20)));
  const result: PipeResult = { errors: 0, replies: 0 };
  let inputEnded = false;
  let done = false;
  let lastReply = Date.now();

  const send = async () => {
    const chunk = new Uint8Array(CHUNK);
    for (;;) {
      const n = await input.read(chunk);
      if (n === null) break;
      await conn.write(chunk.slice(0, n));
    }
    inputEnded = true;
    await out.stdout("All data transferred. Waiting for the last reply...\n");
    // The leading CR LF keeps the ECHO readable after a truncated command.
    await conn.write(binaryToBytes(`\r\n*2\r\n$4\r\nECHO\r\n$20\r\n${magic}\r\n`));
  };

  const receive = async () => {
    while (!done) {
      const reply = await conn.read();
      lastReply = Date.now();
      if (reply.type === "error") {
        await out.stderr(reply.value + "\n");
        result.errors++;
      } else if (inputEnded && reply.type === "bulk" && reply.value === magic) {
        await out.stdout("Last reply received from server.\n");
        done = true;
        continue;
      }
      result.replies++;
    }
  };

  let timedOut: () => void = () => {};
  const watchdog = new Promise<void>((resolve) => (timedOut = resolve));
  const timer = setInterval(() => {
    if (inputEnded && timeout > 0 && Date.now() - lastReply > timeout * 1000) timedOut();
  }, 250);
  try {
    const finished = Promise.all([send(), receive()]).then(() => "done" as const);
    const outcome = await Promise.race([finished, watchdog.then(() => "timeout" as const)]);
    if (outcome === "timeout") {
      await out.stderr(`No replies for ${timeout} seconds: exiting.\n`);
      result.errors++;
      conn.close();
      await finished.catch(() => {});
    }
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    await out.stderr("Error reading replies from server\n");
    result.errors++;
  } finally {
    clearInterval(timer);
  }
  await out.stdout(`errors: ${result.errors}, replies: ${result.replies}\n`);
  return result;
}
