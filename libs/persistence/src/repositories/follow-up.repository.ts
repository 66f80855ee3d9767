import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { ClinicalRecordRepository } from './clinical-record.repository.js';
import type { Instrument } from '@ilr/clinical';
import { FollowUpEntity } from '../entities/follow-up.entity.js';
import { PromResponseEntity } from '../entities/prom-response.entity.js';

export type FollowUpColumns = Pick<
  FollowUpEntity,
  | 'caseId'
  | 'visitDate'
  | 'day'
  | 'timepoint'
  | 'contactMode'
  | 'snapping'
  | 'groinPain'
  | 'hipFlexionStrength'
  | 'returnedToSport'
  | 'satisfaction'
  | 'createdBy'
>;

export type PromRow = Omit<PromResponseEntity, 'followUpId' | 'followUp'>;

export interface FollowUpWithProms {
  visit: FollowUpEntity;
  proms: PromResponseEntity[];
}

@Injectable()
export class FollowUpRepository extends ClinicalRecordRepository<FollowUpEntity> {
  constructor(dataSource: DataSource) {
    super(dataSource, FollowUpEntity);
  }

  private proms(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(PromResponseEntity);
  }

  // Replaces the named instruments' responses of a visit; `null` rows remove that instrument.
  async replaceProms(
    manager: EntityManager,
    followUpId: string,
    rows: Partial<Record<Instrument, PromRow | null>>,
  ): Promise<void> {
    const instruments = Object.keys(rows) as Instrument[];
    if (instruments.length === 0) return;
    await this.proms(manager).delete({ followUpId, instrument: In(instruments) });
    const inserts = instruments.filter((i) => rows[i]).map((i) => ({ ...rows[i]!, followUpId, instrument: i }));
    if (inserts.length) await this.proms(manager).insert(inserts);
  }

  // The PROM rows of many new visits in one INSERT.
  async insertProms(manager: EntityManager, rows: Array<PromRow & { followUpId: string }>): Promise<void> {
    for (let start = 0; start < rows.length; start += 2000)
      await this.proms(manager).insert(rows.slice(start, start + 2000));
  }

  promsOf(followUpIds: string[], manager?: EntityManager): Promise<PromResponseEntity[]> {
    if (followUpIds.length === 0) return Promise.resolve([]);
    return this.proms(manager).find({ where: { followUpId: In(followUpIds) }, order: { instrument: 'ASC' } });
  }

  // A case's live visits in date order, each with its PROM responses (two queries, not one per visit).
  async listForCase(caseId: string, manager?: EntityManager): Promise<FollowUpWithProms[]> {
    const visits = await this.repo(manager).find({
      where: { caseId, deletedAt: IsNull() },
      order: { visitDate: 'ASC', createdAt: 'ASC' },
    });
    const proms = await this.promsOf(
      visits.map((v) => v.id),
      manager,
    );
    return visits.map((visit) => ({ visit, proms: proms.filter((p) => p.followUpId === visit.id) }));
  }

  liveForCase(caseId: string, manager: EntityManager): Promise<FollowUpEntity[]> {
    return this.repo(manager).find({ where: { caseId, deletedAt: IsNull() } });
  }
}
