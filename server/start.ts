/**
 * `redis-home serve`: builds the configuration from redis.conf and flags,
 * starts the server, and shuts it down gracefully on SIGINT/SIGTERM.
 */
import { createServer } from "./compose.ts";
import { Config, ConfigError, parseConfigFile } from "./config.ts";
import { LoadError } from "./persistence/manager.ts";
import { VERSION } from "../protocol/version.ts";

export { ConfigError };

export interface ServeOptions {
  configFile?: string;
  /** [name, value] pairs from the command line; they override the file. */
  overrides: [string, string][];
}

/** Builds a configuration; throws ConfigError with a one-line reason. */
export function buildConfig(options: ServeOptions): Config {
  const config = new Config();
  const pairs: [string, string][] = [];
  if (options.configFile !== undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(options.configFile);
    } catch (err) {
      throw new ConfigError(`cannot read ${options.configFile}: ${(err as Error).message}`);
    }
    pairs.push(...parseConfigFile(text));
    const file = options.configFile;
    config.configFile = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  }
  pairs.push(...options.overrides);
  // As redis-server: `save` directives add up across the file and the flags; `save ""` clears.
  let save = "";
  for (const [name, given] of pairs) {
    let value = given;
    if (config.spec(name) === undefined) {
      throw new ConfigError(
        `bad config '${name} ${value}': Bad directive or wrong number of arguments`,
      );
    }
    if (name.toLowerCase() === "save") {
      value = save = value === "" || save === "" ? value : `${save} ${value}`;
    }
    try {
      config.set(name, value, true);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(`bad config '${name} ${given}': ${err.reason}`);
    }
  }
  return config;
}

/** Runs the server until a signal or SHUTDOWN stops it; resolves with the exit code. */
export async function serve(config: Config): Promise<number> {
  const server = createServer(config);
  const persistence = server.persistence;
  try {
    // The RDB file or the AOF, loaded before the first client can connect.
    persistence.loadOnStart();
  } catch (err) {
    if (!(err instanceof LoadError)) throw err;
    console.error(`redis-home: ${err.message}`);
    return 1;
  }
  let port: number;
  try {
    port = server.listen();
  } catch (err) {
    console.error(
      `redis-home: cannot listen on ${config.get("bind")}:${config.get("port")}: ${
        (err as Error).message
      }`,
    );
    return 1;
  }
  server.log(`redis-home ${VERSION} ready on ${config.get("bind")}:${port} (pid ${Deno.pid})`);
  const { promise: stopped, resolve } = Promise.withResolvers<void>();
  // SHUTDOWN stops the server from a command; the process ends with it.
  server.shutdownHooks.push(() => resolve());
  let refused = false;
  const onSignal = () => {
    server.log("signal received, shutting down");
    // As Redis: a final snapshot when save rules exist; if it fails the server keeps
    // running, and a second signal stops it anyway.
    if (!persistence.prepareShutdown({ force: refused })) {
      refused = true;
      server.log("Errors trying to shut down the server. Check the logs for more information.");
      return;
    }
    server.shutdown();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  await stopped;
  await server.shutdown();
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
  server.log("bye");
  return 0;
}
