/**
 * ACL users end to end: AUTH and HELLO AUTH, NOPERM for commands, keys and
 * channels, the ACL command, the ACL log, the aclfile. Replies are
 * redis-server 7.0.15's (checked against it).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { hashPassword } from "../server/acl/password.ts";
import { NativeClient, plain, RespClient, run, startServer } from "./helpers.ts";

const WRONGPASS = { error: "WRONGPASS invalid username-password pair or user is disabled." };
const NOAUTH = { error: "NOAUTH Authentication required." };
const noCommand = (name: string) => ({
  error: `NOPERM this user has no permissions to run the '${name}' command`,
});
const NO_KEY = {
  error: "NOPERM this user has no permissions to access one of the keys used as arguments",
};
const NO_CHANNEL = {
  error: "NOPERM this user has no permissions to access one of the channels used as arguments",
};

/** ACL LOG entries as [reason, context, object, username, count]. */
async function logEntries(c: RespClient): Promise<unknown[][]> {
  const entries = (await c.cmd("ACL", "LOG")) as unknown[][];
  return entries.map((e) => {
    const m = new Map<string, unknown>();
    for (let i = 0; i < e.length; i += 2) m.set(e[i] as string, e[i + 1]);
    return ["reason", "context", "object", "username", "count"].map((f) => m.get(f));
  });
}

Deno.test("AUTH and HELLO AUTH log in as ACL users; WHOAMI and CLIENT LIST show who", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await admin.cmd("ACL", "SETUSER", "alice", "on", ">p1", ">p2", "+@all", "~*"), "OK");
  equal(await admin.cmd("ACL", "SETUSER", "bob", "off", ">pw", "+@all"), "OK");
  equal(await c.cmd("ACL", "WHOAMI"), "default");
  deepEqual(await c.cmd("AUTH", "alice", "wrong"), WRONGPASS);
  deepEqual(await c.cmd("AUTH", "bob", "pw"), WRONGPASS, "a disabled user cannot log in");
  deepEqual(await c.cmd("AUTH", "nobody", "x"), WRONGPASS);
  deepEqual(await c.cmd("AUTH", "p1"), {
    error:
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  });
  equal(await c.cmd("AUTH", "alice", "p2"), "OK");
  equal(await c.cmd("ACL", "WHOAMI"), "alice");
  match(await c.cmd("CLIENT", "INFO") as string, / user=alice /);
  using h = await RespClient.connect(srv.port);
  const hello = await h.cmd("HELLO", "3", "AUTH", "alice", "p1") as Map<string, unknown>;
  equal(hello.get("proto"), 3);
  equal(await h.cmd("ACL", "WHOAMI"), "alice");
  deepEqual(await h.cmd("HELLO", "2", "AUTH", "alice", "nope"), WRONGPASS);
  equal(await h.cmd("RESET"), "RESET");
  equal(await h.cmd("ACL", "WHOAMI"), "default");
  // Failed logins are "auth" entries naming the command as sent.
  deepEqual((await logEntries(admin)).slice(0, 2), [
    ["auth", "toplevel", "HELLO", "alice", 1],
    ["auth", "toplevel", "AUTH", "nobody", 1],
  ]);
});

Deno.test("requirepass is the default user's password; NOAUTH until AUTH, on both protocols", async () => {
  await using srv = startServer({ requirepass: "s3cret" });
  using c = await RespClient.connect(srv.port);
  deepEqual(await c.cmd("GET", "k"), NOAUTH);
  deepEqual(await c.cmd("HELLO", "3"), {
    error:
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
  });
  equal(await c.cmd("AUTH", "s3cret"), "OK");
  equal(
    await c.cmd("ACL", "LIST").then((l) => (l as string[])[0]),
    `user default on #${hashPassword("s3cret")} ~* &* +@all`,
  );
  using n = await NativeClient.connect(srv.port);
  deepEqual(await n.call("get", "k"), { type: "err", code: 4, message: NOAUTH.error });
  deepEqual(await n.call("auth", "default", "s3cret"), { type: "str", value: "OK" });
  deepEqual(await n.call("get", "k"), { type: "nil" });
  // Before AUTH, big requests are refused unread, as Redis does.
  using raw = await RespClient.connect(srv.port);
  await raw.writeRaw("*100\r\n");
  deepEqual(plain(await raw.read()), {
    error: "ERR Protocol error: unauthenticated multibulk length",
  });
  using raw2 = await RespClient.connect(srv.port);
  await raw2.writeRaw("*1\r\n$100000000\r\n");
  deepEqual(plain(await raw2.read()), { error: "ERR Protocol error: unauthenticated bulk length" });
  equal(await c.cmd("CONFIG", "SET", "requirepass", ""), "OK");
  using later = await RespClient.connect(srv.port);
  equal(await later.cmd("GET", "k"), null);
});

