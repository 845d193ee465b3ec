/** INFO commandstats: this server's per-command counters. */
import type { ServerContext } from "../context.ts";
import type { InfoField } from "./render.ts";

export function commandstatsSection(server: ServerContext): InfoField[] {
  const fields: InfoField[] = [];
  for (const command of server.commands.everyCommand()) {
    if (command.calls === 0 && command.failedCalls === 0 && command.rejectedCalls === 0) continue;
    const usec = Math.round(command.microseconds);
    const perCall = command.calls === 0 ? 0 : usec / command.calls;
    fields.push([
      `cmdstat_${command.fullName}`,
      `calls=${command.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)}` +
      `,rejected_calls=${command.rejectedCalls},failed_calls=${command.failedCalls}`,
    ]);
  }
  return fields;
}
