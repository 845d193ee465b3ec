/**
 * The in-repo load generator: many connections from one process, each
 * sending pipelined batches of requests that were encoded before the clock
 * starts. A batch is a contiguous slice of one shared buffer, so sending it
 * allocates nothing, and replies are counted in place (replies.ts).
 */
import { utf8ToBinary } from "../protocol/bytes.ts";
import { encodeNativeRequest } from "../protocol/native.ts";
import { encodeRespRequest } from "../protocol/resp.ts";
import { ReplyCounter, type WireProtocol } from "./replies.ts";

/** Requests encoded back to back; request i is bytes[offsets[i], offsets[i + 1]). */
export interface EncodedRequests {
  bytes: Uint8Array;
  offsets: Uint32Array;
  count: number;
}

/** Encodes `count` requests, `makeArgv(i)` giving the i-th (text arguments). */
export function encodeRequests(
  protocol: WireProtocol,
  count: number,
  makeArgv: (i: number) => string[],
): EncodedRequests {
  const encode = protocol === "native" ? encodeNativeRequest : encodeRespRequest;
  const offsets = new Uint32Array(count + 1);
  let bytes = new Uint8Array(64 * 1024);
  for (let i = 0; i < count; i++) {
    const request = encode(makeArgv(i).map(utf8ToBinary));
    const end = offsets[i]! + request.length;
    if (end > bytes.length) {
      const grown = new Uint8Array(Math.max(end, bytes.length * 2));
      grown.set(bytes.subarray(0, offsets[i]));
      bytes = grown;
    }
    bytes.set(request, offsets[i]);
    offsets[i + 1] = end;
  }
  return { bytes: bytes.subarray(0, offsets[count]), offsets, count };
}

export interface LoadOptions {
  port: number;
  protocol: WireProtocol;
  requests: EncodedRequests;
  connections: number;
  /** Requests per batch: each connection waits for a batch's replies before the next. */
  pipeline: number;
  /**
   * Cycle through the requests for this long (throughput mode). Without it
   * every request is sent exactly once, shared among the connections.
   */
  durationMs?: number;
  /** In throughput mode, a first stretch that warms up and is not counted. */
  warmupMs?: number;
}

export interface LoadResult {
  ops: number;
  seconds: number;
  opsPerSec: number;
  /** Latency of a batch, from its write to its last reply. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  firstError?: string;
}

const READ_BUFFER_SIZE = 64 * 1024;

/** Hands out batches as [first, end) request ranges, or undefined when done. */
type BatchSource = (connection: number) => [number, number] | undefined;

/** Runs the load and reports throughput and batch latency. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { requests, pipeline } = options;
  if (requests.count === 0) throw new Error("no requests to send");
  const conns: Deno.TcpConn[] = [];
  try {
    for (let c = 0; c < options.connections; c++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: options.port });
      conn.setNoDelay(true);
      conns.push(conn);
    }
    const counters = conns.map(() => new ReplyCounter(options.protocol));
    const latencies: number[] = [];
    const started = performance.now();
    const warmupEnd = started + (options.durationMs === undefined ? 0 : options.warmupMs ?? 0);
    let counted = 0;
    const source = options.durationMs === undefined
      ? onceSource(requests.count, pipeline)
      : cyclingSource(requests.count, pipeline, conns.length, warmupEnd + options.durationMs);
    const workers = conns.map((conn, c) =>
      worker(conn, requests, counters[c]!, () => source(c), (first, end, sentAt, doneAt) => {
        if (sentAt < warmupEnd) return;
        counted += end - first;
        latencies.push(doneAt - sentAt);
      })
    );
    await Promise.all(workers);
    const seconds = (performance.now() - Math.max(started, warmupEnd)) / 1000;
    latencies.sort((a, b) => a - b);
    const errors = counters.reduce((sum, counter) => sum + counter.errors, 0);
    const firstError = counters.find((counter) => counter.firstError)?.firstError;
    return {
      ops: counted,
      seconds,
      opsPerSec: counted / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      errors,
      ...(firstError === undefined ? {} : { firstError }),
    };
  } finally {
    for (const conn of conns) conn.close();
  }
}

/** The value below which `q` of the sorted samples fall (0 without samples). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Each request once: the connections take the next batch in turn. */
function onceSource(count: number, pipeline: number): BatchSource {
  let next = 0;
  return () => {
    if (next >= count) return undefined;
    const first = next;
    next = Math.min(count, next + pipeline);
    return [first, next];
  };
}

/**
 * Whole batches round and round until the deadline; connections start spread
 * over the requests so they do not all hit the same keys at once.
 */
function cyclingSource(
  count: number,
  pipeline: number,
  connections: number,
  deadline: number,
): BatchSource {
  const batches = Math.max(1, Math.floor(count / pipeline));
  const size = Math.min(pipeline, count);
  const position = Array.from(
    { length: connections },
    (_, c) => Math.floor(c * batches / connections),
  );
  return (c) => {
    if (performance.now() >= deadline) return undefined;
    // One position per connection, c below `connections`.
    const at = position[c]!;
    const first = at * size;
    position[c] = (at + 1) % batches;
    return [first, first + size];
  };
}

async function worker(
  conn: Deno.TcpConn,
  requests: EncodedRequests,
  counter: ReplyCounter,
  nextBatch: () => [number, number] | undefined,
  onBatch: (first: number, end: number, sentAt: number, doneAt: number) => void,
): Promise<void> {
  let buf: Uint8Array<ArrayBuffer> = new Uint8Array(READ_BUFFER_SIZE);
  let start = 0;
  let end = 0;
  for (let batch = nextBatch(); batch !== undefined; batch = nextBatch()) {
    const [first, stop] = batch;
    const sentAt = performance.now();
    const bytes = requests.bytes.subarray(requests.offsets[first], requests.offsets[stop]);
    for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    const wanted = counter.replies + stop - first;
    while (counter.replies < wanted) {
      if (end === buf.length) {
        // A reply larger than the buffer: keep its start, make room for the rest.
        if (start > 0) buf.copyWithin(0, start, end);
        else buf = growTo(buf, buf.length * 2);
        end -= start;
        start = 0;
      }
      const n = await conn.read(buf.subarray(end));
      if (n === null) throw new Error("the server closed the connection");
      end += n;
      start = counter.scan(buf, start, end);
      if (start === end) start = end = 0;
    }
    onBatch(first, stop, sentAt, performance.now());
  }
}

function growTo(buf: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const grown = new Uint8Array(size);
  grown.set(buf);
  return grown;
}
