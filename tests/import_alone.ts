/**
 * Imports each module given on the command line first thing in a fresh
 * worker isolate, and prints the failures as a JSON array ("url: error").
 * Used by architecture_test.ts; run without type checking.
 */

function importAlone(url: string): Promise<string | undefined> {
  const source = `import(${JSON.stringify(url)}).then(() => postMessage(null), ` +
    `(e) => postMessage(String(e?.stack ?? e)));`;
  const workerUrl = URL.createObjectURL(new Blob([source], { type: "application/javascript" }));
  const worker = new Worker(workerUrl, { type: "module" });
  const done = (result: string | undefined) => {
    worker.terminate();
    URL.revokeObjectURL(workerUrl);
    return result;
  };
  return new Promise((resolve) => {
    worker.onmessage = (event) => resolve(done(event.data ?? undefined));
    worker.onerror = (event) => {
      event.preventDefault();
      resolve(done(event.message));
    };
  });
}

if (import.meta.main) {
  const failures: string[] = [];
  for (const url of Deno.args) {
    const error = await importAlone(url);
    if (error !== undefined) failures.push(`${url}: ${error}`);
  }
  console.log(JSON.stringify(failures));
}
