import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { ComplicationEntity } from '../entities/complication.entity.js';

export type ComplicationColumns = Pick<ComplicationEntity, 'caseId' | 'type' | 'onsetDate' | 'brookerGrade' | 'recurrenceCause' | 'sinkGrade'
  | 'clavienDindo' | 'reoperationDate' | 'reoperationProcedure' | 'resolvedDate' | 'followUpId' | 'description' | 'createdBy'>;

@Injectable()
export class ComplicationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ComplicationEntity);
  }

  async insert(manager: EntityManager, values: ComplicationColumns): Promise<ComplicationEntity> {
    return this.repo(manager).save(this.repo(manager).create({ ...values, version: 1, deletedAt: null, deletedBy: null, deleteReason: null }));
  }

  findLive(id: string, manager?: EntityManager): Promise<ComplicationEntity | null> {
    return this.repo(manager).findOneBy({ id, deletedAt: IsNull() });
  }

  findLiveForUpdate(id: string, manager: EntityManager): Promise<ComplicationEntity | null> {
    return this.repo(manager).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id AND c.deleted_at IS NULL', { id }).getOne();
  }

  async update(manager: EntityManager, id: string, changes: Partial<ComplicationEntity>): Promise<ComplicationEntity> {
    await this.repo(manager).createQueryBuilder().update()
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
      .where('id = :id', { id }).execute();
    return (await this.repo(manager).findOneBy({ id }))!;
  }

  listForCase(caseId: string, manager?: EntityManager): Promise<ComplicationEntity[]> {
    return this.repo(manager).find({ where: { caseId, deletedAt: IsNull() }, order: { onsetDate: 'ASC', createdAt: 'ASC' } });
  }

  countReferencingVisit(followUpId: string, manager: EntityManager): Promise<number> {
    return this.repo(manager).countBy({ followUpId, deletedAt: IsNull() });
  }

  // The earliest onset among a case's live complications (a surgery date may not move past it).
  async earliestOnset(caseId: string, manager: EntityManager): Promise<string | null> {
    const [row] = await manager.query('SELECT min(onset_date) AS onset FROM complications WHERE case_id = $1 AND deleted_at IS NULL', [caseId]);
    return row?.onset ?? null;
  }
}
