import type { TestApp } from './app.js';
import { newCaseBody } from './cases.js';
import type { TestUser } from './factories.js';

// A realistic mixed cohort built through the API from a seeded generator: three surgeons, both sides,
// bilateral patients, both release levels, follow-ups with PROMs (some windows with two visits),
// complications with reoperations and conversions, a death, and patients who declined or withdrew consent.

type Body = Record<string, any>;
const DAY_MS = 86_400_000;
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

// mulberry32: a small deterministic generator, so that every run builds the same cohort.
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

const MHHS_ITEMS: Record<string, string[]> = {
  pain: ['none', 'slight', 'mild', 'moderate', 'marked'],
  limp: ['none', 'slight', 'moderate', 'severe'],
  support: ['none', 'cane_long_walks', 'cane_most_time', 'one_crutch'],
  distance: ['unlimited', 'six_blocks', 'two_three_blocks'],
  stairs: ['normally_without_railing', 'normally_with_railing', 'any_manner'],
  shoesSocks: ['with_ease', 'with_difficulty'],
  sitting: ['ordinary_chair_one_hour', 'high_chair_half_hour'],
  publicTransport: ['able', 'unable'],
};

export interface MixedCohort {
  surgeons: TestUser[];
  // Case ids by the consent of their patient.
  cases: Array<{ id: string; patientId: string; version: number; consent: string; surgeonId: string }>;
}

export async function seedMixedCohort(t: TestApp, admin: string, size = 42, seed = 20261201): Promise<MixedCohort> {
  const g = generator(seed);
  const surgeons = await Promise.all([1, 2, 3].map(() => t.factories.newSurgeon()));
  const send = async (method: 'post' | 'patch', path: string, token: string, body: Body, ifMatch?: string) => {
    let req = t.http()[method](path).set('Authorization', `Bearer ${token}`);
    if (ifMatch) req = req.set('If-Match', ifMatch);
    const response = await req.send(body);
    if (response.status >= 300)
      throw new Error(`${method.toUpperCase()} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  const cases: MixedCohort['cases'] = [];
  const patients: Array<{ id: string; consent: string; last: string }> = [];
  for (let i = 0; i < size; i++) {
    // Every sixth case is the other hip of the previous case's patient, by the same surgeon.
    const bilateral = i % 6 === 5 && patients.length > 0;
    const surgeon = surgeons[(bilateral ? i - 1 : i) % 3];
    const surgeryDate = addDays('2019-01-01', g.int(0, 1800));
    const capsular = g.chance(0.5);
    const repair = g.chance(0.5);
    const body = newCaseBody({
      ...(bilateral ? { patient: undefined, patientId: patients.at(-1)!.id } : {}),
      surgeryDate,
      side: bilateral ? 'left' : g.pick(['left', 'right']),
      release: capsular
        ? {
            location: 'capsular',
            capsularLevel: g.pick(['central_compartment', 'peripheral_compartment']),
            technique: 'fractional_lengthening',
            tendonBundles: 1,
          }
        : { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
      impingementRepair: repair
        ? { performed: true, procedures: ['labral_repair'] }
        : { performed: false, procedures: [] },
      hoProphylaxis: g.pick(['none', 'nsaid', 'nsaid']),
    });
    if (bilateral) delete (body as Body).patient;
    const kase = (await send('post', '/api/v1/cases', surgeon.token, body)).body;
    if (!bilateral) {
      // About one patient in four declined or withdrew consent.
      const consent = g.chance(0.75) ? 'given' : g.pick(['declined', 'withdrawn']);
      patients.push({ id: kase.patientId, consent, last: surgeryDate });
    }
    const patient = patients.find((p) => p.id === kase.patientId)!;
    const seen = (date: string) => {
      if (date > patient.last) patient.last = date;
    };
    const visit = async (day: number, withProms: boolean) => {
      const proms: Body = {};
      if (withProms) {
        proms.mhhs = Object.fromEntries(Object.entries(MHHS_ITEMS).map(([k, codes]) => [k, g.pick(codes)]));
        proms.ihot12 = Array.from({ length: 12 }, (_, k) => (k === 11 && g.chance(0.3) ? null : g.int(10, 100)));
      }
      seen(addDays(surgeryDate, day));
      await send('post', `/api/v1/cases/${kase.id}/follow-ups`, surgeon.token, {
        visitDate: addDays(surgeryDate, day),
        contactMode: 'clinic',
        groinPain: g.int(0, 80) / 10,
        proms,
      });
    };
    if (g.chance(0.85)) await visit(-g.int(0, 60), true);
    if (g.chance(0.5)) await visit(g.int(30, 60), false);
    if (g.chance(0.3)) await visit(g.int(140, 260), true);
    if (g.chance(0.8)) await visit(g.int(300, 430), true);
    if (g.chance(0.15)) await visit(g.int(300, 430), true);
    if (g.chance(0.5)) await visit(g.int(600, 850), true);
    const complication = (b: Body) => {
      for (const date of [b.onsetDate, b.resolvedDate, b.reoperation?.date]) if (date) seen(date);
      return send('post', `/api/v1/cases/${kase.id}/complications`, surgeon.token, b);
    };
    if (g.chance(0.2)) {
      const onset = g.int(20, 500);
      const reoperated = g.chance(0.5);
      await complication({
        type: 'recurrent_snapping',
        onsetDate: addDays(surgeryDate, onset),
        recurrenceCause: g.pick(['incomplete_release', 'untreated_bony_abnormality', 'bifid_tendon', 'unknown']),
        sinkGrade: reoperated ? 3 : 2,
        ...(reoperated
          ? { reoperation: { date: addDays(surgeryDate, onset + g.int(10, 60)), procedure: 'revision_release' } }
          : {}),
      });
    }
    if (g.chance(0.2))
      await complication({
        type: 'heterotopic_ossification',
        onsetDate: addDays(surgeryDate, g.int(40, 200)),
        brookerGrade: g.int(1, 4),
        sinkGrade: g.int(1, 2),
      });
    if (g.chance(0.12)) {
      const onset = g.int(150, 900);
      await complication({
        type: 'conversion_to_arthroplasty',
        onsetDate: addDays(surgeryDate, onset),
        sinkGrade: 4,
        reoperation: { date: addDays(surgeryDate, onset + g.int(5, 40)), procedure: 'total_hip_arthroplasty' },
      });
    }
    if (g.chance(0.15)) {
      const onset = g.int(1, 30);
      await complication({
        type: 'lfcn_neuropraxia',
        onsetDate: addDays(surgeryDate, onset),
        resolvedDate: addDays(surgeryDate, onset + g.int(10, 90)),
        sinkGrade: 1,
      });
    }
    cases.push({ id: kase.id, patientId: kase.patientId, version: kase.version, consent: '', surgeonId: surgeon.id });
  }
  // Consent (and one death) last, by the admin; the case list then learns each patient's consent.
  for (const [index, patient] of patients.entries()) {
    const patch: Body = {};
    if (patient.consent !== 'given') patch.consent = patient.consent;
    if (index === 2) patch.deceasedDate = addDays(patient.last, 20);
    if (!Object.keys(patch).length) continue;
    const current = await t.http().get(`/api/v1/patients/${patient.id}`).set('Authorization', `Bearer ${admin}`);
    await send('patch', `/api/v1/patients/${patient.id}`, admin, patch, current.headers.etag);
  }
  for (const c of cases) c.consent = patients.find((p) => p.id === c.patientId)!.consent;
  return { surgeons, cases };
}
