import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PatientEntity } from '../entities/patient.entity.js';

export type NewPatient = Pick<
  PatientEntity,
  'mrnCiphertext' | 'mrnHash' | 'birthDate' | 'sex' | 'consent' | 'deceasedDate' | 'createdBy'
>;

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
    const entity = this.repo(manager).create({ ...patient, version: 1 });
    const result = await this.repo(manager)
      .createQueryBuilder()
      .insert()
      .values(entity)
      .orIgnore()
      .returning(['id', 'created_at', 'updated_at'])
      .execute();
    const rows = result.raw as Array<{ id: string; created_at: Date; updated_at: Date }>;
    if (rows.length === 0) return null;
    return Object.assign(entity, { id: rows[0].id, createdAt: rows[0].created_at, updatedAt: rows[0].updated_at });
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
