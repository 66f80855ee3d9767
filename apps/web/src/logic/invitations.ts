// The case page's questionnaire invitations (step 12): GET /cases/:id/invitations in words (one row per timepoint,
// its window, its status and why, the mails sent, the visit the answers became), which row may be sent or resent
// now, and the patient's questionnaire contact (email, whether they accept invitations) with its PATCH body.
import { TIMEPOINT_LABELS, type ScheduledTimepoint } from '@ilr/clinical';
import type { components } from '../api/schema.js';
import { dateInWords, instantWords } from './visit-labels.js';

export type InvitationView = components['schemas']['InvitationView'];
export type InvitationsResponse = components['schemas']['CaseInvitationsResponse'];
export type InvitationTimepoint = InvitationView['timepoint'];
export type InvitationStatus = InvitationView['status'];
export type PromInvitations = components['schemas']['PromInvitations'];

// Reminders the schedule sends at most (reference/questionnaire-schedule `reminderDays`: 7 and 14 days).
export const MAX_REMINDERS = 2;

export const INVITATION_STATUS_WORDS: Record<InvitationStatus, string> = {
  scheduled: 'Scheduled',
  sent: 'Sent, not answered yet',
  reminded: 'Reminded, not answered yet',
  answered: 'Answered',
  expired: 'Expired without an answer',
  declined: 'Declined by the patient',
  bounced: 'Mail bounced',
  cancelled: 'Cancelled',
  not_invited: 'Not invited',
};

export const timepointWords = (timepoint: string): string =>
  TIMEPOINT_LABELS[timepoint as ScheduledTimepoint] ?? timepoint;

export interface InvitationAction {
  kind: 'send' | 'resend';
  label: string;
  // The button's accessible name: which timepoint it sends.
  ariaLabel: string;
}

export interface InvitationRow {
  timepoint: InvitationTimepoint;
  timepointLabel: string;
  window: string;
  status: string;
  // Why (not invited, cancelled, declined), in the server's words; or when the window opens / the next reminder.
  detail: string | null;
  lastMail: string;
  reminders: string;
  // The visit the answers became.
  answered: { at: string; followUpId: string | null } | null;
  action: InvitationAction | null;
}

// The status in words, with what a staff member needs to know next to it.
function detailOf(item: InvitationView, today: string): string | null {
  if (item.reason) return item.reason;
  if (item.status === 'scheduled')
    return item.opensOn > today ? `Window opens ${dateInWords(item.opensOn)}` : 'Due to be sent by the scheduler';
  if ((item.status === 'sent' || item.status === 'reminded') && item.nextReminderOn)
    return `Next reminder ${dateInWords(item.nextReminderOn)}`;
  return null;
}

export function invitationAction(item: InvitationView): InvitationAction | null {
  const timepoint = timepointWords(item.timepoint);
  if (item.canSendNow) return { kind: 'send', label: 'Send now', ariaLabel: `Send the ${timepoint} questionnaire now` };
  if (item.canResend)
    return { kind: 'resend', label: 'Resend', ariaLabel: `Resend the ${timepoint} questionnaire with a fresh link` };
  return null;
}

export function invitationRows(items: readonly InvitationView[], today: string): InvitationRow[] {
  return items.map((item) => ({
    timepoint: item.timepoint,
    timepointLabel: timepointWords(item.timepoint),
    window: `${dateInWords(item.opensOn)} – ${dateInWords(item.closesOn)}`,
    status: INVITATION_STATUS_WORDS[item.status] ?? item.status,
    detail: detailOf(item, today),
    lastMail: item.lastSentAt ? instantWords(item.lastSentAt) : item.sentAt ? instantWords(item.sentAt) : 'None',
    reminders: `${item.remindersSent} of ${MAX_REMINDERS}`,
    answered: item.answeredAt ? { at: instantWords(item.answeredAt), followUpId: item.followUpId } : null,
    action: invitationAction(item),
  }));
}

// The line above the table when the patient cannot be invited at all.
export function eligibilityText(eligibility: InvitationsResponse['eligibility']): string | null {
  if (eligibility.invitable) return null;
  const reason = eligibility.reason?.trim().replace(/\.$/, '');
  return reason
    ? `The patient is not sent questionnaires: ${lowerFirst(reason)}.`
    : 'The patient is not sent questionnaires.';
}

const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text);

// The confirmation after POST …/send, from the answer.
export function sentMessage(before: InvitationAction['kind'], after: InvitationView): string {
  const timepoint = timepointWords(after.timepoint);
  return before === 'resend'
    ? `The ${timepoint} questionnaire was sent again with a fresh link; the earlier link no longer works.`
    : `The ${timepoint} questionnaire was sent to the patient.`;
}

// The patient's questionnaire contact (PatientResponse's `email`, `promInvitations`).
export interface ContactValues {
  email: string;
  promInvitations: PromInvitations;
}

export const PROM_INVITATION_WORDS: Record<PromInvitations, string> = {
  allowed: 'Accepts questionnaire emails',
  declined: 'Declined questionnaire emails',
};

export const PROM_INVITATION_OPTIONS: { value: PromInvitations; label: string }[] = [
  { value: 'allowed', label: 'Send questionnaire emails' },
  { value: 'declined', label: 'Do not send questionnaire emails (the patient declined)' },
];

export function contactValues(patient: { email?: string | null; promInvitations?: PromInvitations }): ContactValues {
  return { email: patient.email ?? '', promInvitations: patient.promInvitations ?? 'allowed' };
}

export const EMAIL_MAX_LENGTH = 254;
// One @, something on either side, a dot in the domain, no spaces: the server checks the rest.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkContact(values: ContactValues): Record<string, string> {
  const email = values.email.trim();
  if (!email) return {};
  if (email.length > EMAIL_MAX_LENGTH) return { email: `An email address has at most ${EMAIL_MAX_LENGTH} characters.` };
  if (!EMAIL.test(email)) return { email: 'Enter an email address such as name@example.org, or leave it empty.' };
  return {};
}

// The PATCH /patients/:id body: only what changed; an emptied email is null (it clears the stored one).
export function contactPatch(
  stored: ContactValues,
  values: ContactValues,
): { email?: string | null; promInvitations?: PromInvitations } {
  const body: { email?: string | null; promInvitations?: PromInvitations } = {};
  const email = values.email.trim();
  if (email !== stored.email.trim()) body.email = email === '' ? null : email;
  if (values.promInvitations !== stored.promInvitations) body.promInvitations = values.promInvitations;
  return body;
}
