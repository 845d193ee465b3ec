/** Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, CLIENT. */
import { HELP_SUMMARY, helpRow } from "./help.ts";
import { arg, ArgCursor, int32Arg, intArg, parseInteger } from "../args.ts";
import type { CommandContext } from "../context.ts";
import type { CommandSpec } from "../command.ts";
import {
  AUTH_WITHOUT_PASSWORD,
  BAD_CLIENT_NAME,
  badClientInfo,
  CLIENT_ID_NOT_POSITIVE,
  CommandError,
  DB_INDEX_OUT_OF_RANGE,
  HELLO_NOAUTH,
  helloSyntax,
  NO_SUCH_CLIENT,
  NOPROTO,
  noSuchUser,
  NOT_INTEGER,
  PROTOCOL_VERSION_NOT_INTEGER,
  subcommandSyntax,
  SYNTAX,
  UNBLOCK_REASON,
  unknownClientType,
  unrecognizedOption,
  wrongArity,
  WRONGPASS,
} from "../errors.ts";
import { VERSION } from "../../protocol/version.ts";
import { clientPauseSubcommands } from "./client_pause.ts";
import { clientTrackingSubcommands } from "./client_tracking.ts";
import {
  clientInfoLine,
  clientListText,
  clientType,
  listedClients,
  parseClientType,
} from "./client_list.ts";

/** Names shown in CLIENT LIST must split on spaces: printable ASCII only. */
function isPrintableWord(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function setClientName(ctx: CommandContext, name: string): void {
  if (!isPrintableWord(name)) throw new CommandError(BAD_CLIENT_NAME);
  ctx.client.name = name;
}

/**
 * Logs the connection in as an ACL user (ACLAuthenticateUser); a wrong pair
 * or a disabled user is an "auth" entry in the ACL log and WRONGPASS.
 */
function authenticate(ctx: CommandContext, command: string, username: string, password: string) {
  const acl = ctx.server.acl;
  const user = acl.getUser(username);
  if (user === undefined || !user.authenticates(password)) {
    acl.log.add({
      reason: "auth",
      context: ctx.client.multi ? "multi" : "toplevel",
      object: command,
      username,
      time: Date.now(),
      clientInfo: clientInfoLine(ctx.client, Date.now()),
    }, ctx.server.config.getNumber("acllog-max-len"));
    throw new CommandError(WRONGPASS);
  }
  ctx.client.user = user;
  ctx.client.authenticated = true;
}

/**
 * CLIENT KILL in either form. Returns how many clients it closed; the caller
 * itself is closed after its reply.
 */
function killClients(ctx: CommandContext, argv: string[]): number {
  const server = ctx.server;
  let addr: string | undefined;
  let laddr: string | undefined;
  let type: string | undefined;
  let id: number | undefined;
  let user: string | undefined;
  let skipMe = true;
  if (argv.length === 3) {
    addr = arg(argv, 2);
    skipMe = false; // the old form may kill the caller
  } else {
    const args = new ArgCursor(argv, 2);
    while (args.hasMore()) {
      if (args.remaining < 2) throw new CommandError(SYNTAX);
      const option = args.nextOption();
      const value = args.next();
      if (option === "id") {
        const n = parseInteger(value);
        if (n === undefined || n < 1) {
          throw new CommandError(CLIENT_ID_NOT_POSITIVE);
        }
        id = n;
      } else if (option === "type") {
        type = parseClientType(value);
        if (type === undefined) throw new CommandError(unknownClientType(value));
      } else if (option === "addr") addr = value;
      else if (option === "laddr") laddr = value;
      else if (option === "user") {
        if (server.acl.getUser(value) === undefined) throw new CommandError(noSuchUser(value));
        user = value;
      } else if (option === "skipme") {
        const yes = value.toLowerCase();
        if (yes !== "yes" && yes !== "no") throw new CommandError(SYNTAX);
        skipMe = yes === "yes";
      } else throw new CommandError(SYNTAX);
    }
  }
  let killed = 0;
  // The link to our master is not a client here: TYPE MASTER or its address drops it
  // (it reconnects with PSYNC).
  const link = server.replication.link;
  if (
    link?.up && (type === undefined || type === "master") && laddr === undefined &&
    id === undefined && (addr === undefined ? type === "master" : addr === link.remoteAddr)
  ) {
    link.drop();
    killed++;
  }
  for (const other of [...server.clients.values()]) {
    if (addr !== undefined && other.transport.remoteAddr !== addr) continue;
    if (laddr !== undefined && other.transport.localAddr !== laddr) continue;
    if (type !== undefined && clientType(other) !== type) continue;
    if (id !== undefined && other.id !== id) continue;
    if (user !== undefined && other.user.name !== user) continue;
    if (other === ctx && skipMe) continue;
    if (other === ctx) ctx.client.closeAfterReply = true;
    else other.transport.close();
    killed++;
  }
  return killed;
}

const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <LIB-NAME|LIB-VER> <value>",
  "    Set client meta attributes (library name and version).",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "HELP",
  "    Prints this help.",
];

