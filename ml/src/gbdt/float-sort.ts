/**
 * Sorts float32 values (no NaN) ascending by radix sort of their order-preserving bit keys: three
 * passes of 11 bits, several times faster than `TypedArray.prototype.sort` on the 200 000-value
 * samples binning sorts for every feature.
 */
export function sortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  let keys = new Uint32Array(n);
  let tmp = new Uint32Array(n);
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    keys[i] = (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
  }
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      tmp[counts[(k >>> shift) & 2047]!++] = k;
    }
    [keys, tmp] = [tmp, keys];
  }
  const out = new Float32Array(n);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    outBits[i] = (k & 0x80000000 ? k & 0x7fffffff : ~k) >>> 0;
  }
  return out;
}
