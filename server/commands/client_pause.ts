/** CLIENT PAUSE and CLIENT UNPAUSE (server/pause.ts holds the state). */
import { parseInteger } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import type { CommandContext } from "../context.ts";
import {
  CommandError,
  PAUSE_MODE,
  subcommandSyntax,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_INTEGER,
} from "../errors.ts";

function clientPause(ctx: CommandContext, argv: string[]): void {
  const modeArg = argv[3]?.toLowerCase();
  if (modeArg !== undefined && modeArg !== "write" && modeArg !== "all") {
    throw new CommandError(PAUSE_MODE);
  }
  const ms = parseInteger(argv[2] ?? "");
  if (ms === undefined) throw new CommandError(TIMEOUT_NOT_INTEGER);
  if (ms < 0) throw new CommandError(TIMEOUT_NEGATIVE);
  ctx.server.pause.pause(Date.now() + ms, modeArg === "write" ? "write" : "all");
  ctx.out.ok();
}

const pauseFlags = {
  flags: ["admin", "noscript", "loading", "stale"],
  group: "connection",
} as const;

/** Rows for CLIENT's subcommand table. */
export const clientPauseSubcommands: CommandSpec[] = [
  {
    ...pauseFlags,
    name: "pause",
    arity: -3,
    since: "3.0.0",
    summary: "Suspends commands processing.",
    syntax: "timeout [WRITE | ALL]",
    complexity: "O(1)",
    handler(ctx, argv) {
      if (argv.length > 4) throw new CommandError(subcommandSyntax(argv));
      clientPause(ctx, argv);
    },
  },
  {
    ...pauseFlags,
    name: "unpause",
    arity: 2,
    since: "6.2.0",
    summary: "Resumes processing commands from paused clients.",
    syntax: "",
    complexity: "O(N) Where N is the number of paused clients",
    handler(ctx) {
      ctx.server.pause.unpause();
      ctx.out.ok();
    },
  },
];
