import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { CommandTable } from "../command.ts";
import { commandGroups } from "../commands/table.ts";
import { Acl, AclSetUserError, mergeSelectorArgs } from "./acl.ts";
import { AclCommands } from "./commands.ts";
import { describeChannels, describeCommandRules, describeKeys } from "./describe.ts";
import { generatePassword, hashPassword, sameHash } from "./password.ts";
import type { ChannelAccess, KeyAccess } from "./selector.ts";
import { aclCommandsOf } from "./table.ts";

const COMMANDS = aclCommandsOf(new CommandTable(commandGroups));

/** ACL SETUSER alice <rules> on a fresh server, then its ACL LIST line (or the error). */
function listed(rules: string[]): unknown {
  const acl = new Acl(COMMANDS);
  try {
    acl.setUser("alice", rules);
  } catch (err) {
    if (!(err instanceof AclSetUserError)) throw err;
    return { error: `ERR ${err.message}` };
  }
  return acl.list().find((line) => line.startsWith("user alice "));
}

// Rules → the ACL LIST line (or the error reply) redis-server 7.0.15 gave for them. Only rules
// whose rendering does not depend on how many commands each category holds (which grows as
// commands are added) are here; category rendering is pinned on a fixed catalogue below.
// deno-fmt-ignore
const AGAINST_REDIS: [string[], unknown][] = [
  [[], "user alice off resetchannels -@all"],
  [["reset"], "user alice off sanitize-payload resetchannels -@all"],
  [["+select|0", "+select|1", "+config|get"], "user alice off resetchannels -@all +config|get +select|0 +select|1"],
  [["%R"], "user alice off %R~ resetchannels -@all"],
  [["%~foo"], {"error": "ERR Error in ACL SETUSER modifier '%~foo': Syntax error"}],
  [["%X~foo"], {"error": "ERR Error in ACL SETUSER modifier '%X~foo': Syntax error"}],
  [["%rw~a", "%R~a"], "user alice off ~a resetchannels -@all"],
  [["~a b"], {"error": "ERR Error in ACL SETUSER modifier '~a b': Syntax error"}],
  [["allkeys", "~x"], {"error": "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"}],
  [["&*", "&x"], {"error": "ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"}],
  [["allchannels", "resetchannels", "&a", "&a"], "user alice off resetchannels &a -@all"],
  [[">a", ">b", "<a"], "user alice off #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d resetchannels -@all"],
  [["<nope"], {"error": "ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist"}],
  [["#abc"], {"error": "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"}],
  [["#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", "!30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"], "user alice off resetchannels -@all"],
  [["nopass", ">x"], "user alice off #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 resetchannels -@all"],
  [[">x", "nopass"], "user alice off nopass resetchannels -@all"],
  [["on", "off", "on"], "user alice on resetchannels -@all"],
  [["skip-sanitize-payload"], "user alice off skip-sanitize-payload resetchannels -@all"],
  [["sanitize-payload", "skip-sanitize-payload"], "user alice off skip-sanitize-payload resetchannels -@all"],
  [["+nosuch"], {"error": "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"}],
  [["-nosuch"], {"error": "ERR Error in ACL SETUSER modifier '-nosuch': Unknown command or category name in ACL"}],
  [["+config|nosuch"], {"error": "ERR Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category name in ACL"}],
  [["+config|get|x"], {"error": "ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported"}],
  [["+select|"], {"error": "ERR Error in ACL SETUSER modifier '+select|': Syntax error"}],
  [["-select|0"], {"error": "ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in ACL"}],
  [["bogus"], {"error": "ERR Error in ACL SETUSER modifier 'bogus': Syntax error"}],
  [["(+get", "~k)"], "user alice off resetchannels -@all (~k resetchannels -@all +get)"],
  [["(+get"], {"error": "ERR Unmatched parenthesis in acl selector starting at '(+get'."}],
  [["(+get ~k", "(+set)"], {"error": "ERR Error in ACL SETUSER modifier '(+get ~k (+set)': Syntax error"}],
  [["(\"abc)"], "user alice off resetchannels -@all (resetchannels -@all)"],
  [["(bogus)"], {"error": "ERR Error in ACL SETUSER modifier '(bogus)': Syntax error"}],
  [["clearselectors"], "user alice off resetchannels -@all"],
  [["(+get)", "(+set)", "clearselectors"], "user alice off resetchannels -@all"],
  [["+@all"], "user alice off resetchannels +@all"],
  [["+@all", "-get"], "user alice off resetchannels +@all -get"],
  [["+@all", "-@all", "+get"], "user alice off resetchannels -@all +get"],
  [["allcommands", "-config|set"], "user alice off resetchannels +@all -config|set"],
  [["nocommands", "+config"], "user alice off resetchannels -@all +config"],
  [["+config", "-config|set"], "user alice off resetchannels -@all +config -config|set"],
  [["+@all", "+select|0"], "user alice off resetchannels +@all"],
  [["-select", "+select|0", "+select|SELECT", "+select|0"], "user alice off resetchannels -@all +select|0 +select|SELECT"],
  [["+debug|object"], "user alice off resetchannels -@all +debug|object"],
  [["+@set", "-smembers", "+@all"], "user alice off resetchannels +@all"],
];

