import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { TokenRole } from '@kiln/db';
import { Authenticator } from './authenticator';
import { type Actor, PUBLIC_KEY, ROLE_KEY } from './roles';

export type KilnRequest = FastifyRequest & { actor?: Actor };

/** Every route needs a bearer token unless marked `@Public()`; reads need viewer, writes editor. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly auth: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<KilnRequest>();
    const need =
      this.reflector.getAllAndOverride<TokenRole>(ROLE_KEY, targets) ?? (['GET', 'HEAD', 'OPTIONS'].includes(req.method) ? 'viewer' : 'editor');
    req.actor = await this.auth.authenticate(req.headers.authorization, need);
    return true;
  }
}
