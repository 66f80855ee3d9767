import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  INVITED_TIMEPOINTS,
  invitationWindow,
  type InvitedTimepoint,
  nextReminderOn,
  operationMonth,
  QUESTIONNAIRE_INSTRUMENTS,
  REMINDER_DAYS,
  TIMEPOINT_LABELS,
} from '@ilr/clinical';
import {
  AccessRepository,
  type InvitationCaseContext,
  InvitationRepository,
  type QuestionnaireInvitationEntity,
} from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { type AuthContext, Permission, requireAccess, roleMay } from '../access/access.policy.js';
import { type AuditEventInput, SYSTEM_ACTORS } from '../audit/audit.service.js';
import { DomainError, ErrorCode } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MailError, MailService } from '../mail/mail.service.js';
import { MrnCipher } from '../patients/mrn-cipher.js';
import { ClinicalWrites } from '../writes/clinical-writes.js';
import type { CaseInvitationsResponse, InvitationView } from './dto/questionnaire.dto.js';
import { invitationEvent } from './invitation-events.js';
import { invitationMail } from './invitation-mail.js';
import { newToken } from './questionnaire-tokens.js';

export type MailKind = 'invitation' | 'reminder' | 'resend';

// What one run of the schedule did (logged, and returned to tests).
export interface ScheduleRun {
  created: number;
  ended: number;
  mailed: number;
  bounced: number;
  // A temporary mail failure stopped the run (the rest waits for the next one).
  mailUnavailable: boolean;
}

// The part of a unit of work a mail needs: its transaction, today, and its audit queue.
interface MailTx {
  manager: EntityManager;
  today: string;
  audit(events: AuditEventInput | AuditEventInput[]): void;
}

// Why a case's patient cannot be invited, in words (null: they can).
function ineligibility(context: InvitationCaseContext): string | null {
  if (context.consent !== 'given') return 'The patient has not given consent to the registry';
  if (context.deceasedDate) return 'The patient has died';
  if (context.promInvitations === 'declined') return 'The patient declined questionnaire invitations';
  if (!context.emailCiphertext) return 'No email address on file';
  return null;
}

const REASONS: Record<string, string> = {
  case_deleted: 'The case was deleted',
  visit_recorded: 'A visit is recorded at this timepoint',
  consent_not_given: 'The patient has not given consent to the registry',
  deceased: 'The patient has died',
  patient_declined: 'The patient declined questionnaire invitations',
  no_email: 'No email address on file',
  window_closed: 'The window closed unanswered',
};

function reasonInWords(code: string | null): string | null {
  if (!code) return null;
  if (code.startsWith('smtp_')) return `The mail server refused the address (${code.slice(5)})`;
  return REASONS[code] ?? code;
}