Deno.test("acl: rules render and fail exactly as redis-server's ACL LIST and SETUSER", () => {
  for (const [rules, expected] of AGAINST_REDIS) {
    deepEqual(listed(rules), expected, rules.join(" "));
  }
});

Deno.test("acl: the default user, and requirepass through it", () => {
  const acl = new Acl(COMMANDS);
  deepEqual(acl.list(), ["user default on nopass ~* &* +@all"]);
  ok(acl.defaultUser.authenticates("anything"));
  acl.setDefaultPassword("secret");
  equal(acl.list()[0], `user default on #${hashPassword("secret")} ~* &* +@all`);
  ok(acl.defaultUser.authenticates("secret"));
  ok(!acl.defaultUser.authenticates("wrong"));
  acl.setDefaultPassword("");
  equal(acl.list()[0], "user default on nopass ~* &* +@all");
});

Deno.test("acl: users list in name order; a failed SETUSER changes nothing", () => {
  const acl = new Acl(COMMANDS);
  acl.setUser("zed", ["on"]);
  acl.setUser("bob", ["on", "+get", "~k"]);
  deepEqual(acl.sortedUsers().map((u) => u.name), ["bob", "default", "zed"]);
  throws(() => acl.setUser("bob", ["+set", "bogus"]), AclSetUserError);
  equal(acl.getUser("bob")!.describe(), "on ~k resetchannels -@all +get");
  throws(() => acl.setUser("new", ["+nosuch"]), AclSetUserError);
  equal(acl.getUser("new"), undefined);
  ok(acl.deleteUser("zed"));
  ok(!acl.deleteUser("zed"));
});

Deno.test("acl: passwords are stored as SHA-256 only and never shown in clear", () => {
  const acl = new Acl(COMMANDS);
  const { after } = acl.setUser("alice", ["on", ">p\x00ss\xff", ">p\x00ss\xff"]);
  deepEqual(after.passwords, [hashPassword("p\x00ss\xff")]);
  equal(hashPassword("pw"), "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4");
  ok(!acl.list().join().includes("p\x00ss"));
  ok(after.authenticates("p\x00ss\xff"));
  ok(!after.authenticates("p\x00ss"));
  acl.setUser("alice", ["off"]);
  ok(!acl.getUser("alice")!.authenticates("p\x00ss\xff"), "disabled users cannot log in");
});

Deno.test("acl: GETUSER fields: keys, channels and commands per selector", () => {
  const acl = new Acl(COMMANDS);
  const { after } = acl.setUser("alice", [
    "~a",
    "%R~b",
    "&c",
    "&d",
    "+get",
    "(%W~e allchannels +set)",
  ]);
  const [root, extra] = after.selectors;
  ok(extra !== undefined);
  equal(describeKeys(root), "~a %R~b");
  equal(describeChannels(root), "&c &d");
  equal(describeCommandRules(root), "-@all +get");
  equal(describeKeys(extra), "%W~e");
  equal(describeChannels(extra), "&*");
  equal(describeCommandRules(extra), "-@all +set");
  deepEqual(after.flags(), ["off"]);
});

Deno.test("acl: acl-pubsub-default allchannels gives new users and selectors &*", () => {
  const acl = new Acl(COMMANDS, true);
  acl.setUser("alice", ["(+get)"]);
  equal(acl.list()[0], "user alice off &* -@all (&* -@all +get)");
  acl.setUser("bob", ["resetchannels", "reset"]);
  equal(acl.getUser("bob")!.describe(), "off sanitize-payload &* -@all");
});

