import { equal } from "node:assert/strict";
import { HELP_DATA_PATH, renderHelpData } from "./command_help_data.ts";

Deno.test("the REPL's bundled command data matches the command table (deno task gen-help)", () => {
  equal(Deno.readTextFileSync(HELP_DATA_PATH), renderHelpData());
});
