/**
 * `redis-home serve`: builds the configuration from redis.conf and flags,
 * starts the server, and shuts it down gracefully on SIGINT/SIGTERM.
 */
import { commandTable, createServer } from "./compose.ts";
import { Config, parseConfigFile } from "./config.ts";
import { ConfigError } from "./config_params.ts";
import { DUPLICATE_CONFIG_USER } from "./acl/acl.ts";
import { loadAclFile } from "./commands/acl.ts";
import { ListenError } from "./listeners.ts";
import { openLog } from "./log.ts";
import { TlsConfigError } from "./tls_config.ts";
import { LoadError } from "./persistence/load.ts";
import type { RedisServer } from "./server.ts";
import { VERSION } from "../protocol/version.ts";
import { quoteRepr } from "./monitor.ts";
import { BAD_DIRECTIVE, CONFIG_BAD_MASTER_PORT, WRONG_CONFIG_ARITY } from "./errors.ts";

export { ConfigError };

export interface ServeOptions {
  configFile?: string;
  /** [name, ...arguments] directives from the command line; they override the file. */
  overrides: string[][];
}

/** Builds a configuration; throws ConfigError with a one-line reason. */
export function buildConfig(options: ServeOptions): Config {
  const config = new Config();
  /** Directives in order: name, value, and the line a failure quotes. */
  const pairs: [string, string, string][] = [];
  if (options.configFile !== undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(options.configFile);
    } catch (err) {
      throw new ConfigError(`cannot read ${options.configFile}: ${(err as Error).message}`);
    }
    for (const [name, value] of parseConfigFile(text)) {
      pairs.push([name, value, value === "" ? name : `${name} ${value}`]);
    }
    const file = options.configFile;
    config.configFile = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  }
  for (const [name = "", ...args] of options.overrides) {
    // As redis-server quotes a command line's arguments into its config text.
    const line = [name, ...args.map(quoteRepr)].join(" ");
    checkArgumentCount(config, name, args, line);
    pairs.push([name.toLowerCase(), args.join(" "), line]);
  }
  // As redis-server: `save` directives add up across the file and the flags; `save ""` clears.
  let save = "";
  for (const [name, given, line] of pairs) {
    let value = given;
    if (name === "user") {
      // Rules are checked and applied once the server (and its command table) exists.
      const words = value.split(" ").filter((w) => w !== "");
      if (config.aclUsers.some((u) => u[0] === words[0])) {
        throw new ConfigError(
          `bad config 'user ${value}': Error in user declaration '${
            words[0]
          }': ${DUPLICATE_CONFIG_USER}`,
        );
      }
      config.aclUsers.push(words);
      continue;
    }
    if (name === "rename-command") {
      const words = value.split(" ");
      if (words.length !== 2) throw new ConfigError(`bad config '${line}': ${BAD_DIRECTIVE}`);
      config.renamedCommands.push([words[0]!, words[1]!]);
      continue;
    }
    if (config.spec(name) === undefined) {
      throw new ConfigError(`bad config '${line}': ${BAD_DIRECTIVE}`);
    }
    if (name.toLowerCase() === "save") {
      value = save = value === "" || save === "" ? value : `${save} ${value}`;
    }
    try {
      config.set(name, value, true);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(`bad config '${line}': ${err.reason}`);
    }
  }
  // One that does not apply stops the start here, with the other bad lines.
  if (config.renamedCommands.length > 0) commandTable(config);
  return config;
}

/**
 * A command-line directive's argument count, as redis-server checks its
 * config lines: one for a parameter that takes one, two for replicaof (a
 * port in range), any for the several-word ones and `user`.
 */
function checkArgumentCount(config: Config, name: string, args: string[], line: string): void {
  const lower = name.toLowerCase();
  if (lower === "replicaof" || lower === "slaveof") {
    if (args.length !== 2) throw new ConfigError(`bad config '${line}': ${BAD_DIRECTIVE}`);
    const port = args[1]!;
    const isNoOne = args[0]!.toLowerCase() === "no" && port.toLowerCase() === "one";
    if (!isNoOne && !(/^[+-]?\d+$/.test(port) && Number(port) >= 0 && Number(port) <= 65535)) {
      throw new ConfigError(`bad config '${line}': ${CONFIG_BAD_MASTER_PORT}`);
    }
    return;
  }
  const spec = config.spec(name);
  if (spec === undefined || lower === "user" || config.takesSeveral(spec.name)) return;
  if (args.length !== 1) throw new ConfigError(`bad config '${line}': ${WRONG_CONFIG_ARITY}`);
}

