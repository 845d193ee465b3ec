import { deepEqual, equal, throws } from "node:assert/strict";
import { Manifest } from "./manifest.ts";

const REDIS_MANIFEST = "file appendonly.aof.2.base.rdb seq 2 type b\n" +
  "file appendonly.aof.1.incr.aof seq 1 type h\n" +
  "file appendonly.aof.2.incr.aof seq 2 type h\n" +
  "file appendonly.aof.3.incr.aof seq 3 type i\n" +
  "file appendonly.aof.4.incr.aof seq 4 type i\n";

Deno.test("a manifest as Redis writes it parses and formats back identically", () => {
  const m = Manifest.parse(REDIS_MANIFEST);
  equal(m.base?.name, "appendonly.aof.2.base.rdb");
  deepEqual(m.incrs.map((f) => f.seq), [3, 4]);
  deepEqual(m.history.map((f) => f.name), [
    "appendonly.aof.1.incr.aof",
    "appendonly.aof.2.incr.aof",
  ]);
  equal(m.format(), REDIS_MANIFEST);
});

Deno.test("after a rewrite the old base and incremental files become history, as in Redis", () => {
  const m = Manifest.parse(
    "file a.1.base.rdb seq 1 type b\nfile a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\n",
  );
  const base = m.nextBase("a", false);
  equal(base.name, "a.2.base.aof");
  m.installBase(base);
  m.retireIncrs(true);
  equal(
    m.format(),
    "file a.2.base.aof seq 2 type b\nfile a.1.incr.aof seq 1 type h\nfile a.1.base.rdb seq 1 type h\n" +
      "file a.2.incr.aof seq 2 type i\n",
  );
  equal(m.newIncr("a").name, "a.3.incr.aof");
});

Deno.test("quoted names and comment lines are understood", () => {
  const m = Manifest.parse('# made by hand\nfile "my file.aof" seq 1 type b\n');
  equal(m.base?.name, "my file.aof");
  equal(m.format(), 'file "my file.aof" seq 1 type b\n');
});

Deno.test("a malformed manifest is refused with Redis's reasons", () => {
  throws(() => Manifest.parse(""), /Found an empty AOF manifest/);
  throws(
    () => Manifest.parse("file x seq 1\n"),
    /Invalid AOF manifest file format \(manifest line 1/,
  );
  throws(() => Manifest.parse("file ../x seq 1 type b\n"), /File can't be a path, just a filename/);
  throws(
    () => Manifest.parse("file a seq 1 type b\nfile b seq 2 type b\n"),
    /Found duplicate base file information/,
  );
  throws(
    () => Manifest.parse("file a seq 2 type i\nfile b seq 1 type i\n"),
    /Found a non-monotonic sequence number/,
  );
  throws(() => Manifest.parse("file a seq 1 type x\n"), /Unknown AOF file type/);
  // Redis's 1024-byte line: 1023 characters fit, 1024 do not.
  const padded = (length: number) => "file a seq 1 type b" + " ".repeat(length - 19) + "\n";
  equal(Manifest.parse(padded(1023)).base?.name, "a");
  throws(() => Manifest.parse(padded(1024)), /The AOF manifest file contains too long line/);
});
