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
  private used = 0;

  constructor(
    private readonly maxDistinct: number,
    private readonly maxBytes = 64 << 20,
  ) {}

  add(bytes: Uint8Array, start: number, end: number): void {
    const hash = hashBytes(bytes, start, end);
    const length = end - start;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = table[2 * slot + 1]! - 1;
      if (entry < 0) break;
      if (table[2 * slot] === hash && this.lengths[entry] === length && this.sameBytes(entry, bytes, start)) {
        this.counts[entry]!++;
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (this.size >= this.maxDistinct || this.used + length > this.maxBytes) {
      this.truncated = true;
      return;
    }
    const entry = this.size++;
    if (entry === this.starts.length) this.growEntries();
    if (this.used + length > this.arena.byteLength) this.growArena(length);
    this.arena.set(bytes.subarray(start, end), this.used);
    this.starts[entry] = this.used;
    this.lengths[entry] = length;
    this.counts[entry] = 1;
    this.used += length;
    table[2 * slot] = hash;
    table[2 * slot + 1] = entry + 1;
    if (this.size * 4 > table.length) this.rehash();
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

  private sameBytes(entry: number, bytes: Uint8Array, start: number): boolean {
    const arena = this.arena;
    const from = this.starts[entry]!;
    const length = this.lengths[entry]!;
    for (let i = 0; i < length; i++) if (arena[from + i] !== bytes[start + i]) return false;
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

/**
 * A 32-bit hash of `bytes[start, end)`: MurmurHash3's body and finalizer, four bytes a step (the
 * table indexes by the low bits, so they must depend on every byte).
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = end - i;
  if (rest > 0) {
    let k = bytes[i]!;
    if (rest > 1) k |= bytes[i + 1]! << 8;
    if (rest > 2) k |= bytes[i + 2]! << 16;
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
