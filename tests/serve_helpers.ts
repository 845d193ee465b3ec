/** Starting a server from a `redis-home serve` command line, for the tests of its arguments. */
import { parseServeArgs } from "../main.ts";
import { buildConfig } from "../server/start.ts";

/** buildConfig's failure for a command line, as its message; "no failure" when it builds. */
export function startFailure(...args: string[]): string {
  try {
    buildConfig(parseServeArgs(args));
  } catch (err) {
    return (err as Error).message;
  }
  return "no failure";
}
