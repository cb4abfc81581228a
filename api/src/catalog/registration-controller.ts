import { Body, Controller, Delete, Get, HttpCode, Inject, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { nodeTypeRegistrationSchema } from '@kiln/engine';
import { CurrentActor } from '../auth/actor.decorator';
import { type Actor, RequireRole } from '../auth/roles';
import { badRequest, notFound } from '../common/http-errors';
import { IdParam } from '../common/params';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { BUILTIN_CATALOG, NodeTypeRegistry } from './node-type-registry';
import type { Catalog } from '@kiln/engine';

/**
 * Workers register the node types they serve (a `worker` token, or an admin's) and renew the
 * registration as a heartbeat; see ARCHITECTURE.md, "Node types registered by their workers".
 */
@ApiTags('catalog')
@ApiBearerAuth()
@Controller('node-types')
export class RegistrationController {
  constructor(
    @Inject(NodeTypeRegistry) private readonly registry: NodeTypeRegistry,
    @Inject(BUILTIN_CATALOG) private readonly builtins: Catalog,
  ) {}

  /**
   * Registers (or renews) the node types a worker serves on its queue. 400 names each refused type
   * and why; 200 answers what was recorded and when to renew (`renewSeconds`) before it expires.
   */
  @Put('registrations/:workerId')
  @RequireRole('worker')
  @ApiBody({ schema: openApiSchema(nodeTypeRegistrationSchema) })
  register(
    @IdParam('workerId', 'workerId') workerId: string,
    @Body(new ZodBody(nodeTypeRegistrationSchema)) body: z.output<typeof nodeTypeRegistrationSchema>,
    @CurrentActor() actor: Actor,
  ) {
    return this.registry.register(workerId, body, actor);
  }

  /** Ends a worker's registration (it is stopping); its types stay in the catalog, unserved when no other worker serves them. */
  @Delete('registrations/:workerId')
  @RequireRole('worker')
  @HttpCode(204)
  async deregister(@IdParam('workerId', 'workerId') workerId: string, @CurrentActor() actor: Actor) {
    if (!(await this.registry.deregister(workerId, actor))) throw notFound(`registration of worker ${workerId}`);
  }

  /** The live worker registrations: which worker serves which types, on which queue, until when. */
  @Get('registrations')
  workers() {
    return this.registry.workers();
  }

  /** Forgets a registered type, every version (an admin's cleanup; a worker still serving it registers it again). */
  @Delete(':type')
  @RequireRole('admin')
  @HttpCode(204)
  async remove(@IdParam('type', 'nodeType') type: string, @CurrentActor() actor: Actor) {
    if (this.builtins.get(type)) throw badRequest(`${type} is a built-in node type and cannot be removed`);
    if ((await this.registry.remove(type, actor)) === 0) throw notFound(`registered node type ${type}`);
  }
}
