import type { MigrationInterface, QueryRunner } from 'typeorm';

// Three optional code lists tell "none" from "not recorded" (issue 11): an empty list is a list
// answered with nothing in it; NULL is a list nobody recorded. Cases written before this migration
// stored an omitted list as empty, so their empty lists stay as they are: the registry cannot tell
// which of them were omitted.
export class NullableCaseCodeLists1796165742865 implements MigrationInterface {
  name = 'NullableCaseCodeLists1796165742865';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['prior_ipsilateral_surgery', 'conservative_treatment', 'intraoperative_events'])
      await queryRunner.query(`ALTER TABLE "cases" ALTER COLUMN "${column}" DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['prior_ipsilateral_surgery', 'conservative_treatment', 'intraoperative_events']) {
      await queryRunner.query(`UPDATE "cases" SET "${column}" = '{}' WHERE "${column}" IS NULL`);
      await queryRunner.query(`ALTER TABLE "cases" ALTER COLUMN "${column}" SET NOT NULL`);
    }
  }
}
