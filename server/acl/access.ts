/**
 * What ACL checks need from a call: its keys (from the one key extractor,
 * with read/write access from the key specs' flags, as Redis's
 * ACLSelectorCheckKey reads them) and its channels (Redis's
 * commands_with_channels table), and the check itself for a client's user.
 */
import type { Command } from "../command.ts";
import { clientInfoLine } from "../commands/client_list.ts";
import type { CommandContext } from "../context.ts";
import { noPermissionArguments, noPermissionCommand } from "../errors.ts";
import { keysOf } from "../key_specs.ts";
import type { Acl } from "./acl.ts";
import type { AclLogContext } from "./log.ts";
import type { ChannelAccess, Denial, KeyAccess } from "./selector.ts";
import type { User } from "./user.ts";

/** The keys of a call: access flags read; insert, delete, update write. */
export function keyAccesses(command: Command, argv: readonly string[]): KeyAccess[] {
  const variable = VARIABLE_FLAGS[command.fullName];
  if (variable !== undefined) {
    return (keysOf(command, argv) ?? []).map((ref) => ({ index: ref.index, ...variable(argv) }));
  }
  // Specs flagged not_key (shard channels) are not keys to ACL (GET_KEYSPEC_DEFAULT).
  return (keysOf(command, argv) ?? []).filter((ref) => !ref.spec.flags.includes("not_key"))
    .map((ref) => {
      const flags = ref.spec.flags;
      return {
        index: ref.index,
        read: flags.includes("access"),
        write: flags.includes("insert") || flags.includes("delete") || flags.includes("update"),
      };
    });
}

/**
 * Commands whose key access depends on their arguments (Redis's
 * variable_flags key specs, resolved by setGetKeys and bitfieldGetKeys):
 * SET reads its key only with GET; BITFIELD writes only with SET or INCRBY.
 */
const VARIABLE_FLAGS: Record<
  string,
  (argv: readonly string[]) => { read: boolean; write: boolean }
> = {
  set: (argv) => ({ read: argv.slice(3).some((a) => a.toLowerCase() === "get"), write: true }),
  bitfield: (argv) => ({ read: true, write: !bitfieldReadOnly(argv) }),
};

function bitfieldReadOnly(argv: readonly string[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const op = argv[i]!.toLowerCase();
    const more = argv.length - i - 1;
    if (op === "get" && more >= 2) i += 2;
    else if (op === "overflow" && more >= 1) i += 1;
    else return false; // SET, INCRBY, or a syntax error: assume it writes, as Redis does
  }
  return true;
}

/** Commands whose arguments name channels they publish or subscribe to. */
const CHANNEL_COMMANDS: Record<string, { last: number; pattern: boolean }> = {
  subscribe: { last: -1, pattern: false },
  ssubscribe: { last: -1, pattern: false },
  psubscribe: { last: -1, pattern: true },
  publish: { last: 1, pattern: false },
  spublish: { last: 1, pattern: false },
};

/** The channels of a call that ACL channel permissions govern (not unsubscribes). */
export function channelAccesses(command: Command, argv: readonly string[]): ChannelAccess[] {
  const spec = CHANNEL_COMMANDS[command.fullName];
  if (spec === undefined) return [];
  const last = spec.last < 0 ? argv.length - 1 : Math.min(spec.last, argv.length - 1);
  const found: ChannelAccess[] = [];
  for (let i = 1; i <= last; i++) found.push({ index: i, pattern: spec.pattern });
  return found;
}

/** Checks a call for `user`; undefined when allowed (ACLCheckAllPerm). */
export function checkCall(
  acl: Acl,
  user: User,
  command: Command,
  argv: readonly string[],
): Denial | undefined {
  if (user.unrestricted) return undefined;
  const entry = acl.env.commands.lookup(command.fullName);
  if (entry === undefined) return { reason: "command" };
  return user.check(
    entry,
    argv,
    () => keyAccesses(command, argv),
    () => channelAccesses(command, argv),
  );
}

/** The NOPERM reply for a denial at the top level (processCommand). */
export function noPermission(denial: Denial, command: Command): string {
  if (denial.reason === "command") {
    return noPermissionCommand(command.fullName);
  }
  return noPermissionArguments(denial.reason === "key" ? "keys" : "channels");
}

/** Records an ACL denial in the ACL log: the command, key or channel, and who asked. */
export function logDenial(
  ctx: CommandContext,
  denial: Denial,
  command: Command,
  argv: readonly string[],
  context: AclLogContext,
): void {
  const server = ctx.server;
  server.acl.log.add({
    reason: denial.reason,
    context,
    object: denial.reason === "command" ? command.fullName : argv[denial.index] ?? "",
    username: ctx.client.user.name,
    time: Date.now(),
    clientInfo: clientInfoLine(ctx.client, Date.now()),
  }, server.config.getNumber("acllog-max-len"));
}

/** Why EXEC refuses a queued command whose permission was revoked after MULTI. */
export function revokedReason(denial: Denial): string {
  if (denial.reason === "command") return "no permission to execute the command or subcommand";
  if (denial.reason === "key") return "no permission to touch the specified keys";
  return "no permission to access one of the channels used as arguments";
}

/**
 * Whether the caller may run this call and read any key at all
 * (ACLUserCheckCmdWithUnrestrictedKeyAccess with CMD_KEY_ACCESS): SORT's BY
 * and GET patterns read keys no key spec names.
 */
export function readsAnyKey(ctx: CommandContext, argv: readonly string[]): boolean {
  const user = ctx.client.user;
  if (user.unrestricted) return true;
  const server = ctx.server;
  const command = server.commands.resolve(argv);
  const entry = command && server.acl.env.commands.lookup(command.fullName);
  if (command === undefined || entry === undefined) return false;
  return user.allowsWithAllKeys(
    entry,
    argv,
    () => keyAccesses(command, argv),
    () => channelAccesses(command, argv),
    { read: true, write: false },
  );
}
