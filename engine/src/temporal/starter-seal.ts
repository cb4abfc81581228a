// Role claims the workers can trust: the API seals a run's starter (name and role) to the run's
// workflow id with an HMAC-SHA256 under a key derived from the instance's key ring, and a worker
// that holds the ring verifies the seal against the workflow id Temporal gives the activity.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunStarter } from '../catalog/capabilities';
import type { KeyRing } from '../local/secret-keys';

/** The HKDF label (`kiln <purpose>`) of the seal key: no other use of the ring shares it. */
const PURPOSE = 'run starter seal';

/**
 * What a seal binds the starter to: one run's workflow id (`run`), or a Temporal Schedule's action
 * workflow id, to which Temporal appends `-<nominal fire time>` for each run (`schedule`).
 */
export type SealScope = 'run' | 'schedule';

/** The suffix Temporal appends to a schedule's workflow id: `-` and the fire's time, RFC 3339 in UTC. */
const SCHEDULE_SUFFIX = /-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function mac(key: Buffer, scope: SealScope, id: string, starter: RunStarter): Buffer {
  return createHmac('sha256', key)
    .update(JSON.stringify(['kiln run starter v1', scope, id, starter.name, starter.role ?? null]))
    .digest();
}

/** The starter with its seal (`v1.<scope>.<base64url HMAC>`) under the ring's current key. */
export function sealStarter(ring: KeyRing, starter: RunStarter, workflowId: string, scope: SealScope = 'run'): RunStarter {
  const { seal: _old, ...claim } = starter;
  const key = ring.derivedKeys(PURPOSE)[0]!.key;
  return { ...claim, seal: `v1.${scope}.${mac(key, scope, workflowId, claim).toString('base64url')}` };
}

/** Whether `starter`'s seal verifies, with any key of the ring, for the run with this workflow id. */
export function starterSealVerifies(ring: KeyRing, starter: RunStarter, workflowId: string): boolean {
  const [version, scope, digest] = (starter.seal ?? '').split('.');
  if (version !== 'v1' || (scope !== 'run' && scope !== 'schedule') || !digest) return false;
  let id = workflowId;
  if (scope === 'schedule') {
    if (!SCHEDULE_SUFFIX.test(workflowId)) return false;
    id = workflowId.replace(SCHEDULE_SUFFIX, '');
  }
  const given = Buffer.from(digest, 'base64url');
  return ring
    .derivedKeys(PURPOSE)
    .some(({ key }) => {
      const expected = mac(key, scope, id, starter);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/**
 * The starter a worker acts on: the claim as is when its role verifies (or it claims none); else
 * the name without the role, and why (for the refusal message). `ring` undefined: a worker without
 * a key ring, which can verify nothing.
 */
export function trustedStarter(
  ring: KeyRing | undefined,
  starter: RunStarter | undefined,
  workflowId: string,
): { starter: RunStarter | undefined; unverified?: string } {
  if (!starter?.role) return { starter };
  if (ring && starterSealVerifies(ring, starter, workflowId)) return { starter };
  const unverified = ring
    ? `unverified role claim "${starter.role}" (its seal does not verify with this worker's key ring, KILN_SECRET_KEY or the key file in KILN_HOME, for run ${workflowId})`
    : `unverified role claim "${starter.role}" (this worker has no key ring to verify it: give it the API's KILN_SECRET_KEY)`;
  return { starter: { name: starter.name }, unverified };
}
