/**
 * EVAL's answer as a test compares it with redis-server's: the reply as
 * `redis-cli --no-raw` prints it, or the compile error. For tests only.
 */
import { RespReplyDecoder, type RespValue } from "../protocol/resp.ts";
import { RespWriter } from "../protocol/writer.ts";
import type { ScriptEngine } from "../server/scripting/engine.ts";
import type { ScriptHost } from "../server/scripting/redis_api.ts";

const host: ScriptHost = {
  call: () => {
    throw new Error("no commands here");
  },
  aclCheck: () => true,
  log: () => {},
  setRepl: () => {},
};

/** A reply as `redis-cli --no-raw` prints it (one line per element). */
function render(v: RespValue, prefix = ""): string {
  switch (v.type) {
    case "bulk":
      return `${prefix}"${v.value.replace(/["\\]/g, "\\$&")}"`;
    case "int":
      return `${prefix}(integer) ${v.value}`;
    case "error":
      return `${prefix}(error) ${v.value}`;
    case "null":
      return `${prefix}(nil)`;
    case "array":
      return v.values.length === 0
        ? `${prefix}(empty array)`
        : v.values.map((e, i) => render(e, `${i + 1}) `)).join("\n");
    default:
      return JSON.stringify(v);
  }
}

/** What a client of EVAL reads: the reply, or the compile error. */
export function evalAnswer(engine: ScriptEngine, body: string): string {
  let sha: string;
  try {
    sha = engine.load(body);
  } catch (e) {
    return `(error) ${(e as Error).message}`;
  }
  const run = engine.start(engine.get(sha)!, [], 0, 0, host, 5000);
  for (let i = 0; i < 1000 && !run.resume(); i++);
  const reply = run.reply;
  if (reply.type === "error") return `(error) ${reply.value}`;
  if (reply.type === "number") return `(integer) ${reply.value}`;
  if (reply.type !== "lua") return render(reply as RespValue);
  const out = new RespWriter();
  reply.write(out);
  return render(new RespReplyDecoder().decode(out.buf, 0, out.pos)!);
}
