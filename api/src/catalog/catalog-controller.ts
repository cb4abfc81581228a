import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Catalog, nodeTypeJson, validateSpec } from '@kiln/engine';
import { NODE_CATALOG } from '../database';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(@Inject(NODE_CATALOG) private readonly catalog: Catalog) {}

  /** Every node type: ports (each with the JSON Schema of its values), params JSON Schema and docs, from the node definitions. */
  @Get('node-types')
  nodeTypes() {
    return this.catalog.types().map(nodeTypeJson);
  }

  /** Every problem in a spec, as `kiln validate` reports them. */
  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: { spec?: unknown } | undefined) {
    const result = validateSpec(body?.spec, this.catalog);
    return { ok: result.ok, problems: result.problems };
  }
}
