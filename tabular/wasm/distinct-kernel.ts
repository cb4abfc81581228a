// AssemblyScript (compiled to WebAssembly by tabular/wasm/build.mjs; not part of the TypeScript
// project). One text column's distinct-value counter (an instance per counter): an open-addressing
// table of byte strings, counted without decoding them. distinct-counter.ts lays out the memory and
// grows it between calls, so that no call runs out of room (see `place`).

/** The table: per slot, the value's hash and its entry + 1 (0: empty), side by side. */
let table: usize = 0;
let mask: u32 = 0;
/** Per entry: its hash, where its bytes start in the arena, their length (i32 each), its count (f64). */
let hashes: usize = 0;
let starts: usize = 0;
let lengths: usize = 0;
let counts: usize = 0;
/** The distinct values' bytes. */
let arena: usize = 0;
/** One bit per tracked value, chosen by its hash (see `seenBit`). */
let seen: usize = 0;
let seenShift: u32 = 0;
let maxDistinct: i32 = 0;
let maxBytes: i32 = 0;

/** Values tracked, bytes of theirs in the arena, and whether counting has stopped (1) or not (0). */
export let size: i32 = 0;
export let used: i32 = 0;
export let truncated: i32 = 0;

/** The limits and the filter's place (fixed for the counter's life). */
export function setup(distinct: i32, bytes: i32, seenAt: usize, shift: u32): void {
  maxDistinct = distinct;
  maxBytes = bytes;
  seen = seenAt;
  seenShift = shift;
}

/**
 * Where the table (`slots`, a power of two) and the entries' arrays are now (the caller has moved
 * the entries and the arena there); rebuilds the table from the entries' hashes.
 */
export function place(tableAt: usize, slots: u32, hashesAt: usize, startsAt: usize, lengthsAt: usize, countsAt: usize, arenaAt: usize): void {
  table = tableAt;
  mask = slots - 1;
  hashes = hashesAt;
  starts = startsAt;
  lengths = lengthsAt;
  counts = countsAt;
  arena = arenaAt;
  memory.fill(table, 0, <usize>slots << 3);
  for (let entry: i32 = 0; entry < size; entry++) {
    const hash = load<u32>(hashes + (<usize>entry << 2));
    let slot = hash & mask;
    while (load<i32>(table + (<usize>slot << 3), 4) != 0) slot = (slot + 1) & mask;
    store<u32>(table + (<usize>slot << 3), hash);
    store<i32>(table + (<usize>slot << 3), entry + 1, 4);
  }
}

/**
 * Counts values `i < count`: `bytes[offsets[i] - offsets[0], offsets[i + 1] - offsets[0])`, skipping
 * the nulls (bit `bitOffset + i` of `validity` clear; `validity` 0: none). The caller made room for
 * every value to be new (entries, arena bytes, and a table at most half full).
 */
export function addColumn(bytes: usize, offsets: usize, count: i32, validity: usize, bitOffset: i32): void {
  const base = load<i32>(offsets);
  for (let i: i32 = 0; i < count; i++) {
    if (validity != 0) {
      const bit = bitOffset + i;
      if (((load<u8>(validity + (<usize>bit >> 3)) >> (<u32>bit & 7)) & 1) == 0) continue;
    }
    const start = load<i32>(offsets + (<usize>i << 2)) - base;
    const length = load<i32>(offsets + (<usize>(i + 1) << 2)) - base - start;
    const value = bytes + <usize>start;
    const hash = hashBytes(value, length);
    const full = size >= maxDistinct || used + length > maxBytes;
    if (truncated != 0 && full) {
      const bit = seenBit(hash);
      // Not tracked (a clear bit says so for sure), and no room to track it.
      if ((load<u32>(seen + (<usize>(bit >> 5) << 2)) & (<u32>1 << (bit & 31))) == 0) continue;
    }
    let slot = hash & mask;
    let found = false;
    for (;;) {
      const at = table + (<usize>slot << 3);
      const entry = load<i32>(at, 4) - 1;
      if (entry < 0) break;
      if (load<u32>(at) == hash && load<i32>(lengths + (<usize>entry << 2)) == length && sameBytes(arena + <usize>load<i32>(starts + (<usize>entry << 2)), value, length)) {
        const c = counts + (<usize>entry << 3);
        store<f64>(c, load<f64>(c) + 1);
        found = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (found) continue;
    if (full) {
      truncated = 1;
      continue;
    }
    const entry = size++;
    memory.copy(arena + <usize>used, value, <usize>length);
    store<u32>(hashes + (<usize>entry << 2), hash);
    store<i32>(starts + (<usize>entry << 2), used);
    store<i32>(lengths + (<usize>entry << 2), length);
    store<f64>(counts + (<usize>entry << 3), 1);
    used += length;
    store<u32>(table + (<usize>slot << 3), hash);
    store<i32>(table + (<usize>slot << 3), entry + 1, 4);
    const bit = seenBit(hash);
    const word = seen + (<usize>(bit >> 5) << 2);
    store<u32>(word, load<u32>(word) | (<u32>1 << (bit & 31)));
  }
}

/** The filter bit of a hash: its bits mixed again (the table indexes by the low ones), the top ones kept. */
// @ts-ignore: decorator
@inline
function seenBit(hash: u32): u32 {
  return (hash * 0x9e3779b1) >> seenShift;
}

/** Whether `length` bytes at `a` and at `b` are the same: eight at a time, the last eight overlapping. */
// @ts-ignore: decorator
@inline
function sameBytes(a: usize, b: usize, length: i32): bool {
  if (length < 8) {
    for (let i: i32 = 0; i < length; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
    return true;
  }
  const last = <usize>(length - 8);
  for (let i: usize = 0; i < last; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  return load<u64>(a + last) == load<u64>(b + last);
}

/**
 * A 32-bit hash of `length` bytes at `p`: eight bytes a step multiplied in (the last eight
 * overlapping the step before, so no byte-by-byte tail for values of eight bytes or more), then
 * mixed (the table indexes by the low bits, so they must depend on every byte).
 */
// @ts-ignore: decorator
@inline
function hashBytes(p: usize, length: i32): u32 {
  let h: u64 = <u64>length * 0x9e3779b97f4a7c15;
  if (length < 8) {
    let k: u64 = 0;
    for (let i: i32 = 0; i < length; i++) k = (k << 8) | <u64>load<u8>(p + <usize>i);
    h = (h ^ k) * 0xbf58476d1ce4e5b9;
  } else {
    const last = <usize>(length - 8);
    for (let i: usize = 0; i < last; i += 8) h = (h ^ load<u64>(p + i)) * 0xbf58476d1ce4e5b9;
    h = (h ^ load<u64>(p + last)) * 0x94d049bb133111eb;
  }
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9;
  h ^= h >> 29;
  return <u32>(h ^ (h >> 32));
}
