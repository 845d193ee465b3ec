/**
 * Selectors written back as rules, as ACL LIST, ACL GETUSER and ACL SAVE
 * show them (Redis 7.0's ACLDescribeSelector): keys, channels, then command
 * rules that rebuild exactly the selector's permission bits.
 *
 * Command rules start from +@all (when the selector allows future commands)
 * or -@all, then repeatedly apply the category that best fits the remaining
 * difference (more commands in common than not; fewest differences, then
 * most in common; ties go to the earlier category in Redis's list), and
 * finish with single commands, subcommands and allowed first arguments.
 * Single commands come in name order (Redis's order is its hash table's).
 */
import type { AclCommand } from "./commands.ts";
import { describeKeyPattern, Selector } from "./selector.ts";

/** The command part: "-@all +@string -set +select|0". */
export function describeCommandRules(selector: Selector): string {
  const commands = selector.commands;
  const additive = !selector.futureCommands;
  const fake = new Selector(commands);
  const base = additive ? "-@all" : "+@all";
  const rules = [base];
  fake.apply(base);
  // The bits the categories chosen so far have not yet accounted for.
  const remaining = selector.clone();
  const members = new Map(commands.categoryNames.map((c) => [c, commands.inCategory(c)]));
  const applied = new Set<string>();
  for (;;) {
    let best: string | undefined;
    let minDiff = Infinity;
    let maxSame = 0;
    for (const [category, list] of members) {
      if (applied.has(category)) continue;
      let on = 0;
      // One bit per command of the table: every id is in range.
      for (const command of list) on += remaining.bits[command.id]!;
      const off = list.length - on;
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = category;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best === undefined) break;
    fake.setCategory(best, additive);
    remaining.setCategory(best, !additive);
    rules.push(`${additive ? "+" : "-"}@${best}`);
    applied.add(best);
  }
  for (const command of commands.topLevel) describeSingle(selector, fake, command, rules);
  return rules.join(" ");
}

function describeSingle(selector: Selector, fake: Selector, command: AclCommand, rules: string[]) {
  const allowed = selector.allows(command);
  if (allowed !== fake.allows(command)) {
    rules.push(`${allowed ? "+" : "-"}${command.fullName}`);
    fake.setCommand(command, allowed);
  }
  for (const sub of command.subcommands) describeSingle(selector, fake, sub, rules);
  if (!allowed) {
    for (const arg of selector.firstArgs.get(command.id) ?? []) {
      rules.push(`+${command.fullName}|${arg}`);
    }
  }
}

/** Key patterns as ACL GETUSER's "keys" field: "~*", or "~a %R~b" (empty when none). */
export function describeKeys(selector: Selector): string {
  return selector.allKeys ? "~*" : selector.keys.map(describeKeyPattern).join(" ");
}

/** Channel patterns as ACL GETUSER's "channels" field: "&*", or "&a &b". */
export function describeChannels(selector: Selector): string {
  return selector.allChannels ? "&*" : selector.channels.map((c) => `&${c}`).join(" ");
}

/** The whole selector as one rule string (ACL LIST). */
export function describeSelector(selector: Selector): string {
  const parts: string[] = [];
  if (selector.allKeys) parts.push("~*");
  else parts.push(...selector.keys.map(describeKeyPattern));
  if (selector.allChannels) parts.push("&*");
  else parts.push("resetchannels", ...selector.channels.map((c) => `&${c}`));
  parts.push(describeCommandRules(selector));
  return parts.join(" ");
}
