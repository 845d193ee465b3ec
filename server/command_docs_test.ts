import { deepEqual, throws } from "node:assert/strict";
import { parseSyntax } from "./command_syntax.ts";

Deno.test("parseSyntax: words, tokens, optional oneofs", () => {
  deepEqual(parseSyntax("key value [NX | XX] [GET] [EX seconds | KEEPTTL]"), [
    { name: "key", type: "key", flags: [] },
    { name: "value", type: "string", flags: [] },
    {
      name: "nx_xx",
      type: "oneof",
      flags: ["optional"],
      arguments: [
        { name: "nx", type: "pure-token", token: "NX", flags: [] },
        { name: "xx", type: "pure-token", token: "XX", flags: [] },
      ],
    },
    { name: "get", type: "pure-token", token: "GET", flags: ["optional"] },
    {
      name: "seconds_keepttl",
      type: "oneof",
      flags: ["optional"],
      arguments: [
        { name: "seconds", type: "integer", token: "EX", flags: [] },
        { name: "keepttl", type: "pure-token", token: "KEEPTTL", flags: [] },
      ],
    },
  ]);
});

Deno.test("parseSyntax: required groups and repetition", () => {
  deepEqual(parseSyntax("source <LEFT | RIGHT> key [key ...]"), [
    { name: "source", type: "key", flags: [] },
    {
      name: "left_right",
      type: "oneof",
      flags: [],
      arguments: [
        { name: "left", type: "pure-token", token: "LEFT", flags: [] },
        { name: "right", type: "pure-token", token: "RIGHT", flags: [] },
      ],
    },
    { name: "key", type: "key", flags: ["multiple"] },
  ]);
  deepEqual(parseSyntax("[pattern [pattern ...]]"), [
    { name: "pattern", type: "pattern", flags: ["multiple", "optional"] },
  ]);
});

Deno.test("parseSyntax: blocks, as Redis names them", () => {
  deepEqual(parseSyntax("score member [score member ...]"), [{
    name: "score_member",
    type: "block",
    flags: ["multiple"],
    arguments: [
      { name: "score", type: "double", flags: [] },
      { name: "member", type: "string", flags: [] },
    ],
  }]);
  deepEqual(parseSyntax("[LIMIT offset count]"), [{
    name: "offset_count",
    type: "block",
    token: "LIMIT",
    flags: ["optional"],
    arguments: [
      { name: "offset", type: "integer", flags: [] },
      { name: "count", type: "integer", flags: [] },
    ],
  }]);
});

Deno.test("parseSyntax: a token leading a oneof or a repeated argument", () => {
  deepEqual(parseSyntax("[AGGREGATE <SUM | MAX>] [GET pattern [GET pattern ...]]"), [
    {
      name: "aggregate",
      type: "oneof",
      token: "AGGREGATE",
      flags: ["optional"],
      arguments: [
        { name: "sum", type: "pure-token", token: "SUM", flags: [] },
        { name: "max", type: "pure-token", token: "MAX", flags: [] },
      ],
    },
    {
      name: "pattern",
      type: "pattern",
      token: "GET",
      flags: ["multiple", "multiple_token", "optional"],
    },
  ]);
});

Deno.test("parseSyntax: empty syntax and unbalanced brackets", () => {
  deepEqual(parseSyntax(""), []);
  throws(() => parseSyntax("[key"), /missing '\]'/);
  throws(() => parseSyntax("key]"), /unbalanced '\]'/);
});
