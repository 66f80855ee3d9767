// The registry staff's work lists from GET /reports/data-quality: each list's rows in words, the surgeons to filter
// by, and the filter itself (it runs in the browser, so that the surgeon choices stay whole whatever is chosen).
import type { Timepoint } from '@ilr/clinical';
import type { paths } from '../api/schema.js';
import { followUpFieldLabel } from './follow-up-form-values.js';
import { INVITATION_STATUS_WORDS } from './invitations.js';
import type { WithSurgeon } from './surgeons.js';
import { dateInWords, TIMEPOINT_LABELS } from './visit-labels.js';

export type DataQualityReport =
  paths['/api/v1/reports/data-quality']['get']['responses']['200']['content']['application/json'];
export type OverdueItem = DataQualityReport['overdue'][number];
export type DraftItem = DataQualityReport['unsignedDrafts'][number];
export type MissingItem = DataQualityReport['missingData'][number];

export interface SurgeonOption {
  value: string;
  label: string;
}

// The surgeons who appear in any list, by name.
export function surgeonOptions(report: DataQualityReport, nameOf: (id: string | null) => string): SurgeonOption[] {
  const ids = new Set(allRows(report).flatMap((r) => (r.surgeonId ? [r.surgeonId] : [])));
  return [...ids]
    .map((id) => ({ value: id, label: nameOf(id) }))
    .sort((a, b) => a.label.localeCompare(b.label, 'en') || a.value.localeCompare(b.value));
}

export const allRows = (report: DataQualityReport): readonly WithSurgeon[] => [
  ...report.overdue,
  ...report.unsignedDrafts,
  ...report.missingData,
];

// One surgeon's rows of every list ('' or null: everyone's).
export function forSurgeon(report: DataQualityReport, surgeonId: string | null | undefined): DataQualityReport {
  if (!surgeonId) return report;
  const mine = <T extends WithSurgeon>(rows: T[]) => rows.filter((r) => r.surgeonId === surgeonId);
  return {
    ...report,
    overdue: mine(report.overdue),
    unsignedDrafts: mine(report.unsignedDrafts),
    missingData: mine(report.missingData),
  };
}

export const timepointWords = (timepoint: Timepoint | string) => TIMEPOINT_LABELS[timepoint as Timepoint] ?? timepoint;

// Whole days from one calendar date to another (both YYYY-MM-DD, no time zone involved).
export function daysBetweenDates(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// "3 days ago", "today", "2 months ago" — how long ago a date was, as of the registry's today.
export function agoWords(date: string, today: string): string {
  const days = daysBetweenDates(date, today);
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 60) return `${days} days ago`;
  const months = Math.floor(days / 30.4375);
  if (months < 24) return `${months} months ago`;
  return `${Math.floor(days / 365.25)} years ago`;
}

export interface OverdueRow {
  key: string;
  caseId: string;
  registryCode: string;
  surgeon: string;
  timepoint: string;
  surgery: string;
  windowClosed: string;
  // The timepoint's questionnaire invitation (step 12), in words.
  questionnaire: string;
}

// An overdue timepoint's invitation: its status, and when it was mailed with how many reminders.
export function overdueInvitationWords(invitation: OverdueItem['invitation'], today: string): string {
  if (!invitation) return 'No questionnaire';
  const status = INVITATION_STATUS_WORDS[invitation.status] ?? invitation.status;
  if (!invitation.sentAt) return status;
  const n = invitation.remindersSent;
  const reminders = n ? `, ${n} reminder${n === 1 ? '' : 's'}` : '';
  return `${status}; mailed ${agoWords(invitation.sentAt.slice(0, 10), today)}${reminders}`;
}

export function overdueRows(
  items: readonly OverdueItem[],
  today: string,
  nameOf: (id: string | null) => string,
): OverdueRow[] {
  return items.map((item) => ({
    key: `${item.caseId}:${item.timepoint}`,
    caseId: item.caseId,
    registryCode: item.registryCode,
    surgeon: item.surgeonLabel ?? nameOf(item.surgeonId),
    timepoint: timepointWords(item.timepoint),
    surgery: dateInWords(item.surgeryDate),
    windowClosed: `${dateInWords(item.windowClosed)} (${agoWords(item.windowClosed, today)})`,
    questionnaire: overdueInvitationWords(item.invitation, today),
  }));
}

export interface DraftRow {
  key: string;
  caseId: string;
  registryCode: string;
  surgeon: string;
  surgery: string;
  logged: string;
  unsignedFor: string;
}

export function draftRows(items: readonly DraftItem[], nameOf: (id: string | null) => string): DraftRow[] {
  return items.map((item) => ({
    key: item.caseId,
    caseId: item.caseId,
    registryCode: item.registryCode,
    surgeon: item.surgeonLabel ?? nameOf(item.surgeonId),
    surgery: dateInWords(item.surgeryDate),
    // The date it was logged, in the registry's calendar (the instant's UTC date would do for a day count).
    logged: dateInWords(item.createdAt.slice(0, 10)),
    unsignedFor: item.daysUnsigned === 1 ? '1 day' : `${item.daysUnsigned} days`,
  }));
}

export interface MissingRow {
  key: string;
  caseId: string;
  followUpId: string;
  registryCode: string;
  surgeon: string;
  visit: string;
  missing: string;
}

export function missingRows(items: readonly MissingItem[], nameOf: (id: string | null) => string): MissingRow[] {
  return items.map((item) => ({
    key: item.followUpId,
    caseId: item.caseId,
    followUpId: item.followUpId,
    registryCode: item.registryCode,
    surgeon: item.surgeonLabel ?? nameOf(item.surgeonId),
    visit: `${timepointWords(item.timepoint)} visit on ${dateInWords(item.visitDate)}`,
    missing: item.missing.map(missingWords).join(', '),
  }));
}

// A missing field's words: the follow-up form's labels; a questionnaire reads "a scored mHHS".
export function missingWords(field: string): string {
  if (field.startsWith('proms.')) return `a scored ${followUpFieldLabel(field)}`;
  return followUpFieldLabel(field);
}
