/**
 * Runs scripts for the command layer: the host a script's redis.call goes
 * through (Redis's scriptCall checks, then the one dispatch path on a
 * socketless script client, the reply captured from its writer), MULTI/EXEC
 * wrapping of the script's effects for the AOF, and long scripts: past
 * busy-reply-threshold the caller is parked like a blocked client, other
 * clients get -BUSY (dispatch checks `server.busyScriptError`), and the
 * script continues in slices between event-loop turns until it ends or
 * SCRIPT KILL stops it.
 */
import { RespReplyDecoder, type RespValue } from "../../protocol/resp.ts";
import { checkCall, logDenial } from "../acl/access.ts";
import type { Client } from "../client.ts";
import type { CommandContext, ServerContext } from "../context.ts";
import {
  BUSY_EVAL,
  BUSY_FUNCTION,
  CommandError,
  NOTBUSY,
  SCRIPT_DENIED_COMMAND,
  SCRIPT_RO_WRITE,
  SCRIPT_UNKNOWN_COMMAND,
  SCRIPT_WRONG_ARITY,
  scriptAclDenied,
  UNKILLABLE,
} from "../errors.ts";
import { writeReply } from "./convert.ts";
import { ScriptEngine, type ScriptRun } from "./engine.ts";
import { FunctionLibraries } from "./functions.ts";
import type { ScriptHost } from "./redis_api.ts";

/** How long one turn of a busy script runs before the event loop gets a turn. */
const SLICE_MS = 20;

interface Running {
  run: ScriptRun;
  isEval: boolean;
  /** The command that started it (FUNCTION STATS). */
  argv: string[];
  /** A write command was called: SCRIPT KILL must refuse (UNKILLABLE). */
  wrote: boolean;
  /** Who ran the script: its commands are checked against this client's ACL user. */
  caller: CommandContext;
}

/** Per-server scripting state: the EVAL engine, the script client, the running script. */
export class Scripting {
  readonly engine = new ScriptEngine();
  readonly functions = new FunctionLibraries();
  running: Running | undefined;
  #client: Client | undefined;
  readonly #decoder = new RespReplyDecoder();

  constructor(readonly server: ServerContext) {}

  /** The socketless client scripts run their commands as (Redis's lua_client). */
  get scriptClient(): Client {
    this.#client ??= this.server.createInternalClient();
    return this.#client;
  }

  /** SCRIPT KILL / FUNCTION KILL. Returns the error text, or undefined when the kill was requested. */
  kill(isEval: boolean): string | undefined {
    const running = this.running;
    if (running === undefined) return NOTBUSY;
    if (running.wrote) return UNKILLABLE;
    if (isEval !== running.isEval) return running.isEval ? BUSY_EVAL : BUSY_FUNCTION;
    running.run.killed = true;
    return undefined;
  }

  /** Runs `argv` for the script: Redis's scriptCall checks, then the command itself. */
  call(running: Running, readOnly: boolean, argv: string[], resp: 2 | 3): RespValue {
    const server = this.server;
    const command = server.commands.resolve(argv);
    const error = (value: string): RespValue => {
      server.stats.countError(value);
      return { type: "error", value };
    };
    if (command === undefined) return error(SCRIPT_UNKNOWN_COMMAND);
    if (!command.arityFits(argv.length)) return error(SCRIPT_WRONG_ARITY);
    const flags = command.spec.flags;
    if (flags.includes("noscript")) return error(SCRIPT_DENIED_COMMAND);
    const denial = checkCall(server.acl, running.caller.client.user, command, argv);
    if (denial !== undefined) {
      logDenial(running.caller, denial, command, argv, "lua");
      return error(scriptAclDenied(denial.reason));
    }
    if (readOnly && (command.isWrite || flags.includes("may_replicate"))) {
      return error(SCRIPT_RO_WRITE);
    }
    if (command.isWrite) running.wrote = true;
    const client = this.scriptClient;
    client.setResp(resp);
    const out = client.out;
    const mark = out.pos;
    client.execute(command, argv);
    const reply = this.#decoder.decode(out.buf, mark, out.pos);
    out.truncate(mark);
    return reply ?? { type: "null" };
  }
}

