import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first schema. Plain SQL that runs the same on PostgreSQL and PGlite. */
export class Initial1795420000000 implements MigrationInterface {
  name = 'Initial1795420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE pipelines (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      description text,
      latest_version int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      archived_at timestamptz,
      created_by text NOT NULL
    )`);
    // A name is taken once among pipelines that are not archived.
    await q.query(`CREATE UNIQUE INDEX pipelines_live_name ON pipelines (name) WHERE archived_at IS NULL`);
    await q.query(`CREATE TABLE pipeline_versions (
      pipeline_id uuid NOT NULL REFERENCES pipelines(id),
      version int NOT NULL,
      spec jsonb NOT NULL,
      hash text NOT NULL,
      author text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (pipeline_id, version)
    )`);
    await q.query(`CREATE TABLE runs (
      id text PRIMARY KEY,
      pipeline_id uuid NOT NULL REFERENCES pipelines(id),
      version int NOT NULL,
      params jsonb NOT NULL,
      trigger text NOT NULL,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      created_by text,
      source text,
      error text,
      state jsonb,
      FOREIGN KEY (pipeline_id, version) REFERENCES pipeline_versions(pipeline_id, version)
    )`);
    await q.query(`CREATE INDEX runs_pipeline ON runs (pipeline_id, started_at DESC)`);
    await q.query(`CREATE INDEX runs_status ON runs (status, started_at DESC)`);
    await q.query(`CREATE TABLE schedules (
      id text PRIMARY KEY,
      pipeline_id uuid NOT NULL REFERENCES pipelines(id),
      cron text NOT NULL,
      timezone text NOT NULL,
      params jsonb NOT NULL,
      overlap text NOT NULL,
      paused boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL
    )`);
    await q.query(`CREATE TABLE webhooks (
      id uuid PRIMARY KEY,
      pipeline_id uuid NOT NULL REFERENCES pipelines(id),
      secret text NOT NULL,
      param_mapping jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      deleted_at timestamptz
    )`);
    await q.query(`CREATE TABLE webhook_deliveries (
      webhook_id uuid NOT NULL REFERENCES webhooks(id),
      message_id text NOT NULL,
      run_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (webhook_id, message_id)
    )`);
    await q.query(`CREATE TABLE api_tokens (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
      digest text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`);
    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      action text NOT NULL,
      target text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'
    )`);
    await q.query(`CREATE INDEX audit_at ON audit_log (at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_log', 'api_tokens', 'webhook_deliveries', 'webhooks', 'schedules', 'runs', 'pipeline_versions', 'pipelines']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
