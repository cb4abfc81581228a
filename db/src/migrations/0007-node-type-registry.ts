import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Node types registered by their workers: the types (kept when their workers are gone, so the catalog
 * shows them unserved) and the workers' registrations, renewed as heartbeats and expired when not.
 * Every API replica reads both, so a registration made through one is seen by all. Tokens get the
 * `worker` role, which may only register node types.
 */
export class NodeTypeRegistry1795480000000 implements MigrationInterface {
  name = 'NodeTypeRegistry1795480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE node_types (
        type text NOT NULL,
        version int NOT NULL,
        source text NOT NULL,
        language text NOT NULL,
        queue text NOT NULL,
        info jsonb NOT NULL,
        digest text NOT NULL,
        registered_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (type, version)
      )`);
    await q.query(`
      CREATE TABLE node_type_workers (
        worker_id text PRIMARY KEY,
        source text NOT NULL,
        language text NOT NULL,
        queue text NOT NULL,
        types jsonb NOT NULL,
        registered_by text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX node_type_workers_expires ON node_type_workers (expires_at)');
    await q.query('ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check');
    await q.query(`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'editor', 'admin', 'worker'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM api_tokens WHERE role = 'worker'`);
    await q.query('ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check');
    await q.query(`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'editor', 'admin'))`);
    await q.query('DROP TABLE node_type_workers');
    await q.query('DROP TABLE node_types');
  }
}
