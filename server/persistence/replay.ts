/**
 * Runs the commands of an append-only file against the keyspace, as Redis's
 * loadSingleAppendOnlyFile does with its fake client: straight to the
 * handlers (no statistics, no propagation), with MULTI ... EXEC applied as
 * a unit, replies discarded, and blocking commands never blocking.
 */
import type { Client } from "../client.ts";
import type { Command } from "../command.ts";
import type { ServerContext } from "../context.ts";
import { CommandError } from "../errors.ts";
import { FormatError } from "./format_error.ts";

/** Commands replayed between two turns of the event loop at start-up (Redis's loop of 1024). */
export const REPLAY_STEP = 1024;

/**
 * Replays `commands` (from `fileName`, for messages), yielding the number
 * done after each `step` of them. Throws FormatError on an unknown command.
 */
export function* replaySteps(
  server: ServerContext,
  commands: string[][],
  fileName: string,
  step: number,
): Generator<number, void> {
  const client = server.createInternalClient();
  client.obeys = true;
  let busy: (() => boolean) | undefined;
  client.onBusyScript = (resume) => busy = resume;
  let transaction: [Command, string[]][] | undefined;
  let done = 0;
  for (const argv of commands) {
    if (++done % step === 0) yield done;
    const [first = ""] = argv;
    const name = first.toLowerCase();
    if (name === "multi") {
      transaction = [];
      continue;
    }
    if (name === "exec" && transaction !== undefined) {
      for (const [command, args] of transaction) {
        run(client, command, args);
        if (busy !== undefined) yield* finish(server, busy, done);
        busy = undefined;
      }
      transaction = undefined;
      continue;
    }
    const command = server.commands.resolve(argv);
    if (command === undefined || !command.arityFits(argv.length)) {
      throw new FormatError(
        `Unknown command '${first.slice(0, 128)}' reading the append only file ${fileName}`,
      );
    }
    if (transaction !== undefined) transaction.push([command, argv]);
    else {
      run(client, command, argv);
      if (busy !== undefined) yield* finish(server, busy, done);
      busy = undefined;
    }
  }
}

/**
 * Runs a busy script to its end, yielding `done` after each of its slices:
 * as Redis's scriptInterrupt processes events while loading, other clients
 * are answered between them (-LOADING, or -BUSY for commands allowed while
 * loading).
 */
function* finish(server: ServerContext, resume: () => boolean, done: number): Generator<number> {
  const persistence = server.persistence;
  for (;;) {
    persistence.replaying = true;
    try {
      if (resume()) return;
    } finally {
      persistence.replaying = false;
    }
    yield done;
  }
}

function run(client: Client, command: Command, argv: string[]): void {
  // As inside EXEC: a blocking command answers at once instead of waiting.
  client.inExec = true;
  // As Redis while loading: no key expires, so a later command finds what the file built.
  const persistence = client.server.persistence;
  persistence.replaying = true;
  try {
    command.handler!(client, argv);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
  } finally {
    persistence.replaying = false;
    client.failure = undefined;
  }
  client.out.pos = 0;
}