/** Shared attributes of the CLIENT subcommand rows. */
const clientSub = {
  flags: ["noscript", "loading", "stale"],
  group: "connection",
} as const;

const clientSubcommands: CommandSpec[] = [
  ...clientPauseSubcommands,
  ...clientTrackingSubcommands,
  {
    ...clientSub,
    name: "id",
    arity: 2,
    since: "5.0.0",
    summary: "Returns the unique client ID of the connection.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.int(ctx.client.id);
    },
  },
  {
    ...clientSub,
    name: "getname",
    arity: 2,
    since: "2.6.9",
    summary: "Returns the name of the connection.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      if (ctx.client.name === "") ctx.out.nil();
      else ctx.out.bulk(ctx.client.name);
    },
  },
  {
    ...clientSub,
    name: "setname",
    arity: 3,
    since: "2.6.9",
    summary: "Sets the connection name.",
    syntax: "connection-name",
    complexity: "O(1)",
    handler(ctx, argv) {
      setClientName(ctx, arg(argv, 2));
      ctx.out.ok();
    },
  },
  {
    ...clientSub,
    name: "setinfo",
    arity: 4,
    since: "7.2.0",
    summary: "Sets information specific to the client or connection.",
    syntax: "<LIB-NAME libname | LIB-VER libver>",
    complexity: "O(1)",
    handler(ctx, argv) {
      const option = arg(argv, 2);
      const attribute = option.toLowerCase();
      if (attribute !== "lib-name" && attribute !== "lib-ver") {
        throw new CommandError(unrecognizedOption(option));
      }
      const value = arg(argv, 3);
      if (!isPrintableWord(value) && value !== "") {
        throw new CommandError(badClientInfo(option));
      }
      if (attribute === "lib-name") ctx.client.libName = value;
      else ctx.client.libVersion = value;
      ctx.out.ok();
    },
  },
  {
    ...clientSub,
    name: "info",
    arity: 2,
    tips: ["nondeterministic_output"],
    since: "6.2.0",
    summary: "Returns information about the connection.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx, argv) {
      ctx.out.verbatim(clientInfoLine(ctx.client, Date.now(), argv) + "\n");
    },
  },
  {
    ...clientSub,
    flags: ["admin", "noscript", "loading", "stale"],
    name: "list",
    arity: -2,
    tips: ["nondeterministic_output"],
    since: "2.4.0",
    summary: "Lists open connections.",
    syntax: "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]",
    complexity: "O(N) where N is the number of client connections",
    handler(ctx, argv) {
      ctx.out.verbatim(clientListText(ctx, listedClients(ctx, argv), argv));
    },
  },
  {
    ...clientSub,
    flags: ["admin", "noscript", "loading", "stale"],
    name: "kill",
    arity: -3,
    since: "2.4.0",
    summary: "Terminates open connections.",
    syntax:
      "<ip:port | [ID client-id] [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME <YES | NO>]>",
    complexity: "O(N) where N is the number of client connections",
    handler(ctx, argv) {
      const killed = killClients(ctx, argv);
      if (argv.length > 3) ctx.out.int(killed);
      else if (killed === 0) throw new CommandError(NO_SUCH_CLIENT);
      else ctx.out.ok();
    },
  },
  {
    ...clientSub,
    name: "reply",
    arity: 3,
    since: "3.2.0",
    summary: "Instructs the server whether to reply to commands.",
    syntax: "<ON | OFF | SKIP>",
    complexity: "O(1)",
    handler(ctx, argv) {
      const mode = arg(argv, 2).toLowerCase();
      if (mode === "on") {
        ctx.client.replyMode = "on";
        ctx.out.ok();
      } else if (mode === "off") {
        ctx.client.replyMode = "off";
        ctx.out.ok(); // dropped: OFF and SKIP are never answered
      } else if (mode === "skip") {
        if (ctx.client.replyMode !== "off") ctx.client.replyMode = "skip-next";
        ctx.out.ok();
      } else throw new CommandError(SYNTAX);
    },
  },
  {
    ...clientSub,
    flags: ["admin", "noscript", "loading", "stale"],
    name: "no-evict",
    arity: 3,
    since: "7.0.0",
    summary: "Sets the client eviction mode of the connection.",
    syntax: "<ON | OFF>",
    complexity: "O(1)",
    handler(ctx, argv) {
      const mode = arg(argv, 2).toLowerCase();
      if (mode !== "on" && mode !== "off") throw new CommandError(SYNTAX);
      const wasExempt = ctx.client.noEvict;
      ctx.client.noEvict = mode === "on";
      if (wasExempt && mode === "off") ctx.server.maxmemory.evictableChanged(ctx.client);
      ctx.out.ok();
    },
  },
  {
    ...clientSub,
    flags: ["admin", "noscript", "loading", "stale"],
    name: "unblock",
    arity: -3,
    since: "5.0.0",
    summary: "Unblocks a client blocked by a blocking command from a different connection.",
    syntax: "client-id [TIMEOUT | ERROR]",
    complexity: "O(log N) where N is the number of client connections",
    handler(ctx, argv) {
      if (argv.length > 4) throw new CommandError(subcommandSyntax(argv));
      let error = false;
      if (argv.length === 4) {
        const reason = arg(argv, 3).toLowerCase();
        if (reason !== "timeout" && reason !== "error") {
          throw new CommandError(UNBLOCK_REASON);
        }
        error = reason === "error";
      }
      const id = intArg(arg(argv, 2), NOT_INTEGER);
      const target = ctx.server.clients.get(id);
      const unblocked = target !== undefined && ctx.server.blocking.cancel(target, error);
      ctx.out.int(unblocked ? 1 : 0);
    },
  },
  helpRow(CLIENT_HELP, {
    group: "connection",
    since: "5.0.0",
    summary: HELP_SUMMARY,
    complexity: "O(1)",
  }),
];

