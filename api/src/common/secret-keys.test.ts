import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SECRET_KEY_FILE, loadKeyRing, parseKeyRing, sealedKeyId } from './secret-keys';

const key = () => randomBytes(32).toString('base64');

describe('the secret key ring', () => {
  it('seals with the current key and opens only in the same context', () => {
    const ring = parseKeyRing(`a:${key()}`);
    const sealed = ring.seal('whsec_abc', 'webhook:1');
    expect(sealed).toMatch(/^kiln-sealed:v1:a:/);
    expect(sealed).not.toContain('whsec_abc');
    expect(sealedKeyId(sealed)).toBe('a');
    expect(ring.open(sealed, 'webhook:1')).toBe('whsec_abc');
    expect(() => ring.open(sealed, 'webhook:2')).toThrow();
    // Two seals of one value differ (a fresh IV each time).
    expect(ring.seal('whsec_abc', 'webhook:1')).not.toBe(sealed);
    // Altered ciphertext does not open (the second-to-last base64url character carries six bits of the tag).
    const altered = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => ring.open(altered, 'webhook:1')).toThrow();
    expect(sealedKeyId('whsec_plain')).toBeUndefined();
  });

  it('rotates: the first key seals, every listed key opens, an unlisted key is named', () => {
    const oldKey = key();
    const old = parseKeyRing(`old:${oldKey}`);
    const sealed = old.seal('s', 'c');
    const rotated = parseKeyRing(`new:${randomBytes(32).toString('hex')}, old:${oldKey}`);
    expect(rotated.current.id).toBe('new');
    expect(rotated.ids).toEqual(['new', 'old']);
    expect(rotated.open(sealed, 'c')).toBe('s');
    expect(sealedKeyId(rotated.seal('s', 'c'))).toBe('new');
    expect(() => parseKeyRing(`new:${key()}`).open(sealed, 'c')).toThrow(
      'sealed with key "old", which KILN_SECRET_KEY does not list (keys: new)',
    );
    // Derived keys follow the ring's order and differ by purpose.
    expect(rotated.derive('x')).toHaveLength(2);
    expect(rotated.derive('x')[1]).toBe(old.derive('x')[0]);
    expect(rotated.derive('x')[0]).not.toBe(rotated.derive('y')[0]);
  });

  it('refuses malformed KILN_SECRET_KEY values, saying why', () => {
    expect(parseKeyRing(key()).current.id).toBe('k1');
    expect(() => parseKeyRing('')).toThrow('empty');
    expect(() => parseKeyRing('a:c2hvcnQ=')).toThrow('expected 32 bytes');
    expect(() => parseKeyRing(`a b:${key()}`)).toThrow('key id');
    expect(() => parseKeyRing(`a:${key()},a:${key()}`)).toThrow('twice');
  });

  it('without KILN_SECRET_KEY, generates a key once in KILN_HOME with mode 0600', () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-keys-'));
    const first = loadKeyRing(undefined, home);
    expect(first.source).toBe(join(home, SECRET_KEY_FILE));
    expect(statSync(first.source).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.source, 'utf8')).toMatch(/^local-[0-9a-f]{8}:/);
    const again = loadKeyRing(undefined, home);
    expect(again.ring.current.id).toBe(first.ring.current.id);
    expect(again.ring.open(first.ring.seal('x', 'c'), 'c')).toBe('x');
    expect(loadKeyRing(`env:${key()}`, home).source).toBe('KILN_SECRET_KEY');
  });
});
