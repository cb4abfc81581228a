import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook signing secrets are sealed at rest (AES-256-GCM under the API's key ring). The column
 * records which key sealed a row: NULL marks a plaintext secret written before this migration. The
 * key lives outside the database, so the API seals those rows (and re-seals rows of a retired key)
 * when it starts; SQL alone cannot.
 */
export class SealedSecrets1795450000000 implements MigrationInterface {
  name = 'SealedSecrets1795450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN secret_key_id text`);
    await q.query(`CREATE INDEX webhooks_by_secret_key ON webhooks (secret_key_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX webhooks_by_secret_key');
    await q.query('ALTER TABLE webhooks DROP COLUMN secret_key_id');
  }
}
