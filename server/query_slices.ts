/**
 * 16 KB query buffers carved from 1 MB slabs. Deno commits every page of an
 * ArrayBuffer it allocates at that size (measured: 10,000 buffers of 16 KB,
 * 163 MB of RSS), while a slab's pages are committed only once written: a
 * client that sent one PING and went quiet then costs one page, as with
 * Redis's allocator, not four, and none when its whole requests were read
 * through the buffer polled clients share (connection.ts, READ_THROUGH).
 * 10,000 idle clients must fit in 100 MB.
 *
 * Where FFI is allowed a slab is mapped straight from the kernel: a 1 MB
 * calloc lands in malloc's heap once glibc has raised its mmap threshold
 * (it does when a large chunk is freed), and a slab made from reused heap
 * memory is zeroed there, every page committed: 10,000 idle clients then
 * cost 56-64 MB instead of 36-38, depending on what ran before.
 */
import { openLibc } from "./libc.ts";

/** The query buffer a client gets with its first request (Redis's PROTO_IOBUF_LEN). */
export const QUERY_SLICE_SIZE = 16 * 1024;
const SLAB_SIZE = 1024 * 1024;

const PROT_READ_WRITE = 0x3;
const MAP_PRIVATE_ANONYMOUS = 0x22;
const MAP_FAILED = 0xffffffffffffffffn;

const mapper = openLibc({
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
});

/** A zeroed slab whose pages are committed only when written. */
function newSlab(): ArrayBuffer {
  const pointer = mapper?.mmap(
    null,
    BigInt(SLAB_SIZE),
    PROT_READ_WRITE,
    MAP_PRIVATE_ANONYMOUS,
    -1,
    0n,
  );
  if (pointer === undefined || pointer === null) return new ArrayBuffer(SLAB_SIZE);
  if (BigInt(Deno.UnsafePointer.value(pointer)) === MAP_FAILED) return new ArrayBuffer(SLAB_SIZE);
  // Never unmapped: a slab's slices go back to `free`, and every slab stays reachable from it.
  return Deno.UnsafePointerView.getArrayBuffer(pointer, SLAB_SIZE);
}

const slabs = new WeakSet<ArrayBufferLike>();
const free: Uint8Array[] = [];

/** A 16 KB buffer, zeroed or holding a former owner's bytes (callers write before they read). */
export function takeQuerySlice(): Uint8Array {
  const slice = free.pop();
  if (slice !== undefined) return slice;
  const slab = newSlab();
  slabs.add(slab);
  for (let offset = SLAB_SIZE - QUERY_SLICE_SIZE; offset > 0; offset -= QUERY_SLICE_SIZE) {
    free.push(new Uint8Array(slab, offset, QUERY_SLICE_SIZE));
  }
  return new Uint8Array(slab, 0, QUERY_SLICE_SIZE);
}

/** Gives back a buffer its owner no longer reads; anything but a slice is left to the GC. */
export function releaseQueryBuffer(buf: Uint8Array): void {
  if (buf.byteLength === QUERY_SLICE_SIZE && slabs.has(buf.buffer)) free.push(buf);
}
