import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';

// The story of step 3, end to end: one surgeon, one hip, from the preop visit to a reoperation.
describe('a surgeon follows a hip from preop to reoperation (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('records visits with PROMs, an HO (Brooker III) and a recurrence with reoperation, and reads it all back scored and graded', async () => {
    const surgeon = await t.factories.newUser({ role: 'surgeon' });
    const auth = { Authorization: `Bearer ${surgeon.token}` };
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set(auth)
      .send(newCaseBody({ surgeryDate: '2024-02-01' }))
      .expect(201);
    const caseId = created.body.id;

    // Preop: mHHS pain mild 30, limp slight 8, support none 11, distance six_blocks 8, stairs with railing 2,
    // shoes/socks with difficulty 2, sitting one hour 5, transport able 1 → raw 67, score 73.7.
    const preop = await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(auth)
      .send({
        visitDate: '2024-01-15',
        contactMode: 'clinic',
        snapping: 'painful',
        groinPain: 6,
        proms: {
          mhhs: {
            pain: 'mild',
            limp: 'slight',
            support: 'none',
            distance: 'six_blocks',
            stairs: 'normally_with_railing',
            shoesSocks: 'with_difficulty',
            sitting: 'ordinary_chair_one_hour',
            publicTransport: 'able',
          },
          ihot12: [30, 40, 50, 40, 30, 40, 50, 40, 30, 40, 50, 40],
        },
      })
      .expect(201);
    expect(preop.body).toMatchObject({ timepoint: 'preop', day: -17 });
    expect(preop.body.proms.mhhs).toMatchObject({ raw: 67, answered: 8 });
    expect(preop.body.proms.mhhs.score).toBeCloseTo(73.7, 10);
    expect(preop.body.proms.ihot12.score).toBeCloseTo(480 / 12, 10);

    // Six weeks (day 43) and one year (day 366): all-best mHHS caps at 100.
    await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(auth)
      .send({ visitDate: '2024-03-15', contactMode: 'telephone', snapping: 'none', groinPain: 2 })
      .expect(201);
    const oneYear = await t
      .http()
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .set(auth)
      .send({
        visitDate: '2025-02-01',
        contactMode: 'clinic',
        snapping: 'painless',
        groinPain: 1,
        hipFlexionStrength: 5,
        returnedToSport: 'yes',
        satisfaction: 9,
        proms: {
          mhhs: {
            pain: 'none',
            limp: 'none',
            support: 'none',
            distance: 'unlimited',
            stairs: 'normally_without_railing',
            shoesSocks: 'with_ease',
            sitting: 'ordinary_chair_one_hour',
            publicTransport: 'able',
          },
          hosAdl: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 'na', 'na'],
        },
      })
      .expect(201);
    expect(oneYear.body.timepoint).toBe('1y');
    expect(oneYear.body.proms.mhhs).toMatchObject({ raw: 91, score: 100 });
    expect(oneYear.body.proms.hosAdl.score).toBeCloseTo((59 / 60) * 100, 10);

    const ho = await t
      .http()
      .post(`/api/v1/cases/${caseId}/complications`)
      .set(auth)
      .send({
        type: 'heterotopic_ossification',
        onsetDate: '2024-05-02',
        brookerGrade: 3,
        sinkGrade: 2,
        followUpId: oneYear.body.id,
      })
      .expect(201);
    expect(ho.body).toMatchObject({ brookerGrade: 3, onsetDay: 91 });
    const recurrence = await t
      .http()
      .post(`/api/v1/cases/${caseId}/complications`)
      .set(auth)
      .send({
        type: 'recurrent_snapping',
        onsetDate: '2024-09-01',
        recurrenceCause: 'bifid_tendon',
        sinkGrade: 3,
        clavienDindo: 'IIIb',
        reoperation: { date: '2024-11-20', procedure: 'revision_release' },
      })
      .expect(201);
    expect(recurrence.body).toMatchObject({
      recurrenceCause: 'bifid_tendon',
      reoperation: { date: '2024-11-20', procedure: 'revision_release' },
    });

    const read = await t.http().get(`/api/v1/cases/${caseId}`).set(auth).expect(200);
    expect(read.body.followUps.map((v: { timepoint: string }) => v.timepoint)).toEqual(['preop', '6w', '1y']);
    expect(read.body.followUps[2].proms.mhhs.score).toBe(100);
    expect(read.body.complications.map((c: { type: string }) => c.type)).toEqual([
      'heterotopic_ossification',
      'recurrent_snapping',
    ]);
    expect(read.body.complications[0].brookerGrade).toBe(3);
    expect(read.body.complications[1].sinkGrade).toBe(3);

    // The reoperation shows on the survival curve: day 293 after surgery, the one case at risk.
    const survival = await t
      .http()
      .get('/api/v1/reports/survival')
      .query({ endpoint: 'reoperation' })
      .set(auth)
      .expect(200);
    expect(survival.body.groups[0].curve).toEqual([
      expect.objectContaining({ day: 293, atRisk: 1, events: 1, survival: 0 }),
    ]);
  });
});
