import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { KilnRequest } from './auth-guard';
import type { Actor } from './roles';

/** The authenticated caller of a guarded route. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest<KilnRequest>().actor!;
});
