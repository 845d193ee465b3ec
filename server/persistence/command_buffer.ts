/**
 * Write commands as the AOF stores them: RESP multibulk arrays
 * (`*N\r\n$len\r\narg\r\n...`), appended to one growing byte buffer so the
 * hot path allocates nothing per command.
 */
import { writeBinary } from "../../protocol/bytes.ts";

export class CommandBuffer {
  #buf = new Uint8Array(16 * 1024);
  #pos = 0;

  get length(): number {
    return this.#pos;
  }

  append(argv: readonly string[]): void {
    let size = 16;
    for (const arg of argv) size += arg.length + 16;
    this.#ensure(size);
    const buf = this.#buf;
    let p = this.#header(42, /* * */ argv.length);
    for (const arg of argv) {
      this.#pos = p;
      p = this.#header(36, /* $ */ arg.length);
      p = writeBinary(buf, p, arg);
      buf[p++] = 13;
      buf[p++] = 10;
    }
    this.#pos = p;
  }

  /** Appends a line as it is (an annotation such as `#TS:1628217470`), with CRLF. */
  appendLine(line: string): void {
    this.#ensure(line.length + 2);
    let p = writeBinary(this.#buf, this.#pos, line);
    this.#buf[p++] = 13;
    this.#buf[p++] = 10;
    this.#pos = p;
  }

  /** Writes `prefix`, the decimal `n` and CRLF at the end; returns the new end. */
  #header(prefix: number, n: number): number {
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = prefix;
    if (n < 10) {
      buf[p++] = 48 + n;
    } else {
      p = writeBinary(buf, p, String(n));
    }
    buf[p++] = 13;
    buf[p++] = 10;
    return p;
  }

  /** The buffered bytes, valid until the next append or consume. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Drops the first `n` buffered bytes (they were written out). */
  consume(n: number): void {
    if (n >= this.#pos) {
      this.#pos = 0;
      return;
    }
    this.#buf.copyWithin(0, n, this.#pos);
    this.#pos -= n;
  }

  #ensure(extra: number): void {
    if (this.#pos + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
  }
}
