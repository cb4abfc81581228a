import { SetMetadata } from '@nestjs/common';
import type { Role } from '@kiln/db';

export const ROLE_KEY = 'kiln:role';
export const PUBLIC_KEY = 'kiln:public';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The least role a route needs (default: viewer to read, editor to change). */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);

/** No bearer token needed (health, signed webhooks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who made a request. */
export interface Actor {
  tokenId: string;
  name: string;
  role: Role;
}
