/**
 * An ACL selector (Redis 7.0): which commands, keys and channels one set of
 * permissions allows. A user has a root selector (the rules written outside
 * parentheses) and any number of extra selectors `(...)`; a command is
 * allowed when one selector allows all of it.
 */
import {
  RULE_CHANNELS_AFTER_ALL,
  RULE_KEYS_AFTER_ALL,
  RULE_SUBCOMMAND_FIRST_ARG,
  RULE_SYNTAX,
  RULE_UNKNOWN_COMMAND,
} from "../errors.ts";
import { globMatch } from "../glob.ts";
import type { AclCommand, AclCommands } from "./commands.ts";

/** Why a rule was refused: Redis's errno-derived texts (ACLSetUserStringError). */
export class AclRuleError extends Error {}

/** Key pattern permissions (%R~, %W~; ~ is both). */
export const READ = 1;
export const WRITE = 2;
const READ_WRITE = READ | WRITE;

export interface KeyPattern {
  pattern: string;
  /** READ, WRITE or both. */
  perms: number;
}

/** A key a command touches: its argv index and whether it reads and/or writes it. */
export interface KeyAccess {
  index: number;
  read: boolean;
  write: boolean;
}

/** A channel a command publishes or subscribes to; `pattern` for PSUBSCRIBE's. */
export interface ChannelAccess {
  index: number;
  pattern: boolean;
}

/** Outcome of checking one call against a selector. */
export type Denial =
  | { reason: "command" }
  | { reason: "key" | "channel"; index: number };

/**
 * Whether `s` holds C's isspace() bytes or NUL, which Redis refuses in user
 * names and patterns (JS's \s would also refuse byte 0xa0).
 */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 0 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

export class Selector {
  allKeys = false;
  allChannels = false;
  /** Set by +@all, cleared by any removal: every command passes without a bit test. */
  allCommands = false;
  /** Started from +@all (and not reset by -@all): commands added later are allowed too. */
  futureCommands = false;
  /** One byte per command id: 1 = allowed. */
  bits: Uint8Array;
  /** Allowed first arguments of otherwise denied commands (+select|0), by command id. */
  firstArgs = new Map<number, string[]>();
  keys: KeyPattern[] = [];
  channels: string[] = [];

  constructor(readonly commands: AclCommands, allChannels = false) {
    this.bits = new Uint8Array(commands.size);
    this.allChannels = allChannels;
  }

  clone(): Selector {
    const copy = new Selector(this.commands, this.allChannels);
    copy.allKeys = this.allKeys;
    copy.allCommands = this.allCommands;
    copy.futureCommands = this.futureCommands;
    copy.bits.set(this.bits);
    for (const [id, args] of this.firstArgs) copy.firstArgs.set(id, [...args]);
    copy.keys = this.keys.map((k) => ({ ...k }));
    copy.channels = [...this.channels];
    return copy;
  }

