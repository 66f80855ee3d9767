import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../support/app.js';
import type { TestUser } from '../support/factories.js';

// DOMAIN.md § Case and § Patient, rule by rule, over HTTP: every violation is a 400
// application/problem+json naming the JSON path of the offending field (API.md), and nothing is written.

type Body = Record<string, unknown>;

// In an override, OMIT removes the field from the valid case.
const OMIT = Symbol('omit');

const isPlainObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Nested objects merge, everything else (arrays, scalars, null) replaces.
function deepMerge(base: Body, overrides: Body): Body {
  const out: Body = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === OMIT) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = deepMerge(out[key] as Body, value);
    else out[key] = value;
  }
  return out;
}

// `at('release.foo', 1)` → `{ release: { foo: 1 } }`.
function at(path: string, value: unknown): Body {
  return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Body;
}

function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((inner, key) => (isPlainObject(inner) ? inner[key] : undefined), object);
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const today = new Date().toISOString().slice(0, 10);
const tomorrow = addDays(today, 1);

const uniqueMrn = () => `CV-${randomBytes(6).toString('hex').toUpperCase()}`;

// A complete, valid POST /api/v1/cases body with an inline patient (a new MRN on every call).
// Surgery 2023-05-10, patient born 1990-04-12: 33 years old at surgery.
function validCase(overrides: Body = {}): Body {
  return deepMerge(
    {
      surgeryDate: '2023-05-10',
      side: 'right',
      indications: ['internal_snapping_hip', 'iliopsoas_impingement'],
      priorIpsilateralSurgery: [],
      diagnosticInjection: { performed: true, response: 'complete_relief' },
      symptomDurationMonths: 18,
      conservativeTreatment: ['physiotherapy', 'nsaids'],
      examination: { snappingReproduced: true },
      activityLevel: 'recreational',
      heightCm: 172,
      weightKg: 68.5,
      imaging: {
        alphaAngle: 52,
        lateralCenterEdgeAngle: 30,
        tonnisGrade: 0,
        dynamicUltrasoundSnapping: true,
        bifidTendonOnMri: false,
      },
      anesthesia: 'general',
      positioning: 'supine',
      tractionMinutes: 45,
      operativeMinutes: 90,
      portals: ['anterolateral', 'mid_anterior'],
      capsulotomy: 'interportal',
      capsularClosure: true,
      findings: {
        labralTear: true,
        anteriorLabralLesionAtPsoas: true,
        cam: false,
        pincer: false,
        acetabularCartilageIcrs: 1,
        femoralCartilageIcrs: 0,
      },
      release: {
        location: 'capsular',
        capsularLevel: 'central_compartment',
        technique: 'fractional_lengthening',
        tendonBundles: 1,
      },
      impingementRepair: { performed: true, procedures: ['labral_repair'] },
      hoProphylaxis: 'nsaid',
      intraoperativeEvents: [],
      notes: 'Uneventful central release.',
      patient: { mrn: uniqueMrn(), birthDate: '1990-04-12', sex: 'female' },
    },
    overrides,
  );
}

interface Counts {
  cases: number;
  patients: number;
  auditEvents: number;
  idempotencyKeys: number;
}

