/**
 * Counts occurrences of byte strings (UTF-8 values of a text column) in an open-addressing hash
 * table, without decoding them: only the reported top values ever become JS strings. Tracking stops
 * at `maxDistinct` values or `maxBytes` of distinct content, whichever comes first; after that, new
 * values are not counted and `truncated` is set.
 */
export class DistinctCounter {
  /** Number of distinct values tracked. */
  size = 0;
  truncated = false;
  /**
   * The open-addressing table: per slot, the value's hash and its entry + 1 (0: empty), side by side
   * so that a probe, and a miss (most lookups once counting has stopped), reads one cache line.
   */
  private table = new Int32Array(2 * 2048);
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private counts = new Float64Array(1024);
  private arena = Buffer.allocUnsafe(1 << 16);
  private arenaView = viewOf(this.arena);
  private used = 0;
  /**
   * One bit per tracked value, chosen by its hash: once counting has stopped, most values of a column
   * with many distinct ones are untracked, and a clear bit turns them away without probing the table
   * (whose slots span megabytes, a cache miss each): a third less time for such a column. A set bit
   * only means "probe", so counts stay exact. Not looked at before counting stops (values are then
   * mostly found, and the look costs a tenth).
   */
  private readonly seen: Int32Array;
  private readonly seenShift: number;

  constructor(
    private readonly maxDistinct: number,
    private readonly maxBytes = 64 << 20,
  ) {
    // About 16 bits per value counted (a clear bit for 15 in 16 untracked values), 2 MB at most.
    const bits = Math.min(24, Math.max(10, Math.ceil(Math.log2(Math.max(1, maxDistinct))) + 4));
    this.seen = new Int32Array(1 << (bits - 5));
    this.seenShift = 32 - bits;
  }

  /** Counts one value, `bytes[start, end)`. */
  add(bytes: Uint8Array, start: number, end: number): void {
    this.addColumn(bytes, Int32Array.of(start, end), null, 0, 1);
  }

  /**
   * Counts the values of a text column: value `i` is `bytes[offsets[i], offsets[i + 1])`, null when
   * bit `bitOffset + i` of `validity` is clear (`validity` null: none is null).
   */
  addColumn(bytes: Uint8Array, offsets: Int32Array, validity: Uint8Array | null, bitOffset: number, count: number): void {
    const view = viewOf(bytes);
    const { seen, seenShift, maxDistinct, maxBytes } = this;
    let table = this.table;
    let mask = (table.length >> 1) - 1;
    values: for (let i = 0; i < count; i++) {
      if (validity !== null && ((validity[(bitOffset + i) >> 3]! >> ((bitOffset + i) & 7)) & 1) === 0) continue;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      const length = end - start;
      const hash = hashBytes(view, start, end);
      if (this.truncated) {
        const bit = seenBit(hash, seenShift);
        if ((seen[bit >>> 5]! & (1 << (bit & 31))) === 0 && (this.size >= maxDistinct || this.used + length > maxBytes)) {
          // Not tracked, and no room to track it.
          continue;
        }
      }
      let slot = hash & mask;
      for (;;) {
        const entry = table[2 * slot + 1]! - 1;
        if (entry < 0) break;
        if (table[2 * slot] === hash && this.lengths[entry] === length && this.sameBytes(entry, view, start, length)) {
          this.counts[entry]!++;
          continue values;
        }
        slot = (slot + 1) & mask;
      }
      if (this.size >= maxDistinct || this.used + length > maxBytes) {
        this.truncated = true;
        continue;
      }
      this.insert(bytes, start, length, hash, slot);
      // Inserting may have grown the table or the entries.
      table = this.table;
      mask = (table.length >> 1) - 1;
    }
  }

  /** The `k` most frequent values, by count then by value (byte order). */
  top(k: number): { value: string; count: number }[] {
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => this.counts[b]! - this.counts[a]! || this.compare(a, b));
    return order.slice(0, k).map((i) => ({
      value: this.arena.toString('utf8', this.starts[i]!, this.starts[i]! + this.lengths[i]!),
      count: this.counts[i]!,
    }));
  }

  private insert(bytes: Uint8Array, start: number, length: number, hash: number, slot: number): void {
    const entry = this.size++;
    if (entry === this.starts.length) this.growEntries();
    if (this.used + length > this.arena.byteLength) this.growArena(length);
    this.arena.set(bytes.subarray(start, start + length), this.used);
    this.starts[entry] = this.used;
    this.lengths[entry] = length;
    this.counts[entry] = 1;
    this.used += length;
    this.table[2 * slot] = hash;
    this.table[2 * slot + 1] = entry + 1;
    const bit = seenBit(hash, this.seenShift);
    this.seen[bit >>> 5]! |= 1 << (bit & 31);
    if (this.size * 4 > this.table.length) this.rehash();
  }

  /** Whether entry `entry` (of `length` bytes) holds the bytes at `start` of `view`: four at a time. */
  private sameBytes(entry: number, view: DataView, start: number, length: number): boolean {
    const arena = this.arenaView;
    const from = this.starts[entry]!;
    let i = 0;
    for (; i + 4 <= length; i += 4) if (arena.getInt32(from + i, true) !== view.getInt32(start + i, true)) return false;
    for (; i < length; i++) if (arena.getUint8(from + i) !== view.getUint8(start + i)) return false;
    return true;
  }

  private compare(a: number, b: number): number {
    const sa = this.starts[a]!;
    const sb = this.starts[b]!;
    return this.arena.compare(this.arena, sb, sb + this.lengths[b]!, sa, sa + this.lengths[a]!);
  }

  private growEntries(): void {
    const grow = <T extends Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const next = make(array.length * 2);
      next.set(array);
      return next;
    };
    this.starts = grow(this.starts, (n) => new Int32Array(n));
    this.lengths = grow(this.lengths, (n) => new Int32Array(n));
    this.counts = grow(this.counts, (n) => new Float64Array(n));
  }

  private growArena(length: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.arena.byteLength * 2, this.used + length));
    this.arena.copy(next, 0, 0, this.used);
    this.arena = next;
    this.arenaView = viewOf(next);
  }

  /** Doubles the slots (the table stays at most half full). */
  private rehash(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2);
    const mask = (table.length >> 1) - 1;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] === 0) continue;
      let slot = old[at]! & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[at]!;
      table[2 * slot + 1] = old[at + 1]!;
    }
    this.table = table;
  }
}

/** The filter bit of a hash: its bits mixed again (the table indexes by the low ones), the top ones kept. */
function seenBit(hash: number, shift: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> shift;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A 32-bit hash of bytes `[start, end)` of `view`: MurmurHash3's body and finalizer, four bytes a
 * step (the table indexes by the low bits, so they must depend on every byte).
 */
export function hashBytes(view: DataView, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = view.getInt32(i, true);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = end - i;
  if (rest > 0) {
    let k = view.getUint8(i);
    if (rest > 1) k |= view.getUint8(i + 1) << 8;
    if (rest > 2) k |= view.getUint8(i + 2) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
