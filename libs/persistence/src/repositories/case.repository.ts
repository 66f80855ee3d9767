import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import type { CaseStatus, ReleaseLocation, Side } from '@ilr/clinical';
import { CaseEntity } from '../entities/case.entity.js';
import { overdueTimepointsSql } from './report.repository.js';

export type CaseColumns = Omit<
  CaseEntity,
  | 'id'
  | 'registryCode'
  | 'patient'
  | 'surgeon'
  | 'createdAt'
  | 'updatedAt'
  | 'version'
  | 'status'
  | 'signedAt'
  | 'signedBy'
  | 'deletedAt'
  | 'deletedBy'
  | 'deleteReason'
>;

export interface CaseListFilter {
  // Restricts the list to one surgeon's cases (a surgeon's own view, or the surgeonId filter).
  surgeonId?: string;
  // One patient's cases (staff finding a patient's cases by MRN).
  patientId?: string;
  from?: string;
  to?: string;
  side?: Side;
  releaseLocation?: ReleaseLocation;
  impingementRepair?: boolean;
  status?: CaseStatus;
  registryCodePrefix?: string;
}

// A listed case with its overdue timepoints (overdueTimepointSql) on the registry's today.
export interface ListedCase {
  entity: CaseEntity;
  overdueTimepoints: string[];
}

export interface CaseCursor {
  surgeryDate: string;
  registryCode: string;
}

@Injectable()
export class CaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(CaseEntity);
  }

  async nextRegistryCode(manager: EntityManager): Promise<string> {
    const [{ value }] = await manager.query(`SELECT nextval('case_registry_code_seq')::text AS value`);
    return `ILR-${String(value).padStart(6, '0')}`;
  }

  // A plain INSERT … RETURNING of the generated columns (save() would also run its change tracking).
  async insert(manager: EntityManager, values: CaseColumns & { registryCode: string }): Promise<CaseEntity> {
    const entity = this.repo(manager).create({
      ...values,
      status: 'draft',
      version: 1,
      signedAt: null,
      signedBy: null,
      deletedAt: null,
      deletedBy: null,
      deleteReason: null,
    });
    const result = await this.repo(manager).insert(entity);
    return Object.assign(entity, result.generatedMaps[0]);
  }

  // A live (not deleted) case, or null.
  findLive(id: string, manager?: EntityManager): Promise<CaseEntity | null> {
    return this.repo(manager).createQueryBuilder('c').where('c.id = :id AND c.deleted_at IS NULL', { id }).getOne();
  }

  findAny(id: string, manager?: EntityManager): Promise<CaseEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  // Locks a live case for the rest of the transaction: the If-Match check and the write that
  // follows it see the same version.
  findLiveForUpdate(id: string, manager: EntityManager): Promise<CaseEntity | null> {
    return this.repo(manager)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id AND c.deleted_at IS NULL', { id })
      .getOne();
  }

  async latestSurgeryOfPatient(patientId: string, manager: EntityManager): Promise<string | null> {
    const [{ latest }] = await manager.query(
      'SELECT max(surgery_date) AS latest FROM cases WHERE patient_id = $1 AND deleted_at IS NULL',
      [patientId],
    );
    return latest ?? null;
  }

  async surgeryDatesOfPatient(patientId: string, manager: EntityManager): Promise<string[]> {
    const rows: Array<{ surgery_date: string }> = await manager.query(
      'SELECT surgery_date FROM cases WHERE patient_id = $1 AND deleted_at IS NULL',
      [patientId],
    );
    return rows.map((row) => row.surgery_date);
  }

  async update(manager: EntityManager, id: string, changes: Partial<CaseEntity>): Promise<CaseEntity> {
    await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
    return (await this.findAny(id, manager))!;
  }

  // Keyset pagination in the list order (surgery date, then registry code), on the partial
  // index IDX_cases_list; each filter has an index of its own that leads with it.
  // Each row carries its overdue timepoints, computed per returned row on IDX_follow_ups_case.
  async list(
    filter: CaseListFilter,
    limit: number,
    today: string,
    after?: CaseCursor,
  ): Promise<{ items: ListedCase[]; hasMore: boolean }> {
    const query = this.repo()
      .createQueryBuilder('c')
      .addSelect(overdueTimepointsSql('c', 'CAST(:today AS date)'), 'overdue_timepoints')
      .setParameter('today', today)
      .where('c.deleted_at IS NULL');
    if (filter.surgeonId) query.andWhere('c.surgeon_id = :surgeonId', { surgeonId: filter.surgeonId });
    if (filter.patientId) query.andWhere('c.patient_id = :patientId', { patientId: filter.patientId });
    if (filter.from) query.andWhere('c.surgery_date >= :from', { from: filter.from });
    if (filter.to) query.andWhere('c.surgery_date <= :to', { to: filter.to });
    if (filter.side) query.andWhere('c.side = :side', { side: filter.side });
    if (filter.releaseLocation)
      query.andWhere('c.release_location = :releaseLocation', { releaseLocation: filter.releaseLocation });
    if (filter.impingementRepair !== undefined)
      query.andWhere('c.impingement_performed = :imp', { imp: filter.impingementRepair });
    if (filter.status) query.andWhere('c.status = :status', { status: filter.status });
    if (filter.registryCodePrefix) {
      const escaped = filter.registryCodePrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      query.andWhere('c.registry_code LIKE :prefix', { prefix: `${escaped}%` });
    }
    if (after) {
      query.andWhere(
        new Brackets((b) =>
          b.where('(c.surgery_date, c.registry_code) > (:d, :code)', {
            d: after.surgeryDate,
            code: after.registryCode,
          }),
        ),
      );
    }
    const { entities, raw } = await query
      .orderBy('c.surgery_date', 'ASC')
      .addOrderBy('c.registry_code', 'ASC')
      .limit(limit + 1)
      .getRawAndEntities<{ c_id: string; overdue_timepoints: string[] }>();
    const overdue = new Map(raw.map((r) => [r.c_id, r.overdue_timepoints]));
    const items = entities.map((entity) => ({ entity, overdueTimepoints: overdue.get(entity.id) ?? [] }));
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }

  // The overdue timepoints of one case (the list's rule and SQL).
  async overdueTimepoints(id: string, today: string, manager?: EntityManager): Promise<string[]> {
    const rows: Array<{ overdue: string[] }> = await (manager ?? this.dataSource.manager).query(
      `SELECT ${overdueTimepointsSql('c', '$2::date')} AS overdue FROM cases c WHERE c.id = $1`,
      [id, today],
    );
    return rows[0]?.overdue ?? [];
  }
}