describe('case validation (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    surgeon = await t.factories.newUser({ role: 'surgeon' });
  });
  afterAll(async () => {
    await t.close();
  });

  const auth = () => `Bearer ${surgeon.token}`;
  const post = (body: Body) => t.http().post('/api/v1/cases').set('Authorization', auth()).send(body);

  async function counts(): Promise<Counts> {
    const [row] = await t.dataSource.query(`SELECT
      (SELECT count(*)::int FROM cases) AS "cases",
      (SELECT count(*)::int FROM patients) AS "patients",
      (SELECT count(*)::int FROM audit_events) AS "auditEvents",
      (SELECT count(*)::int FROM idempotency_keys) AS "idempotencyKeys"`);
    return row as Counts;
  }

  // A 400 problem+json whose `errors` name this field with this code. The received status and
  // errors are compared together so that a failure shows what the server said.
  function expectFieldError(response: Response, field: string, code: string): void {
    expect({ status: response.status, errors: response.body?.errors }).toEqual({
      status: 400,
      errors: expect.arrayContaining([expect.objectContaining({ field, code, message: expect.any(String) })]),
    });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 400,
      code: 'validation_failed',
      type: expect.any(String),
      title: expect.any(String),
    });
  }

  async function expectRejected(body: Body, field: string, code: string): Promise<Response> {
    const before = await counts();
    const response = await post(body);
    expectFieldError(response, field, code);
    expect(await counts()).toEqual(before);
    return response;
  }

  async function expectAccepted(body: Body): Promise<Response> {
    const before = await counts();
    const response = await post(body);
    expect({ status: response.status, errors: response.body?.errors }).toEqual({ status: 201, errors: undefined });
    const after = await counts();
    expect(after.cases).toBe(before.cases + 1);
    return response;
  }

  describe('a valid case', () => {
    it('is created with an inline patient: 201, Location, ETag, the fields as sent', async () => {
      const body = validCase();
      const before = await counts();
      const response = await post(body).expect(201);
      expect(response.headers.location).toBe(`/api/v1/cases/${response.body.id}`);
      expect(response.headers.etag).toBe(`"${response.body.version}"`);
      expect(response.body.registryCode).toMatch(/^ILR-\d{6}$/);
      expect(response.body).toMatchObject({
        status: 'draft',
        surgeonId: surgeon.id,
        release: body.release,
        diagnosticInjection: body.diagnosticInjection,
        portals: body.portals,
        impingementRepair: body.impingementRepair,
        findings: body.findings,
        imaging: body.imaging,
      });
      expect(response.body.bmi).toBeCloseTo(68.5 / (1.72 * 1.72), 10);
      const after = await counts();
      expect(after.cases).toBe(before.cases + 1);
      expect(after.patients).toBe(before.patients + 1);
    });

    it('is created with only the required fields', async () => {
      const response = await expectAccepted(
        validCase({
          priorIpsilateralSurgery: OMIT,
          symptomDurationMonths: OMIT,
          conservativeTreatment: OMIT,
          examination: OMIT,
          activityLevel: OMIT,
          heightCm: OMIT,
          weightKg: OMIT,
          imaging: OMIT,
          intraoperativeEvents: OMIT,
          notes: OMIT,
          diagnosticInjection: { performed: false, response: OMIT },
          findings: { acetabularCartilageIcrs: OMIT, femoralCartilageIcrs: OMIT },
          impingementRepair: { performed: false, procedures: OMIT },
        }),
      );
      expect(response.body).toMatchObject({
        priorIpsilateralSurgery: null,
        conservativeTreatment: null,
        intraoperativeEvents: null,
        impingementRepair: { performed: false, procedures: [] },
        bmi: null,
      });
    });

    it('attaches a second case to the patient found by MRN and creates no second patient', async () => {
      const first = validCase();
      const created = await expectAccepted(first);
      const before = await counts();
      const second = await post(validCase({ side: 'left', patient: first.patient })).expect(201);
      expect(second.body.patientId).toBe(created.body.patientId);
      expect((await counts()).patients).toBe(before.patients);
    });
  });

  describe('required fields', () => {
    it.each([
      'surgeryDate',
      'side',
      'indications',
      'diagnosticInjection',
      'anesthesia',
      'positioning',
      'tractionMinutes',
      'operativeMinutes',
      'portals',
      'capsulotomy',
      'capsularClosure',
      'findings',
      'release',
      'impingementRepair',
      'hoProphylaxis',
      'diagnosticInjection.performed',
      'findings.labralTear',
      'findings.cam',
      'findings.pincer',
      'findings.anteriorLabralLesionAtPsoas',
      'release.location',
      'release.technique',
      'release.tendonBundles',
      'impingementRepair.performed',
      'patient.mrn',
      'patient.birthDate',
      'patient.sex',
    ])('rejects a case without %s', async (field) => {
      await expectRejected(validCase(at(field, OMIT)), field, 'required');
    });

    it('rejects an explicit null for a required field', async () => {
      await expectRejected(validCase({ release: { technique: null } }), 'release.technique', 'required');
    });
  });

  describe('unknown properties', () => {
    it.each([
      ['foo', 'foo'],
      ['release.foo', 'release.foo'],
      ['findings.bursitis', 'findings.bursitis'],
      ['diagnosticInjection.drug', 'diagnosticInjection.drug'],
      ['patient.name', 'patient.name'],
      ['bmi', 'bmi'],
      ['status', 'status'],
    ])('rejects the unknown property %s', async (path, field) => {
      await expectRejected(validCase(at(path, 1)), field, 'unknown_property');
    });
  });

  describe('wrong types', () => {
    it.each<[string, Body, string, string]>([
      ['a string for tractionMinutes', { tractionMinutes: '45' }, 'tractionMinutes', 'invalid_type'],
      ['a decimal for tractionMinutes', { tractionMinutes: 45.5 }, 'tractionMinutes', 'invalid_type'],
      ['a number for side', { side: 1 }, 'side', 'invalid_code'],
      ['an object for portals', { portals: { anterolateral: true } }, 'portals', 'invalid_type'],
      ['a string for indications', { indications: 'internal_snapping_hip' }, 'indications', 'invalid_type'],
      ['a string for heightCm', { heightCm: '172' }, 'heightCm', 'invalid_type'],
      ['a string for capsularClosure', { capsularClosure: 'false' }, 'capsularClosure', 'invalid_type'],
      [
        'a string for diagnosticInjection.performed',
        { diagnosticInjection: { performed: 'yes' } },
        'diagnosticInjection.performed',
        'invalid_type',
      ],
      ['a string for the release object', { release: 'capsular' }, 'release', 'invalid_type'],
      ['a boolean for findings', { findings: true }, 'findings', 'invalid_type'],
      ['a decimal for imaging.tonnisGrade', { imaging: { tonnisGrade: 1.5 } }, 'imaging.tonnisGrade', 'invalid_type'],
      [
        'a decimal for findings.femoralCartilageIcrs',
        { findings: { femoralCartilageIcrs: 2.5 } },
        'findings.femoralCartilageIcrs',
        'invalid_type',
      ],
      [
        'a decimal for release.tendonBundles',
        { release: { tendonBundles: 1.5 } },
        'release.tendonBundles',
        'invalid_type',
      ],
      ['a number for notes', { notes: 42 }, 'notes', 'invalid_type'],
      ['a number for patient.mrn', { patient: { mrn: 1234567 } }, 'patient.mrn', 'invalid_type'],
      ['a string for patient', { patient: 'H1234567' }, 'patient', 'invalid_type'],
      ['a non-UUID patientId', { patient: OMIT, patientId: 'patient-1' }, 'patientId', 'invalid_format'],
    ])('rejects %s', async (_name, overrides, field, code) => {
      await expectRejected(validCase(overrides), field, code);
    });
  });

  describe('unknown codes', () => {
    it.each<[Body, string]>([
      [{ side: 'both' }, 'side'],
      [{ anesthesia: 'local' }, 'anesthesia'],
      [{ positioning: 'prone' }, 'positioning'],
      [{ capsulotomy: 'full' }, 'capsulotomy'],
      [{ hoProphylaxis: 'indomethacin' }, 'hoProphylaxis'],
      [{ activityLevel: 'professional' }, 'activityLevel'],
      [{ release: { location: 'musculotendinous_junction' } }, 'release.location'],
      [{ release: { capsularLevel: 'lateral_compartment' } }, 'release.capsularLevel'],
      [{ release: { technique: 'z_lengthening' } }, 'release.technique'],
      [{ diagnosticInjection: { response: 'relief' } }, 'diagnosticInjection.response'],
      [{ patient: { sex: 'f' } }, 'patient.sex'],
      [{ portals: ['anterolateral', 'posterior'] }, 'portals[1]'],
      [{ indications: ['hip_pain'] }, 'indications[0]'],
      [{ priorIpsilateralSurgery: ['hip_arthroscopy', 'knee_arthroscopy'] }, 'priorIpsilateralSurgery[1]'],
      [{ conservativeTreatment: ['massage'] }, 'conservativeTreatment[0]'],
      [
        { impingementRepair: { procedures: ['labral_repair', 'capsular_plication'] } },
        'impingementRepair.procedures[1]',
      ],
      [{ intraoperativeEvents: ['bleeding'] }, 'intraoperativeEvents[0]'],
      [{ portals: ['anterolateral', 7] }, 'portals[1]'],
    ])('rejects %j at %s', async (overrides, field) => {
      await expectRejected(validCase(overrides), field, 'invalid_code');
    });
  });

  describe('list items', () => {
    it.each<[Body, string]>([
      [{ portals: ['anterolateral', 'anterolateral'] }, 'portals[1]'],
      [{ portals: ['anterolateral', 'mid_anterior', 'anterolateral'] }, 'portals[2]'],
      [{ indications: ['iliopsoas_bursitis', 'iliopsoas_bursitis'] }, 'indications[1]'],
      [{ conservativeTreatment: ['rest', 'nsaids', 'rest'] }, 'conservativeTreatment[2]'],
      [{ priorIpsilateralSurgery: ['other', 'other'] }, 'priorIpsilateralSurgery[1]'],
      [{ intraoperativeEvents: ['fluid_extravasation', 'fluid_extravasation'] }, 'intraoperativeEvents[1]'],
      [{ impingementRepair: { procedures: ['chondroplasty', 'chondroplasty'] } }, 'impingementRepair.procedures[1]'],
    ])('rejects the repeated item in %j at %s', async (overrides, field) => {
      await expectRejected(validCase(overrides), field, 'duplicate_item');
    });

    it.each(['indications', 'portals'])('rejects an empty %s', async (field) => {
      await expectRejected(validCase({ [field]: [] }), field, 'too_few_items');
    });
  });

  describe('ranges', () => {
    // [path, value, companion overrides that keep the rest of the case consistent]
    it.each<[string, number, Body]>([
      ['symptomDurationMonths', 0, {}],
      ['symptomDurationMonths', 600, {}],
      ['heightCm', 100, {}],
      ['heightCm', 230, {}],
      ['heightCm', 181.5, {}],
      ['weightKg', 30, {}],
      ['weightKg', 250, {}],
      ['imaging.alphaAngle', 20, {}],
      ['imaging.alphaAngle', 120, {}],
      ['imaging.lateralCenterEdgeAngle', -20, {}],
      ['imaging.lateralCenterEdgeAngle', 60, {}],
      ['imaging.tonnisGrade', 0, {}],
      ['imaging.tonnisGrade', 3, {}],
      ['findings.acetabularCartilageIcrs', 0, {}],
      ['findings.acetabularCartilageIcrs', 4, {}],
      ['findings.femoralCartilageIcrs', 0, {}],
      ['findings.femoralCartilageIcrs', 4, {}],
      ['tractionMinutes', 0, {}],
      ['tractionMinutes', 240, { operativeMinutes: 240 }],
      ['operativeMinutes', 5, { tractionMinutes: 0 }],
      ['operativeMinutes', 600, {}],
      ['release.tendonBundles', 1, {}],
      ['release.tendonBundles', 3, { release: { allBundlesReleased: true } }],
    ])('accepts %s = %d', async (path, value, companion) => {
      const response = await expectAccepted(validCase(deepMerge(companion, at(path, value))));
      expect(valueAt(response.body, path)).toBe(value);
    });

    it.each<[string, number, Body]>([
      ['symptomDurationMonths', -1, {}],
      ['symptomDurationMonths', 601, {}],
      ['heightCm', 99.9, {}],
      ['heightCm', 231, {}],
      ['weightKg', 29.5, {}],
      ['weightKg', 251, {}],
      ['imaging.alphaAngle', 19, {}],
      ['imaging.alphaAngle', 121, {}],
      ['imaging.lateralCenterEdgeAngle', -21, {}],
      ['imaging.lateralCenterEdgeAngle', 61, {}],
      ['imaging.tonnisGrade', -1, {}],
      ['imaging.tonnisGrade', 4, {}],
      ['findings.acetabularCartilageIcrs', -1, {}],
      ['findings.acetabularCartilageIcrs', 5, {}],
      ['findings.femoralCartilageIcrs', -1, {}],
      ['findings.femoralCartilageIcrs', 5, {}],
      ['tractionMinutes', -1, {}],
      ['tractionMinutes', 241, { operativeMinutes: 300 }],
      ['operativeMinutes', 4, { tractionMinutes: 0 }],
      ['operativeMinutes', 601, {}],
      ['release.tendonBundles', 0, {}],
      ['release.tendonBundles', 4, { release: { allBundlesReleased: true } }],
    ])('rejects %s = %d', async (path, value, companion) => {
      await expectRejected(validCase(deepMerge(companion, at(path, value))), path, 'out_of_range');
    });
  });

  describe('dates', () => {
    it.each([
      ['2023-02-30', 'a day that does not exist'],
      ['2023-13-01', 'a month that does not exist'],
      ['10/05/2023', 'another format'],
      ['2023-5-10', 'unpadded'],
      ['2023-05-10T00:00:00Z', 'an instant'],
    ])('rejects surgeryDate %s (%s)', async (value) => {
      await expectRejected(validCase({ surgeryDate: value }), 'surgeryDate', 'invalid_format');
    });

    it.each(['1990-02-30', '12.04.1990'])('rejects patient.birthDate %s', async (value) => {
      await expectRejected(validCase({ patient: { birthDate: value } }), 'patient.birthDate', 'invalid_format');
    });

    it('rejects a surgeryDate in the future and accepts today', async () => {
      await expectRejected(validCase({ surgeryDate: tomorrow }), 'surgeryDate', 'in_future');
      await expectAccepted(validCase({ surgeryDate: today }));
    });

    it('rejects a surgeryDate before 2000-01-01 and accepts 2000-01-01', async () => {
      await expectRejected(validCase({ surgeryDate: '1999-12-31' }), 'surgeryDate', 'too_early');
      await expectAccepted(validCase({ surgeryDate: '2000-01-01', patient: { birthDate: '1980-01-01' } }));
    });

    it('rejects a patient birthDate in the future', async () => {
      await expectRejected(validCase({ patient: { birthDate: tomorrow } }), 'patient.birthDate', 'in_future');
    });

    // Surgery on 2023-05-10: ages in completed years.
    it.each([
      ['2013-05-11', 'one day short of 10'],
      ['1922-05-10', '101 that day'],
      ['2024-01-01', 'born after the surgery'],
    ])('rejects a patient born %s (%s) at patient.birthDate', async (birthDate) => {
      await expectRejected(validCase({ patient: { birthDate } }), 'patient.birthDate', 'age_out_of_range');
    });

    it.each([
      ['2013-05-10', '10 that day'],
      ['1922-05-11', '100, one day short of 101'],
    ])('accepts a patient born %s (%s)', async (birthDate) => {
      await expectAccepted(validCase({ patient: { birthDate } }));
    });
  });

  describe('consistency rules', () => {
    it.each<[string, Body, string, string]>([
      [
        'an injection performed without a response',
        { diagnosticInjection: { performed: true, response: OMIT } },
        'diagnosticInjection.response',
        'required',
      ],
      [
        'an injection performed with a null response',
        { diagnosticInjection: { performed: true, response: null } },
        'diagnosticInjection.response',
        'required',
      ],
      [
        'a response without an injection',
        { diagnosticInjection: { performed: false, response: 'no_relief' } },
        'diagnosticInjection.response',
        'not_allowed',
      ],
      [
        'a capsular release without capsularLevel',
        { release: { location: 'capsular', capsularLevel: OMIT } },
        'release.capsularLevel',
        'required',
      ],
      [
        'a capsular release with a null capsularLevel',
        { release: { location: 'capsular', capsularLevel: null } },
        'release.capsularLevel',
        'required',
      ],
      [
        'a lesser trochanter release with capsularLevel',
        { release: { location: 'lesser_trochanter', capsularLevel: 'peripheral_compartment' } },
        'release.capsularLevel',
        'not_allowed',
      ],
      [
        'a bifid tendon without allBundlesReleased',
        { release: { tendonBundles: 2 } },
        'release.allBundlesReleased',
        'required',
      ],
      [
        'a trifid tendon with a null allBundlesReleased',
        { release: { tendonBundles: 3, allBundlesReleased: null } },
        'release.allBundlesReleased',
        'required',
      ],
      [
        'a repair performed with no procedures',
        { impingementRepair: { performed: true, procedures: [] } },
        'impingementRepair.procedures',
        'required',
      ],
      [
        'a repair performed with procedures omitted',
        { impingementRepair: { performed: true, procedures: OMIT } },
        'impingementRepair.procedures',
        'required',
      ],
      [
        'procedures without a repair',
        { impingementRepair: { performed: false, procedures: ['chondroplasty'] } },
        'impingementRepair.procedures',
        'not_allowed',
      ],
      ['the portal other without portalsOther', { portals: ['anterolateral', 'other'] }, 'portalsOther', 'required'],
      [
        'the portal other with a blank portalsOther',
        { portals: ['other'], portalsOther: '   ' },
        'portalsOther',
        'required',
      ],
      ['portalsOther without the portal other', { portalsOther: 'trans-gluteal' }, 'portalsOther', 'not_allowed'],
      [
        'a capsular closure without a capsulotomy',
        { capsulotomy: 'none', capsularClosure: true },
        'capsularClosure',
        'no_capsulotomy',
      ],
      [
        'operativeMinutes below tractionMinutes',
        { tractionMinutes: 60, operativeMinutes: 59 },
        'operativeMinutes',
        'less_than_traction',
      ],
    ])('rejects %s', async (_name, overrides, field, code) => {
      await expectRejected(validCase(overrides), field, code);
    });

    it.each([
      ['labral_repair', 'labral_debridement'],
      ['labral_repair', 'labral_reconstruction'],
      ['labral_debridement', 'labral_reconstruction'],
    ])('rejects two labral procedures (%s and %s)', async (first, second) => {
      await expectRejected(
        validCase({
          impingementRepair: { performed: true, procedures: [first, 'femoral_osteochondroplasty', second] },
        }),
        'impingementRepair.procedures',
        'conflicting_labral_procedures',
      );
    });

    it.each<[string, Body]>([
      ['no injection and no response', { diagnosticInjection: { performed: false, response: OMIT } }],
      [
        'a lesser trochanter release without capsularLevel',
        { release: { location: 'lesser_trochanter', capsularLevel: OMIT } },
      ],
      ['a bifid tendon with allBundlesReleased false', { release: { tendonBundles: 2, allBundlesReleased: false } }],
      ['no repair with an empty procedure list', { impingementRepair: { performed: false, procedures: [] } }],
      [
        'one labral procedure with bony work',
        {
          impingementRepair: {
            performed: true,
            procedures: ['labral_repair', 'femoral_osteochondroplasty', 'acetabular_rim_trimming'],
          },
        },
      ],
      ['the portal other with portalsOther', { portals: ['anterolateral', 'other'], portalsOther: 'trans-gluteal' }],
      ['no capsulotomy and no closure', { capsulotomy: 'none', capsularClosure: false }],
      ['operativeMinutes equal to tractionMinutes', { tractionMinutes: 60, operativeMinutes: 60 }],
    ])('accepts %s', async (_name, overrides) => {
      await expectAccepted(validCase(overrides));
    });
  });

  describe('free text and patient identification', () => {
    it('rejects notes over 4000 characters and accepts 4000', async () => {
      await expectRejected(validCase({ notes: 'n'.repeat(4001) }), 'notes', 'too_long');
      const response = await expectAccepted(validCase({ notes: 'n'.repeat(4000) }));
      expect(response.body.notes).toHaveLength(4000);
    });

    it('rejects both patientId and patient', async () => {
      const existing = await expectAccepted(validCase());
      await expectRejected(validCase({ patientId: existing.body.patientId }), 'patientId', 'one_of');
    });

    it('rejects neither patientId nor patient', async () => {
      await expectRejected(validCase({ patient: OMIT }), 'patientId', 'one_of');
    });

    it('rejects a patientId that names no patient', async () => {
      await expectRejected(validCase({ patient: OMIT, patientId: randomUUID() }), 'patientId', 'not_found');
    });

    it('rejects an MRN longer than 32 characters and accepts 32', async () => {
      await expectRejected(validCase({ patient: { mrn: `M${'9'.repeat(32)}` } }), 'patient.mrn', 'too_long');
      await expectAccepted(validCase({ patient: { mrn: `M${randomBytes(16).toString('hex').slice(0, 31)}` } }));
    });

    it('rejects an empty MRN and one with surrounding spaces', async () => {
      await expectRejected(validCase({ patient: { mrn: '' } }), 'patient.mrn', 'too_short');
      await expectRejected(validCase({ patient: { mrn: ` ${uniqueMrn()}` } }), 'patient.mrn', 'invalid_format');
    });

    it('rejects a known MRN sent with another birth date', async () => {
      const first = validCase();
      await expectAccepted(first);
      const patient = { ...(first.patient as Body), birthDate: '1991-04-12' };
      await expectRejected(validCase({ side: 'left', patient }), 'patient.birthDate', 'mismatch');
    });
  });

  describe('the error body', () => {
    const secret = 'ZQX-MRN-7741-SECRET';

    it.each<[string, Body]>([
      ['a case breaking a consistency rule', { capsulotomy: 'none', capsularClosure: true }],
      ['a case with a bad code and a missing field', { side: 'both', release: { technique: OMIT } }],
      ['a patient born in the future', { patient: { birthDate: tomorrow } }],
      ['a patient too young at surgery', { patient: { birthDate: '2020-01-01' } }],
      ['a patient with an unknown property', { patient: { ssn: secret } }],
      ['the MRN sent as the side', { side: secret }],
    ])('never echoes the MRN: %s', async (_name, overrides) => {
      const body = validCase(deepMerge({ patient: { mrn: secret } }, overrides));
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.text).not.toContain(secret);
      // No part of the MRN either; the correlation id is a random UUID, which may hold those digits by chance.
      expect(response.text.replace(response.body.correlationId, '')).not.toContain('7741');
      expect(JSON.stringify(t.logs)).not.toContain(secret);
    });

    it('never echoes an MRN that is itself invalid', async () => {
      const tooLong = `${secret}-${'X'.repeat(20)}`;
      const response = await expectRejected(validCase({ patient: { mrn: tooLong } }), 'patient.mrn', 'too_long');
      expect(response.text).not.toContain(secret);
    });

    it('never echoes an MRN from malformed JSON', async () => {
      const before = await counts();
      const response = await t
        .http()
        .post('/api/v1/cases')
        .set('Authorization', auth())
        .set('Content-Type', 'application/json')
        .send(`{"patient": {"mrn": "${secret}", "birthDate": "1990-04-12",}`);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('malformed_json');
      expect(response.text).not.toContain(secret);
      expect(JSON.stringify(t.logs)).not.toContain(secret);
      expect(await counts()).toEqual(before);
    });

    it('never answers invalid input with a 500', async () => {
      for (const body of [
        [],
        [validCase()],
        { patient: null },
        validCase({ patient: null }),
        validCase({ release: null }),
        validCase({ portals: null }),
        validCase({ impingementRepair: { procedures: null } }),
        validCase({ surgeryDate: 20230510 }),
      ]) {
        const response = await t
          .http()
          .post('/api/v1/cases')
          .set('Authorization', auth())
          .send(body as object);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });
  });

  describe('idempotent creation', () => {
    it('stores no Idempotency-Key for a rejected case, so the corrected retry is created', async () => {
      const key = `cv-${randomUUID()}`;
      const invalid = validCase({ operativeMinutes: 30 });
      const before = await counts();
      const rejected = await post(invalid).set('Idempotency-Key', key);
      expectFieldError(rejected, 'operativeMinutes', 'less_than_traction');
      expect(await counts()).toEqual(before);
      await post({ ...invalid, operativeMinutes: 90 })
        .set('Idempotency-Key', key)
        .expect(201);
    });
  });

  describe('PATCH /api/v1/cases/:id applies the rules to the merged case', () => {
    async function createCase(overrides: Body = {}): Promise<{ id: string; etag: string; body: Body }> {
      const response = await post(validCase(overrides)).expect(201);
      return { id: response.body.id, etag: response.headers.etag, body: response.body };
    }

    const patch = (id: string, etag: string, body: Body) =>
      t.http().patch(`/api/v1/cases/${id}`).set('Authorization', auth()).set('If-Match', etag).send(body);

    async function expectPatchRejected(
      changes: Body,
      field: string,
      code: string,
      caseOverrides: Body = {},
    ): Promise<void> {
      const created = await createCase(caseOverrides);
      const before = await counts();
      expectFieldError(await patch(created.id, created.etag, changes), field, code);
      expect(await counts()).toEqual(before);
      const after = await t.http().get(`/api/v1/cases/${created.id}`).set('Authorization', auth()).expect(200);
      expect(after.headers.etag).toBe(created.etag);
      // GET alone carries the visits, complications and overdue follow-ups; the rest is the case as created.
      const { followUps, complications, overdueTimepoints, ...stored } = after.body;
      expect(followUps).toEqual([]);
      expect(complications).toEqual([]);
      expect(Array.isArray(overdueTimepoints)).toBe(true);
      expect(stored).toEqual(created.body);
    }

    it.each<[string, Body, string, string]>([
      [
        'a capsular release with capsularLevel cleared',
        { release: { location: 'capsular', capsularLevel: null } },
        'release.capsularLevel',
        'required',
      ],
      [
        'a move to the lesser trochanter that keeps capsularLevel',
        { release: { location: 'lesser_trochanter' } },
        'release.capsularLevel',
        'not_allowed',
      ],
      [
        'an injection response cleared',
        { diagnosticInjection: { response: null } },
        'diagnosticInjection.response',
        'required',
      ],
      [
        'an injection marked not performed that keeps its response',
        { diagnosticInjection: { performed: false } },
        'diagnosticInjection.response',
        'not_allowed',
      ],
      [
        'a second tendon bundle without allBundlesReleased',
        { release: { tendonBundles: 2 } },
        'release.allBundlesReleased',
        'required',
      ],
      [
        'a repair marked not performed that keeps its procedures',
        { impingementRepair: { performed: false } },
        'impingementRepair.procedures',
        'not_allowed',
      ],
      ['the procedures emptied', { impingementRepair: { procedures: [] } }, 'impingementRepair.procedures', 'required'],
      [
        'a second labral procedure',
        { impingementRepair: { procedures: ['labral_repair', 'labral_debridement'] } },
        'impingementRepair.procedures',
        'conflicting_labral_procedures',
      ],
      ['the portal other without portalsOther', { portals: ['anterolateral', 'other'] }, 'portalsOther', 'required'],
      ['portalsOther without the portal other', { portalsOther: 'trans-gluteal' }, 'portalsOther', 'not_allowed'],
      ['no capsulotomy while the closure stays', { capsulotomy: 'none' }, 'capsularClosure', 'no_capsulotomy'],
      ['traction longer than the stored operation', { tractionMinutes: 120 }, 'operativeMinutes', 'less_than_traction'],
      [
        'an operation shorter than the stored traction',
        { operativeMinutes: 30 },
        'operativeMinutes',
        'less_than_traction',
      ],
      ['a surgeryDate in the future', { surgeryDate: tomorrow }, 'surgeryDate', 'in_future'],
      ['a surgeryDate before 2000', { surgeryDate: '1999-12-31' }, 'surgeryDate', 'too_early'],
      ['a surgeryDate at which the patient was 9', { surgeryDate: '2000-01-01' }, 'surgeryDate', 'age_out_of_range'],
      ['a tendonBundles out of range', { release: { tendonBundles: 4 } }, 'release.tendonBundles', 'out_of_range'],
      ['an empty portals list', { portals: [] }, 'portals', 'too_few_items'],
      ['a repeated portal', { portals: ['anterolateral', 'anterolateral'] }, 'portals[1]', 'duplicate_item'],
      ['an unknown nested property', { release: { foo: 1 } }, 'release.foo', 'unknown_property'],
      [
        'a patient (not part of a case change)',
        { patient: { mrn: 'X1', birthDate: '1990-01-01', sex: 'male' } },
        'patient',
        'unknown_property',
      ],
      ['a required field cleared', { side: null }, 'side', 'invalid_code'],
      ['a notes text over 4000 characters', { notes: 'n'.repeat(4001) }, 'notes', 'too_long'],
    ])('rejects %s and leaves the case unchanged', async (_name, changes, field, code) => {
      await expectPatchRejected(changes, field, code);
    });

    it('accepts a change that keeps the merged case consistent, with a new ETag', async () => {
      const created = await createCase();
      const response = await patch(created.id, created.etag, {
        release: { location: 'lesser_trochanter', capsularLevel: null, tendonBundles: 2, allBundlesReleased: true },
        capsulotomy: 'none',
        capsularClosure: false,
      }).expect(200);
      expect(response.body.release).toEqual({
        location: 'lesser_trochanter',
        capsularLevel: null,
        technique: 'fractional_lengthening',
        tendonBundles: 2,
        allBundlesReleased: true,
      });
      expect(response.body).toMatchObject({ capsulotomy: 'none', capsularClosure: false });
      expect(response.headers.etag).not.toBe(created.etag);
    });
  });
});
