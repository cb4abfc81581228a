import type { MigrationInterface, QueryRunner } from 'typeorm';
import { type PipelineSpec, pipelineHash, splitLayout } from '@kiln/engine';

/**
 * Layout is not identity: node positions move from the versions' specs to `pipelines.layout`, and a
 * version's hash becomes the hash of its spec without positions. The latest version's positions
 * become the pipeline's layout. Hashes are SHA-256 of canonical JSON, which SQL cannot compute, so
 * the rows are rewritten here, a page at a time.
 */
export class PipelineLayout1795460000000 implements MigrationInterface {
  name = 'PipelineLayout1795460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pipelines ADD COLUMN layout jsonb`);
    const page = 200;
    for (let after = { id: '00000000-0000-0000-0000-000000000000', version: 0 }; ;) {
      const rows = (await q.query(
        `SELECT v.pipeline_id, v.version, v.spec, p.latest_version FROM pipeline_versions v JOIN pipelines p ON p.id = v.pipeline_id
         WHERE jsonb_path_exists(v.spec, '$.nodes[*].position') AND (v.pipeline_id, v.version) > ($1::uuid, $2::int)
         ORDER BY v.pipeline_id, v.version LIMIT ${page}`,
        [after.id, after.version],
      )) as { pipeline_id: string; version: number; spec: PipelineSpec; latest_version: number }[];
      for (const row of rows) {
        const { spec, layout } = splitLayout(row.spec);
        await q.query(
          `UPDATE pipeline_versions SET spec = $1, hash = $2 WHERE pipeline_id = $3 AND version = $4`,
          [JSON.stringify(spec), pipelineHash(spec), row.pipeline_id, row.version],
        );
        if (row.version === row.latest_version)
          await q.query(`UPDATE pipelines SET layout = $1 WHERE id = $2`, [
            JSON.stringify(layout),
            row.pipeline_id,
          ]);
      }
      if (rows.length < page) break;
      after = { id: rows.at(-1)!.pipeline_id, version: rows.at(-1)!.version };
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // Positions go back onto the latest versions; hashes stay those of the specs without positions.
    await q.query(
      `UPDATE pipeline_versions v SET spec = jsonb_set(v.spec, '{nodes}', (
         SELECT jsonb_agg(CASE WHEN p.layout ? (n->>'id') THEN n || jsonb_build_object('position', p.layout->(n->>'id')) ELSE n END ORDER BY i)
         FROM jsonb_array_elements(v.spec->'nodes') WITH ORDINALITY AS e(n, i)))
       FROM pipelines p WHERE p.id = v.pipeline_id AND v.version = p.latest_version AND p.layout IS NOT NULL AND jsonb_array_length(v.spec->'nodes') > 0`,
    );
    await q.query('ALTER TABLE pipelines DROP COLUMN layout');
  }
}
