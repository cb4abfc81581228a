// AssemblyScript (compiled to WebAssembly by tabular/wasm/build.mjs; not part of the TypeScript
// project). The two hot loops of a CSV ingest over plain input: finding field boundaries (16 bytes a
// step with SIMD) and parsing plain decimals. Anything else makes them stop, and the JavaScript path
// (csv-tokenizer.ts, typed-builders.ts) takes over with its own checks and error messages, so the
// results are the same whichever path ran. Memory is laid out by the caller (csv-kernel.ts).

const LF: i32 = 10;

/** 10^0 … 10^15, the divisors of plainDecimal. */
const POW10: usize = memory.data<f64>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]);

/**
 * The fields of the records in `src[0, end)`, which ends with a line feed, as start and end offsets
 * (`starts[0, n]`, `ends[0, n)`); returns n, or -1 when the region holds a quote, a carriage
 * return, a blank line or a record of other than `width` fields (the JavaScript tokenizer handles
 * those). Needs 16 readable bytes past `end`. The cells of the columns `kinds` marks (1 float, 2
 * int) are parsed while they are in cache: column `c`'s values go to `values + c * rows * 8` (Float64
 * or Int32), its cells' outcomes to `status + c * rows` (see {@link parseCell}); the cells of
 * text columns (kind 3) are copied to `text + c * textBytes`, their ends to `offsets + c * (rows + 1)
 * * 4` (see {@link copyCell}).
 */
export function tokenize(
  src: usize,
  end: i32,
  delimiter: i32,
  width: i32,
  starts: usize,
  ends: usize,
  kinds: usize,
  values: usize,
  status: usize,
  rows: i32,
  text: usize,
  textBytes: i32,
  offsets: usize,
  tokens: usize,
  tokenLengths: u64,
): i32 {
  const vd = i8x16.splat(<i8>delimiter);
  const vl = i8x16.splat(<i8>LF);
  const vq = i8x16.splat(34);
  const vc = i8x16.splat(13);
  let fields: i32 = 0;
  let recordFirst: i32 = 0;
  let fieldStart: i32 = 0;
  let row: i32 = 0;
  store<i32>(starts, 0);
  for (let column: i32 = 0; column < width; column++) {
    if (load<u8>(kinds + <usize>column) == 3) store<i32>(offsets + (<usize>(column * (rows + 1)) << 2), 0);
  }
  for (let base: i32 = 0; base < end; base += 16) {
    const v = v128.load(src + <usize>base);
    const lf = i8x16.eq(v, vl);
    let stops = <u32>i8x16.bitmask(v128.or(i8x16.eq(v, vd), lf));
    let odd = <u32>i8x16.bitmask(v128.or(i8x16.eq(v, vq), i8x16.eq(v, vc)));
    const lfs = <u32>i8x16.bitmask(lf);
    const remaining = end - base;
    if (remaining < 16) {
      const keep = (<u32>1 << <u32>remaining) - 1;
      stops &= keep;
      odd &= keep;
    }
    if (odd != 0) return -1;
    while (stops != 0) {
      const bit = ctz(stops);
      stops &= stops - 1;
      const p = base + <i32>bit;
      store<i32>(ends + (<usize>fields << 2), p);
      const column = fields - recordFirst;
      if (column >= width) return -1;
      fields++;
      const kind = <i32>load<u8>(kinds + <usize>column);
      if (kind != 0 && row < rows) {
        if (kind == 3) {
          const offsetsOf = offsets + (<usize>(column * (rows + 1)) << 2);
          store<u8>(
            status + <usize>(column * rows + row),
            copyCell(src, fieldStart, p, text + <usize>(column * textBytes), offsetsOf + (<usize>row << 2), tokens, tokenLengths),
          );
        } else {
          const integer = kind == 2;
          const out = values + (<usize>(column * rows) << 3) + (<usize>row << (integer ? 2 : 3));
          store<u8>(status + <usize>(column * rows + row), parseCell(src, fieldStart, p, integer, out));
        }
      }
      if ((lfs >> bit) & 1) {
        // A blank line (an empty one-field record), or the wrong number of fields.
        if (column + 1 != width || (column == 0 && p == fieldStart)) return -1;
        recordFirst = fields;
        row++;
      }
      fieldStart = p + 1;
      store<i32>(starts + (<usize>fields << 2), fieldStart);
    }
  }
  return recordFirst == fields ? fields : -1;
}

/**
 * Appends `src[start, end)` to a text column's bytes at `data`: `offset` holds where it starts (the
 * end of the previous cell's), the next i32 gets where it ends. 0 when it did, 2 when the cell may
 * be a null token (its length is one of `tokenLengths`' bits, and it equals a token in `tokens`:
 * a length byte then the bytes, each, up to a 255 length byte): then nothing is appended and the
 * JavaScript path reads it.
 */
@inline
function copyCell(src: usize, start: i32, end: i32, data: usize, offset: usize, tokens: usize, tokenLengths: u64): u8 {
  const at = load<i32>(offset);
  const length = end - start;
  if (length < 64 && ((tokenLengths >> <u64>length) & 1) != 0) {
    let token = tokens;
    for (;;) {
      const size = <i32>load<u8>(token);
      if (size == 255) break;
      if (size == length) {
        let k: i32 = 0;
        while (k < size && load<u8>(token + 1 + <usize>k) == load<u8>(src + <usize>(start + k))) k++;
        if (k == size) {
          store<i32>(offset + 4, at);
          return 2;
        }
      }
      token += 1 + <usize>size;
    }
  }
  // 16 bytes a step (the area has room past its end; a later cell writes over the excess).
  for (let k: i32 = 0; k < length; k += 16) {
    v128.store(data + <usize>(at + k), v128.load(src + <usize>(start + k)));
  }
  store<i32>(offset + 4, at + length);
  return 0;
}