// Questionnaire invitations (step 12): the schedule that makes, mails, reminds and ends them, and the
// staff's per-case view with "send now" and "resend". Mail goes out inside the transaction that holds
// the invitation's row lock, so that one invitation is never mailed twice by two processes.
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly invitations: InvitationRepository,
    private readonly access: AccessRepository,
    private readonly cipher: MrnCipher,
    private readonly mail: MailService,
    private readonly writes: ClinicalWrites,
  ) {}

  // One run of the schedule: end what can no longer be answered, make what fell due, then mail every
  // invitation and reminder due today, one row per transaction.
  async runSchedule(options: { maxMails?: number } = {}): Promise<ScheduleRun> {
    const run: ScheduleRun = { created: 0, ended: 0, mailed: 0, bounced: 0, mailUnavailable: false };
    const actor = SYSTEM_ACTORS.questionnaireScheduler;
    await this.writes.asSystem(actor, async (tx) => {
      const ended = await this.invitations.endStale(tx.today, tx.manager);
      tx.audit(
        ended.map((row) =>
          invitationEvent(row.status === 'expired' ? 'expire' : row.status === 'declined' ? 'decline' : 'cancel', row),
        ),
      );
      run.ended = ended.length;
      run.created = (await this.invitations.createDue(tx.today, QUESTIONNAIRE_INSTRUMENTS, tx.manager)).length;
    });
    const maxMails = options.maxMails ?? 1000;
    while (run.mailed + run.bounced < maxMails) {
      let outcome: 'sent' | 'bounced' | null;
      try {
        outcome = await this.writes.asSystem(actor, async (tx) => {
          const claimed = await this.invitations.claimNextDue(tx.today, REMINDER_DAYS, tx.manager);
          if (!claimed) return null;
          const kind: MailKind = claimed.invitation.status === 'scheduled' ? 'invitation' : 'reminder';
          return (await this.mailIn(tx, claimed.invitation, claimed.surgeryDate, claimed.emailCiphertext, kind))
            .outcome;
        });
      } catch (error) {
        if (!(error instanceof MailError)) throw error;
        this.logger.warn(
          { reason: error.message },
          'questionnaire mail not sent; the schedule tries again at its next run',
        );
        run.mailUnavailable = true;
        break;
      }
      if (outcome === null) break;
      if (outcome === 'sent') run.mailed += 1;
      else run.bounced += 1;
    }
    return run;
  }

  // Mails one invitation with fresh links (an answer link and an unsubscribe link) and records it.
  private async mailIn(
    tx: MailTx,
    invitation: QuestionnaireInvitationEntity,
    surgeryDate: string,
    emailCiphertext: Buffer,
    kind: MailKind,
  ): Promise<{ outcome: 'sent' | 'bounced'; invitation: QuestionnaireInvitationEntity }> {
    const answer = newToken();
    const unsubscribe = newToken();
    await this.invitations.insertToken(invitation.id, answer.hash, 'answer', tx.manager);
    await this.invitations.insertToken(invitation.id, unsubscribe.hash, 'unsubscribe', tx.manager);
    const base = this.config.publicUrl;
    const message = invitationMail(this.cipher.decrypt(emailCiphertext), {
      kind: kind === 'reminder' ? 'reminder' : 'invitation',
      operationMonth: operationMonth(surgeryDate),
      timepointLabel: TIMEPOINT_LABELS[invitation.timepoint].toLowerCase(),
      closesOn: invitation.closesOn,
      link: `${base}/questionnaire/${answer.token}`,
      unsubscribeLink: `${base}/questionnaire/unsubscribe/${unsubscribe.token}`,
    });
    const sent = await this.mail.send(message);
    const row = { id: invitation.id, case_id: invitation.caseId, timepoint: invitation.timepoint };
    if (sent.kind === 'bounced') {
      const bounced = await this.invitations.setStatus(
        invitation.id,
        'bounced',
        `smtp_${sent.responseCode}`,
        tx.manager,
      );
      await this.invitations.deleteTokens([invitation.id], 'answer', tx.manager);
      tx.audit(invitationEvent('bounce', { ...row, status: 'bounced', status_reason: bounced.statusReason }));
      return { outcome: 'bounced', invitation: bounced };
    }
    const mailed = await this.invitations.markMailed(invitation.id, kind, tx.today, tx.manager);
    tx.audit(
      invitationEvent(kind === 'invitation' ? 'invite' : kind === 'reminder' ? 'remind' : 'resend', row, {
        mail: kind,
        remindersSent: mailed.remindersSent,
        closesOn: mailed.closesOn,
      }),
    );
    return { outcome: 'sent', invitation: mailed };
  }

  // ---- Staff view ----

  async listForCase(auth: AuthContext, caseId: string): Promise<CaseInvitationsResponse> {
    await requireAccess(this.access, auth, Permission.InvitationRead, caseId, 'The case');
    const context = await this.invitations.caseContext(caseId);
    if (!context) throw DomainError.notFound('The case');
    const rows = await this.invitations.listForCase(caseId);
    const today = this.writes.today();
    const maySend = roleMay(auth.user.role, Permission.InvitationSend);
    const reason = ineligibility(context);
    return {
      eligibility: { invitable: reason === null, reason },
      items: INVITED_TIMEPOINTS.map((timepoint) =>
        this.view(timepoint, context, rows.find((r) => r.timepoint === timepoint) ?? null, today, maySend),
      ),
    };
  }

  private view(
    timepoint: InvitedTimepoint,
    context: InvitationCaseContext,
    row: QuestionnaireInvitationEntity | null,
    today: string,
    maySend: boolean,
  ): InvitationView {
    const window = row ?? invitationWindow(context.surgeryDate, timepoint);
    const open = window.opensOn <= today && today <= window.closesOn;
    const blocked = ineligibility(context);
    const visitRecorded = context.visitTimepoints.includes(timepoint) && row?.status !== 'answered';
    let status: InvitationView['status'];
    let reason: string | null;
    if (row) {
      status = row.status;
      reason = reasonInWords(row.statusReason);
      if (status === 'scheduled' && open) reason = 'Due: it goes with the next run of the schedule';
    } else if (blocked) {
      [status, reason] = ['not_invited', blocked];
    } else if (visitRecorded) {
      [status, reason] = ['not_invited', REASONS.visit_recorded];
    } else if (window.closesOn < today) {
      [status, reason] = ['not_invited', 'The window closed before an invitation was made'];
    } else {
      [status, reason] = ['scheduled', open ? 'Due: it goes with the next run of the schedule' : null];
    }
    const sendable = maySend && open && !blocked && !visitRecorded;
    const sentBefore = row !== null && (row.mailsSent > 0 || row.status === 'bounced');
    return {
      timepoint,
      opensOn: window.opensOn,
      closesOn: window.closesOn,
      status,
      reason,
      sentAt: row?.firstSentAt?.toISOString() ?? null,
      remindersSent: row?.remindersSent ?? 0,
      lastSentAt: row?.lastSentAt?.toISOString() ?? null,
      nextReminderOn:
        row && (row.status === 'sent' || row.status === 'reminded') && row.firstSentOn
          ? nextReminderOn(row.firstSentOn, row.remindersSent)
          : null,
      openedAt: row?.openedAt?.toISOString() ?? null,
      answeredAt: row?.answeredAt?.toISOString() ?? null,
      followUpId: row?.followUpId ?? null,
      instruments: [...(row?.instruments ?? QUESTIONNAIRE_INSTRUMENTS[timepoint])],
      canSendNow: sendable && !sentBefore && status !== 'answered',
      canResend: sendable && sentBefore && status !== 'answered',
    };
  }

  // "Send now" (not yet mailed) or "resend" (mailed before: a fresh link), in the staff member's name.
  async send(auth: AuthContext, caseId: string, timepoint: InvitedTimepoint): Promise<InvitationView> {
    await requireAccess(this.access, auth, Permission.InvitationSend, caseId, 'The case');
    try {
      return await this.writes.onCase(auth, caseId, { notFound: 'The case' }, async (tx) => {
        const context = await this.invitations.caseContext(caseId, tx.manager);
        if (!context) throw DomainError.notFound('The case');
        const blocked = ineligibility(context);
        if (blocked) throw new DomainError(ErrorCode.Conflict, `${blocked}: no invitation can be sent.`);
        const window = invitationWindow(context.surgeryDate, timepoint);
        if (tx.today < window.opensOn || tx.today > window.closesOn) {
          throw new DomainError(
            ErrorCode.Conflict,
            `The ${TIMEPOINT_LABELS[timepoint].toLowerCase()} window is open from ${window.opensOn} to ${window.closesOn}: an invitation can be sent only while it is open.`,
          );
        }
        let row = await this.invitations.findForSending(caseId, timepoint, tx.manager);
        if (row?.status === 'answered') throw new DomainError(ErrorCode.Conflict, 'This questionnaire is answered.');
        if (context.visitTimepoints.includes(timepoint)) {
          throw new DomainError(ErrorCode.Conflict, 'A visit is recorded at this timepoint: no invitation is needed.');
        }
        row ??= await this.invitations.insertScheduled(
          { caseId, timepoint, ...window, instruments: [...QUESTIONNAIRE_INSTRUMENTS[timepoint]] },
          tx.manager,
        );
        // Made by a scheduler between our two statements: take its row.
        row ??= await this.invitations.findForSending(caseId, timepoint, tx.manager);
        const kind: MailKind = row!.mailsSent === 0 ? 'invitation' : 'resend';
        const mailed = await this.mailIn(tx, row!, context.surgeryDate, context.emailCiphertext!, kind);
        return this.view(timepoint, { ...context }, mailed.invitation, tx.today, true);
      });
    } catch (error) {
      if (error instanceof MailError) {
        throw new DomainError(
          ErrorCode.MailUnavailable,
          'The mail server could not be reached; nothing was sent. Try again later.',
        );
      }
      throw error;
    }
  }
}
