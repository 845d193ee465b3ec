import { deepEqual, equal, ok } from "node:assert/strict";
import {
  binaryToBytes,
  bytesToBinary,
  bytesToBinaryNoted,
  decimalLength,
  forgetNotedBytes,
  keyByteCounts,
  RepeatedString,
  writeBinary,
  writeDecimal,
} from "./bytes.ts";

Deno.test("bytesToBinary: every length through each path keeps every byte", () => {
  const buf = new Uint8Array(20000);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131 + 7) & 0xff;
  for (const len of [...Array(40).keys(), 100, 8192, 8193, 19000]) {
    for (const start of [0, 3]) {
      const s = bytesToBinary(buf, start, start + len);
      equal(s.length, len);
      deepEqual(binaryToBytes(s), buf.subarray(start, start + len));
    }
  }
});

Deno.test("RepeatedString: the same bytes give the same string object; other bytes a new one", () => {
  const names = new RepeatedString();
  const buf = binaryToBytes("SETGETSETLONG");
  const first = names.decode(buf, 0, 3);
  equal(first, "SET");
  equal(names.decode(buf, 6, 3), first);
  equal(names.decode(buf, 3, 3), "GET");
  equal(names.decode(buf, 6, 7), "SETLONG");
  equal(names.decode(binaryToBytes("x".repeat(40)), 0, 40), "x".repeat(40));
});

Deno.test("RepeatedString: names alternating in a pipeline each come back as one object, with their key counts", () => {
  const names = new RepeatedString();
  const decode = (word: string) => names.decode(binaryToBytes(word), 0, word.length);
  const set = decode("SET");
  const del = decode("DEL");
  for (let round = 0; round < 3; round++) {
    ok(Object.is(decode("SET"), set));
    ok(Object.is(decode("DEL"), del));
  }
  // Any names, colliding in a slot or not: the right string and its key counts.
  const words = ["get", "GET", "HSET", "HGET", "EXPIRE", "LPUSH", "RPUSH", "\x00", "X", "INCR"];
  for (let round = 0; round < 3; round++) {
    for (const word of words) {
      const name = decode(word);
      equal(name, word);
      equal(names.keyCounts(name), keyByteCounts(name));
    }
  }
});

Deno.test("RepeatedString: random names of 1 to 40 bytes, repeated and colliding, come back equal", () => {
  const names = new RepeatedString();
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    return (seed >>> 8) / 16777216;
  };
  // A few bytes only, so names differ in one byte or a leading zero byte ("\x00A" against "A").
  const pool: string[] = [];
  for (let i = 0; i < 200; i++) {
    const len = 1 + Math.floor(random() * (random() < 0.8 ? 9 : 40));
    pool.push(
      String.fromCharCode(
        ...Array.from({ length: len }, () => [0, 65, 255][Math.floor(random() * 3)]!),
      ),
    );
  }
  for (let i = 0; i < 5000; i++) {
    const word = pool[Math.floor(random() * pool.length)]!;
    const buf = binaryToBytes("xx" + word);
    const name = names.decode(buf, 2, word.length);
    equal(name, word);
    equal(names.keyCounts(name), keyByteCounts(name));
  }
});

Deno.test("writeBinary: ASCII, and chars over 0x7f anywhere, land one byte each at the offset", () => {
  const ascii = "a".repeat(63) + "b".repeat(1000);
  const cases = [
    ascii,
    ascii + "\xff",
    "\x80" + ascii,
    ascii.slice(0, 500) + "\xe9" + ascii.slice(500),
  ];
  for (const s of [...cases, ...cases.map((c) => c.slice(0, 200)), "short\xff"]) {
    const buf = new Uint8Array(s.length + 10).fill(0xaa);
    equal(writeBinary(buf, 5, s), 5 + s.length);
    equal(buf[4], 0xaa);
    equal(buf[5 + s.length], 0xaa);
    equal(bytesToBinary(buf, 5, 5 + s.length), s);
  }
});

Deno.test("writeBinary: short strings of every length land exactly, nothing written around them", () => {
  for (let length = 0; length <= 70; length++) {
    const s = String.fromCharCode(...Array.from({ length }, (_, i) => (i * 89 + length) & 0xff));
    const buf = new Uint8Array(length + 10).fill(0xaa);
    equal(writeBinary(buf, 5, s), 5 + length);
    equal(buf[4], 0xaa);
    equal(buf[5 + length], 0xaa);
    equal(bytesToBinary(buf, 5, 5 + length), s, `length ${length}`);
  }
});

Deno.test("writeBinary: a long string with a char over 0xff writes each char's low byte", () => {
  const s = "\u20ac" + "a".repeat(300);
  const buf = new Uint8Array(s.length);
  writeBinary(buf, 0, s);
  equal(buf[0], 0xac);
  equal(buf[300], 0x61);
});

Deno.test("writeBinary copies a noted argument's bytes, and never after they are forgotten", () => {
  const request = new Uint8Array(600);
  for (let i = 0; i < request.length; i++) request[i] = (i * 7) & 0xff;
  const value = bytesToBinaryNoted(request, 37, 537);
  const out = new Uint8Array(520);
  equal(writeBinary(out, 10, value), 510);
  deepEqual(out.subarray(10, 510), request.subarray(37, 537));
  // An equal string made elsewhere has the same bytes: the copy is right for it too.
  const twin = bytesToBinary(request.slice(37, 537));
  out.fill(0);
  writeBinary(out, 0, twin);
  deepEqual(out.subarray(0, 500), request.subarray(37, 537));
  // Once forgotten, the buffer may be reused: its new bytes must not be copied.
  forgetNotedBytes();
  request.fill(1);
  writeBinary(out, 0, value);
  deepEqual(out.subarray(0, 500), binaryToBytes(twin));
});

Deno.test("writeDecimal and decimalLength: every digit count, its edges and random values", () => {
  const buf = new Uint8Array(40).fill(120);
  const check = (n: number) => {
    const end = writeDecimal(buf, 3, n);
    equal(bytesToBinary(buf, 3, end), String(n), `${n}`);
    equal(decimalLength(n), String(n).length, `length of ${n}`);
    equal(buf[2], 120, `${n}: nothing before`);
    equal(buf[end], 120, `${n}: nothing after`);
    buf.fill(120);
  };
  for (let power = 1; power <= 1e15; power *= 10) {
    for (const n of [power - 1, power, power + 1, 2 * power, 9 * power]) check(n);
  }
  for (const n of [0, 0x7fffffff, 0x80000000, 2 ** 32, Number.MAX_SAFE_INTEGER]) check(n);
  let seed = 7;
  for (let i = 0; i < 20000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    const bits = (seed >>> 8) % 54;
    check(Math.floor(((seed >>> 0) / 2 ** 32) * 2 ** bits));
  }
});
