import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A webhook's deliveries act as its creator with the role the creator had when making it (as a
 * schedule's runs do): the role is kept with the row. NULL (webhooks made before this migration)
 * starts runs without a role, as before.
 */
export class WebhookCreatorRole1795470000000 implements MigrationInterface {
  name = 'WebhookCreatorRole1795470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks ADD COLUMN created_role text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE webhooks DROP COLUMN created_role');
  }
}
