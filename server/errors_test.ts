import { equal, ok, throws } from "node:assert/strict";
import { CommandError, SYNTAX } from "./errors.ts";

Deno.test("CommandError is an Error to every check, built without Error's constructor", () => {
  const err = new CommandError(SYNTAX, true);
  ok(err instanceof CommandError);
  ok(err instanceof Error);
  equal(err.message, SYNTAX);
  equal(err.name, "CommandError");
  equal(err.counted, true);
  equal(new CommandError("ERR x").counted, false);
  equal(String(err), `CommandError: ${SYNTAX}`);
  throws(() => {
    throw new CommandError("ERR y");
  }, { name: "CommandError", message: "ERR y" });
});
