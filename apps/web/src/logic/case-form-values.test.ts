import { describe, expect, expectTypeOf, it } from 'vitest';
import type { components } from '../api/schema.js';
import { pruneCaseValues } from './case-form-fields.js';
import { emptyCaseFormValues, missingCaseFields, toCreateCaseRequest } from './case-form-values.js';
import { completeCaseValues } from './testing/case-values.js';
import { schemaErrors } from './testing/openapi.js';

describe('toCreateCaseRequest', () => {
  it('has exactly the CreateCaseRequest type generated from openapi.json', () => {
    expectTypeOf(toCreateCaseRequest).returns.toEqualTypeOf<components['schemas']['CreateCaseRequest']>();
  });

  it('turns a complete form into a body that matches CreateCaseRequest in openapi.json', () => {
    const body = toCreateCaseRequest(pruneCaseValues(completeCaseValues()));
    expect(schemaErrors('CreateCaseRequest', body)).toEqual([]);
    expect(body).toEqual({
      patient: { mrn: 'H1234567', birthDate: '1990-05-17', sex: 'female' },
      surgeryDate: '2026-03-02',
      side: 'right',
      indications: ['internal_snapping_hip'],
      diagnosticInjection: { performed: true, response: 'partial_relief' },
      anesthesia: 'general',
      positioning: 'supine',
      tractionMinutes: 45,
      operativeMinutes: 90,
      portals: ['anterolateral', 'mid_anterior'],
      capsulotomy: 'interportal',
      capsularClosure: true,
      findings: { labralTear: false, anteriorLabralLesionAtPsoas: false, cam: false, pincer: false },
      release: {
        location: 'capsular',
        capsularLevel: 'central_compartment',
        technique: 'fractional_lengthening',
        tendonBundles: 1,
      },
      impingementRepair: { performed: true, procedures: ['labral_repair'] },
      hoProphylaxis: 'nsaid',
    });
  });

  it('sends every optional field the form has, still matching the document', () => {
    const values = completeCaseValues({
      priorIpsilateralSurgery: ['hip_arthroscopy'],
      symptomDurationMonths: 18,
      conservativeTreatment: ['physiotherapy', 'nsaids'],
      examination: { snappingReproduced: true },
      activityLevel: 'competitive_athlete',
      heightCm: 172.5,
      weightKg: 68,
      imaging: {
        alphaAngle: 61,
        lateralCenterEdgeAngle: 31,
        tonnisGrade: 1,
        dynamicUltrasoundSnapping: true,
        bifidTendonOnMri: false,
      },
      portals: ['anterolateral', 'other'],
      portalsOther: '  Far lateral  ',
      findings: { labralTear: true, cam: true, acetabularCartilageIcrs: 2, femoralCartilageIcrs: 0 },
      release: { tendonBundles: 2, allBundlesReleased: true },
      intraoperativeEvents: ['fluid_extravasation'],
      notes: 'Bifid tendon; both released.',
    });
    const body = toCreateCaseRequest(pruneCaseValues(values));
    expect(schemaErrors('CreateCaseRequest', body)).toEqual([]);
    expect(body).toMatchObject({
      portalsOther: 'Far lateral',
      imaging: { alphaAngle: 61, tonnisGrade: 1, bifidTendonOnMri: false },
      findings: { acetabularCartilageIcrs: 2, femoralCartilageIcrs: 0 },
      release: { tendonBundles: 2, allBundlesReleased: true },
      notes: 'Bifid tendon; both released.',
    });
  });

  it('tells "not recorded" (omitted) from "none" (an empty list)', () => {
    const body = toCreateCaseRequest(completeCaseValues({ priorIpsilateralSurgery: [], intraoperativeEvents: null }));
    expect(body.priorIpsilateralSurgery).toEqual([]);
    expect('intraoperativeEvents' in body).toBe(false);
    expect('conservativeTreatment' in body).toBe(false);
    expect('examination' in body).toBe(false);
  });

  it('names an existing patient by id instead of sending one', () => {
    const values = pruneCaseValues(
      completeCaseValues({ patientMode: 'existing', patientId: '9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a' }),
    );
    const body = toCreateCaseRequest(values);
    expect(body.patientId).toBe('9b2f6b7e-3c2a-4d6f-9a51-1f1f2d3c4b5a');
    expect('patient' in body).toBe(false);
    expect(schemaErrors('CreateCaseRequest', body)).toEqual([]);
  });

  it("sends a new patient's questionnaire email and preference only when given", () => {
    const plain = toCreateCaseRequest(completeCaseValues());
    expect(plain.patient).toEqual({ mrn: 'H1234567', birthDate: '1990-05-17', sex: 'female' });
    const base = completeCaseValues();
    const withEmail = toCreateCaseRequest({
      ...base,
      patient: { ...base.patient, email: ' pat@example.org ', promInvitations: 'declined' },
    });
    expect(withEmail.patient).toMatchObject({ email: 'pat@example.org', promInvitations: 'declined' });
    expect(schemaErrors('CreateCaseRequest', withEmail)).toEqual([]);
    const blank = toCreateCaseRequest({ ...base, patient: { ...base.patient, email: '  ', promInvitations: null } });
    expect(blank.patient).toEqual(plain.patient);
  });

  it('refuses an incomplete form rather than send half a case', () => {
    expect(() => toCreateCaseRequest(emptyCaseFormValues())).toThrow(/complete form/);
  });
});

describe('missingCaseFields', () => {
  it('lists every required field of an empty form by its API path', () => {
    expect(missingCaseFields(emptyCaseFormValues()).map((m) => m.field)).toEqual([
      'patient.mrn',
      'patient.birthDate',
      'patient.sex',
      'surgeryDate',
      'side',
      'indications',
      'anesthesia',
      'positioning',
      'tractionMinutes',
      'operativeMinutes',
      'portals',
      'capsulotomy',
      'release.location',
      'release.technique',
      'hoProphylaxis',
    ]);
    expect(missingCaseFields(completeCaseValues())).toEqual([]);
  });

  it('asks for the patient id, not the patient, for an existing patient', () => {
    const fields = missingCaseFields(completeCaseValues({ patientMode: 'existing' })).map((m) => m.field);
    expect(fields).toEqual(['patientId']);
  });
});