Deno.test("NOPERM for commands, read and write keys, channels; the ACL log records each", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(
    await admin.cmd(
      "ACL",
      "SETUSER",
      "u",
      "on",
      "nopass",
      "+@all",
      "-flushall",
      "%R~r:*",
      "%W~w:*",
      "~rw:*",
      "&news",
    ),
    "OK",
  );
  equal(await c.cmd("AUTH", "u", "x"), "OK");
  deepEqual(await c.cmd("FLUSHALL"), noCommand("flushall"));
  deepEqual(await c.cmd("CONFIG", "GET", "x"), []);
  equal(await c.cmd("GET", "r:1"), null);
  deepEqual(await c.cmd("GET", "w:1"), NO_KEY);
  equal(await c.cmd("SET", "w:1", "v"), "OK");
  deepEqual(await c.cmd("SET", "r:1", "v"), NO_KEY);
  deepEqual(await c.cmd("SET", "w:1", "v", "GET"), NO_KEY, "GET makes SET read the key");
  equal(await c.cmd("SET", "rw:1", "v", "GET"), null);
  deepEqual(await c.cmd("COPY", "r:1", "r:2"), NO_KEY);
  equal(await c.cmd("EXISTS", "w:1", "r:1"), 1, "existence needs read or write");
  equal(await c.cmd("PUBLISH", "news", "m"), 0);
  deepEqual(await c.cmd("PUBLISH", "sport", "m"), NO_CHANNEL);
  deepEqual(await c.cmd("PSUBSCRIBE", "new*"), NO_CHANNEL);
  deepEqual(await logEntries(admin), [
    ["channel", "toplevel", "new*", "u", 1],
    ["channel", "toplevel", "sport", "u", 1],
    ["key", "toplevel", "r:2", "u", 1],
    // The same denial within a minute among the ten newest is counted, not repeated.
    ["key", "toplevel", "w:1", "u", 2],
    ["key", "toplevel", "r:1", "u", 1],
    ["command", "toplevel", "flushall", "u", 1],
  ]);
  equal(await admin.cmd("ACL", "LOG", "RESET"), "OK");
  deepEqual(await c.cmd("FLUSHALL"), noCommand("flushall"));
  deepEqual(await c.cmd("FLUSHALL"), noCommand("flushall"));
  deepEqual(await logEntries(admin), [["command", "toplevel", "flushall", "u", 2]]);
  deepEqual(await admin.cmd("ACL", "LOG", "0"), []);
});

Deno.test("MULTI: a denied command aborts EXEC; permissions revoked before EXEC are checked again", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await admin.cmd("ACL", "SETUSER", "u", "on", "nopass", "+@all", "-keys", "~*"), "OK");
  equal(await c.cmd("AUTH", "u", "x"), "OK");
  equal(await c.cmd("MULTI"), "OK");
  deepEqual(await c.cmd("KEYS", "*"), noCommand("keys"));
  equal(await c.cmd("SET", "k", "v"), "QUEUED");
  deepEqual(await c.cmd("EXEC"), {
    error: "EXECABORT Transaction discarded because of previous errors.",
  });
  equal(await c.cmd("MULTI"), "OK");
  equal(await c.cmd("SET", "k", "v"), "QUEUED");
  equal(await c.cmd("GET", "k"), "QUEUED");
  equal(await admin.cmd("ACL", "SETUSER", "u", "-set"), "OK");
  deepEqual(await c.cmd("EXEC"), [
    {
      error:
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand",
    },
    null,
  ]);
  deepEqual((await logEntries(admin))[0], ["command", "multi", "set", "u", 1]);
});