/** Runs the server until a signal or SHUTDOWN stops it; resolves with the exit code. */
export async function serve(config: Config): Promise<number> {
  let log: (message: string) => void;
  try {
    log = openLog(config.get("logfile"));
  } catch (err) {
    console.error(`redis-home: can't open the log file: ${(err as Error).message}`);
    return 1;
  }
  const server = createServer(config);
  // The in-process servers of tests keep RedisServer's own log; a served one honours `logfile`.
  server.log = log;
  server.log(`redis-home ${VERSION} starting, PID: ${Deno.pid}`);
  const pidfile = config.get("pidfile");
  if (pidfile !== "") writePidFile(server, pidfile);
  try {
    return await run(server, config);
  } finally {
    if (pidfile !== "") removePidFile(pidfile);
  }
}

async function run(server: RedisServer, config: Config): Promise<number> {
  const aclError = loadUsers(server, config);
  if (aclError !== undefined) {
    server.log(aclError);
    return 1;
  }
  const persistence = server.persistence;
  let port: number;
  try {
    port = server.listen();
  } catch (err) {
    if (err instanceof TlsConfigError) {
      server.log(`TLS: ${err.message}`);
      return 1;
    }
    if (!(err instanceof ListenError)) throw err;
    server.log(err.message);
    return 1;
  }
  try {
    await server.tlsReady;
  } catch (err) {
    server.log(`Could not create server TLS listening socket: ${(err as Error).message}`);
    server.log(`Failed listening on port ${server.tlsPort} (TLS), aborting.`);
    return 1;
  }
  server.log(`Listening on ${config.get("bind")}:${port}`);
  if (server.tlsPort !== 0) {
    server.log(`Listening on ${config.get("bind")}:${server.tlsPort} (TLS)`);
  }
  const { promise: stopped, resolve } = Promise.withResolvers<"stopped">();
  // SHUTDOWN stops the server from a command (also while loading); the process ends with it.
  server.shutdownHooks.push(() => resolve("stopped"));
  let refused = false;
  const onSignal = (sigint: boolean) => {
    // As Redis: a second Ctrl-C while the shutdown waits for replicas stops at once.
    if (server.shutdownWait.inProgress && sigint) {
      server.log("You insist... exiting now.");
      Deno.exit(1);
    }
    server.log("signal received, shutting down");
    // As Redis: a wait for lagging replicas, then a final snapshot when save rules exist; if
    // that fails the server keeps running, and a second signal stops it anyway.
    if (!server.shutdownWait.begin({ force: refused }) && !server.shutdownWait.inProgress) {
      refused = true;
    }
  };
  const onSigint = () => onSignal(true);
  const onSigterm = () => onSignal(false);
  Deno.addSignalListener("SIGINT", onSigint);
  Deno.addSignalListener("SIGTERM", onSigterm);
  // The RDB file or the AOF; clients that connect meanwhile are told -LOADING.
  const loaded = persistence.loadWhileServing();
  // A load that fails after a SHUTDOWN stopped the server no longer matters.
  loaded.catch(() => {});
  try {
    if (await Promise.race([loaded, stopped]) !== "stopped") {
      server.log("Ready to accept connections");
      await stopped;
    }
  } catch (err) {
    if (!(err instanceof LoadError)) throw err;
    // As Redis: the reason is the log's last line (tools and its test harness read it there).
    server.log(err.message);
    return 1;
  }
  await server.shutdown();
  Deno.removeSignalListener("SIGINT", onSigint);
  Deno.removeSignalListener("SIGTERM", onSigterm);
  server.log("bye");
  return 0;
}

/** As Redis: a pid file that cannot be written is logged, not fatal. */
function writePidFile(server: RedisServer, path: string): void {
  try {
    Deno.writeTextFileSync(path, `${Deno.pid}\n`);
  } catch (err) {
    server.log(`Failed to write PID file: ${(err as Error).message}`);
  }
}

function removePidFile(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Never written, or already gone.
  }
}

/**
 * The users of redis.conf `user` lines or of the aclfile (never both), as
 * Redis loads them at start (ACLLoadUsersAtStartup); the error to log, if any.
 */
function loadUsers(server: RedisServer, config: Config): string | undefined {
  const aclfile = config.get("aclfile");
  if (aclfile !== "" && config.aclUsers.length > 0) {
    return "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.";
  }
  const error = server.acl.loadConfiguredUsers(config.aclUsers);
  if (error !== undefined) return `${error}\nCritical error while loading ACLs. Exiting.`;
  if (aclfile === "") return undefined;
  const errors = loadAclFile(undefined, server);
  return errors === undefined
    ? undefined
    : `Aborting Redis startup because of ACL errors: ${errors}`;
}
