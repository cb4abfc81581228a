import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deployments (what serves which model version, and how traffic is split), their event history, the
 * index of prediction logs kept in the artifact store, and ground-truth feedback. Model versions get
 * the training dataset they were trained on, for drift monitoring.
 */
export class Deployments1795440000000 implements MigrationInterface {
  name = 'Deployments1795440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_versions ADD COLUMN reference jsonb`);
    await q.query(`CREATE TABLE deployments (
      name text PRIMARY KEY,
      model_name text NOT NULL REFERENCES models(name),
      primary_version int,
      standby_version int,
      candidate_version int,
      candidate_mode text CHECK (candidate_mode IN ('canary', 'shadow')),
      canary_percent double precision NOT NULL DEFAULT 0 CHECK (canary_percent >= 0 AND canary_percent <= 100),
      strategy text NOT NULL CHECK (strategy IN ('replace', 'canary', 'blue-green', 'shadow')),
      log_sample_rate double precision NOT NULL DEFAULT 1 CHECK (log_sample_rate >= 0 AND log_sample_rate <= 1),
      generation int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((candidate_version IS NULL) = (candidate_mode IS NULL))
    )`);
    await q.query(`CREATE TABLE deployment_events (
      id bigserial PRIMARY KEY,
      deployment text NOT NULL REFERENCES deployments(name) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      kind text NOT NULL,
      version int,
      detail jsonb NOT NULL DEFAULT '{}',
      actor text NOT NULL
    )`);
    await q.query(`CREATE INDEX deployment_events_by_deployment ON deployment_events (deployment, at DESC)`);
    await q.query(`CREATE TABLE prediction_logs (
      id bigserial PRIMARY KEY,
      deployment text NOT NULL REFERENCES deployments(name) ON DELETE CASCADE,
      artifact jsonb NOT NULL,
      rows int NOT NULL,
      requests int NOT NULL,
      errors int NOT NULL,
      first_at timestamptz NOT NULL,
      last_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX prediction_logs_by_time ON prediction_logs (deployment, last_at)`);
    await q.query(`CREATE TABLE prediction_feedback (
      prediction_id text PRIMARY KEY,
      deployment text NOT NULL REFERENCES deployments(name) ON DELETE CASCADE,
      label jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX prediction_feedback_by_time ON prediction_feedback (deployment, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE prediction_feedback');
    await q.query('DROP TABLE prediction_logs');
    await q.query('DROP TABLE deployment_events');
    await q.query('DROP TABLE deployments');
    await q.query('ALTER TABLE model_versions DROP COLUMN reference');
  }
}