Deno.test("ACL GETUSER, LIST, USERS, CAT, DRYRUN, GENPASS, DELUSER as Redis replies them", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(
    await c.cmd("ACL", "SETUSER", "alice", "on", ">pw", "~k*", "&ch", "+get", "(+set %W~w*)"),
    "OK",
  );
  deepEqual(await c.cmd("ACL", "GETUSER", "alice"), [
    "flags",
    ["on"],
    "passwords",
    [hashPassword("pw")],
    "commands",
    "-@all +get",
    "keys",
    "~k*",
    "channels",
    "&ch",
    "selectors",
    [["commands", "-@all +set", "keys", "%W~w*", "channels", ""]],
  ]);
  equal(await c.cmd("ACL", "GETUSER", "nobody"), null);
  deepEqual(await c.cmd("ACL", "LIST"), [
    `user alice on #${
      hashPassword("pw")
    } ~k* resetchannels &ch -@all +get (%W~w* resetchannels -@all +set)`,
    "user default on nopass ~* &* +@all",
  ]);
  deepEqual(await c.cmd("ACL", "USERS"), ["alice", "default"]);
  deepEqual(await c.cmd("ACL", "SETUSER", "alice", "bogus"), {
    error: "ERR Error in ACL SETUSER modifier 'bogus': Syntax error",
  });
  deepEqual(await c.cmd("ACL", "SETUSER", "a b"), {
    error: "ERR Usernames can't contain spaces or null characters",
  });
  deepEqual(await c.cmd("ACL", "SETUSER", "alice", "(+get"), {
    error: "ERR Unmatched parenthesis in acl selector starting at '(+get'.",
  });
  equal(await c.cmd("ACL", "DRYRUN", "alice", "get", "k1"), "OK");
  equal(
    await c.cmd("ACL", "DRYRUN", "alice", "get", "x"),
    "This user has no permissions to access the 'x' key",
  );
  equal(await c.cmd("ACL", "DRYRUN", "alice", "set", "w1", "v"), "OK");
  equal(
    await c.cmd("ACL", "DRYRUN", "alice", "del", "k1"),
    "This user has no permissions to run the 'del' command",
  );
  deepEqual(await c.cmd("ACL", "DRYRUN", "nobody", "get", "k"), {
    error: "ERR User 'nobody' not found",
  });
  deepEqual(await c.cmd("ACL", "DRYRUN", "alice", "nosuch"), {
    error: "ERR Command 'nosuch' not found",
  });
  ok((await c.cmd("ACL", "CAT") as string[]).includes("sortedset"));
  ok((await c.cmd("ACL", "CAT", "dangerous") as string[]).includes("flushall"));
  deepEqual(await c.cmd("ACL", "CAT", "nope"), { error: "ERR Unknown category 'nope'" });
  match(await c.cmd("ACL", "GENPASS") as string, /^[0-9a-f]{64}$/);
  match(await c.cmd("ACL", "GENPASS", "6") as string, /^[0-9a-f]{2}$/);
  deepEqual(await c.cmd("ACL", "GENPASS", "0"), {
    error:
      "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
  });
  deepEqual(await c.cmd("ACL", "DELUSER", "alice", "default"), {
    error: "ERR The 'default' user cannot be removed",
  });
  equal(await c.cmd("ACL", "DELUSER", "alice", "nobody"), 1);
  deepEqual(await c.cmd("ACL", "LOAD"), {
    error:
      "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.",
  });
});

Deno.test("deleting or restricting a user disconnects its clients; CLIENT KILL USER", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  equal(await admin.cmd("ACL", "SETUSER", "u", "on", "nopass", "+@all", "~*", "&chan*"), "OK");
  using a = await RespClient.connect(srv.port);
  using b = await RespClient.connect(srv.port);
  using sub = await RespClient.connect(srv.port);
  for (const c of [a, b, sub]) equal(await c.cmd("AUTH", "u", "x"), "OK");
  deepEqual(await sub.cmd("SUBSCRIBE", "chan1"), ["subscribe", "chan1", 1]);
  // Still allowed: the subscriber stays.
  equal(await admin.cmd("ACL", "SETUSER", "u", "&other"), "OK");
  equal(await admin.cmd("ACL", "SETUSER", "u", "resetchannels", "&other"), "OK");
  ok(await sub.reader.closedWithin(2000), "a subscriber to a revoked channel is dropped");
  deepEqual(await admin.cmd("CLIENT", "KILL", "USER", "nobody"), {
    error: "ERR No such user 'nobody'",
  });
  equal(await admin.cmd("CLIENT", "KILL", "USER", "u"), 2);
  ok(await a.reader.closedWithin(2000));
  using d = await RespClient.connect(srv.port);
  equal(await d.cmd("AUTH", "u", "x"), "OK");
  equal(await admin.cmd("ACL", "DELUSER", "u"), 1);
  ok(await d.reader.closedWithin(2000), "clients of a deleted user are dropped");
  equal(await admin.cmd("PING"), "PONG");
});

