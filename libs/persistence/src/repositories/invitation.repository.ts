import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Instrument, InvitedTimepoint, StoredInvitationStatus } from '@ilr/clinical';
import {
  QuestionnaireInvitationEntity,
  QuestionnaireTokenEntity,
} from '../entities/questionnaire-invitation.entity.js';
import { windowsSql } from './report.repository.js';
import { returned } from './sql-results.js';

// An invitation claimed for a mail, with what the mail needs (the address still encrypted).
export interface ClaimedInvitation {
  invitation: QuestionnaireInvitationEntity;
  surgeryDate: string;
  emailCiphertext: Buffer;
  patientId: string;
}

// An invitation whose state the scheduler changed (for its audit event).
export interface ChangedInvitation {
  id: string;
  case_id: string;
  timepoint: InvitedTimepoint;
  status: StoredInvitationStatus;
  status_reason: string | null;
}

// An answer or unsubscribe link found by its token's hash, with its invitation and case.
export interface FoundToken {
  purpose: 'answer' | 'unsubscribe';
  invitation: QuestionnaireInvitationEntity;
  surgeryDate: string;
  patientId: string;
  caseLive: boolean;
}

// What decides whether a case's patient may be invited, and which timepoints already have a visit.
export interface InvitationCaseContext {
  surgeryDate: string;
  patientId: string;
  consent: string;
  promInvitations: string;
  emailCiphertext: Buffer | null;
  deceasedDate: string | null;
  visitTimepoints: string[];
}

// Open = still waiting for the patient.
export const OPEN_INVITATION_STATUSES: readonly StoredInvitationStatus[] = ['scheduled', 'sent', 'reminded'];
const OPEN = `('scheduled', 'sent', 'reminded')`;

// Whether patient `p` may be invited at all (DOMAIN.md § Patient): alive, consenting, with an address,
// and not having declined invitations.
function invitableSql(p: string): string {
  return `${p}.consent = 'given' AND ${p}.prom_invitations = 'allowed' AND ${p}.email_ciphertext IS NOT NULL
          AND ${p}.deceased_date IS NULL`;
}

const INVITATION_COLUMNS = `i.id, i.case_id, i.timepoint, i.opens_on::text AS opens_on, i.closes_on::text AS closes_on, i.status,
  i.status_reason, i.instruments, i.first_sent_on::text AS first_sent_on, i.first_sent_at, i.last_sent_at, i.reminders_sent,
  i.mails_sent, i.opened_at, i.answered_at, i.follow_up_id, i.progress, i.version, i.created_at, i.updated_at`;

