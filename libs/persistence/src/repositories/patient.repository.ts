import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PatientEntity } from '../entities/patient.entity.js';
import { returned } from './sql-results.js';

export type NewPatient = Pick<
  PatientEntity,
  'mrnCiphertext' | 'mrnHash' | 'birthDate' | 'sex' | 'consent' | 'deceasedDate' | 'createdBy'
> &
  Partial<Pick<PatientEntity, 'emailCiphertext' | 'promInvitations'>>;

@Injectable()
export class PatientRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(PatientEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<PatientEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  // On every case logged with an inline patient: a plain statement, not the ORM's query builder
  // (which cost more CPU than the query itself).
  async findByMrnHash(mrnHash: string, manager?: EntityManager): Promise<PatientEntity | null> {
    const [row] = await (manager ?? this.dataSource.manager).query(
      `SELECT id, mrn_ciphertext, mrn_hash, birth_date, sex, consent, deceased_date, email_ciphertext, prom_invitations,
              created_by, version, created_at, updated_at
       FROM patients WHERE mrn_hash = $1`,
      [mrnHash],
    );
    if (!row) return null;
    return this.repo(manager).create({
      id: row.id,
      mrnCiphertext: row.mrn_ciphertext,
      mrnHash: row.mrn_hash,
      birthDate: row.birth_date,
      sex: row.sex,
      consent: row.consent,
      deceasedDate: row.deceased_date,
      emailCiphertext: row.email_ciphertext,
      promInvitations: row.prom_invitations,
      createdBy: row.created_by,
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
  }

  // The registered patients of these MRN hashes (an import's batch).
  findByMrnHashes(mrnHashes: string[], manager?: EntityManager): Promise<PatientEntity[]> {
    if (mrnHashes.length === 0) return Promise.resolve([]);
    return this.repo(manager).createQueryBuilder('p').where('p.mrn_hash = ANY(:mrnHashes)', { mrnHashes }).getMany();
  }

  // Many new patients in one INSERT, skipping MRNs registered meanwhile (by a concurrent request):
  // returns those inserted.
  async insertManyUnlessMrnKnown(patients: NewPatient[], manager: EntityManager): Promise<PatientEntity[]> {
    if (patients.length === 0) return [];
    const rows: Array<{ id: string; mrn_hash: string; created_at: Date; updated_at: Date }> = await manager.query(
      `INSERT INTO patients (mrn_ciphertext, mrn_hash, birth_date, sex, consent, deceased_date, created_by, version)
       SELECT * , 1 FROM unnest($1::bytea[], $2::varchar[], $3::date[], $4::varchar[], $5::varchar[], $6::date[], $7::uuid[])
       ON CONFLICT DO NOTHING
       RETURNING id, mrn_hash, created_at, updated_at`,
      [
        patients.map((p) => p.mrnCiphertext),
        patients.map((p) => p.mrnHash),
        patients.map((p) => p.birthDate),
        patients.map((p) => p.sex),
        patients.map((p) => p.consent),
        patients.map((p) => p.deceasedDate),
        patients.map((p) => p.createdBy),
      ],
    );
    const byHash = new Map(patients.map((p) => [p.mrnHash, p]));
    return rows.map((row) =>
      this.repo(manager).create({
        emailCiphertext: null,
        promInvitations: 'allowed',
        ...byHash.get(row.mrn_hash)!,
        id: row.id,
        version: 1,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }),
    );
  }

  // Locks the row for the rest of the transaction (PATCH with If-Match).
  findForUpdate(id: string, manager: EntityManager): Promise<PatientEntity | null> {
    return this.repo(manager).createQueryBuilder('p').setLock('pessimistic_write').where('p.id = :id', { id }).getOne();
  }

  // Inserts unless the MRN is known; returns null on that conflict so the caller can answer 409
  // (or link the existing patient) without a race between two requests with one MRN.
  async insertUnlessMrnKnown(patient: NewPatient, manager: EntityManager): Promise<PatientEntity | null> {
    const entity = this.repo(manager).create({
      emailCiphertext: null,
      promInvitations: 'allowed',
      ...patient,
      version: 1,
    });
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

  // The unsubscribe link: invitations declined from now on. False when they already were.
  async declineInvitations(id: string, manager: EntityManager): Promise<boolean> {
    const rows = returned(
      await manager.query(
        `UPDATE patients SET prom_invitations = 'declined', version = version + 1, updated_at = now()
         WHERE id = $1 AND prom_invitations <> 'declined' RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
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