// ---- permission checks ------------------------------------------------------------

const noKeys = () => [];
const keys = (...list: [number, "r" | "w" | "rw" | ""][]) => (): KeyAccess[] =>
  list.map(([index, access]) => ({
    index,
    read: access.includes("r"),
    write: access.includes("w"),
  }));
const channels = (...list: [number, boolean][]) => (): ChannelAccess[] =>
  list.map(([index, pattern]) => ({ index, pattern }));

function userWith(...rules: string[]) {
  const acl = new Acl(COMMANDS);
  return acl.setUser("alice", ["on", "nopass", ...rules]).after;
}

Deno.test("acl checks: commands, subcommands and first arguments", () => {
  const u = userWith("+get", "+config|get", "+select|0", "allkeys");
  const cmd = (name: string) => COMMANDS.lookup(name)!;
  equal(u.check(cmd("get"), ["GET", "k"], keys([1, "r"]), noKeys), undefined);
  deepEqual(u.check(cmd("set"), ["SET", "k", "v"], keys([1, "w"]), noKeys), { reason: "command" });
  equal(u.check(cmd("config|get"), ["config", "get", "x"], noKeys, noKeys), undefined);
  deepEqual(u.check(cmd("config|set"), ["config", "set", "x", "y"], noKeys, noKeys), {
    reason: "command",
  });
  equal(u.check(cmd("select"), ["select", "0"], noKeys, noKeys), undefined);
  deepEqual(u.check(cmd("select"), ["select", "1"], noKeys, noKeys), { reason: "command" });
  // no_auth commands (AUTH, HELLO) are never refused for the command itself.
  equal(u.check(cmd("auth"), ["auth", "x"], noKeys, noKeys), undefined);
});

Deno.test("acl checks: read and write key patterns separately", () => {
  const u = userWith("+@all", "%R~r*", "%W~w*", "~both");
  const copy = COMMANDS.lookup("copy")!;
  const argv = ["COPY", "r1", "w1"];
  equal(u.check(copy, argv, keys([1, "r"], [2, "w"]), noKeys), undefined);
  deepEqual(u.check(copy, ["COPY", "w1", "r1"], keys([1, "r"], [2, "w"]), noKeys), {
    reason: "key",
    index: 1,
  });
  ok(u.allowsKey("both", { read: true, write: true }));
  ok(!u.allowsKey("r1", { read: true, write: true }));
  // A key spec that neither reads nor writes (no access flags) passes any pattern.
  ok(u.allowsKey("r1", { read: false, write: false }));
  ok(!u.allowsKey("other", { read: false, write: false }));
});

Deno.test("acl checks: channels, literal for patterns, glob for names", () => {
  const u = userWith("+@all", "allkeys", "&news.*");
  const publish = COMMANDS.lookup("publish")!;
  const psubscribe = COMMANDS.lookup("psubscribe")!;
  equal(u.check(publish, ["publish", "news.x", "m"], noKeys, channels([1, false])), undefined);
  deepEqual(u.check(publish, ["publish", "old", "m"], noKeys, channels([1, false])), {
    reason: "channel",
    index: 1,
  });
  equal(u.check(psubscribe, ["psubscribe", "news.*"], noKeys, channels([1, true])), undefined);
  deepEqual(u.check(psubscribe, ["psubscribe", "news.a*"], noKeys, channels([1, true])), {
    reason: "channel",
    index: 1,
  });
});

Deno.test("acl checks: one selector must allow the whole call; the worst denial is reported", () => {
  const u = userWith("+get", "~a*", "(+set ~b*)", "(+mset ~c* &x)");
  const cmd = (name: string) => COMMANDS.lookup(name)!;
  equal(u.check(cmd("get"), ["get", "a1"], keys([1, "r"]), noKeys), undefined);
  equal(u.check(cmd("set"), ["set", "b1", "v"], keys([1, "w"]), noKeys), undefined);
  deepEqual(u.check(cmd("get"), ["get", "b1"], keys([1, "r"]), noKeys), {
    reason: "key",
    index: 1,
  });
  deepEqual(
    u.check(cmd("mset"), ["mset", "c1", "v", "d", "v"], keys([1, "w"], [3, "w"]), noKeys),
    { reason: "key", index: 3 },
  );
  deepEqual(u.check(cmd("del"), ["del", "a"], keys([1, "w"]), noKeys), { reason: "command" });
  ok(
    u.allowsWithAllKeys(cmd("get"), ["get", "a"], keys([1, "r"]), noKeys, {
      read: true,
      write: false,
    }) === false,
  );
  const all = userWith("+get", "%R~*");
  ok(
    all.allowsWithAllKeys(cmd("get"), ["get", "a"], keys([1, "r"]), noKeys, {
      read: true,
      write: false,
    }),
  );
  ok(
    !all.allowsWithAllKeys(cmd("get"), ["get", "a"], keys([1, "r"]), noKeys, {
      read: true,
      write: true,
    }),
  );
});

