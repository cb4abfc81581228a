import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Catalog, nodeTypeJson, validateSpec } from '@kiln/engine';
import { NODE_CATALOG } from '../database';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(@Inject(NODE_CATALOG) private readonly catalog: Catalog) {}

  /**
   * Every node type, built-in and registered by workers: ports (each with the JSON Schema of its
   * values), params JSON Schema, docs, capabilities, and where it comes from (`source`: `builtin` or
   * the registering package or module, `language`, `served`; registered types also `queue` and
   * `lastSeenAt`). `GET /node-types` is the same list under its older name.
   */
  @Get(['catalog', 'node-types'])
  nodeTypes() {
    return this.catalog.types().map(nodeTypeJson);
  }

  /** Every problem in a spec, as `kiln validate` reports them (against built-in and registered types). */
  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: { spec?: unknown } | undefined) {
    const result = validateSpec(body?.spec, this.catalog);
    return { ok: result.ok, problems: result.problems };
  }
}
