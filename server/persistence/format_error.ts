/** Malformed persisted data: a truncated or corrupt RDB, listpack, ziplist, AOF... */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormatError";
  }
}

/** Throws FormatError unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new FormatError(message);
}