// ---- rendering on a fixed catalogue ----------------------------------------------------

Deno.test("acl describe: categories chosen by best fit, then single commands", () => {
  const catalogue = new AclCommands([
    { fullName: "a1", categories: ["read", "fast"] },
    { fullName: "a2", categories: ["read", "fast"] },
    { fullName: "a3", categories: ["read", "slow"] },
    { fullName: "w1", categories: ["write", "slow"] },
    { fullName: "w2", categories: ["write", "fast"] },
    {
      fullName: "box",
      categories: ["slow"],
      subcommands: [
        { fullName: "box|get", categories: ["read", "slow"] },
        { fullName: "box|set", categories: ["write", "admin", "slow"] },
      ],
    },
  ], ["read", "write", "admin", "fast", "slow"]);
  const acl = new Acl(catalogue);
  const render = (...rules: string[]) => acl.setUser("u", ["reset", ...rules]).after.describe();
  equal(render("+@read"), "off sanitize-payload resetchannels -@all +@read");
  // @read fits best (4 of 4); then nothing else has more in common than not.
  equal(
    render("+a1", "+a2", "+a3", "+box|get", "+w2"),
    "off sanitize-payload resetchannels -@all +@read +w2",
  );
  equal(render("+@all", "-@admin"), "off sanitize-payload resetchannels +@all -@admin");
  // A container's rule covers its subcommands; the difference is then undone one by one.
  equal(render("+box", "-box|set"), "off sanitize-payload resetchannels -@all +box -box|set");
  // @admin (box|set alone) differs in nothing, so it comes first, as Redis's loop picks it.
  equal(render("+@slow", "-w1"), "off sanitize-payload resetchannels -@all +@admin +@slow -w1");
  equal(render("+@all", "-@slow"), "off sanitize-payload resetchannels +@all -@slow");
  // @write holds box|set too (2 of 3 in common), so it is taken and box|set removed after.
  equal(
    render("+w1", "+w2", "+a1|x"),
    "off sanitize-payload resetchannels -@all +@write +a1|x -box|set",
  );
});

// ---- aclfile ------------------------------------------------------------------------

Deno.test("aclfile: load replaces every user; save writes what LIST shows", () => {
  const acl = new Acl(COMMANDS);
  acl.setUser("old", ["on"]);
  equal(
    acl.loadFile(
      "user alice on >pw ~* +@all\n\n  user bob off  \nuser default on nopass -@all\n",
      "users.acl",
    ),
    undefined,
  );
  deepEqual(acl.sortedUsers().map((u) => u.name), ["alice", "bob", "default"]);
  equal(
    acl.serialize(),
    `user alice on #${hashPassword("pw")} ~* resetchannels +@all\n` +
      "user bob off resetchannels -@all\nuser default on nopass resetchannels -@all\n",
  );
  const reloaded = new Acl(COMMANDS);
  equal(reloaded.loadFile(acl.serialize(), "users.acl"), undefined);
  equal(reloaded.serialize(), acl.serialize());
  // Without a default line the file gets the usual default user.
  equal(acl.loadFile("user carol on\n", "f"), undefined);
  deepEqual(acl.list(), [
    "user carol on resetchannels -@all",
    "user default on nopass ~* &* +@all",
  ]);
});

