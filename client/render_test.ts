/** Replies rendered as redis-cli 7.0 prints them (outputs captured from the real redis-cli). */
import { equal } from "node:assert/strict";
import type { RespValue } from "../protocol/resp.ts";
import { formatReply, formatReplyRaw, formatReplyTTY, fromNative, quoteString } from "./render.ts";

const bulk = (value: string): RespValue => ({ type: "bulk", value });
const int = (n: number): RespValue => ({ type: "int", value: BigInt(n) });
const double = (raw: string): RespValue => ({ type: "double", value: Number(raw), raw });
const array = (...values: RespValue[]): RespValue => ({ type: "array", values });
const map = (...entries: [RespValue, RespValue][]): RespValue => ({ type: "map", entries });

Deno.test("quoteString escapes like sdscatrepr", () => {
  equal(quoteString('a b\x01\n\t"\\\xff'), '"a b\\x01\\n\\t\\"\\\\\\xff"');
  equal(quoteString("\r\x07\b\x00\x7f~ "), '"\\r\\a\\b\\x00\\x7f~ "');
  equal(quoteString(""), '""');
});

Deno.test("terminal form of scalars", () => {
  equal(formatReplyTTY({ type: "simple", value: "OK" }), "OK\n");
  equal(formatReplyTTY(bulk("bar")), '"bar"\n');
  equal(formatReplyTTY({ type: "null" }), "(nil)\n");
  equal(formatReplyTTY({ type: "nullArray" }), "(nil)\n");
  equal(formatReplyTTY(int(-7)), "(integer) -7\n");
  equal(formatReplyTTY(double("1.5")), "(double) 1.5\n");
  equal(formatReplyTTY(double("-inf")), "(double) -inf\n");
  equal(formatReplyTTY({ type: "bool", value: true }), "(true)\n");
  equal(formatReplyTTY({ type: "bool", value: false }), "(false)\n");
  equal(formatReplyTTY({ type: "error", value: "ERR no" }), "(error) ERR no\n");
  equal(formatReplyTTY({ type: "verbatim", format: "txt", value: "a\nb" }), "a\nb\n");
  equal(
    formatReplyTTY({ type: "bignum", value: "123456789012345678901" }),
    "(big number) 123456789012345678901\n",
  );
});

Deno.test("terminal form of empty aggregates", () => {
  equal(formatReplyTTY(array()), "(empty array)\n");
  equal(formatReplyTTY(map()), "(empty hash)\n");
  equal(formatReplyTTY({ type: "set", values: [] }), "(empty set)\n");
  equal(formatReplyTTY({ type: "push", values: [] }), "(empty push)\n");
});

Deno.test("terminal form numbers arrays, right-aligning the indexes", () => {
  equal(formatReplyTTY(array(bulk("a"), bulk("b"))), '1) "a"\n2) "b"\n');
  const twelve = array(...Array.from({ length: 12 }, (_, i) => bulk(String(i + 1))));
  const lines = formatReplyTTY(twelve).split("\n");
  equal(lines[0], ' 1) "1"');
  equal(lines[8], ' 9) "9"');
  equal(lines[11], '12) "12"');
});

Deno.test("terminal form indents nested arrays under their parent's number", () => {
  // ZRANGE z 0 -1 WITHSCORES over RESP3.
  const reply = array(array(bulk("a"), double("1.5")), array(bulk("b"), double("2")));
  equal(formatReplyTTY(reply), '1) 1) "a"\n   2) (double) 1.5\n2) 1) "b"\n   2) (double) 2\n');
  const deep = array(bulk("x"), array(array(int(1), int(2)), array()));
  equal(
    formatReplyTTY(deep),
    '1) "x"\n2) 1) 1) (integer) 1\n      2) (integer) 2\n   2) (empty array)\n',
  );
  const wide = array(...Array.from({ length: 10 }, () => array(int(1), int(2))));
  equal(
    formatReplyTTY(wide).split("\n").slice(0, 2).join("\n"),
    " 1) 1) (integer) 1\n    2) (integer) 2",
  );
});