/** HELLO [protover [AUTH user pass] [SETNAME name]]: switches protocol, replies the server map. */
function hello(ctx: CommandContext, argv: string[]): void {
  let version: number | undefined;
  if (argv.length >= 2) {
    version = parseInteger(arg(argv, 1));
    if (version === undefined) {
      throw new CommandError(PROTOCOL_VERSION_NOT_INTEGER);
    }
    if (version < 2 || version > 3) {
      throw new CommandError(NOPROTO);
    }
  }
  let name: string | undefined;
  const args = new ArgCursor(argv, 2);
  while (args.hasMore()) {
    const word = args.next();
    const option = word.toLowerCase();
    if (option === "auth" && args.remaining >= 2) {
      authenticate(ctx, arg(argv, 0), args.next(), args.next());
    } else if (option === "setname" && args.hasMore()) {
      name = args.next();
      if (!isPrintableWord(name) && name !== "") throw new CommandError(BAD_CLIENT_NAME);
    } else {
      throw new CommandError(helloSyntax(word));
    }
  }
  if (!ctx.client.authenticated) throw new CommandError(HELLO_NOAUTH);
  if (name !== undefined) ctx.client.name = name;
  if (version !== undefined) ctx.client.setResp(version as 2 | 3);
  const out = ctx.out;
  out.map(7);
  out.bulk("server");
  out.bulk("redis");
  out.bulk("version");
  out.bulk(VERSION);
  out.bulk("proto");
  out.int(ctx.protocol === 3 ? 3 : 2);
  out.bulk("id");
  out.int(ctx.client.id);
  out.bulk("mode");
  out.bulk("standalone");
  out.bulk("role");
  out.bulk("master");
  out.bulk("modules");
  out.array(0);
}