Deno.test("aclfile: ACL SAVE writes the users, ACL LOAD reads them back or reports every error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/users.acl`, "user alice on >pw ~* +@all\n");
    await using srv = startServer({ dir, aclfile: "users.acl" });
    using c = await RespClient.connect(srv.port);
    equal(await c.cmd("ACL", "LOAD"), "OK");
    deepEqual(await c.cmd("ACL", "USERS"), ["alice", "default"]);
    equal(await c.cmd("ACL", "SETUSER", "bob", "on", ">x", "+get"), "OK");
    equal(await c.cmd("ACL", "SAVE"), "OK");
    equal(
      await Deno.readTextFile(`${dir}/users.acl`),
      `user alice on #${hashPassword("pw")} ~* resetchannels +@all\n` +
        `user bob on #${hashPassword("x")} resetchannels -@all +get\n` +
        "user default on nopass ~* &* +@all\n",
    );
    await Deno.writeTextFile(`${dir}/users.acl`, "user carol on +nosuch\nuser carol on\n");
    deepEqual(await c.cmd("ACL", "LOAD"), {
      error:
        "ERR users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: Duplicate user 'carol' found on line 2. WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
    });
    deepEqual(await c.cmd("ACL", "USERS"), ["alice", "bob", "default"]);
    await Deno.remove(`${dir}/users.acl`);
    deepEqual(await c.cmd("ACL", "LOAD"), {
      error: "ERR Error loading ACLs, opening file 'users.acl': No such file or directory",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scripts run their commands as the caller's user; denials are logged as lua", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await admin.cmd("ACL", "SETUSER", "lim", "on", "nopass", "+eval", "+get", "~k*"), "OK");
  equal(await c.cmd("AUTH", "lim", "x"), "OK");
  deepEqual(await c.cmd("EVAL", "return redis.call('set','x','1')", "0"), {
    error:
      "ERR The user executing the script can't run this command or subcommand script: 8b2ae6dd76cda7fc3e27f97431ae27d7b08a221d, on @user_script:1.",
  });
  deepEqual(await c.cmd("EVAL", "return redis.call('get','x')", "0"), {
    error:
      "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: db94c2918043c41a85e5c7f5b637c7a9c9c7119c, on @user_script:1.",
  });
  equal(await c.cmd("EVAL", "return redis.call('get','k1')", "0"), null);
  equal(await c.cmd("EVAL", "return redis.acl_check_cmd('get','x')", "0"), null);
  equal(await c.cmd("EVAL", "return redis.acl_check_cmd('get','k')", "0"), 1);
  deepEqual((await logEntries(admin))[0], ["key", "lua", "x", "lim", 1]);
});

Deno.test("SORT BY and GET need read access to every key; script keys are read and written", async () => {
  await using srv = startServer();
  using admin = await RespClient.connect(srv.port);
  using c = await RespClient.connect(srv.port);
  equal(await admin.cmd("ACL", "SETUSER", "s", "on", "nopass", "+@all", "%R~l*"), "OK");
  equal(await admin.cmd("RPUSH", "l1", "3", "1", "2"), 3);
  equal(await c.cmd("AUTH", "s", "x"), "OK");
  deepEqual(await c.cmd("SORT", "l1", "BY", "w_*"), {
    error: "ERR BY option of SORT denied due to insufficient ACL permissions.",
  });
  deepEqual(await c.cmd("SORT", "l1", "GET", "#"), {
    error: "ERR GET option of SORT denied due to insufficient ACL permissions.",
  });
  deepEqual(await c.cmd("SORT", "l1", "BY", "nosort"), ["3", "1", "2"]);
  equal(
    await admin.cmd("ACL", "DRYRUN", "s", "EVAL", "", "1", "l1"),
    "This user has no permissions to access the 'l1' key",
  );
  equal(await admin.cmd("ACL", "DRYRUN", "s", "EVAL_RO", "", "1", "l1"), "OK");
  equal(await admin.cmd("ACL", "SETUSER", "s", "%R~*"), "OK");
  deepEqual(await c.cmd("SORT", "l1", "BY", "w_*", "GET", "#"), ["1", "2", "3"]);
});

Deno.test("redis-cli --user/--pass, -u and -3 log in as an ACL user (output as against Redis)", async () => {
  await using srv = startServer({ requirepass: "top" });
  // Standard output, then standard error.
  const cli = async (...args: string[]) => {
    const out = await run("redis-cli", ["-p", String(srv.port), "--no-auth-warning", ...args]);
    return out.stdout + out.stderr;
  };
  equal(
    await cli("-a", "top", "ACL", "SETUSER", "alice", "on", ">p1", "~a:*", "+@read", "+acl|whoami"),
    "OK\n",
  ); // deno-fmt-ignore
  const alice = ["--user", "alice", "--pass", "p1"];
  equal(await cli(...alice, "ACL", "WHOAMI"), "alice\n");
  equal(await cli(...alice, "GET", "a:1"), "\n");
  equal(await cli(...alice, "SET", "a:1", "x"), `${noCommand("set").error}\n\n`);
  equal(await cli(...alice, "GET", "b"), `${NO_KEY.error}\n\n`);
  equal(await cli("-3", ...alice, "ACL", "WHOAMI"), "alice\n");
  equal(await cli("-u", `redis://alice:p1@127.0.0.1:${srv.port}`, "ACL", "WHOAMI"), "alice\n");
  equal(
    await cli("--user", "alice", "--pass", "bad", "GET", "a:1"),
    `${NOAUTH.error}\n\nAUTH failed: ${WRONGPASS.error}\n`,
  );
  equal(await cli("GET", "a:1"), `${NOAUTH.error}\n\n`);
});

Deno.test("CONFIG REWRITE writes the users as `user` lines, or none when an aclfile holds them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "redis-home-rewrite-" });
  try {
    const file = `${dir}/redis.conf`;
    await Deno.writeTextFile(file, "# users\nuser bob on >x ~* +get\nuser carol off\n");
    await using srv = startServer();
    srv.server.config.configFile = file;
    using c = await RespClient.connect(srv.port);
    equal(await c.cmd("ACL", "SETUSER", "bob", "on", ">x", "~*", "+get"), "OK");
    equal(await c.cmd("ACL", "SETUSER", "dave", "on", ">pw", "~k*", "+@read"), "OK");
    equal(await c.cmd("CONFIG", "REWRITE"), "OK");
    // As redis-server 7.0: in name order, over the old lines, the rest appended.
    const hash = (p: string) => `#${hashPassword(p)}`;
    equal(
      await Deno.readTextFile(file),
      "# users\n" +
        `user bob on ${hash("x")} ~* resetchannels -@all +get\n` +
        `user dave on ${hash("pw")} ~k* resetchannels -@all +@read\n` +
        "# Generated by CONFIG REWRITE\n" +
        "port 0\n" +
        "user default on nopass ~* &* +@all\n",
    );
    const aclfile = `${dir}/users.acl`;
    srv.server.config.set("aclfile", aclfile, true);
    equal(await c.cmd("CONFIG", "REWRITE"), "OK");
    const rewritten = await Deno.readTextFile(file);
    equal(rewritten, `# users\nport 0\n# Generated by CONFIG REWRITE\naclfile ${aclfile}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a write-only key cannot be read through commands that return its value", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  equal(await c.cmd("ACL", "SETUSER", "writer", "on", "nopass", "%W~w*", "+@all"), "OK");
  equal(await c.cmd("AUTH", "writer", "x"), "OK");
  equal(await c.cmd("SET", "w1", "secret"), "OK");
  for (const argv of [["GETDEL", "w1"], ["GETSET", "w1", "x"], ["INCR", "w1"], ["LPOP", "w1"]]) {
    deepEqual(await c.cmd(...argv), NO_KEY, argv[0]);
  }
  equal(await c.cmd("MEMORY", "USAGE", "w1") as number > 0, true);
});
