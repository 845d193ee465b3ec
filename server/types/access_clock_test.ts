import { equal } from "node:assert/strict";
import { commandTime, enterCommand, leaveCommand, reportTime } from "./access_clock.ts";

function waitPastMs(start: number): void {
  while (Date.now() <= start + 1) { /* spin: the test needs the clock to move */ }
}

Deno.test("commandTime holds still through a command and its nested calls, and runs outside them", () => {
  enterCommand();
  const first = commandTime();
  waitPastMs(first);
  equal(commandTime(), first);
  enterCommand(); // a command of an EXEC or a script
  equal(commandTime(), first);
  leaveCommand();
  equal(commandTime(), first);
  leaveCommand();
  const outside = commandTime();
  equal(outside > first, true);
  enterCommand();
  equal(commandTime() >= outside, true);
  leaveCommand();
});

Deno.test("reportTime is the command's time alone, the clock inside EXEC or a script", () => {
  enterCommand();
  const first = commandTime();
  waitPastMs(first);
  equal(reportTime(), first);
  enterCommand(); // a command of an EXEC or a script: Redis's TTL reads mstime() afresh
  equal(reportTime() > first, true);
  leaveCommand();
  leaveCommand();
});
