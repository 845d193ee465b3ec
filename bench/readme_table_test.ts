import { equal, throws } from "node:assert/strict";
import { replaceBetweenMarkers } from "./readme_table.ts";

Deno.test("replaceBetweenMarkers swaps what lies between the markers and keeps the rest", () => {
  const readme = "# T\n\n<!-- bench-matrix:start -->\nold\n<!-- bench-matrix:end -->\nafter\n";
  equal(
    replaceBetweenMarkers(readme, "| new |\n"),
    "# T\n\n<!-- bench-matrix:start -->\n\n| new |\n\n<!-- bench-matrix:end -->\nafter\n",
  );
  throws(() => replaceBetweenMarkers("# T\n", "x"), /no <!-- bench-matrix:start -->/);
});
