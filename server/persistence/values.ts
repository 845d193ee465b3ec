/** Turns decoded RDB values into the server's values. */
import type { RedisValue } from "../types/value.ts";
import { FormatError } from "./format_error.ts";
import type { DecodedValue } from "./rdb_reader.ts";

export function materialize(value: DecodedValue): RedisValue {
  if (typeof value === "string") return value;
  throw new FormatError(`${value.type} values are not supported yet`);
}
