import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvitationsService, ManualClock } from '@ilr/registry';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody, uniqueMrn } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';
import { linksIn, TestMailServer } from '../support/mail.js';
import { simpleParser } from 'mailparser';

type Body = Record<string, any>;

// The registry's "today" in these tests: a ManualClock the tests move forward (REGISTRY_TIME_ZONE is UTC).
const START = new Date('2026-06-01T12:00:00Z');
// Day 47 on START: the 6w window (days 28–69) is open, from 2026-05-13 to 2026-06-23.
const SURGERY = '2026-04-15';
const SIX_WEEKS = { opensOn: '2026-05-13', closesOn: '2026-06-23' };

const MHHS = {
  pain: 'slight',
  limp: 'none',
  support: 'none',
  distance: 'unlimited',
  stairs: 'normally_with_railing',
  shoesSocks: 'with_ease',
  sitting: 'ordinary_chair_one_hour',
  publicTransport: 'able',
};
// 40 + 11 + 11 + 11 + 2 + 4 + 5 + 1 = 85; × 1.1 = 93.5
const MHHS_SCORE = 85 * 1.1;
const IHOT = [80, 70, 60, 90, 100, 50, 40, 75, 85, 65, null, 95];
// The mean of the 11 answered.
const IHOT_SCORE = (80 + 70 + 60 + 90 + 100 + 50 + 40 + 75 + 85 + 65 + 95) / 11;
const EQ5D = { mobility: 1, selfCare: 1, usualActivities: 2, painDiscomfort: 2, anxietyDepression: 1, vas: 82 };

