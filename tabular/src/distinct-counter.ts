import { DISTINCT_KERNEL_WASM } from './distinct-kernel-wasm';
import { WASM_PAGE, ensureMemory, instantiateKernel, type KernelMemory } from './wasm-instance';

interface DistinctExports extends KernelMemory {
  size: { value: number };
  used: { value: number };
  truncated: { value: number };
  setup(maxDistinct: number, maxBytes: number, seenAt: number, seenShift: number): void;
  place(table: number, slots: number, hashes: number, starts: number, lengths: number, counts: number, arena: number): void;
  addColumn(bytes: number, offsets: number, count: number, validity: number, bitOffset: number): void;
}

/** The most values a counter tracks: its arrays must fit the kernel's 4 GB memory. */
export const MAX_DISTINCT = 10_000_000;

/** Where the arrays are in the kernel's memory, in this order, each after the one before. */
interface Layout {
  table: number;
  slots: number;
  hashes: number;
  starts: number;
  lengths: number;
  counts: number;
  /** Entries the arrays have room for. */
  entries: number;
  arena: number;
  arenaBytes: number;
  /** Where each call's input goes (after the arena). */
  input: number;
}

const align = (n: number, to = 64) => Math.ceil(n / to) * to;

/**
 * Counts occurrences of byte strings (UTF-8 values of a text column) without decoding them: only the
 * reported top values ever become JS strings. Tracking stops at `maxDistinct` values or `maxBytes` of
 * distinct content, whichever comes first; after that, new values are not counted and `truncated` is
 * set. The counting runs in WebAssembly (wasm/distinct-kernel.ts, an instance per counter): eight
 * bytes a step for hashing and comparing, where JavaScript went through a DataView four bytes at a
 * time; about 1.3× less time per value (12 against 14 ns for a column of 4 values, 37 against 53 for
 * one of a million, 65,536 values a call). Before each call this side makes room for every value to
 * be new, so the kernel never grows anything. Its table starts small and doubles, as the values come,
 * so a column of few values holds little memory (its filter, 2 MB at most, aside).
 *
 * Once counting has stopped, most values of a column with many distinct ones are untracked: one bit
 * per tracked value, chosen by its hash, turns them away without probing the table (whose slots span
 * megabytes, a cache miss each). A set bit only means "probe", so counts stay exact.
 */
export class DistinctCounter {
  private readonly kernel: DistinctExports;
  private layout: Layout;
  private bytes: Uint8Array;

  constructor(
    private readonly maxDistinct: number,
    private readonly maxBytes = 64 << 20,
  ) {
    if (!(maxDistinct >= 0 && maxDistinct <= MAX_DISTINCT)) {
      throw new RangeError(`maxDistinct must be between 0 and ${MAX_DISTINCT.toLocaleString('en-US')}, got ${maxDistinct}`);
    }
    this.kernel = instantiateKernel<DistinctExports>(DISTINCT_KERNEL_WASM);
    // About 16 filter bits per value counted (a clear bit for 15 in 16 untracked values), 2 MB at most.
    const bits = Math.min(24, Math.max(10, Math.ceil(Math.log2(Math.max(1, maxDistinct))) + 4));
    const seenAt = 64;
    this.kernel.setup(maxDistinct, maxBytes, seenAt, 32 - bits);
    this.layout = this.lay(align(seenAt + (1 << bits) / 8), 1024, 0);
    ensureMemory(this.kernel.memory, this.layout.input);
    this.bytes = new Uint8Array(this.kernel.memory.buffer);
    this.place();
  }

  /** Number of distinct values tracked. */
  get size(): number {
    return this.kernel.size.value;
  }

  get truncated(): boolean {
    return this.kernel.truncated.value !== 0;
  }

  /** Counts one value, `bytes[start, end)`. */
  add(bytes: Uint8Array, start: number, end: number): void {
    this.addColumn(bytes, Int32Array.of(start, end), null, 0, 1);
  }

  /**
   * Counts the values of a text column: value `i` is `bytes[offsets[i], offsets[i + 1])`, null when
   * bit `bitOffset + i` of `validity` is clear (`validity` null: none is null). In slices that fit
   * the arrays' room even if every value is new, growing them (doubling) when the room runs short.
   */
  addColumn(bytes: Uint8Array, offsets: Int32Array, validity: Uint8Array | null, bitOffset: number, count: number): void {
    for (let i = 0; i < count; ) {
      const n = this.roomFor(offsets, i, count);
      const first = offsets[i]!;
      const size = offsets[i + n]! - first;
      // The slice: its values' bytes, their offsets, their validity bytes, after the arena.
      const { input } = this.layout;
      const offsetsAt = align(input + size);
      const bit = bitOffset + i;
      const validityAt = offsetsAt + 4 * (n + 1);
      const validityBytes = validity === null ? 0 : ((bit & 7) + n + 7) >> 3;
      if (ensureMemory(this.kernel.memory, validityAt + validityBytes)) this.bytes = new Uint8Array(this.kernel.memory.buffer);
      this.bytes.set(bytes.subarray(first, first + size), input);
      new Int32Array(this.kernel.memory.buffer, offsetsAt, n + 1).set(offsets.subarray(i, i + n + 1));
      if (validity !== null) this.bytes.set(validity.subarray(bit >> 3, (bit >> 3) + validityBytes), validityAt);
      this.kernel.addColumn(input, offsetsAt, n, validity === null ? 0 : validityAt, bit & 7);
      i += n;
    }
  }

