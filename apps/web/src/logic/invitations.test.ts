import { describe, expect, it } from 'vitest';
import { TIMEPOINT_LABELS } from '@ilr/clinical';
import {
  checkContact,
  contactPatch,
  contactValues,
  eligibilityText,
  INVITATION_STATUS_WORDS,
  invitationAction,
  invitationRows,
  type InvitationStatus,
  type InvitationView,
  sentMessage,
} from './invitations.js';
import { schemaErrors, schemaOf } from './testing/openapi.js';
import { instantWords } from './visit-labels.js';

const view = (over: Partial<InvitationView> = {}): InvitationView => ({
  timepoint: '6w',
  opensOn: '2026-02-07',
  closesOn: '2026-03-20',
  status: 'scheduled',
  reason: null,
  sentAt: null,
  remindersSent: 0,
  lastSentAt: null,
  nextReminderOn: null,
  openedAt: null,
  answeredAt: null,
  followUpId: null,
  instruments: ['mhhs', 'ihot12', 'eq5d5l'],
  canSendNow: false,
  canResend: false,
  ...over,
});

describe('invitationRows', () => {
  it('words every status the API can report, none as its code', () => {
    const statuses = Object.keys(INVITATION_STATUS_WORDS) as InvitationStatus[];
    expect([...statuses].sort()).toEqual([...(schemaOf('InvitationStatus').enum as string[])].sort());
    expect(schemaErrors('InvitationView', view())).toEqual([]);
    for (const status of statuses) {
      const [row] = invitationRows([view({ status })], '2026-01-01');
      expect(row.status).toBe(INVITATION_STATUS_WORDS[status]);
      expect(row.status).not.toMatch(/_/);
    }
  });

  it('shows the timepoint and window in words, and when a scheduled one opens', () => {
    const [row] = invitationRows([view({ timepoint: '3m' })], '2026-01-01');
    expect(row).toMatchObject({
      timepointLabel: TIMEPOINT_LABELS['3m'],
      window: '7 February 2026 – 20 March 2026',
      status: 'Scheduled',
      detail: 'Window opens 7 February 2026',
      lastMail: 'None',
      reminders: '0 of 2',
      answered: null,
      action: null,
    });
    expect(invitationRows([view()], '2026-02-10')[0].detail).toBe('Due to be sent by the scheduler');
  });

  it('gives the reason, the last mail and the next reminder of a sent one, and the visit of an answered one', () => {
    const sent = view({
      status: 'reminded',
      sentAt: '2026-02-07T08:00:00Z',
      lastSentAt: '2026-02-14T08:00:00Z',
      remindersSent: 1,
      nextReminderOn: '2026-02-21',
    });
    const notInvited = view({ status: 'not_invited', reason: 'No email address on file' });
    const answered = view({ status: 'answered', answeredAt: '2026-02-15T10:30:00Z', followUpId: 'f1' });
    const rows = invitationRows([sent, notInvited, answered], '2026-02-15');
    expect(rows[0]).toMatchObject({
      status: 'Reminded, not answered yet',
      detail: 'Next reminder 21 February 2026',
      lastMail: instantWords('2026-02-14T08:00:00Z'),
      reminders: '1 of 2',
    });
    expect(rows[1].detail).toBe('No email address on file');
    expect(rows[2].answered).toEqual({ at: instantWords('2026-02-15T10:30:00Z'), followUpId: 'f1' });
  });

  it('offers Send now or Resend only where the server allows it, each naming its timepoint', () => {
    expect(invitationAction(view({ canSendNow: true }))).toEqual({
      kind: 'send',
      label: 'Send now',
      ariaLabel: 'Send the 6 weeks questionnaire now',
    });
    expect(invitationAction(view({ timepoint: '1y', status: 'bounced', canResend: true }))).toMatchObject({
      kind: 'resend',
      label: 'Resend',
      ariaLabel: 'Resend the 1 year questionnaire with a fresh link',
    });
    expect(invitationAction(view({ status: 'sent' }))).toBeNull();
  });

  it('confirms a send and a resend in words', () => {
    expect(sentMessage('send', view({ status: 'sent' }))).toBe('The 6 weeks questionnaire was sent to the patient.');
    expect(sentMessage('resend', view({ timepoint: '2y', status: 'sent' }))).toMatch(
      /^The 2 years questionnaire was sent again with a fresh link/,
    );
  });

  it('says why a patient is not invited at all', () => {
    expect(eligibilityText({ invitable: true, reason: null })).toBeNull();
    expect(eligibilityText({ invitable: false, reason: 'No email address on file.' })).toBe(
      'The patient is not sent questionnaires: no email address on file.',
    );
    expect(eligibilityText({ invitable: false, reason: null })).toBe('The patient is not sent questionnaires.');
  });
});

describe('the questionnaire contact', () => {
  it('starts from the patient, an absent email as empty', () => {
    expect(contactValues({ email: null, promInvitations: 'declined' })).toEqual({
      email: '',
      promInvitations: 'declined',
    });
    expect(contactValues({})).toEqual({ email: '', promInvitations: 'allowed' });
  });

  it('checks the email only when one is typed', () => {
    const ok = { promInvitations: 'allowed' as const };
    expect(checkContact({ ...ok, email: '' })).toEqual({});
    expect(checkContact({ ...ok, email: ' pat@example.org ' })).toEqual({});
    expect(checkContact({ ...ok, email: 'pat@example' }).email).toMatch(/^Enter an email address/);
    expect(checkContact({ ...ok, email: 'pat example@x.org' }).email).toBeTruthy();
    expect(checkContact({ ...ok, email: `${'a'.repeat(250)}@x.org` }).email).toMatch(/at most 254/);
  });

  it('sends a body UpdatePatientRequest accepts', () => {
    const body = contactPatch(
      { email: 'a@b.org', promInvitations: 'allowed' },
      { email: '', promInvitations: 'declined' },
    );
    expect(body).toEqual({ email: null, promInvitations: 'declined' });
    expect(schemaErrors('UpdatePatientRequest', body)).toEqual([]);
    expect(schemaErrors('UpdatePatientRequest', { email: 'new@example.org' })).toEqual([]);
  });

  it('sends only what changed; an emptied email clears it', () => {
    const stored = { email: 'pat@example.org', promInvitations: 'allowed' as const };
    expect(contactPatch(stored, { ...stored })).toEqual({});
    expect(contactPatch(stored, { ...stored, email: '  ' })).toEqual({ email: null });
    expect(contactPatch(stored, { email: ' new@example.org', promInvitations: 'declined' })).toEqual({
      email: 'new@example.org',
      promInvitations: 'declined',
    });
    expect(
      contactPatch({ email: '', promInvitations: 'allowed' }, { email: 'a@b.org', promInvitations: 'allowed' }),
    ).toEqual({
      email: 'a@b.org',
    });
  });
});
