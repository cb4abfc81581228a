/**
 * Cell parsers that work on UTF-8 bytes (`bytes[start, end)`), so numeric columns never allocate a
 * string per cell. They return NaN (or -1) for "not this type" and leave the error to the caller.
 */

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A decimal number (`-12`, `3.5`, `.5`, `1e-3`, surrounding spaces allowed), or NaN. Hex, `1_000`,
 * `Infinity` and `NaN` are not numbers here. Up to 15 significant digits without an exponent are
 * computed exactly from the digits (an exact integer divided by an exact power of ten is correctly
 * rounded); anything else goes through `Number`.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  const plain = plainDecimal(bytes, start, end);
  if (plain === plain) return plain;
  let s = start;
  let e = end;
  while (s < e && (bytes[s] === 32 || bytes[s] === 9)) s++;
  while (e > s && (bytes[e - 1] === 32 || bytes[e - 1] === 9)) e--;
  if (s === e) return NaN;
  let i = s;
  let c = bytes[i]!;
  let negative = false;
  if (c === 45) {
    negative = true;
    i++;
  } else if (c === 43) i++;
  let mantissa = 0;
  let intDigits = 0;
  while (i < e && (c = bytes[i]!) >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    intDigits++;
    i++;
  }
  let fracDigits = 0;
  if (i < e && bytes[i] === 46) {
    i++;
    while (i < e && (c = bytes[i]!) >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      fracDigits++;
      i++;
    }
  }
  if (intDigits + fracDigits === 0) return NaN;
  let exponent = false;
  if (i < e && (bytes[i] === 101 || bytes[i] === 69)) {
    exponent = true;
    i++;
    if (i < e && (bytes[i] === 43 || bytes[i] === 45)) i++;
    const digitsFrom = i;
    while (i < e && (c = bytes[i]!) >= 48 && c <= 57) i++;
    if (i === digitsFrom) return NaN;
  }
  if (i !== e) return NaN;
  if (!exponent && intDigits + fracDigits <= 15) {
    const value = fracDigits === 0 ? mantissa : mantissa / POW10[fracDigits]!;
    return negative ? -value : value;
  }
  return Number(latin1(bytes, s, e));
}

/**
 * The common case of {@link parseDecimal} in one loop: an optional sign, then at most 15 digits with
 * at most one point among them, nothing else (no spaces, no exponent); NaN for anything else, which
 * the general path then reads. The same arithmetic, so the same value.
 */
export function plainDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const first = bytes[i];
  const negative = first === 45;
  if (negative || first === 43) i++;
  const length = end - i;
  if (length <= 0 || length > 16) return NaN;
  let mantissa = 0;
  let point = -1;
  for (let k = i; k < end; k++) {
    const digit = bytes[k]! - 48;
    if (digit >>> 0 <= 9) mantissa = mantissa * 10 + digit;
    else if (digit === -2 && point < 0) point = k;
    else return NaN;
  }
  const fracDigits = point < 0 ? 0 : end - point - 1;
  const digits = length - (point < 0 ? 0 : 1);
  if (digits === 0 || digits > 15) return NaN;
  const value = fracDigits === 0 ? mantissa : mantissa / POW10[fracDigits]!;
  return negative ? -value : value;
}

/**
 * How an integer is written: 0 not a plain integer (`1.0`, `1e3`, text), 1 an integer, 2 an integer
 * with a leading zero (`007`: an identifier or a code rather than a quantity).
 */
export function integerLiteral(bytes: Uint8Array, start: number, end: number): 0 | 1 | 2 {
  let s = start;
  let e = end;
  while (s < e && (bytes[s] === 32 || bytes[s] === 9)) s++;
  while (e > s && (bytes[e - 1] === 32 || bytes[e - 1] === 9)) e--;
  if (s < e && (bytes[s] === 45 || bytes[s] === 43)) s++;
  if (s === e) return 0;
  for (let i = s; i < e; i++) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) return 0;
  }
  return bytes[s] === 48 && e - s > 1 ? 2 : 1;
}

const NON_FINITE = /^\s*[+-]?(inf|infinity|nan)\s*$/i;

/** Whether a cell spells a non-finite number (`Infinity`, `-inf`, `NaN`, any case). */
export function isNonFiniteLiteral(text: string): boolean {
  return NON_FINITE.test(text);
}

