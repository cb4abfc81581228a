import { describe, expect, it } from 'vitest';
import { sign, verify } from './standard-webhooks';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
// The reference vector of the Standard Webhooks specification's libraries.
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const ts = 1614265330;
const body = '{"test": 2432232314}';

describe('Standard Webhooks signatures', () => {
  it('matches the reference signature', () => {
    expect(sign(secret, id, ts, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts a valid delivery, with the signature anywhere in a rotated list', () => {
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,b2xk v2,zzz ${sign(secret, id, ts, body)}` };
    expect(verify(secret, headers, body, ts + 10)).toEqual({ ok: true, id });
  });

  it('refuses missing headers, old or future timestamps, and wrong signatures, saying which', () => {
    const good = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, id, ts, body) };
    expect(verify(secret, { ...good, 'webhook-id': undefined }, body, ts)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(verify(secret, good, body, ts + 301)).toMatchObject({ ok: false, reason: expect.stringContaining('5 minutes') });
    expect(verify(secret, good, body, ts - 301)).toMatchObject({ ok: false });
    expect(verify(secret, good, `${body} `, ts)).toEqual({ ok: false, reason: 'no webhook-signature matches' });
    expect(verify('whsec_b3RoZXI=', good, body, ts)).toEqual({ ok: false, reason: 'no webhook-signature matches' });
    expect(verify(secret, { ...good, 'webhook-timestamp': '16e8' }, body, ts)).toMatchObject({ ok: false, reason: expect.stringContaining('Unix time') });
  });
});
