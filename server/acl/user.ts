/**
 * An ACL user (Redis 7.0): on/off, password hashes or nopass, the payload
 * sanitizing flag, a root selector and extra selectors. `apply` takes one
 * ACL SETUSER rule; `describe` writes the user back as rules (ACL LIST).
 */
import { splitArgs } from "../../protocol/inline.ts";
import type { AclCommand, AclCommands } from "./commands.ts";
import { RULE_BAD_HASH, RULE_NO_SUCH_PASSWORD } from "../errors.ts";
import { describeSelector } from "./describe.ts";
import { hashPassword, isPasswordHash, sameHash } from "./password.ts";
import {
  AclRuleError,
  type ChannelAccess,
  type Denial,
  type KeyAccess,
  Selector,
} from "./selector.ts";

/** What every user of one server shares: the command catalogue and acl-pubsub-default. */
export interface AclEnv {
  readonly commands: AclCommands;
  /** acl-pubsub-default is allchannels: new selectors start with &*. */
  allChannelsByDefault: boolean;
}

export class User {
  enabled = false;
  nopass = false;
  /** "sanitize-payload", "skip-sanitize-payload", or neither (a user never reset). */
  sanitize: "sanitize-payload" | "skip-sanitize-payload" | undefined;
  /** SHA-256 hex digests, in the order they were added. */
  passwords: string[] = [];
  /** The root selector first, then the `(...)` ones. */
  selectors: [Selector, ...Selector[]];