describe('Patient-reported follow-ups (questionnaires by email)', () => {
  let app: TestApp;
  let mail: TestMailServer;
  let clock: ManualClock;
  let staff: TestUser;
  let surgeon: TestUser;
  let schedule: () => ReturnType<InvitationsService['runSchedule']>;

  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  async function newCase(
    patient: Body = {},
    overrides: Body = {},
  ): Promise<{ caseId: string; patientId: string; email: string; mrn: string }> {
    const email = patient.email ?? `patient.${uniqueMrn().toLowerCase()}@example.org`;
    const mrn = uniqueMrn();
    const response = await app
      .http()
      .post('/api/v1/cases')
      .set(auth(surgeon))
      .send(
        newCaseBody({
          surgeryDate: SURGERY,
          patient: { mrn, birthDate: '1988-02-03', sex: 'female', email, ...patient },
          ...overrides,
        }),
      );
    expect(response.status).toBe(201);
    return { caseId: response.body.id, patientId: response.body.patientId, email, mrn };
  }

  async function invitations(caseId: string, user = staff): Promise<Body[]> {
    const response = await app.http().get(`/api/v1/cases/${caseId}/invitations`).set(auth(user));
    expect(response.status).toBe(200);
    return response.body.items;
  }

  const sixWeeksOf = async (caseId: string) => (await invitations(caseId)).find((i) => i.timepoint === '6w')!;

  beforeAll(async () => {
    mail = await new TestMailServer().start();
    clock = new ManualClock(START);
    app = await startTestApp({ SMTP_URL: mail.url, PUBLIC_URL: 'https://registry.example.org' }, { clock });
    staff = await app.factories.newUser({ role: 'registry_staff' });
    surgeon = await app.factories.newSurgeon();
    const service = app.app.get(InvitationsService);
    schedule = () => service.runSchedule();
  });

  afterAll(async () => {
    await app?.close();
    await mail?.close();
  });

  it('invites a case whose 6w window opened, collects the answers as a scored remote visit, and ends the link', async () => {
    const { caseId, email, mrn } = await newCase();
    const run = await schedule();
    expect(run.mailed).toBeGreaterThanOrEqual(1);
    const [message] = mail.to(email);
    expect(message).toBeDefined();
    expect(message.subject).toContain('April 2026');

    // Nothing identifying beyond the month and year of the operation.
    for (const part of [message.text, message.html, message.subject]) {
      expect(part).not.toContain(mrn);
      expect(part).not.toContain(email);
      expect(part).not.toContain('1988');
      expect(part).not.toContain(SURGERY);
      expect(part).not.toMatch(/right|left|iliopsoas|release/i);
    }
    expect(message.text).toContain('hip operation in April 2026');
    const { answer } = linksIn(message);
    expect(message.text).toContain(`https://registry.example.org/questionnaire/${answer}`);

    const opened = await app.http().get(`/api/v1/questionnaire/${answer}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({
      timepoint: '6w',
      timepointLabel: '6 weeks',
      operationMonth: 'April 2026',
      closesOn: SIX_WEEKS.closesOn,
      instruments: ['mhhs', 'ihot12', 'eq5d5l'],
      answers: {},
    });

    // Progress is kept between visits to the link.
    const partial = { mhhs: { ...MHHS, publicTransport: null }, ihot12: [...IHOT.slice(0, 6), ...Array(6).fill(null)] };
    expect((await app.http().put(`/api/v1/questionnaire/${answer}/answers`).send({ answers: partial })).status).toBe(
      204,
    );
    expect((await app.http().get(`/api/v1/questionnaire/${answer}`)).body.answers).toEqual(partial);

    // Too few answers: 400 naming the instrument, and nothing recorded.
    const short = await app
      .http()
      .post(`/api/v1/questionnaire/${answer}/submit`)
      .send({ answers: { ...partial, eq5d5l: EQ5D } });
    expect(short.status).toBe(400);
    expect(short.body.errors.map((e: Body) => e.field).sort()).toEqual(['answers.ihot12', 'answers.mhhs']);

    const submitted = await app
      .http()
      .post(`/api/v1/questionnaire/${answer}/submit`)
      .send({ answers: { mhhs: MHHS, ihot12: IHOT, eq5d5l: EQ5D } });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toEqual({ status: 'answered' });

    const theCase = await app.http().get(`/api/v1/cases/${caseId}`).set(auth(surgeon));
    const [visit] = theCase.body.followUps;
    expect(visit).toMatchObject({ timepoint: '6w', contactMode: 'remote_questionnaire', visitDate: '2026-06-01' });
    expect(visit.proms.mhhs.score).toBeCloseTo(MHHS_SCORE, 10);
    expect(visit.proms.ihot12.score).toBeCloseTo(IHOT_SCORE, 10);
    expect(visit.proms.eq5d5l.items).toEqual(EQ5D);

    // The link is used: the same answer as an unknown link.
    const used = await app.http().get(`/api/v1/questionnaire/${answer}`);
    const unknown = await app.http().get(`/api/v1/questionnaire/${'A'.repeat(43)}`);
    expect(used.status).toBe(404);
    expect(used.body).toEqual({ ...unknown.body, correlationId: used.body.correlationId });
    expect(used.body.code).toBe('link_invalid');

    const view = await sixWeeksOf(caseId);
    expect(view).toMatchObject({ status: 'answered', followUpId: visit.id, ...SIX_WEEKS });

    // Every invitation, open and answer is an audit event, without the address.
    const events = await app.dataSource.query(
      `SELECT action, actor_system, details::text AS details, changes::text AS changes FROM audit_events
       WHERE case_id = $1 AND entity_type IN ('invitation', 'follow_up') ORDER BY id`,
      [caseId],
    );
    expect(events.map((e: Body) => e.action)).toEqual(['invite', 'open', 'open', 'create', 'answer']);
    expect(events.find((e: Body) => e.action === 'create').actor_system).toBe('system:patient-questionnaire');
    for (const event of events) expect(`${event.details}${event.changes}`).not.toContain(email);
    // Not in the logs either.
    expect(JSON.stringify(app.logs)).not.toContain(email);
  });

  it('keeps EQ-5D-5L progress partial but refuses it partial on submit', async () => {
    const { email } = await newCase();
    await schedule();
    const { answer } = linksIn(mail.to(email)[0]);
    const progress = {
      eq5d5l: {
        mobility: 2,
        selfCare: null,
        usualActivities: null,
        painDiscomfort: null,
        anxietyDepression: null,
        vas: null,
      },
    };
    expect((await app.http().put(`/api/v1/questionnaire/${answer}/answers`).send({ answers: progress })).status).toBe(
      204,
    );
    const bad = await app
      .http()
      .put(`/api/v1/questionnaire/${answer}/answers`)
      .send({ answers: { ihot12: [101, ...Array(11).fill(null)] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('answers.ihot12[0]');
    const notAsked = await app
      .http()
      .put(`/api/v1/questionnaire/${answer}/answers`)
      .send({ answers: { nahs: Array(20).fill(4) } });
    expect(notAsked.status).toBe(400);
    expect(notAsked.body.errors[0]).toMatchObject({ field: 'answers.nahs', code: 'not_asked' });
    const submit = await app
      .http()
      .post(`/api/v1/questionnaire/${answer}/submit`)
      .send({ answers: { mhhs: MHHS, ihot12: IHOT, eq5d5l: progress.eq5d5l } });
    expect(submit.status).toBe(400);
  });

  it('reminds on days 7 and 14, stops after the answer, and expires when the window closes', async () => {
    const answered = await newCase();
    const silent = await newCase();
    await schedule();
    expect(mail.to(answered.email)).toHaveLength(1);
    expect(mail.to(silent.email)).toHaveLength(1);

    clock.advanceDays(6); // day 6 after the invitation: no reminder yet
    await schedule();
    expect(mail.to(silent.email)).toHaveLength(1);

    clock.advanceDays(1); // day 7
    await schedule();
    expect(mail.to(silent.email)).toHaveLength(2);
    expect(mail.to(silent.email)[1].subject).toMatch(/^Reminder:/);
    expect(mail.to(answered.email)).toHaveLength(2);
    // Links from the invitation and from the reminder both work until the answer.
    const first = linksIn(mail.to(answered.email)[0]).answer;
    const second = linksIn(mail.to(answered.email)[1]).answer;
    expect((await app.http().get(`/api/v1/questionnaire/${first}`)).status).toBe(200);
    const submit = await app
      .http()
      .post(`/api/v1/questionnaire/${second}/submit`)
      .send({ answers: { mhhs: MHHS, ihot12: IHOT, eq5d5l: EQ5D } });
    expect(submit.status).toBe(201);
    expect((await app.http().get(`/api/v1/questionnaire/${first}`)).status).toBe(404);

    clock.advanceDays(7); // day 14
    await schedule();
    expect(mail.to(silent.email)).toHaveLength(3);
    expect(mail.to(answered.email)).toHaveLength(2);
    expect(await sixWeeksOf(silent.caseId)).toMatchObject({
      status: 'reminded',
      remindersSent: 2,
      nextReminderOn: null,
    });

    clock.advanceDays(7); // day 21: no third reminder
    await schedule();
    expect(mail.to(silent.email)).toHaveLength(3);

    // 2026-06-23 is the last day of the window; on the 24th the invitation has expired.
    clock.set(new Date('2026-06-24T08:00:00Z'));
    const link = linksIn(mail.to(silent.email)[2]).answer;
    await schedule();
    expect(await sixWeeksOf(silent.caseId)).toMatchObject({
      status: 'expired',
      reason: 'The window closed unanswered',
    });
    expect((await app.http().get(`/api/v1/questionnaire/${link}`)).status).toBe(404);
    clock.set(START);
  });

  it('invites nobody who declined, and the unsubscribe link declines every open invitation', async () => {
    const declined = await newCase({ promInvitations: 'declined' });
    const unsubscribing = await newCase();
    await schedule();
    expect(mail.to(declined.email)).toHaveLength(0);
    expect(await sixWeeksOf(declined.caseId)).toMatchObject({
      status: 'not_invited',
      reason: 'The patient declined questionnaire invitations',
      canSendNow: false,
    });

    const { answer, unsubscribe } = linksIn(mail.to(unsubscribing.email)[0]);
    const response = await app.http().post('/api/v1/questionnaire/unsubscribe').send({ token: unsubscribe });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ promInvitations: 'declined' });
    expect(await sixWeeksOf(unsubscribing.caseId)).toMatchObject({ status: 'declined' });
    expect((await app.http().get(`/api/v1/questionnaire/${answer}`)).status).toBe(404);
    const patient = await app.http().get(`/api/v1/patients/${unsubscribing.patientId}`).set(auth(staff));
    expect(patient.body.promInvitations).toBe('declined');
    clock.advanceDays(7);
    await schedule();
    expect(mail.to(unsubscribing.email)).toHaveLength(1);
    clock.set(START);
  });

  it('lets registry staff send now and resend, and marks an address the server refuses as bounced', async () => {
    // A case whose 6w window opens only after the schedule has run: staff send it at once.
    const early = await newCase({}, { surgeryDate: '2026-05-04' }); // day 28 on START: opens today
    const view = await sixWeeksOf(early.caseId);
    expect(view).toMatchObject({ status: 'scheduled', canSendNow: true, canResend: false });
    const sent = await app.http().post(`/api/v1/cases/${early.caseId}/invitations/6w/send`).set(auth(staff));
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'sent', canSendNow: false, canResend: true });
    expect(mail.to(early.email)).toHaveLength(1);
    const resent = await app.http().post(`/api/v1/cases/${early.caseId}/invitations/6w/send`).set(auth(staff));
    expect(resent.status).toBe(200);
    expect(mail.to(early.email)).toHaveLength(2);
    // The schedule does not mail it a third time.
    await schedule();
    expect(mail.to(early.email)).toHaveLength(2);
    // Not in a window that is not open.
    const later = await app.http().post(`/api/v1/cases/${early.caseId}/invitations/3m/send`).set(auth(staff));
    expect(later.status).toBe(409);
    expect(later.body.detail).toContain('window is open from');

    const refusedAddress = `nobody.${uniqueMrn().toLowerCase()}@example.org`;
    mail.refuse.add(refusedAddress);
    const bouncing = await newCase({ email: refusedAddress });
    await schedule();
    expect(await sixWeeksOf(bouncing.caseId)).toMatchObject({
      status: 'bounced',
      reason: 'The mail server refused the address (550)',
      canResend: true,
    });

    // Surgeons see their own cases' invitations but may not send; reviewers see none.
    expect((await invitations(early.caseId, surgeon)).length).toBe(6);
    expect((await app.http().post(`/api/v1/cases/${early.caseId}/invitations/6w/send`).set(auth(surgeon))).status).toBe(
      403,
    );
    const reviewer = await app.factories.newUser({ role: 'quality_reviewer' });
    expect((await app.http().get(`/api/v1/cases/${early.caseId}/invitations`).set(auth(reviewer))).status).toBe(403);
    const other = await app.factories.newSurgeon();
    expect((await app.http().get(`/api/v1/cases/${early.caseId}/invitations`).set(auth(other))).status).toBe(404);
  });

  it("keeps the patient's address as identifying data, and a staff member's decline ends the open invitation", async () => {
    const { caseId, patientId, email } = await newCase();
    const asStaff = await app.http().get(`/api/v1/patients/${patientId}`).set(auth(staff));
    expect(asStaff.body).toMatchObject({ email, promInvitations: 'allowed' });
    const reviewer = await app.factories.newUser({ role: 'quality_reviewer' });
    const asReviewer = await app.http().get(`/api/v1/patients/${patientId}`).set(auth(reviewer));
    expect(asReviewer.status).toBe(200);
    expect(asReviewer.body).not.toHaveProperty('email');
    expect(asReviewer.body).not.toHaveProperty('mrn');
    expect(asReviewer.body.promInvitations).toBe('allowed');
    // Encrypted at rest: the address is nowhere in the row in clear.
    const [row] = await app.dataSource.query(`SELECT row_to_json(p)::text AS text FROM patients p WHERE id = $1`, [
      patientId,
    ]);
    expect(row.text).not.toContain(email);
    expect(row.text).not.toContain(email.split('@')[0]);

    await schedule();
    expect((await sixWeeksOf(caseId)).status).toBe('sent');
    const bad = await app
      .http()
      .patch(`/api/v1/patients/${patientId}`)
      .set(auth(staff))
      .set('If-Match', `"${asStaff.body.version}"`)
      .send({ email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('email');
    expect(JSON.stringify(bad.body)).not.toContain('not an address');
    const declined = await app
      .http()
      .patch(`/api/v1/patients/${patientId}`)
      .set(auth(staff))
      .set('If-Match', `"${asStaff.body.version}"`)
      .send({ promInvitations: 'declined', email: null });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ promInvitations: 'declined', email: null });
    expect(await sixWeeksOf(caseId)).toMatchObject({ status: 'declined' });
    const [event] = await app.dataSource.query(
      `SELECT changes::text AS changes FROM audit_events WHERE entity_type = 'patient' AND entity_id = $1 AND action = 'update'`,
      [patientId],
    );
    expect(event.changes).toContain('"field": "email"');
    expect(event.changes).not.toContain(email);

    // An inline patient whose MRN is registered keeps the registered details (the address given is not applied).
    const again = await app
      .http()
      .post('/api/v1/cases')
      .set(auth(surgeon))
      .send(
        newCaseBody({
          surgeryDate: SURGERY,
          side: 'left',
          patient: {
            mrn: (await app.http().get(`/api/v1/patients/${patientId}`).set(auth(staff))).body.mrn,
            birthDate: '1988-02-03',
            sex: 'female',
            email: 'other@example.org',
          },
        }),
      );
    expect(again.status).toBe(201);
    expect((await app.http().get(`/api/v1/patients/${patientId}`).set(auth(staff))).body.email).toBeNull();
  });

  it('refuses a guessed token and rate-limits the address that guesses', async () => {
    // Every request of the test comes from 127.0.0.1: a fresh app (its own database and throttle counts) with a budget of 3.
    const limited = await startTestApp({ SMTP_URL: mail.url, QUESTIONNAIRE_INVALID_LINKS_PER_IP: '3' }, { clock });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const token = Buffer.from(`${i}`.padEnd(32, 'x')).toString('base64url');
        statuses.push((await limited.http().get(`/api/v1/questionnaire/${token}`)).status);
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      const refused = await limited.http().get(`/api/v1/questionnaire/${'B'.repeat(43)}`);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await limited.close();
    }
  });

  it('shows completeness by invited and answered in the outcomes report, and the invitation on the overdue list', async () => {
    const report = await app.http().get('/api/v1/reports/outcomes').set(auth(staff));
    expect(report.status).toBe(200);
    const completeness = report.body.groups[0].followUpCompleteness['6w'];
    const [{ invited, answered }] = await app.dataSource.query(
      `SELECT count(*) FILTER (WHERE first_sent_at IS NOT NULL)::int AS invited,
              count(*) FILTER (WHERE status = 'answered')::int AS answered
       FROM questionnaire_invitations WHERE timepoint = '6w'`,
    );
    expect(invited).toBeGreaterThanOrEqual(5);
    expect(answered).toBe(2);
    expect(completeness).toMatchObject({ invited, answered });

    // After the 6w windows closed: each overdue 6w says what became of its invitation.
    clock.set(new Date('2026-06-24T08:00:00Z'));
    try {
      await schedule();
      const quality = await app.http().get('/api/v1/reports/data-quality').set(auth(staff));
      expect(quality.status).toBe(200);
      const overdue = quality.body.overdue.filter((o: Body) => o.timepoint === '6w');
      expect(overdue.length).toBeGreaterThan(0);
      const statuses = new Set(overdue.map((o: Body) => o.invitation?.status ?? 'none'));
      expect(statuses.has('expired')).toBe(true);
      expect(statuses.has('none')).toBe(true); // the patient who declined was never invited
      for (const o of overdue) if (o.invitation) expect(o.invitation.outstanding).toBe(false);
    } finally {
      clock.set(START);
    }
  });
});

describe('Questionnaire mail without SMTP_URL', () => {
  it('writes each message to a folder under DATA_DIR as an .eml file', async () => {
    const clock = new ManualClock(START);
    const app = await startTestApp({}, { clock });
    try {
      const surgeon = await app.factories.newSurgeon();
      const email = `folder.${uniqueMrn().toLowerCase()}@example.org`;
      const created = await app
        .http()
        .post('/api/v1/cases')
        .set('Authorization', `Bearer ${surgeon.token}`)
        .send(
          newCaseBody({
            surgeryDate: SURGERY,
            patient: { mrn: uniqueMrn(), birthDate: '1980-01-01', sex: 'male', email },
          }),
        );
      expect(created.status).toBe(201);
      const run = await app.app.get(InvitationsService).runSchedule();
      expect(run.mailed).toBe(1);
      const dir = join(app.config.dataDir, 'mail');
      const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const parsed = await simpleParser(readFileSync(join(dir, files[0])));
      expect(parsed.headers.get('to')).toMatchObject({ text: email });
      expect(parsed.text).toContain('hip operation in April 2026');
      expect(parsed.text).toMatch(/http:\/\/localhost:3000\/questionnaire\/[A-Za-z0-9_-]{43}/);
    } finally {
      await app.close();
    }
  });
});

describe('Two API processes on one database', () => {
  it('send one invitation, not two', async () => {
    const mail = await new TestMailServer().start();
    const clock = new ManualClock(START);
    const first = await startTestApp({ SMTP_URL: mail.url }, { clock });
    const second = await startTestApp({ SMTP_URL: mail.url }, { clock, database: first.db });
    try {
      const surgeon = await first.factories.newSurgeon();
      const emails: string[] = [];
      for (let i = 0; i < 6; i++) {
        const email = `twice.${i}.${uniqueMrn().toLowerCase()}@example.org`;
        emails.push(email);
        const created = await first
          .http()
          .post('/api/v1/cases')
          .set('Authorization', `Bearer ${surgeon.token}`)
          .send(
            newCaseBody({
              surgeryDate: SURGERY,
              patient: { mrn: uniqueMrn(), birthDate: '1980-01-01', sex: 'male', email },
            }),
          );
        expect(created.status).toBe(201);
      }
      // Both schedulers at once, each with its own connection pool, twice over.
      const runs = await Promise.all([
        first.app.get(InvitationsService).runSchedule(),
        second.app.get(InvitationsService).runSchedule(),
        first.app.get(InvitationsService).runSchedule(),
        second.app.get(InvitationsService).runSchedule(),
      ]);
      expect(runs.reduce((sum, run) => sum + run.mailed, 0)).toBe(6);
      for (const email of emails) expect(mail.to(email)).toHaveLength(1);
      const [{ count }] = await first.dataSource.query(`SELECT count(*)::int AS count FROM questionnaire_invitations`);
      expect(count).toBe(6);
    } finally {
      await second.close();
      await first.close();
      await mail.close();
    }
  });
});
