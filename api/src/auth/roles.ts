import { SetMetadata } from '@nestjs/common';
import type { Role, TokenRole } from '@kiln/db';

export const ROLE_KEY = 'kiln:role';
export const PUBLIC_KEY = 'kiln:public';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/**
 * Whether a token's role may do what needs `need`. People's roles are ranked (viewer < editor <
 * admin); `worker` stands apart: a worker token may do only what needs `worker` (registering its node
 * types), which admins may do too.
 */
export function roleAllows(have: TokenRole, need: TokenRole): boolean {
  if (need === 'worker') return have === 'worker' || have === 'admin';
  if (have === 'worker') return false;
  return RANK[have] >= RANK[need];
}

/** The least role a route needs (default: viewer to read, editor to change). */
export const RequireRole = (role: TokenRole) => SetMetadata(ROLE_KEY, role);

/** No bearer token needed (health, signed webhooks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who made a request. */
export interface Actor {
  tokenId: string;
  name: string;
  role: TokenRole;
}

/** A person's role of an actor (a worker token never starts or saves anything, so it has none). */
export function personRole(actor: Actor): Role | undefined {
  return actor.role === 'worker' ? undefined : actor.role;
}
