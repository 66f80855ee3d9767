import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

// The record-level questions of the access policy, each one indexed query over a set of ids.
@Injectable()
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async ids(sql: string, params: unknown[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await this.dataSource.query(sql, params);
    return new Set(rows.map((row) => row.id));
  }

  // Cases (live or deleted) whose surgeon is `userId`.
  casesOwnedBy(userId: string, caseIds: string[]): Promise<Set<string>> {
    return this.ids('SELECT id FROM cases WHERE id = ANY($1::uuid[]) AND surgeon_id = $2', [caseIds, userId]);
  }

  casesExisting(caseIds: string[]): Promise<Set<string>> {
    return this.ids('SELECT id FROM cases WHERE id = ANY($1::uuid[])', [caseIds]);
  }

  // Patients with at least one live case by `userId`, or registered by `userId`.
  patientsOfSurgeon(userId: string, patientIds: string[]): Promise<Set<string>> {
    return this.ids(
      `SELECT patient_id AS id FROM cases WHERE patient_id = ANY($1::uuid[]) AND surgeon_id = $2 AND deleted_at IS NULL
       UNION
       SELECT id FROM patients WHERE id = ANY($1::uuid[]) AND created_by = $2`,
      [patientIds, userId],
    );
  }

  patientsExisting(patientIds: string[]): Promise<Set<string>> {
    return this.ids('SELECT id FROM patients WHERE id = ANY($1::uuid[])', [patientIds]);
  }

  // The case of each live follow-up / complication, for record-level checks on them.
  async caseOfFollowUp(id: string): Promise<string | null> {
    const [row] = await this.dataSource.query('SELECT case_id FROM follow_ups WHERE id = $1 AND deleted_at IS NULL', [
      id,
    ]);
    return row?.case_id ?? null;
  }

  async caseOfComplication(id: string): Promise<string | null> {
    const [row] = await this.dataSource.query(
      'SELECT case_id FROM complications WHERE id = $1 AND deleted_at IS NULL',
      [id],
    );
    return row?.case_id ?? null;
  }

  activeSurgeons(userIds: string[]): Promise<Set<string>> {
    return this.ids("SELECT id FROM users WHERE id = ANY($1::uuid[]) AND role = 'surgeon' AND active", [userIds]);
  }
}
