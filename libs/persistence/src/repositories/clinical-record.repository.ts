import { DataSource, type DeepPartial, type EntityManager, type FindOptionsWhere, IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { ClinicalRecordColumns } from '../entities/clinical-record.js';

// What every soft-deleted, versioned clinical record needs from the database (follow-ups,
// complications): insert as version 1, find while live, lock while live, update with a new version.
export abstract class ClinicalRecordRepository<E extends ClinicalRecordColumns & { id: string }> {
  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly entity: new () => E,
  ) {}

  protected repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository<E>(this.entity);
  }

  async insert(manager: EntityManager, values: DeepPartial<E>): Promise<E> {
    const repo = this.repo(manager);
    return repo.save(
      repo.create({ ...values, version: 1, deletedAt: null, deletedBy: null, deleteReason: null } as DeepPartial<E>),
    );
  }

  // Many new records in one INSERT (an import's batch): version 1, live, with their generated ids.
  async insertMany(manager: EntityManager, values: DeepPartial<E>[]): Promise<E[]> {
    if (values.length === 0) return [];
    const repo = this.repo(manager);
    const entities = values.map((v) =>
      repo.create({ ...v, version: 1, deletedAt: null, deletedBy: null, deleteReason: null } as DeepPartial<E>),
    );
    const result = await repo.insert(entities as QueryDeepPartialEntity<E>[]);
    return entities.map((entity, i) => Object.assign(entity, result.generatedMaps[i]));
  }

  // The live records of these cases (an import compares its rows with them).
  liveForCases(caseIds: string[], manager?: EntityManager): Promise<E[]> {
    if (caseIds.length === 0) return Promise.resolve([]);
    return this.repo(manager)
      .createQueryBuilder('r')
      .where('r.case_id = ANY(:caseIds) AND r.deleted_at IS NULL', { caseIds })
      .getMany();
  }

  findLive(id: string, manager?: EntityManager): Promise<E | null> {
    return this.repo(manager).findOneBy({ id, deletedAt: IsNull() } as FindOptionsWhere<E>);
  }

  // Locks a live record for the rest of the transaction (the If-Match check and the write see one version).
  findLiveForUpdate(id: string, manager: EntityManager): Promise<E | null> {
    return this.repo(manager)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.id = :id AND r.deleted_at IS NULL', { id })
      .getOne();
  }

  async update(manager: EntityManager, id: string, changes: Partial<E>): Promise<E> {
    await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({
        ...changes,
        version: () => 'version + 1',
        updatedAt: () => 'now()',
      } as unknown as QueryDeepPartialEntity<E>)
      .where('id = :id', { id })
      .execute();
    return (await this.repo(manager).findOneBy({ id } as FindOptionsWhere<E>))!;
  }
}
