import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { ClinicalRecordRepository } from './clinical-record.repository.js';
import { ComplicationEntity } from '../entities/complication.entity.js';

export type ComplicationColumns = Pick<
  ComplicationEntity,
  | 'caseId'
  | 'type'
  | 'onsetDate'
  | 'brookerGrade'
  | 'recurrenceCause'
  | 'sinkGrade'
  | 'clavienDindo'
  | 'reoperationDate'
  | 'reoperationProcedure'
  | 'resolvedDate'
  | 'followUpId'
  | 'description'
  | 'createdBy'
>;

@Injectable()
export class ComplicationRepository extends ClinicalRecordRepository<ComplicationEntity> {
  constructor(dataSource: DataSource) {
    super(dataSource, ComplicationEntity);
  }

  listForCase(caseId: string, manager?: EntityManager): Promise<ComplicationEntity[]> {
    return this.repo(manager).find({
      where: { caseId, deletedAt: IsNull() },
      order: { onsetDate: 'ASC', createdAt: 'ASC' },
    });
  }

  countReferencingVisit(followUpId: string, manager: EntityManager): Promise<number> {
    return this.repo(manager).countBy({ followUpId, deletedAt: IsNull() });
  }

  // The earliest onset among a case's live complications (a surgery date may not move past it).
  async earliestOnset(caseId: string, manager: EntityManager): Promise<string | null> {
    const [row] = await manager.query(
      'SELECT min(onset_date) AS onset FROM complications WHERE case_id = $1 AND deleted_at IS NULL',
      [caseId],
    );
    return row?.onset ?? null;
  }
}
