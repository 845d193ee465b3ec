/**
 * Runs the benchmark as a list of steps, each with an estimated duration,
 * and keeps one status line up to date: what runs now and how long is left.
 * The estimate for what remains is scaled by how the finished steps compared
 * with their own estimates, so it corrects itself on a slow or fast machine.
 */

export interface Step {
  label: string;
  /** Expected seconds, used only for the time-left estimate. */
  estimateSec: number;
  run: () => Promise<void>;
}

/** `12m 5s`, `45s`: short durations for the status line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** Seconds left: the remaining estimates, scaled by the pace of the finished steps. */
export function timeLeft(
  estimates: number[],
  current: number,
  elapsedInCurrent: number,
  pace: number,
): number {
  let rest = Math.max(0, (estimates[current] ?? 0) * pace - elapsedInCurrent);
  for (const estimate of estimates.slice(current + 1)) rest += estimate * pace;
  return rest;
}

const encoder = new TextEncoder();

export class ProgressRunner {
  readonly #interactive = Deno.stderr.isTerminal();

  async run(steps: Step[]): Promise<void> {
    const estimates = steps.map((step) => step.estimateSec);
    let estimatedDone = 0;
    let actualDone = 0;
    for (const [i, step] of steps.entries()) {
      const started = performance.now();
      // Trust the measured pace only once enough has run to mean something.
      const pace = estimatedDone >= 5 ? actualDone / estimatedDone : 1;
      const show = () => {
        const elapsed = (performance.now() - started) / 1000;
        const left = timeLeft(estimates, i, elapsed, pace);
        this.#status(
          `[${i + 1}/${steps.length}] ${step.label} · ~${formatDuration(left)} left`,
        );
      };
      show();
      const ticker = this.#interactive ? setInterval(show, 1000) : undefined;
      try {
        await step.run();
      } finally {
        clearInterval(ticker);
      }
      estimatedDone += step.estimateSec;
      actualDone += (performance.now() - started) / 1000;
    }
    this.#status("");
  }

  /** Rewrites the status line on a terminal; otherwise prints one line per step. */
  #status(text: string): void {
    if (this.#interactive) {
      const width = Deno.consoleSize().columns - 1;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text.slice(0, width)}`));
    } else if (text.length > 0) {
      Deno.stderr.writeSync(encoder.encode(`${text}\n`));
    }
  }
}