  /** The `k` most frequent values, by count then by value (byte order). */
  top(k: number): { value: string; count: number }[] {
    const { starts, lengths, counts } = this.arrays();
    const arena = Buffer.from(this.kernel.memory.buffer, this.layout.arena, this.kernel.used.value);
    const compare = (a: number, b: number) =>
      arena.compare(arena, starts[b]!, starts[b]! + lengths[b]!, starts[a]!, starts[a]! + lengths[a]!);
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => counts[b]! - counts[a]! || compare(a, b));
    return order.slice(0, k).map((i) => ({
      value: arena.toString('utf8', starts[i]!, starts[i]! + lengths[i]!),
      count: counts[i]!,
    }));
  }

  private arrays() {
    const { buffer } = this.kernel.memory;
    const { hashes, starts, lengths, counts } = this.layout;
    const size = this.size;
    return {
      hashes: new Int32Array(buffer, hashes, size),
      starts: new Int32Array(buffer, starts, size),
      lengths: new Int32Array(buffer, lengths, size),
      counts: new Float64Array(buffer, counts, size),
    };
  }

  /**
   * How many values from `i` (of `count`) can be counted next with every one of them new: those the
   * arrays have room for (all of them once a limit is reached, the kernel then inserting no more),
   * at least a slice of up to 1,024 after growing the arrays, doubling them, if that many would not fit.
   */
  private roomFor(offsets: Int32Array, i: number, count: number): number {
    const want = Math.min(count - i, 1024);
    const wantBytes = offsets[i + want]! - offsets[i]!;
    const { entries, arenaBytes } = this.layout;
    const size = this.size;
    const used = this.kernel.used.value;
    const entriesShort = entries < this.maxDistinct && entries - size < want;
    const bytesShort = arenaBytes < this.maxBytes && arenaBytes - used < wantBytes;
    if (entriesShort || bytesShort) {
      this.grow(
        entriesShort ? Math.min(this.maxDistinct, Math.max(size + want, 2 * entries)) : entries,
        bytesShort ? Math.min(this.maxBytes, Math.max(used + wantBytes, 2 * arenaBytes)) : arenaBytes,
      );
    }
    const layout = this.layout;
    let n = count - i;
    if (layout.entries < this.maxDistinct) n = Math.min(n, layout.entries - size);
    if (layout.arenaBytes < this.maxBytes) {
      // The most values from `i` whose bytes fit what is left of the arena.
      const limit = offsets[i]! + layout.arenaBytes - used;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (offsets[i + mid]! <= limit) lo = mid;
        else hi = mid - 1;
      }
      n = lo;
    }
    return n;
  }

  /** Moves the arrays to a layout with room for `entries` values and `arenaBytes` of theirs. */
  private grow(entries: number, arenaBytes: number): void {
    const size = this.size;
    const used = this.kernel.used.value;
    const next = this.lay(this.layout.table, entries, arenaBytes);
    if (ensureMemory(this.kernel.memory, next.input)) this.bytes = new Uint8Array(this.kernel.memory.buffer);
    // Every array moves up (or stays): the last one first, so that none is overwritten before it moves.
    const old = this.layout;
    this.bytes.copyWithin(next.arena, old.arena, old.arena + used);
    this.bytes.copyWithin(next.counts, old.counts, old.counts + 8 * size);
    for (const array of ['lengths', 'starts', 'hashes'] as const) {
      this.bytes.copyWithin(next[array], old[array], old[array] + 4 * size);
    }
    this.layout = next;
    this.place();
  }

  /** The layout for `entries` values and `arenaBytes` of them, the table (at most half full) from `table`. */
  private lay(table: number, entries: number, arenaBytes: number): Layout {
    const slots = Math.max(2048, 2 ** Math.ceil(Math.log2(2 * Math.max(1, entries))));
    const hashes = align(table + 8 * slots);
    const starts = align(hashes + 4 * entries);
    const lengths = align(starts + 4 * entries);
    const counts = align(lengths + 4 * entries);
    const arena = align(counts + 8 * entries);
    const input = align(arena + arenaBytes, WASM_PAGE);
    return { table, slots, hashes, starts, lengths, counts, entries, arena, arenaBytes, input };
  }

  /** Tells the kernel where the arrays are (it rebuilds the table there). */
  private place(): void {
    const { table, slots, hashes, starts, lengths, counts, arena } = this.layout;
    this.kernel.place(table, slots, hashes, starts, lengths, counts, arena);
  }
}
