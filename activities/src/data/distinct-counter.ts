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
  private slots = new Int32Array(2048);
  private hashes = new Int32Array(1024);
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
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const length = end - start;
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]! - 1;
      if (entry < 0) break;
      if (
        this.hashes[entry] === hash &&
        this.lengths[entry] === length &&
        this.sameBytes(entry, bytes, start)
      ) {
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
    if (entry === this.hashes.length) this.growEntries();
    if (this.used + length > this.arena.byteLength) this.growArena(length);
    this.arena.set(bytes.subarray(start, end), this.used);
    this.hashes[entry] = hash;
    this.starts[entry] = this.used;
    this.lengths[entry] = length;
    this.counts[entry] = 1;
    this.used += length;
    slots[slot] = entry + 1;
    if (this.size * 2 > slots.length) this.rehash();
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
    this.hashes = grow(this.hashes, (n) => new Int32Array(n));
    this.starts = grow(this.starts, (n) => new Int32Array(n));
    this.lengths = grow(this.lengths, (n) => new Int32Array(n));
    this.counts = grow(this.counts, (n) => new Float64Array(n));
  }

  private growArena(length: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.arena.byteLength * 2, this.used + length));
    this.arena.copy(next, 0, 0, this.used);
    this.arena = next;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}
