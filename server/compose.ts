/**
 * The composition root: builds one server from its parts — its own command
 * table (and so its own statistics), persistence, scripting, replication,
 * maxmemory — and wires them
 * together. Entry points (start.ts, tests) build servers here; nothing else
 * needs to know how the parts fit.
 */
import { CommandTable } from "./command.ts";
import { commandGroups } from "./commands/table.ts";
import { Config } from "./config.ts";
import { ConfigError } from "./config_params.ts";
import { MaxMemory } from "./maxmemory.ts";
import { exposedGc, MemoryReducer } from "./memory_reducer.ts";
import { Persistence } from "./persistence/manager.ts";
import { Scripting } from "./scripting/runner.ts";
import { attachReplication } from "./replication/attach.ts";
import { RedisServer } from "./server.ts";

export function createServer(config = new Config()): RedisServer {
  const server = new RedisServer(config, commandTable(config));
  server.persistence = new Persistence(server);
  server.scripting = new Scripting(server);
  server.replication = attachReplication(server);
  const maxmemory = server.maxmemory = new MaxMemory(server);
  server.cronHooks.push(() => maxmemory.cron());
  server.shutdownHooks.push(() => maxmemory.stop());
  const reducer = server.memoryReducer = new MemoryReducer({
    activity: () => server.stats.readsProcessed + server.stats.commandsProcessed,
    heapTotal: () => Deno.memoryUsage().heapTotal,
    collect: exposedGc(),
    log: (message) => server.log(message),
  });
  server.cronHooks.push(() => reducer.tick());
  return server;
}

/**
 * The command table `config` asks for: every command, renamed or removed by
 * its rename-command lines. Throws ConfigError for one that does not apply
 * (an unknown command, a name taken), as redis-server stops at it.
 */
export function commandTable(config: Config): CommandTable {
  const table = new CommandTable(commandGroups);
  for (const [from, to] of config.renamedCommands) {
    const error = table.rename(from, to);
    if (error !== undefined) {
      throw new ConfigError(`bad config 'rename-command ${from} ${to}': ${error}`);
    }
  }
  return table;
}