const registry = new WeakMap<ServerContext, Scripting>();

/** The scripting state of a server, made on first use. */
export function scriptingOf(server: ServerContext): Scripting {
  let scripting = registry.get(server);
  if (scripting === undefined) {
    scripting = new Scripting(server);
    registry.set(server, scripting);
  }
  return scripting;
}

export interface RunOptions {
  /** EVAL_RO / FCALL_RO, or a script declaring no-writes: write commands are refused. */
  readOnly: boolean;
  isEval: boolean;
  argv: string[];
}

/** Starts the script's run with the given host and busy threshold. */
export type StartRun = (
  scripting: Scripting,
  host: ScriptHost,
  busyThresholdMs: number,
) => ScriptRun;

/** Runs a script or function for the caller and replies (now, or when a busy script ends). */
export function runScript(ctx: CommandContext, start: StartRun, options: RunOptions): void {
  const server = ctx.server;
  const scripting = scriptingOf(server);
  const scriptClient = scripting.scriptClient;
  scriptClient.selectDb(ctx.db.index);
  // As Redis's script client: the script's commands run as the caller's user.
  scriptClient.user = ctx.client.user;
  scriptClient.inExec = true;
  const host: ScriptHost = {
    call: (argv, resp) => scripting.call(running, options.readOnly, argv, resp),
    aclCheck: (argv) => {
      const command = server.commands.resolve(argv);
      if (command === undefined) return undefined;
      return checkCall(server.acl, ctx.client.user, command, argv) === undefined;
    },
    log: (level, message) => {
      if (level >= 2) server.log(message);
    },
    setRepl: () => {},
  };
  const threshold = server.config.getNumber("busy-reply-threshold");
  const ownsPropagation = server.execPropagation === "off";
  if (ownsPropagation) server.execPropagation = "pending";
  const run = start(scripting, host, threshold);
  const running: Running = {
    run,
    isEval: options.isEval,
    argv: options.argv,
    wrote: false,
    caller: ctx,
  };
  scripting.running = running;
  const finish = () => {
    scripting.running = undefined;
    scriptClient.inExec = false;
    if (ownsPropagation) {
      const sent = server.execPropagation === "sent";
      server.execPropagation = "off";
      if (sent) server.propagate(scriptClient.db.index, ["EXEC"]);
    }
  };
  // Inside EXEC the caller cannot be parked mid-transaction: the script runs to its end.
  while (!run.resume()) {
    if (!ctx.inExec) return continueBusy(ctx.client, scripting, run, options.isEval, finish);
  }
  finish();
  if (run.reply.type === "error") throw new CommandError(run.reply.value);
  writeReply(ctx.out, run.reply);
}

/** Parks the caller and runs the rest of a busy script in slices. */
function continueBusy(
  caller: Client,
  scripting: Scripting,
  run: ScriptRun,
  isEval: boolean,
  finish: () => void,
): void {
  const server = scripting.server;
  server.busyScriptError = isEval ? BUSY_EVAL : BUSY_FUNCTION;
  server.blocking.block(caller, {
    keys: [],
    deadline: 0,
    tryServe: () => false,
    onTimeout: () => {},
  });
  const step = () => {
    const until = performance.now() + SLICE_MS;
    while (!run.resume()) {
      if (performance.now() >= until) return void setTimeout(step, 0);
    }
    finish();
    server.busyScriptError = undefined;
    const out = caller.out;
    out.beginReply();
    if (run.reply.type === "error") {
      server.stats.countError(run.reply.value);
      out.error(run.reply.value);
    } else writeReply(out, run.reply);
    out.endReply();
    server.blocking.unblock(caller);
  };
  setTimeout(step, 0);
}