@Injectable()
export class InvitationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  private entity(row: Record<string, unknown>, manager?: EntityManager): QuestionnaireInvitationEntity {
    return this.manager(manager)
      .getRepository(QuestionnaireInvitationEntity)
      .create({
        id: row.id as string,
        caseId: row.case_id as string,
        timepoint: row.timepoint as InvitedTimepoint,
        opensOn: row.opens_on as string,
        closesOn: row.closes_on as string,
        status: row.status as StoredInvitationStatus,
        statusReason: (row.status_reason as string | null) ?? null,
        instruments: row.instruments as Instrument[],
        firstSentOn: (row.first_sent_on as string | null) ?? null,
        firstSentAt: (row.first_sent_at as Date | null) ?? null,
        lastSentAt: (row.last_sent_at as Date | null) ?? null,
        remindersSent: Number(row.reminders_sent),
        mailsSent: Number(row.mails_sent),
        openedAt: (row.opened_at as Date | null) ?? null,
        answeredAt: (row.answered_at as Date | null) ?? null,
        followUpId: (row.follow_up_id as string | null) ?? null,
        progress: (row.progress as Record<string, unknown> | null) ?? null,
        version: Number(row.version),
        createdAt: row.created_at as Date,
        updatedAt: row.updated_at as Date,
      });
  }

  // Makes the invitations that are due: for each live case whose patient may be invited, each timepoint
  // whose window is open on `today` and has no live visit yet. Any number of schedulers may run this at
  // once: the unique (case, timepoint) constraint keeps one row. `instruments` per timepoint is the
  // reference schedule. Returns the rows it made.
  async createDue(
    today: string,
    instruments: Record<InvitedTimepoint, readonly Instrument[]>,
    manager?: EntityManager,
  ): Promise<ChangedInvitation[]> {
    return this.manager(manager).query(
      `WITH w(timepoint, from_day, to_day, target) AS (VALUES ${windowsSql()}),
            s(timepoint, instruments) AS (SELECT key, ARRAY(SELECT jsonb_array_elements_text(value)) FROM jsonb_each($2::jsonb))
       INSERT INTO questionnaire_invitations (case_id, timepoint, opens_on, closes_on, status, instruments)
       SELECT c.id, w.timepoint, c.surgery_date + w.from_day, c.surgery_date + w.to_day, 'scheduled', s.instruments
       FROM cases c
       JOIN patients p ON p.id = c.patient_id
       JOIN w ON $1::date BETWEEN c.surgery_date + w.from_day AND c.surgery_date + w.to_day
       JOIN s ON s.timepoint = w.timepoint
       WHERE c.deleted_at IS NULL AND ${invitableSql('p')}
         AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.case_id = c.id AND f.deleted_at IS NULL AND f.timepoint = w.timepoint)
       ON CONFLICT ON CONSTRAINT "UQ_questionnaire_invitations_case_timepoint" DO NOTHING
       RETURNING id, case_id, timepoint, status, status_reason`,
      [today, JSON.stringify(instruments)],
    );
  }

  // Ends the open invitations that can no longer be answered, each with its reason: the case was
  // deleted, a visit was recorded at the timepoint, the patient withdrew consent, died, lost their
  // address or declined invitations, or the window closed. A surgery date that moved moves the
  // windows of the open invitations first. Returns what changed.
  async endStale(today: string, manager?: EntityManager): Promise<ChangedInvitation[]> {
    const m = this.manager(manager);
    await m.query(
      `WITH w(timepoint, from_day, to_day, target) AS (VALUES ${windowsSql()})
       UPDATE questionnaire_invitations i
       SET opens_on = c.surgery_date + w.from_day, closes_on = c.surgery_date + w.to_day, updated_at = now()
       FROM cases c, w
       WHERE c.id = i.case_id AND w.timepoint = i.timepoint AND i.status IN ${OPEN}
         AND (i.opens_on <> c.surgery_date + w.from_day OR i.closes_on <> c.surgery_date + w.to_day)`,
    );
    const rows = returned<ChangedInvitation>(
      await m.query(
        `WITH reasons AS (
         SELECT i.id,
           CASE
             WHEN c.deleted_at IS NOT NULL THEN 'cancelled:case_deleted'
             WHEN EXISTS (SELECT 1 FROM follow_ups f WHERE f.case_id = i.case_id AND f.deleted_at IS NULL
                          AND f.timepoint = i.timepoint) THEN 'cancelled:visit_recorded'
             WHEN p.consent <> 'given' THEN 'cancelled:consent_not_given'
             WHEN p.deceased_date IS NOT NULL THEN 'cancelled:deceased'
             WHEN p.prom_invitations = 'declined' THEN 'declined:patient_declined'
             WHEN p.email_ciphertext IS NULL THEN 'cancelled:no_email'
             WHEN i.closes_on < $1::date THEN 'expired:window_closed'
           END AS outcome
         FROM questionnaire_invitations i
         JOIN cases c ON c.id = i.case_id
         JOIN patients p ON p.id = c.patient_id
         WHERE i.status IN ${OPEN}
         FOR UPDATE OF i SKIP LOCKED
       )
       UPDATE questionnaire_invitations i
       SET status = split_part(r.outcome, ':', 1), status_reason = split_part(r.outcome, ':', 2),
           progress = NULL, version = i.version + 1, updated_at = now()
       FROM reasons r
       WHERE r.id = i.id AND r.outcome IS NOT NULL
       RETURNING i.id, i.case_id, i.timepoint, i.status, i.status_reason`,
        [today],
      ),
    );
    if (rows.length > 0)
      await this.deleteTokens(
        rows.map((row) => row.id),
        'answer',
        m,
      );
    return rows;
  }

  // The next invitation that needs a mail today — its first, or a reminder on its day (`reminderDays`
  // after the first mail) — locked for the caller's transaction; a row another scheduler holds is
  // skipped (FOR UPDATE SKIP LOCKED), so two processes never mail one invitation twice.
  async claimNextDue(
    today: string,
    reminderDays: readonly number[],
    manager: EntityManager,
  ): Promise<ClaimedInvitation | null> {
    const [row] = await manager.query(
      `SELECT ${INVITATION_COLUMNS}, c.surgery_date::text AS surgery_date, p.email_ciphertext, p.id AS patient_id
       FROM questionnaire_invitations i
       JOIN cases c ON c.id = i.case_id
       JOIN patients p ON p.id = c.patient_id
       WHERE c.deleted_at IS NULL AND ${invitableSql('p')}
         AND i.opens_on <= $1::date AND i.closes_on >= $1::date
         AND (i.status = 'scheduled'
              OR (i.status IN ('sent', 'reminded') AND i.reminders_sent < cardinality($2::int[])
                  AND i.first_sent_on + ($2::int[])[i.reminders_sent + 1] <= $1::date))
       ORDER BY i.opens_on, i.id
       LIMIT 1
       FOR UPDATE OF i SKIP LOCKED`,
      [today, reminderDays],
    );
    if (!row) return null;
    return {
      invitation: this.entity(row, manager),
      surgeryDate: row.surgery_date,
      emailCiphertext: row.email_ciphertext,
      patientId: row.patient_id,
    };
  }

  // One case's invitation at a timepoint, locked, with what a mail needs; null when there is none.
  async findForSending(caseId: string, timepoint: InvitedTimepoint, manager: EntityManager) {
    const [row] = await manager.query(
      `SELECT ${INVITATION_COLUMNS} FROM questionnaire_invitations i WHERE i.case_id = $1 AND i.timepoint = $2 FOR UPDATE`,
      [caseId, timepoint],
    );
    return row ? this.entity(row, manager) : null;
  }

  // Creates a case's invitation at a timepoint now (a "send now" before the scheduler made it).
  async insertScheduled(
    values: Pick<QuestionnaireInvitationEntity, 'caseId' | 'timepoint' | 'opensOn' | 'closesOn' | 'instruments'>,
    manager: EntityManager,
  ): Promise<QuestionnaireInvitationEntity | null> {
    const [row] = await manager.query(
      `INSERT INTO questionnaire_invitations (case_id, timepoint, opens_on, closes_on, status, instruments)
       VALUES ($1, $2, $3, $4, 'scheduled', $5)
       ON CONFLICT ON CONSTRAINT "UQ_questionnaire_invitations_case_timepoint" DO NOTHING
       RETURNING id`,
      [values.caseId, values.timepoint, values.opensOn, values.closesOn, values.instruments],
    );
    return row ? this.findForSending(values.caseId, values.timepoint, manager) : null;
  }

  async caseContext(caseId: string, manager?: EntityManager): Promise<InvitationCaseContext | null> {
    const [row] = await this.manager(manager).query(
      `SELECT c.surgery_date::text AS surgery_date, p.id AS patient_id, p.consent, p.prom_invitations, p.email_ciphertext,
              p.deceased_date::text AS deceased_date,
              ARRAY(SELECT DISTINCT f.timepoint FROM follow_ups f WHERE f.case_id = c.id AND f.deleted_at IS NULL) AS visit_timepoints
       FROM cases c JOIN patients p ON p.id = c.patient_id
       WHERE c.id = $1 AND c.deleted_at IS NULL`,
      [caseId],
    );
    if (!row) return null;
    return {
      surgeryDate: row.surgery_date,
      patientId: row.patient_id,
      consent: row.consent,
      promInvitations: row.prom_invitations,
      emailCiphertext: row.email_ciphertext,
      deceasedDate: row.deceased_date,
      visitTimepoints: row.visit_timepoints,
    };
  }

  listForCase(caseId: string, manager?: EntityManager): Promise<QuestionnaireInvitationEntity[]> {
    return this.manager(manager)
      .query(`SELECT ${INVITATION_COLUMNS} FROM questionnaire_invitations i WHERE i.case_id = $1`, [caseId])
      .then((rows: Record<string, unknown>[]) => rows.map((row) => this.entity(row, manager)));
  }

  // Records a mail that went: the first makes the invitation `sent`, later ones count as reminders
  // (`reminder`) or as resends (neither).
  async markMailed(
    id: string,
    kind: 'invitation' | 'reminder' | 'resend',
    today: string,
    manager: EntityManager,
  ): Promise<QuestionnaireInvitationEntity> {
    const [row] = returned<Record<string, unknown>>(
      await manager.query(
        `UPDATE questionnaire_invitations i SET
         status = CASE WHEN $2 = 'reminder' THEN 'reminded' WHEN i.status IN ('scheduled', 'bounced', 'cancelled', 'declined') THEN 'sent' ELSE i.status END,
         status_reason = NULL,
         first_sent_on = COALESCE(i.first_sent_on, $3::date),
         first_sent_at = COALESCE(i.first_sent_at, now()),
         last_sent_at = now(),
         reminders_sent = i.reminders_sent + CASE WHEN $2 = 'reminder' THEN 1 ELSE 0 END,
         mails_sent = i.mails_sent + 1,
         version = i.version + 1, updated_at = now()
       WHERE i.id = $1
       RETURNING ${INVITATION_COLUMNS}`,
        [id, kind, today],
      ),
    );
    return this.entity(row, manager);
  }

  async setStatus(
    id: string,
    status: StoredInvitationStatus,
    reason: string | null,
    manager: EntityManager,
  ): Promise<QuestionnaireInvitationEntity> {
    const [row] = returned<Record<string, unknown>>(
      await manager.query(
        `UPDATE questionnaire_invitations i SET status = $2, status_reason = $3, version = i.version + 1, updated_at = now()
         WHERE i.id = $1 RETURNING ${INVITATION_COLUMNS}`,
        [id, status, reason],
      ),
    );
    return this.entity(row, manager);
  }

  async insertToken(
    invitationId: string,
    tokenHash: string,
    purpose: 'answer' | 'unsubscribe',
    manager: EntityManager,
  ) {
    await manager.getRepository(QuestionnaireTokenEntity).insert({ invitationId, tokenHash, purpose });
  }

  async deleteTokens(
    invitationIds: string[],
    purpose: 'answer' | 'unsubscribe',
    manager?: EntityManager,
  ): Promise<void> {
    await this.manager(manager).query(
      `DELETE FROM questionnaire_tokens WHERE invitation_id = ANY($1::uuid[]) AND purpose = $2`,
      [invitationIds, purpose],
    );
  }

  // A link by its token's hash; with `lock`, its invitation is locked for the caller's transaction.
  async findToken(
    tokenHash: string,
    options: { lock?: boolean } = {},
    manager?: EntityManager,
  ): Promise<FoundToken | null> {
    const [row] = await this.manager(manager).query(
      `SELECT t.purpose, ${INVITATION_COLUMNS}, c.surgery_date::text AS surgery_date, c.patient_id, c.deleted_at IS NULL AS case_live
       FROM questionnaire_tokens t
       JOIN questionnaire_invitations i ON i.id = t.invitation_id
       JOIN cases c ON c.id = i.case_id
       WHERE t.token_hash = $1
       ${options.lock ? 'FOR UPDATE OF i' : ''}`,
      [tokenHash],
    );
    if (!row) return null;
    return {
      purpose: row.purpose,
      invitation: this.entity(row, manager),
      surgeryDate: row.surgery_date,
      patientId: row.patient_id,
      caseLive: row.case_live,
    };
  }

  async markOpened(id: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE questionnaire_invitations SET opened_at = COALESCE(opened_at, now()), updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  async saveProgress(id: string, progress: Record<string, unknown>, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE questionnaire_invitations SET progress = $2, updated_at = now() WHERE id = $1`, [
      id,
      progress,
    ]);
  }

  async markAnswered(id: string, followUpId: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE questionnaire_invitations
       SET status = 'answered', status_reason = NULL, answered_at = now(), follow_up_id = $2, progress = NULL,
           version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id, followUpId],
    );
    await this.deleteTokens([id], 'answer', manager);
  }

  // Every open invitation of a patient ends as declined (the unsubscribe link, or staff setting the preference).
  async declineOpenOfPatient(patientId: string, manager: EntityManager): Promise<ChangedInvitation[]> {
    const rows = returned<ChangedInvitation>(
      await manager.query(
        `UPDATE questionnaire_invitations i
       SET status = 'declined', status_reason = 'patient_declined', progress = NULL, version = i.version + 1, updated_at = now()
       FROM cases c
       WHERE c.id = i.case_id AND c.patient_id = $1 AND i.status IN ${OPEN}
       RETURNING i.id, i.case_id, i.timepoint, i.status, i.status_reason`,
        [patientId],
      ),
    );
    if (rows.length > 0)
      await this.deleteTokens(
        rows.map((row) => row.id),
        'answer',
        manager,
      );
    return rows;
  }
}
