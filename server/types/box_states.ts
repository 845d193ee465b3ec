/**
 * Which of a key table's boxes hold their small collection as a live object
 * and which as its packed string (packed_value.ts), and the ring of the most
 * recently used live ones. A collection pushed out of the ring is packed
 * again, except one the running command used: the command may still write
 * the object, so it is packed after the command (access_clock.ts's epochs).
 */
import { commandDepth, useEpoch } from "./access_clock.ts";

/** Boxes kept as live objects after their last use (a power of two). */
const RECENT_BOXES = 1024;
/** A box's state: a live value outside the recent ring. */
const LIVE = -1;
/**
 * A box's state PACKED - kind - KINDS * (count + 1): its packed string, of
 * that PackedKind, holding `count` elements (0 in place of count + 1: more
 * than MAX_COUNT, to be counted). The object made again then need not walk
 * the string to count: LPUSH over 100k keys spent a tenth of its time
 * counting, ZADD over 100k keys 7%.
 */
const PACKED = -2;
const KINDS = 16;
/** The most elements a state records (an intset may be configured to hold 2^30). */
const MAX_COUNT = 2 ** 26;
const MIN_CAPACITY = 8;

/**
 * Per box, side by side in #meta (one cache line where three arrays took
 * three misses on a lookup of a key among many): its state (its position in
 * #recent, a live object there; LIVE; or PACKED - kind...), the command
 * (useEpoch) that last used it, and the bytes its value is accounted at
 * (BoxTable's, as an unsigned 32-bit number).
 */
const STATE = 0;
const EPOCH = 1;
const ACCOUNT = 2;
const STRIDE = 3;

function metaArray(capacity: number): Int32Array {
  const meta = new Int32Array(capacity * STRIDE);
  for (let i = STATE; i < meta.length; i += STRIDE) meta[i] = LIVE;
  return meta;
}

export class BoxStates {
  /** STRIDE numbers a box: its STATE, EPOCH and ACCOUNT. */
  #meta = metaArray(MIN_CAPACITY);
  /** The boxes most recently given out as live objects, a ring (-1: none). */
  #recent = new Int32Array(RECENT_BOXES).fill(-1);
  #recentNext = 0;
  /** Boxes pushed out of the ring by the command that was using them. */
  #deferred: number[] = [];
  #deferredEpoch = 0;
  /**
   * Per box: 1 while it waits in #deferred. A box freed meanwhile is
   * unmarked: given to a new value, it must not be packed as the old one's
   * (its state would then say "in the ring" over a packed string).
   */
  #deferredMark = new Uint8Array(MIN_CAPACITY);

  /** `pack(box)` turns a box's live collection into its packed string (and calls packed()). */
  constructor(private readonly pack: (box: number) => void) {}

  /** Boxes there is room for. */
  get capacity(): number {
    return this.#meta.length / STRIDE;
  }

  /** Room for boxes [0, capacity). */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const meta = metaArray(capacity);
    meta.set(this.#meta);
    this.#meta = meta;
    const marks = new Uint8Array(capacity);
    marks.set(this.#deferredMark);
    this.#deferredMark = marks;
  }

  clear(): void {
    this.#meta = metaArray(MIN_CAPACITY);
    this.#recent.fill(-1);
    this.#recentNext = 0;
    this.#deferred = [];
    this.#deferredMark = new Uint8Array(MIN_CAPACITY);
  }

  /** The bytes `box` is accounted at (BoxTable). */
  accounted(box: number): number {
    return this.#meta[box * STRIDE + ACCOUNT]! >>> 0;
  }

  /** Records the bytes `box` is accounted at (at most 0xffffffff). */
  account(box: number, bytes: number): void {
    this.#meta[box * STRIDE + ACCOUNT] = bytes;
  }

  /** The PackedKind of a packed box; undefined for a live one. */
  packedKind(box: number): number | undefined {
    const state = this.#meta[box * STRIDE]!;
    return state <= PACKED ? (PACKED - state) % KINDS : undefined;
  }

  /** The element count a packed box was packed with; -1 when not recorded (see MAX_COUNT). */
  packedCount(box: number): number {
    return Math.floor((PACKED - this.#meta[box * STRIDE]!) / KINDS) - 1;
  }

  /** Whether the box holds a live value that is not in the ring. */
  isLiveOutsideRing(box: number): boolean {
    return this.#meta[box * STRIDE] === LIVE;
  }

  live(box: number): void {
    this.#meta[box * STRIDE] = LIVE;
  }

  /** A box whose value was deleted (it may be given to another). */
  freed(box: number): void {
    this.#meta[box * STRIDE] = LIVE;
    this.#deferredMark[box] = 0;
  }

  /** The box now holds its collection's packed string, of `kind`, with `count` elements. */
  packed(box: number, kind: number, count: number): void {
    this.#meta[box * STRIDE] = PACKED - kind - KINDS * (count <= MAX_COUNT ? count + 1 : 0);
  }

  /**
   * Whether a use of `box` leaves its state as it is: a live value outside the ring, or one in
   * the ring's newer half with nothing deferred to pack (its epoch stamped, as used() does).
   * False, nothing done, otherwise (go on with used()).
   */
  usedAsLive(box: number): boolean {
    const state = this.#meta[box * STRIDE]!;
    if (state === LIVE) return true;
    return this.#deferred.length === 0 && this.#stays(box, state);
  }

  /**
   * Whether `box`, of `state`, is in the newer half of the ring already, then stamped with the
   * running command's epoch: it stays. A hot key takes one slot, not one per use, and pushes no
   * other collection out.
   */
  #stays(box: number, state: number): boolean {
    if (state < 0 || ((this.#recentNext - state - 1) & (RECENT_BOXES - 1)) >= RECENT_BOXES / 2) {
      return false;
    }
    this.#meta[box * STRIDE + EPOCH] = useEpoch;
    return true;
  }

  /** Records a use of a live collection: into the ring, packing the one it pushes out. */
  used(box: number): void {
    if (this.#deferred.length !== 0) this.#packDeferred();
    if (this.#stays(box, this.#meta[box * STRIDE]!)) return;
    const at = this.#recentNext;
    const out = this.#recent[at]!;
    // A ring slot whose box was used again later (or freed) is stale: the box's state says so.
    if (out >= 0 && out !== box && this.#meta[out * STRIDE] === at) {
      if (commandDepth === 0 || this.#meta[out * STRIDE + EPOCH] !== useEpoch) this.pack(out);
      else {
        this.#meta[out * STRIDE] = LIVE;
        this.#deferred.push(out);
        this.#deferredMark[out] = 1;
        this.#deferredEpoch = useEpoch;
      }
    }
    this.#recent[at] = box;
    this.#meta[box * STRIDE] = at;
    this.#meta[box * STRIDE + EPOCH] = useEpoch;
    this.#recentNext = (at + 1) % RECENT_BOXES;
  }

  /** Packs the boxes deferred by an earlier command, those still live and out of the ring. */
  #packDeferred(): void {
    if (commandDepth !== 0 && this.#deferredEpoch === useEpoch) return;
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const box of deferred) {
      if (this.#deferredMark[box] === 0) continue;
      this.#deferredMark[box] = 0;
      if (this.#meta[box * STRIDE] === LIVE) this.pack(box);
    }
  }
}
