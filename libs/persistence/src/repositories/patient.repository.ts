import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PatientEntity } from '../entities/patient.entity.js';

export type NewPatient = Pick<PatientEntity, 'mrnCiphertext' | 'mrnHash' | 'birthDate' | 'sex' | 'consent' | 'deceasedDate'>;

@Injectable()
export class PatientRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(PatientEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<PatientEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findByMrnHash(mrnHash: string, manager?: EntityManager): Promise<PatientEntity | null> {
    return this.repo(manager).findOneBy({ mrnHash });
  }

  // Locks the row for the rest of the transaction (PATCH with If-Match).
  findForUpdate(id: string, manager: EntityManager): Promise<PatientEntity | null> {
    return this.repo(manager).createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :id', { id }).getOne();
  }

  // Inserts unless the MRN is known; returns null on that conflict so the caller can answer 409
  // (or link the existing patient) without a race between two requests with one MRN.
  async insertUnlessMrnKnown(patient: NewPatient, manager: EntityManager): Promise<PatientEntity | null> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .insert()
      .values({ ...patient, version: 1 })
      .orIgnore()
      .returning(['id'])
      .execute();
    const rows = result.raw as Array<{ id: string }>;
    return rows.length === 0 ? null : this.findById(rows[0].id, manager);
  }

  async update(manager: EntityManager, id: string, changes: Partial<NewPatient>): Promise<PatientEntity> {
    await this.repo(manager)
      .createQueryBuilder()
      .update()
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
    return (await this.findById(id, manager))!;
  }
}