Deno.test("terminal form of maps and sets", () => {
  // HGETALL over RESP3.
  equal(
    formatReplyTTY(map([bulk("f1"), bulk("v1")], [bulk("f2"), bulk("v2")])),
    '1# "f1" => "v1"\n2# "f2" => "v2"\n',
  );
  // HELLO 3's "modules" entry; a multi-line value starts on its own line.
  equal(formatReplyTTY(map([bulk("modules"), array()])), '1# "modules" => (empty array)\n');
  equal(
    formatReplyTTY(map([bulk("k"), array(int(1), int(2))], [bulk("j"), array(int(3))])),
    '1# "k" => \n   1) (integer) 1\n   2) (integer) 2\n2# "j" => 1) (integer) 3\n',
  );
  equal(formatReplyTTY({ type: "set", values: [bulk("y"), bulk("x")] }), '1~ "y"\n2~ "x"\n');
  equal(
    formatReplyTTY({ type: "push", values: [bulk("message"), bulk("ch")] }),
    '1) "message"\n2) "ch"\n',
  );
});

Deno.test("piped form is bare, one element per line", () => {
  equal(formatReplyRaw(bulk("a b\x00")), "a b\x00");
  equal(formatReplyRaw({ type: "null" }), "");
  equal(formatReplyRaw(int(3)), "3");
  equal(formatReplyRaw(double("0.10000000000000001")), "0.10000000000000001");
  equal(formatReplyRaw({ type: "bool", value: true }), "(true)");
  equal(formatReplyRaw({ type: "error", value: "ERR no" }), "ERR no\n");
  equal(formatReplyRaw(array(bulk("a"), array(bulk("b"), int(1)))), "a\nb\n1");
  equal(formatReplyRaw(array()), "");
  equal(formatReplyRaw(map([bulk("f1"), bulk("v1")], [bulk("proto"), int(3)])), "f1 v1\nproto 3");
});

Deno.test("native values stand for their RESP equivalents", () => {
  equal(formatReplyTTY(fromNative({ type: "str", value: "bar" })), '"bar"\n');
  equal(formatReplyTTY(fromNative({ type: "nil" })), "(nil)\n");
  equal(formatReplyTTY(fromNative({ type: "int", value: 1n })), "(integer) 1\n");
  equal(formatReplyTTY(fromNative({ type: "dbl", value: 1.5 })), "(double) 1.5\n");
  equal(formatReplyTTY(fromNative({ type: "dbl", value: -Infinity })), "(double) -inf\n");
  equal(
    formatReplyTTY(fromNative({ type: "err", code: 1, message: "ERR unknown" })),
    "(error) ERR unknown\n",
  );
  equal(
    formatReplyTTY(
      fromNative({
        type: "arr",
        values: [{ type: "str", value: "a" }, { type: "arr", values: [] }],
      }),
    ),
    '1) "a"\n2) (empty array)\n',
  );
});

Deno.test("an invalidate push is one line at a terminal, as redis-cli prints it; a flush's null is not", () => {
  const push = (...values: RespValue[]): RespValue => ({ type: "push", values });
  const style = { format: "standard", bulkDelimiter: "\n", replyDelimiter: "\n" } as const;
  equal(
    formatReply(push(bulk("invalidate"), array(bulk("k"), bulk("a b"))), style),
    "-> invalidate: 'k', 'a b'\n",
  );
  equal(
    formatReply(push(bulk("invalidate"), { type: "null" }), style),
    '1) "invalidate"\n2) (nil)\n',
  );
  equal(formatReply(push(bulk("message"), array(bulk("k"))), style), '1) "message"\n2) 1) "k"\n');
  equal(
    formatReply(push(bulk("invalidate"), array(bulk("k"))), { ...style, format: "raw" }),
    "invalidate\nk\n",
  );
});
