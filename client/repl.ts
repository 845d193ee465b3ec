/** The interactive client (placeholder until the REPL lands in this file). */
export function replMain(_args: string[]): Promise<number> {
  console.error("redis-home repl: not built yet");
  return Promise.resolve(1);
}
