import type { MigrationInterface, QueryRunner } from 'typeorm';

// A password reset or change bumps users.credentials_version; access tokens carry the version they
// were issued under and stop working once it moves on.
export class AddUserCredentialsVersion1796154448526 implements MigrationInterface {
  name = 'AddUserCredentialsVersion1796154448526';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "credentials_version" integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "credentials_version"`);
  }
}