Deno.test("aclfile: errors name file and line, and nothing changes", () => {
  const acl = new Acl(COMMANDS);
  const before = acl.serialize();
  const errors = acl.loadFile(
    "user a on +nosuch bogus %X~k\nusers b\nuser a on\nuser c (+get\n# comment\n",
    "/etc/users.acl",
  );
  equal(
    errors,
    "/etc/users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
      "/etc/users.acl:1: Syntax error. " +
      "/etc/users.acl:2 should start with user keyword followed by the username. " +
      "WARNING: Duplicate user 'a' found on line 3. " +
      "/etc/users.acl:4: Unmatched parenthesis in selector definition." +
      "/etc/users.acl:5 should start with user keyword followed by the username. " +
      "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
  );
  equal(acl.serialize(), before);
});

Deno.test("redis.conf user lines: checked when read, applied at start", () => {
  const acl = new Acl(COMMANDS);
  const seen = new Set<string>();
  equal(acl.checkConfiguredUser(["user", "alice", "on", "+nosuch"], seen), undefined);
  equal(
    acl.checkConfiguredUser(["user", "alice", "on", "bogus"], seen),
    "Error in user declaration 'alice': Syntax error",
  );
  equal(
    acl.checkConfiguredUser(["user", "alice"], new Set(["alice"])),
    "Error in user declaration 'alice': Duplicate user found. A user can only be defined once in config files",
  );
  equal(
    acl.loadConfiguredUsers([["alice", "on", ">pw", "+get", "~k"], [
      "default",
      "on",
      "nopass",
      "+@all",
    ]]),
    undefined,
  );
  equal(
    acl.list().join("\n"),
    [
      `user alice on #${hashPassword("pw")} ~k resetchannels -@all +get`,
      "user default on nopass sanitize-payload resetchannels +@all",
    ].join("\n"),
  );
  equal(
    acl.loadConfiguredUsers([["bob", "+nosuch"]]),
    "Error loading ACL rule '+nosuch' for the user named 'bob': Unknown command or category name in ACL",
  );
});

Deno.test("selector arguments spread over several words are joined", () => {
  deepEqual(mergeSelectorArgs(["on", "(+get", "~k", "&c)", "(+set)"]), [
    "on",
    "(+get ~k &c)",
    "(+set)",
  ]);
  equal(mergeSelectorArgs(["on", "(+get", "~k"]), 1);
  deepEqual(mergeSelectorArgs(["(+get", "(+set", "~k)"]), ["(+set ~k)"]);
});

Deno.test("ACL GENPASS: hex of the asked number of bits, rounded up", () => {
  match(generatePassword(), /^[0-9a-f]{64}$/);
  equal(generatePassword(1).length, 1);
  equal(generatePassword(5).length, 2);
  equal(generatePassword(4096).length, 1024);
  ok(generatePassword() !== generatePassword());
});

Deno.test("password hashes compare equal only when every char is", () => {
  const hash = hashPassword("pw");
  ok(sameHash(hash, hashPassword("pw")));
  ok(!sameHash(hash, hashPassword("pW")));
  ok(!sameHash(hash, `${hash.slice(0, 63)}${hash[63] === "0" ? "1" : "0"}`));
  ok(!sameHash(hash, hash.slice(0, 63)));
  ok(!sameHash("\x00", "\x01"));
  ok(sameHash("", ""));
});

// ---- ACL LOG ------------------------------------------------------------------------

Deno.test("ACL LOG groups repeats within a minute among the ten newest entries", () => {
  const acl = new Acl(COMMANDS);
  const entry = (object: string, time: number) => ({
    reason: "command" as const,
    context: "toplevel" as const,
    object,
    username: "alice",
    time,
    clientInfo: `id=${time}`,
  });
  acl.log.add(entry("get", 1000), 128);
  acl.log.add(entry("set", 2000), 128);
  acl.log.add(entry("get", 3000), 128);
  deepEqual(acl.log.entries.map((e) => [e.object, e.count, e.time, e.clientInfo]), [
    ["get", 2, 3000, "id=3000"],
    ["set", 1, 2000, "id=2000"],
  ]);
  acl.log.add(entry("get", 3000 + 60_001), 128);
  equal(acl.log.entries.length, 3);
  for (let i = 0; i < 11; i++) acl.log.add(entry(`c${i}`, 70_000), 128);
  acl.log.add(entry("set", 2000), 128);
  equal(acl.log.entries[0]?.count, 1, "the old entry is beyond the ten scanned");
  acl.log.add(entry("x", 0), 3);
  equal(acl.log.entries.length, 3);
  acl.log.reset();
  deepEqual(acl.log.entries, []);
});
