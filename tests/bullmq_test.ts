/**
 * BullMQ (npm, unchanged) against redis-home: its queue logic is Lua scripts
 * run with EVALSHA, packed with cmsgpack, emitting events with XADD.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { type Job, Queue, QueueEvents, Worker } from "bullmq";
import { commandGroups } from "../server/commands/table.ts";
import { startServer } from "./helpers.ts";

/** BullMQ's scripts emit events with XADD: the test runs once the stream commands are in the table. */
const streamsLanded = commandGroups.some((group) => group.some((row) => row.name === "xadd"));

/** Waits for `cond`, polling; bounded so a broken server fails the test instead of hanging it. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test({
  name: "BullMQ: a queue, a worker and queue events process jobs",
  ignore: !streamsLanded,
  fn: bullmqProcessesJobs,
});

async function bullmqProcessesJobs(): Promise<void> {
  await using srv = startServer();
  const connection = { host: "127.0.0.1", port: srv.port, maxRetriesPerRequest: null };
  const queue = new Queue("q", { connection });
  const events = new QueueEvents("q", { connection });
  const completed: string[] = [];
  const failed: string[] = [];
  events.on("completed", ({ jobId }) => void completed.push(jobId));
  events.on("failed", ({ jobId }) => void failed.push(jobId));
  let attemptsOfFlaky = 0;
  const worker = new Worker(
    "q",
    (job: Job) => {
      if (job.name === "flaky") {
        attemptsOfFlaky++;
        return Promise.reject(new Error(`attempt ${job.attemptsMade + 1} failed`));
      }
      return Promise.resolve({ doubled: job.data.n * 2 });
    },
    { connection, concurrency: 2 },
  );
  try {
    await events.waitUntilReady();
    await worker.waitUntilReady();
    const removable = await queue.add("later", { n: 0 }, { delay: 60_000 });
    deepEqual(await queue.getJobCounts("delayed", "waiting"), { delayed: 1, waiting: 0 });
    await removable.remove();
    deepEqual(await queue.getJobCounts("delayed"), { delayed: 0 });
    equal(await queue.getJob(removable.id!), undefined);

    const jobs = await Promise.all([1, 2, 3].map((n) => queue.add("double", { n })));
    const delayed = await queue.add("double", { n: 10 }, { delay: 300 });
    const flaky = await queue.add("flaky", {}, {
      attempts: 3,
      backoff: { type: "fixed", delay: 50 },
    });

    for (const job of jobs) {
      const result = await job.waitUntilFinished(events, 10_000);
      deepEqual(result, { doubled: job.data.n * 2 });
    }
    deepEqual(await delayed.waitUntilFinished(events, 10_000), { doubled: 20 });
    await until(
      async () => (await queue.getJobCounts("failed")).failed === 1,
      "the flaky job to fail",
    );
    equal(attemptsOfFlaky, 3);
    const failedJob = await queue.getJob(flaky.id!);
    equal(failedJob?.failedReason, "attempt 3 failed");
    equal(failedJob?.attemptsMade, 3);
    deepEqual(await queue.getJobCounts("completed", "failed", "waiting", "active", "delayed"), {
      completed: 4,
      failed: 1,
      waiting: 0,
      active: 0,
      delayed: 0,
    });
    await until(() => completed.length === 4 && failed.length === 1, "queue events");
    ok(failed.includes(flaky.id!));
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}
