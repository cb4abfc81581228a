import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The model registry: models by name, versions with lineage, stage and card. */
export class ModelRegistry1795430000000 implements MigrationInterface {
  name = 'ModelRegistry1795430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE models (
      name text PRIMARY KEY,
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL
    )`);
    await q.query(`CREATE TABLE model_versions (
      name text NOT NULL REFERENCES models(name),
      version int NOT NULL,
      model jsonb NOT NULL,
      metrics jsonb NOT NULL,
      lineage jsonb NOT NULL,
      stage text NOT NULL DEFAULT 'none' CHECK (stage IN ('none', 'staging', 'production', 'archived')),
      was_production boolean NOT NULL DEFAULT false,
      stage_changed_at timestamptz NOT NULL DEFAULT now(),
      card jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      PRIMARY KEY (name, version)
    )`);
    // At most one production version per model.
    await q.query(`CREATE UNIQUE INDEX model_versions_one_production ON model_versions (name) WHERE stage = 'production'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE model_versions');
    await q.query('DROP TABLE models');
  }
}
