// Patient-reported follow-ups (step 12): which instruments each timepoint's questionnaire asks for, when
// its invitation opens and closes, when reminders go, and whether the answers are complete enough to
// score. Reference data with a version, served by the API (GET /reference/questionnaire-schedule).
import { addDays } from './dates.js';
import { type Instrument, ITEM_RULES, type PromAnswers, scoreProms } from './proms.js';
import { type ScheduledTimepoint, timepointWindow } from './timepoints.js';
import { type CodeOf, vocabularyOf } from './vocabulary.js';

// DOMAIN.md § Patient: `declined` stops every invitation and reminder (the unsubscribe link sets it).
export const PROM_INVITATIONS = vocabularyOf('PromInvitations', { allowed: 'Allowed', declined: 'Declined' });
export type PromInvitations = CodeOf<typeof PROM_INVITATIONS>;

// An invitation's states. Stored: scheduled (due, not yet mailed), sent, reminded, answered, expired (its
// window closed unanswered), declined (the patient unsubscribed), bounced (the mail server refused the
// address), cancelled (a visit was recorded at the timepoint, or consent was withdrawn). `not_invited` is
// only ever shown: a timepoint no invitation row exists for.
export const INVITATION_STATUS = vocabularyOf('InvitationStatus', {
  scheduled: 'Scheduled',
  sent: 'Sent',
  reminded: 'Reminded',
  answered: 'Answered',
  expired: 'Expired',
  declined: 'Declined',
  bounced: 'Bounced',
  cancelled: 'Cancelled',
  not_invited: 'Not invited',
});
export type InvitationStatus = CodeOf<typeof INVITATION_STATUS>;
export type StoredInvitationStatus = Exclude<InvitationStatus, 'not_invited'>;
export const STORED_INVITATION_STATUSES = INVITATION_STATUS.codes.filter(
  (code): code is StoredInvitationStatus => code !== 'not_invited',
);

export const QUESTIONNAIRE_SCHEDULE_VERSION = 'ilr-questionnaires-2026.1';
export const QUESTIONNAIRE_SCHEDULE_SOURCE =
  'Registry rule: mHHS, iHOT-12 and EQ-5D-5L at every timepoint; HOS-ADL, HOS-Sport and NAHS from 6 months, ' +
  'when activities and sport are being resumed. Reminders 7 and 14 days after the invitation.';

// The timepoints patients are invited to: every scheduled one after surgery. A case is logged after its
// surgery, so the preoperative questionnaire stays with the clinic visit.
export type InvitedTimepoint = Exclude<ScheduledTimepoint, 'preop'>;
export const INVITED_TIMEPOINTS: readonly InvitedTimepoint[] = ['6w', '3m', '6m', '1y', '2y', '5y'];

const EARLY: readonly Instrument[] = ['mhhs', 'ihot12', 'eq5d5l'];
const FULL: readonly Instrument[] = ['mhhs', 'ihot12', 'hosAdl', 'hosSport', 'nahs', 'eq5d5l'];

// In the order the patient's page shows them.
export const QUESTIONNAIRE_INSTRUMENTS: Readonly<Record<InvitedTimepoint, readonly Instrument[]>> = {
  '6w': EARLY,
  '3m': EARLY,
  '6m': FULL,
  '1y': FULL,
  '2y': FULL,
  '5y': FULL,
};

// Days after the (first) invitation on which the reminders go; at most this many.
export const REMINDER_DAYS: readonly number[] = [7, 14];

export function isInvitedTimepoint(value: string): value is InvitedTimepoint {
  return (INVITED_TIMEPOINTS as readonly string[]).includes(value);
}

// The invitation's validity: the timepoint's window (DOMAIN.md § Follow-up visit), as calendar dates.
export function invitationWindow(
  surgeryDate: string,
  timepoint: InvitedTimepoint,
): { opensOn: string; closesOn: string } {
  const window = timepointWindow(timepoint);
  return { opensOn: addDays(surgeryDate, window.from), closesOn: addDays(surgeryDate, window.to) };
}

// The day the next reminder is due, or null when every reminder has gone.
export function nextReminderOn(firstSentOn: string, remindersSent: number): string | null {
  const day = REMINDER_DAYS[remindersSent];
  return day === undefined ? null : addDays(firstSentOn, day);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

// "March 2025": all a patient's mail and page say about the operation.
export function operationMonth(surgeryDate: string): string {
  const [year, month] = surgeryDate.split('-');
  return `${MONTHS[Number(month) - 1]} ${year}`;
}

// What a patient's answers to one instrument lack before they can be scored (DOMAIN.md § PROMs, the
// minimum answered): null when complete enough, else a sentence for the patient and the API's 400.
export function questionnaireShortfall(instrument: Instrument, answers: unknown): string | null {
  if (instrument === 'eq5d5l') {
    const value = (answers ?? {}) as Record<string, unknown>;
    const missing = ['mobility', 'selfCare', 'usualActivities', 'painDiscomfort', 'anxietyDepression', 'vas'].filter(
      (key) => typeof value[key] !== 'number',
    );
    return missing.length === 0
      ? null
      : `all five questions and the health scale are needed (${missing.length} missing)`;
  }
  // The scoring code decides: complete enough means it gives a score.
  const scored = scoreProms({ [instrument]: answers } as PromAnswers)[instrument];
  if (scored && scored.score !== null) return null;
  const rule = ITEM_RULES[instrument];
  const answered = scored?.answered ?? 0;
  return rule.minAnswered === rule.items
    ? `all ${rule.items} questions are needed (${answered} answered)`
    : `at least ${rule.minAnswered} of ${rule.items} questions are needed (${answered} answered)`;
}