  constructor(readonly name: string, readonly env: AclEnv) {
    this.selectors = [new Selector(env.commands, env.allChannelsByDefault)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** A copy with the same rules under another name (ACLCopyUser). */
  clone(name = this.name): User {
    const copy = new User(name, this.env);
    copy.enabled = this.enabled;
    copy.nopass = this.nopass;
    copy.sanitize = this.sanitize;
    copy.passwords = [...this.passwords];
    const [root, ...extra] = this.selectors;
    copy.selectors = [root.clone(), ...extra.map((s) => s.clone())];
    return copy;
  }

  /** Takes every rule of `other`, keeping this name and identity (ACLCopyUser). */
  copyFrom(other: User): void {
    const copy = other.clone();
    this.enabled = copy.enabled;
    this.nopass = copy.nopass;
    this.sanitize = copy.sanitize;
    this.passwords = copy.passwords;
    this.selectors = copy.selectors;
  }

  /** Whether this user may run anything on any key and channel (the default user's rights). */
  get unrestricted(): boolean {
    const root = this.selectors[0];
    return root.allCommands && root.allKeys && root.allChannels;
  }

  /** Applies one rule (ACLSetUser); throws AclRuleError with Redis's reason. */
  apply(op: string): void {
    if (op === "") return;
    const lower = op.toLowerCase();
    const first = op[0];
    if (lower === "on" || lower === "off") {
      this.enabled = lower === "on";
    } else if (lower === "sanitize-payload" || lower === "skip-sanitize-payload") {
      this.sanitize = lower as User["sanitize"];
    } else if (lower === "nopass" || lower === "resetpass") {
      this.nopass = lower === "nopass";
      this.passwords = [];
    } else if (first === ">" || first === "#") {
      const hash = this.#passwordHash(op);
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (first === "<" || first === "!") {
      const hash = this.#passwordHash(op);
      const at = this.passwords.indexOf(hash);
      if (at < 0) throw new AclRuleError(RULE_NO_SUCH_PASSWORD);
      this.passwords.splice(at, 1);
    } else if (first === "(" && op.endsWith(")")) {
      this.selectors.push(this.#selectorFrom(op.slice(1, -1)));
    } else if (lower === "clearselectors") {
      this.selectors.length = 1;
    } else if (lower === "reset") {
      this.#reset();
    } else {
      this.root.apply(op);
    }
  }

  /** The digest a password rule names: hashed from >pass/<pass, checked for #hash/!hash. */
  #passwordHash(op: string): string {
    const value = op.slice(1);
    if (op[0] === ">" || op[0] === "<") return hashPassword(value);
    if (!isPasswordHash(value)) throw new AclRuleError(RULE_BAD_HASH);
    return value;
  }

  #selectorFrom(body: string): Selector {
    const selector = new Selector(this.env.commands, this.env.allChannelsByDefault);
    // Redis splits with sdssplitargs; unbalanced quotes leave an empty selector.
    for (const op of splitArgs(body) ?? []) selector.apply(op);
    return selector;
  }

  #reset(): void {
    this.nopass = false;
    this.passwords = [];
    this.root.apply("resetkeys");
    this.root.apply("resetchannels");
    if (this.env.allChannelsByDefault) this.root.apply("allchannels");
    this.enabled = false;
    this.sanitize = "sanitize-payload";
    this.selectors.length = 1;
    this.root.apply("-@all");
  }

  /** Flags as ACL GETUSER lists them, in Redis's order. */
  flags(): string[] {
    const flags = [this.enabled ? "on" : "off"];
    if (this.nopass) flags.push("nopass");
    if (this.sanitize !== undefined) flags.push(this.sanitize);
    return flags;
  }

  /** The user as rules, without "user <name>" (ACLDescribeUser). */
  describe(): string {
    let out = [...this.flags(), ...this.passwords.map((p) => `#${p}`)].join(" ") + " ";
    out += describeSelector(this.root);
    for (const selector of this.selectors.slice(1)) out += ` (${describeSelector(selector)})`;
    return out;
  }

  // ---- checks --------------------------------------------------------------

  /** Whether `password` opens this user (ACLCheckUserCredentials). */
  authenticates(password: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    const hash = hashPassword(password);
    return this.passwords.some((p) => sameHash(p, hash));
  }

  /**
   * Checks a call against every selector (ACLCheckAllUserCommandPerm):
   * allowed when one selector allows it; otherwise the denial to report is
   * the command when no selector got past it, else the highest-ranked
   * reason (channel over key) at the highest argument index.
   */
  check(
    command: AclCommand,
    argv: readonly string[],
    keys: () => readonly KeyAccess[],
    channels: () => readonly ChannelAccess[],
  ): Denial | undefined {
    let keyCache: readonly KeyAccess[] | undefined;
    const cachedKeys = () => keyCache ??= keys();
    let worst: Denial = { reason: "command" };
    for (const selector of this.selectors) {
      const denial = selector.check(command, argv, cachedKeys, channels);
      if (denial === undefined) return undefined;
      if (
        rank(denial) > rank(worst) || (rank(denial) === rank(worst) && index(denial) > index(worst))
      ) {
        worst = denial;
      }
    }
    return worst;
  }

  /** Whether some selector lets this key be accessed so (ACLUserCheckKeyPerm). */
  allowsKey(key: string, access: { read: boolean; write: boolean }): boolean {
    return this.selectors.some((s) => s.allowsKey(key, access));
  }

  /** Whether some selector allows the channel (ACLUserCheckChannelPerm). */
  allowsChannel(channel: string, isPattern: boolean): boolean {
    return this.selectors.some((s) => s.allowsChannel(channel, isPattern));
  }

  /**
   * Whether one selector both allows the call and reaches every key with
   * this access (ACLUserCheckCmdWithUnrestrictedKeyAccess).
   */
  allowsWithAllKeys(
    command: AclCommand,
    argv: readonly string[],
    keys: () => readonly KeyAccess[],
    channels: () => readonly ChannelAccess[],
    access: { read: boolean; write: boolean },
  ): boolean {
    return this.selectors.some((s) =>
      s.check(command, argv, keys, channels) === undefined && s.hasUnrestrictedKeys(access)
    );
  }
}

/** Redis's ACL_DENIED_* order: command 1, key 2, channel 4. */
function rank(d: Denial): number {
  return d.reason === "command" ? 1 : d.reason === "key" ? 2 : 4;
}

function index(d: Denial): number {
  return d.reason === "command" ? 0 : d.index;
}