/**
 * 1 for true, 0 for false, -1 for neither. Accepts `true`/`false` in any case, and `1`/`0` unless
 * `wordsOnly` (type inference must not read a 0/1 column as bool).
 */
export function parseBool(bytes: Uint8Array, start: number, end: number, wordsOnly: boolean): 0 | 1 | -1 {
  let s = start;
  let e = end;
  while (s < e && (bytes[s] === 32 || bytes[s] === 9)) s++;
  while (e > s && (bytes[e - 1] === 32 || bytes[e - 1] === 9)) e--;
  const n = e - s;
  if (n === 1 && !wordsOnly) {
    if (bytes[s] === 49) return 1;
    if (bytes[s] === 48) return 0;
    return -1;
  }
  if (n === 4 && matchesLower(bytes, s, 'true')) return 1;
  if (n === 5 && matchesLower(bytes, s, 'false')) return 0;
  return -1;
}

function matchesLower(bytes: Uint8Array, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if ((bytes[start + i]! | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * An ISO 8601 date (`2024-03-01`) or date-time (`2024-03-01T12:30`, `…:45.123Z`, `… 12:30:45+02:00`)
 * as milliseconds since the epoch, or NaN. A date-time without an offset is read as UTC. Digits are
 * read from fixed positions and days counted arithmetically: no regular expression, no Date object.
 */
export function parseTimestamp(bytes: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && (bytes[s] === 32 || bytes[s] === 9)) s++;
  while (e > s && (bytes[e - 1] === 32 || bytes[e - 1] === 9)) e--;
  if (e - s < 10 || bytes[s + 4] !== 45 || bytes[s + 7] !== 45) return NaN;
  const year = digits(bytes, s, 4);
  const month = digits(bytes, s + 5, 2);
  const day = digits(bytes, s + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  let millis = daysFromCivil(year, month, day) * 86_400_000;
  let i = s + 10;
  if (i === e) return millis;
  const t = bytes[i]!;
  if ((t !== 84 && t !== 116 && t !== 32) || e - i < 6 || bytes[i + 3] !== 58) return NaN;
  const hour = digits(bytes, i + 1, 2);
  const minute = digits(bytes, i + 4, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
  millis += hour * 3_600_000 + minute * 60_000;
  i += 6;
  if (i < e && bytes[i] === 58) {
    const second = digits(bytes, i + 1, 2);
    if (i + 3 > e || second < 0 || second > 59) return NaN;
    millis += second * 1000;
    i += 3;
    if (i < e && (bytes[i] === 46 || bytes[i] === 44)) {
      // Fraction: milliseconds from the first three digits, the rest (up to nanoseconds) dropped.
      const from = ++i;
      let fraction = 0;
      while (i < e && bytes[i]! >= 48 && bytes[i]! <= 57) {
        if (i - from < 3) fraction = fraction * 10 + (bytes[i]! - 48);
        i++;
      }
      const count = i - from;
      if (count === 0 || count > 9) return NaN;
      millis += count === 1 ? fraction * 100 : count === 2 ? fraction * 10 : fraction;
    }
  }
  while (i < e && bytes[i] === 32) i++;
  if (i === e) return millis;
  const z = bytes[i]!;
  if ((z === 90 || z === 122) && i + 1 === e) return millis;
  if (z !== 43 && z !== 45) return NaN;
  // +HH, +HHMM or +HH:MM
  const offsetHours = digits(bytes, i + 1, 2);
  let offsetMinutes = 0;
  const rest = e - (i + 3);
  if (rest === 3 && bytes[i + 3] === 58) offsetMinutes = digits(bytes, i + 4, 2);
  else if (rest === 2) offsetMinutes = digits(bytes, i + 3, 2);
  else if (rest !== 0) return NaN;
  if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return NaN;
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return z === 43 ? millis - offset : millis + offset;
}

/** `count` ASCII digits at `at` as a number, or -1. */
function digits(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = bytes[i];
    if (c === undefined || c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** {@link parseTimestamp} of a string. */
export function parseTimestampText(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return parseTimestamp(bytes, 0, bytes.byteLength);
}

/** Bytes known to be ASCII as a string (latin1 decoding is the cheapest). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return asBuffer(bytes).toString('latin1', start, end);
}

/** The same memory as a Buffer (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