  /** Applies one selector rule (ACLSetSelector); throws AclRuleError. */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === "allkeys" || op === "~*") {
      this.allKeys = true;
      this.keys = [];
    } else if (lower === "resetkeys") {
      this.allKeys = false;
      this.keys = [];
    } else if (lower === "allchannels" || op === "&*") {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === "resetchannels") {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === "allcommands" || lower === "+@all") {
      this.bits.fill(1);
      this.allCommands = true;
      this.futureCommands = true;
      this.firstArgs.clear();
    } else if (lower === "nocommands" || lower === "-@all") {
      this.bits.fill(0);
      this.allCommands = false;
      this.futureCommands = false;
      this.firstArgs.clear();
    } else if (op[0] === "~" || op[0] === "%") {
      this.#addKeyPattern(op);
    } else if (op[0] === "&") {
      this.#addChannel(op.slice(1));
    } else if ((op[0] === "+" || op[0] === "-") && op[1] === "@") {
      const category = op.slice(2);
      if (!this.commands.isCategory(category)) throw new AclRuleError(RULE_UNKNOWN_COMMAND);
      this.setCategory(category, op[0] === "+");
    } else if (op[0] === "+") {
      this.#allowCommand(op.slice(1));
    } else if (op[0] === "-") {
      const command = this.commands.lookup(op.slice(1));
      if (command === undefined) throw new AclRuleError(RULE_UNKNOWN_COMMAND);
      this.setCommand(command, false);
    } else {
      throw new AclRuleError(RULE_SYNTAX);
    }
  }

  #addKeyPattern(op: string): void {
    if (this.allKeys) throw new AclRuleError(RULE_KEYS_AFTER_ALL);
    let perms = READ_WRITE;
    let offset = 1;
    if (op[0] === "%") {
      perms = 0;
      for (; offset < op.length; offset++) {
        const c = op.charAt(offset).toUpperCase();
        if (c === "R" && !(perms & READ)) perms |= READ;
        else if (c === "W" && !(perms & WRITE)) perms |= WRITE;
        else if (op[offset] === "~") {
          offset++;
          break;
        } else throw new AclRuleError(RULE_SYNTAX);
      }
      // "%~x" would grant nothing; redis-server 7.0.15 refuses it.
      if (perms === 0) throw new AclRuleError(RULE_SYNTAX);
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw new AclRuleError(RULE_SYNTAX);
    const existing = this.keys.find((k) => k.pattern === pattern);
    if (existing) existing.perms |= perms;
    else this.keys.push({ pattern, perms });
    this.allKeys = false;
  }

  #addChannel(pattern: string): void {
    if (this.allChannels) throw new AclRuleError(RULE_CHANNELS_AFTER_ALL);
    if (hasSpaces(pattern)) throw new AclRuleError(RULE_SYNTAX);
    if (!this.channels.includes(pattern)) this.channels.push(pattern);
    this.allChannels = false;
  }

  /** +name, +container|sub, or +command|first-arg. */
  #allowCommand(name: string): void {
    const bar = name.lastIndexOf("|");
    if (bar < 0) {
      const command = this.commands.lookup(name);
      if (command === undefined) throw new AclRuleError(RULE_UNKNOWN_COMMAND);
      this.setCommand(command, true);
      return;
    }
    const command = this.commands.lookup(name.slice(0, bar));
    if (command === undefined) throw new AclRuleError(RULE_UNKNOWN_COMMAND);
    if (command.parent) throw new AclRuleError(RULE_SUBCOMMAND_FIRST_ARG);
    const sub = name.slice(bar + 1);
    if (sub === "") throw new AclRuleError(RULE_SYNTAX);
    if (command.subcommands.length > 0) {
      const subcommand = this.commands.lookup(name);
      if (subcommand === undefined) throw new AclRuleError(RULE_UNKNOWN_COMMAND);
      this.setCommand(subcommand, true);
      return;
    }
    const args = this.firstArgs.get(command.id) ?? [];
    if (!args.some((a) => a.toLowerCase() === sub.toLowerCase())) args.push(sub);
    this.firstArgs.set(command.id, args);
  }

  /** Allows or denies a command and, for a container, all its subcommands (ACLChangeSelectorPerm). */
  setCommand(command: AclCommand, allow: boolean): void {
    this.#setBit(command.id, allow);
    this.firstArgs.delete(command.id);
    for (const sub of command.subcommands) this.#setBit(sub.id, allow);
  }

  setCategory(category: string, allow: boolean): void {
    const name = category.toLowerCase();
    for (const command of this.commands.all) {
      if (command.categories.has(name)) this.setCommand(command, allow);
    }
  }

  #setBit(id: number, allow: boolean): void {
    this.bits[id] = allow ? 1 : 0;
    if (!allow) this.allCommands = false;
  }

  allows(command: AclCommand): boolean {
    return this.bits[command.id] === 1;
  }

  // ---- checks ------------------------------------------------------------------

  /**
   * Whether this selector allows the call (ACLSelectorCheckCmd): the command
   * (or its allowed first argument), then every key for the access it needs,
   * then every channel.
   */
  check(
    command: AclCommand,
    argv: readonly string[],
    keys: () => readonly KeyAccess[],
    channels: () => readonly ChannelAccess[],
  ): Denial | undefined {
    if (!this.allCommands && !command.noAuth && !this.allows(command)) {
      const allowed = this.firstArgs.get(command.id);
      const first = argv[command.parent ? 2 : 1]?.toLowerCase();
      if (allowed === undefined || first === undefined) return { reason: "command" };
      if (!allowed.some((a) => a.toLowerCase() === first)) return { reason: "command" };
    }
    if (!this.allKeys) {
      for (const key of keys()) {
        const name = argv[key.index];
        if (name === undefined || !this.allowsKey(name, key)) {
          return { reason: "key", index: key.index };
        }
      }
    }
    if (!this.allChannels) {
      for (const channel of channels()) {
        const name = argv[channel.index];
        if (name === undefined || !this.allowsChannel(name, channel.pattern)) {
          return { reason: "channel", index: channel.index };
        }
      }
    }
    return undefined;
  }

  /** Whether a pattern with the needed permissions matches the key (ACLSelectorCheckKey). */
  allowsKey(key: string, access: { read: boolean; write: boolean }): boolean {
    if (this.allKeys) return true;
    const needed = (access.read ? READ : 0) | (access.write ? WRITE : 0);
    return this.keys.some((k) => (k.perms & needed) === needed && globMatch(k.pattern, key));
  }

  /**
   * A channel name matches the selector's channel patterns; a PSUBSCRIBE
   * pattern must equal one of them literally (ACLCheckChannelAgainstList).
   */
  allowsChannel(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    return this.channels.some((p) => isPattern ? p === channel : globMatch(p, channel));
  }

  /** Whether a `*` pattern with these permissions (or allkeys) covers the whole keyspace. */
  hasUnrestrictedKeys(access: { read: boolean; write: boolean }): boolean {
    if (this.allKeys) return true;
    const needed = (access.read ? READ : 0) | (access.write ? WRITE : 0);
    return this.keys.some((k) => (k.perms & needed) === needed && k.pattern === "*");
  }
}

/** A key pattern as ACL LIST writes it: ~p, %R~p or %W~p. */
export function describeKeyPattern(k: KeyPattern): string {
  const prefix = k.perms === READ_WRITE ? "~" : k.perms === READ ? "%R~" : "%W~";
  return prefix + k.pattern;
}