export const connectionCommands: CommandSpec[] = [
  {
    name: "ping",
    arity: -1,
    flags: ["fast"],
    group: "connection",
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    since: "1.0.0",
    summary: "Returns the server's liveliness response.",
    syntax: "[message]",
    complexity: "O(1)",
    handler(ctx, argv) {
      if (argv.length > 2) throw new CommandError(wrongArity("ping"));
      if (ctx.client.inSubscribedMode) {
        // Subscribed RESP2 clients get PING as a pong push, as Redis.
        ctx.out.array(2);
        ctx.out.bulk("pong");
        ctx.out.bulk(argv[1] ?? "");
      } else if (argv.length === 2) ctx.out.bulk(arg(argv, 1));
      else ctx.out.simple("PONG");
    },
  },
  {
    name: "echo",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    since: "1.0.0",
    summary: "Returns the given string.",
    syntax: "message",
    complexity: "O(1)",
    handler(ctx, argv) {
      ctx.out.bulk(arg(argv, 1));
    },
  },
  {
    name: "quit",
    arity: -1,
    flags: ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"],
    group: "connection",
    since: "1.0.0",
    summary: "Closes the connection.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      ctx.out.ok();
      ctx.client.closeAfterReply = true;
    },
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    group: "connection",
    since: "1.0.0",
    summary: "Changes the selected database.",
    syntax: "index",
    complexity: "O(1)",
    handler(ctx, argv) {
      const index = int32Arg(arg(argv, 1));
      if (index < 0 || index >= ctx.server.dbs.length) {
        throw new CommandError(DB_INDEX_OUT_OF_RANGE);
      }
      ctx.client.selectDb(index);
      ctx.out.ok();
    },
  },
  {
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    since: "6.0.0",
    summary: "Handshakes with the Redis server.",
    syntax: "[protover [AUTH username password] [SETNAME clientname]]",
    complexity: "O(1)",
    handler: hello,
  },
  {
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    since: "1.0.0",
    summary: "Authenticates the connection.",
    syntax: "[username] password",
    complexity: "O(N) where N is the number of passwords defined for the user",
    handler(ctx, argv) {
      if (argv.length > 3) throw new CommandError(SYNTAX);
      if (argv.length === 2 && ctx.server.acl.defaultUser.nopass) {
        throw new CommandError(AUTH_WITHOUT_PASSWORD);
      }
      if (argv.length === 2) authenticate(ctx, arg(argv, 0), "default", arg(argv, 1));
      else authenticate(ctx, arg(argv, 0), arg(argv, 1), arg(argv, 2));
      ctx.out.ok();
    },
  },
  {
    name: "reset",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    group: "connection",
    since: "6.2.0",
    summary: "Resets the connection.",
    syntax: "",
    complexity: "O(1)",
    handler(ctx) {
      const server = ctx.server;
      ctx.client.multi = undefined;
      server.watches.unwatchAll(ctx.client);
      server.unsubscribeAll(ctx.client);
      ctx.client.selectDb(0);
      ctx.client.setResp(2);
      ctx.client.name = "";
      const wasExempt = ctx.client.noEvict;
      ctx.client.noEvict = false;
      if (wasExempt) server.maxmemory.evictableChanged(ctx.client);
      ctx.client.replyMode = "on";
      ctx.client.monitoring = false;
      server.monitors.delete(ctx.client);
      server.tracking.disable(ctx.client);
      ctx.client.setDefaultUser();
      ctx.out.simple("RESET");
    },
  },
  {
    name: "client",
    arity: -2,
    flags: [],
    group: "connection",
    since: "2.4.0",
    summary: "A container for client connection commands.",
    syntax: "",
    complexity: "Depends on subcommand.",
    subcommands: clientSubcommands,
  },
];