/**
 * Parses `src[start, end)` as value-parsers.ts's plainDecimal does into `out` (Float64, or Int32 when
 * `integer`; 0 for an empty cell): 0 when it did, 1 for an empty cell, 2 when the cell is not a
 * plain decimal of at most 15 digits or, when `integer`, its value is not an Int32 (the JavaScript
 * path then reads it).
 */
@inline
function parseCell(src: usize, start: i32, end: i32, integer: bool, out: usize): u8 {
  if (start == end) {
    if (integer) store<i32>(out, 0);
    else store<f64>(out, 0);
    return 1;
  }
  const zeros = i8x16.splat(48);
  let k = start;
  const first = <i32>load<u8>(src + <usize>k);
  const negative = first == 45;
  if (negative || first == 43) k++;
  const length = end - k;
  if (length <= 0 || length > 16) return 2;
  // The cell's bytes: anything but digits and one point ends the fast path.
  const v = v128.load(src + <usize>k);
  const odd = (<u32>i8x16.bitmask(i8x16.gt_u(i8x16.sub(v, zeros), i8x16.splat(9)))) & ((<u32>1 << <u32>length) - 1);
  let point: i32 = 16;
  if (odd != 0) {
    point = <i32>ctz(odd);
    if ((odd & (odd - 1)) != 0 || load<u8>(src + <usize>(k + point)) != 46) return 2;
  }
  const fracDigits = point == 16 ? 0 : length - point - 1;
  const digits = length - (point == 16 ? 0 : 1);
  if (digits == 0 || digits > 15) return 2;
  // The digits, right-aligned without the point, then 2, 4 and 8 digits a lane: exact, as at
  // most 15 digits is below 2^53 (the double JavaScript accumulates digit by digit).
  const aligned = i8x16.swizzle(v, v128.load(SHUFFLES + (<usize>(length * 17 + point) << 4)));
  const d = i8x16.sub_sat_u(aligned, zeros);
  const tens = i16x8(10, 1, 10, 1, 10, 1, 10, 1);
  const two = i16x8.narrow_i32x4_u(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(d), tens),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(d), tens),
  );
  const four = i32x4.dot_i16x8_s(two, i16x8(100, 1, 100, 1, 100, 1, 100, 1));
  const eight = i32x4.dot_i16x8_s(i16x8.narrow_i32x4_u(four, four), i16x8(10000, 1, 10000, 1, 0, 0, 0, 0));
  let value = <f64>i32x4.extract_lane(eight, 0) * 1e8 + <f64>i32x4.extract_lane(eight, 1);
  if (fracDigits != 0) value = value / load<f64>(POW10 + (<usize>fracDigits << 3));
  if (negative) value = -value;
  if (integer) {
    if (!(value >= -2147483648.0 && value <= 2147483647.0) || value != Math.floor(value)) return 2;
    store<i32>(out, <i32>value);
  } else {
    store<f64>(out, value);
  }
  return 0;
}

/** Where `numbers` leaves the count of empty cells it read. */
export const NULLS: usize = 2048;

/**
 * Sets bit `bitOffset + i` of `bits` (cleared first) for each parsed cell among the `count`
 * outcomes at `status` (see {@link tokenize}); returns how many cells in a row were parsed or empty,
 * stopping at the first the JavaScript path must read, and leaves the count of empty ones at NULLS.
 */
export function validity(status: usize, count: i32, bits: usize, bitOffset: i32): i32 {
  memory.fill(bits, 0, <usize>((bitOffset + count + 7) >> 3));
  let nulls: i32 = 0;
  let i: i32 = 0;
  for (; i < count; i++) {
    const outcome = load<u8>(status + <usize>i);
    if (outcome == 0) {
      const bit = <usize>(bitOffset + i);
      store<u8>(bits + (bit >> 3), load<u8>(bits + (bit >> 3)) | (<u8>1 << <u8>(bit & 7)));
    } else if (outcome == 1) nulls++;
    else break;
  }
  store<i32>(NULLS, nulls);
  return i;
}

/** How many of the `count` outcomes at `status` are 0 before the first that is not. */
export function run(status: usize, count: i32): i32 {
  let i: i32 = 0;
  while (i + 16 <= count) {
    const nonzero = <u32>i8x16.bitmask(i8x16.ne(v128.load(status + <usize>i), i8x16.splat(0)));
    if (nonzero != 0) return i + <i32>ctz(nonzero);
    i += 16;
  }
  while (i < count && load<u8>(status + <usize>i) == 0) i++;
  return i;
}

/**
 * Swizzle masks, 16 bytes each, at `(length * 17 + point) * 16` (point 16: none): the `length` bytes
 * of a cell with the point dropped and the digits right-aligned; the lanes before them read 0xff,
 * which swizzle makes 0.
 */
const SHUFFLES: usize = 4096;
for (let length = 0; length <= 16; length++) {
  for (let point = 0; point <= 16; point++) {
    const digits = point < length ? length - 1 : length;
    const mask = SHUFFLES + (<usize>(length * 17 + point) << 4);
    for (let lane = 0; lane < 16; lane++) {
      const q = lane - (16 - digits);
      store<u8>(mask + <usize>lane, q < 0 ? 0xff : q < point ? q : q + 1);
    }
  }
}
