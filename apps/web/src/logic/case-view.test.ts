import { CAPSULAR_LEVEL, COMPLICATION_TYPE, CONTACT_MODE, INDICATION, PORTAL, RELEASE_LOCATION } from '@ilr/clinical';
import { describe, expect, it } from 'vitest';
import { pruneCaseValues } from './case-form-fields.js';
import { type CaseFormValues, toCreateCaseRequest } from './case-form-values.js';
import {
  type CaseResponse,
  caseToFormValues,
  caseViewGroups,
  changeValueWords,
  type ComplicationResponse,
  complicationRows,
  type FollowUpResponse,
  followUpRows,
  type HistoryEntry,
  historyRows,
  NOT_RECORDED,
  readCount,
  rebaseFormValues,
  signerOf,
  toUpdateCaseRequest,
} from './case-view.js';
import { codeLabel, fieldLabel } from './labels.js';
import { completeCaseValues } from './testing/case-values.js';

const PATIENT_ID = '0b4c3f5e-6a1d-4c8e-9f2a-1d2e3f4a5b6c';

// A stored case as GET /cases/:id answers, made from a complete form.
function storedCase(values: CaseFormValues = completeCaseValues(), extra: Partial<CaseResponse> = {}): CaseResponse {
  const { patient: _patient, ...body } = toCreateCaseRequest(pruneCaseValues(values));
  return {
    ...body,
    patientId: PATIENT_ID,
    id: '7e0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
    registryCode: 'ILR-000042',
    surgeonId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    status: 'draft',
    version: 3,
    bmi: null,
    signedAt: null,
    signedBy: null,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    followUps: [],
    complications: [],
    ...extra,
  } as CaseResponse;
}

const full = () =>
  completeCaseValues({
    portals: ['anterolateral', 'other'],
    portalsOther: 'distal accessory',
    heightCm: 170,
    weightKg: 65,
    priorIpsilateralSurgery: [],
    release: { tendonBundles: 2, allBundlesReleased: true },
    notes: 'Dancer',
  });

describe('caseToFormValues', () => {
  it('gives back the form the case was sent from (for its registered patient)', () => {
    const values = full();
    const c = storedCase(values);
    const back = caseToFormValues(c);
    expect(back.patientMode).toBe('existing');
    expect(back.patientId).toBe(PATIENT_ID);
    const { patient: _p, ...sent } = toCreateCaseRequest(pruneCaseValues(values));
    expect(toCreateCaseRequest(pruneCaseValues(back))).toEqual({ ...sent, patientId: PATIENT_ID });
  });
});

describe('toUpdateCaseRequest', () => {
  const bodyOf = (values: CaseFormValues) => toCreateCaseRequest(pruneCaseValues(values));

  it('is empty when nothing changed', () => {
    const c = storedCase(full());
    expect(toUpdateCaseRequest(c, bodyOf(caseToFormValues(c)))).toEqual({});
  });

  it('carries only the changed fields, nested ones by their own key, and clears what is gone with null', () => {
    const c = storedCase(full());
    const edited = caseToFormValues(c);
    edited.release.location = 'lesser_trochanter';
    edited.heightCm = null;
    edited.notes = 'Dancer, ballet';
    edited.portals = ['anterolateral'];
    expect(toUpdateCaseRequest(c, bodyOf(edited))).toEqual({
      release: { location: 'lesser_trochanter', capsularLevel: null },
      heightCm: null,
      notes: 'Dancer, ballet',
      portals: ['anterolateral'],
      portalsOther: null,
    });
  });

  it('never sends the patient', () => {
    const c = storedCase(full());
    const edited = caseToFormValues(c);
    edited.side = c.side === 'left' ? 'right' : 'left';
    const patch = toUpdateCaseRequest(c, bodyOf(edited));
    expect(Object.keys(patch)).toEqual(['side']);
  });
});

describe('rebaseFormValues', () => {
  it('keeps what the user changed and takes the rest from the latest version', () => {
    const opened = caseToFormValues(storedCase(full()));
    const typed = structuredClone(opened);
    typed.notes = 'typed by me';
    typed.release.technique = 'complete_tenotomy';
    const latest = structuredClone(opened);
    latest.side = opened.side === 'left' ? 'right' : 'left';
    latest.notes = 'changed by someone else';
    const rebased = rebaseFormValues(opened, typed, latest);
    expect(rebased.notes).toBe('typed by me');
    expect(rebased.release.technique).toBe('complete_tenotomy');
    expect(rebased.side).toBe(latest.side);
    expect(rebased.release.location).toBe(latest.release.location);
  });
});

describe('caseViewGroups', () => {
  const words = (c: CaseResponse) =>
    Object.fromEntries(
      caseViewGroups(c, { sex: 'female' })
        .flatMap((g) => g.rows)
        .map((r) => [r.path, r.value]),
    );

  it('shows every field in words, never a code', () => {
    const c = storedCase(full(), { bmi: 65 / 1.7 ** 2 });
    const groups = caseViewGroups(c, { sex: 'female' });
    expect(groups.map((g) => g.legend)).toEqual([
      'Patient',
      'Operation',
      'Indication and work-up',
      'Set-up',
      'Findings',
      'Release',
      'Impingement repair',
      'Prophylaxis, events and notes',
    ]);
    const w = words(c);
    expect(w.indications).toBe(c.indications.map((code) => codeLabel(INDICATION, code)).join(', '));
    expect(w.portals).toBe(c.portals.map((code) => codeLabel(PORTAL, code)).join(', '));
    expect(w['release.location']).toBe(codeLabel(RELEASE_LOCATION, c.release.location));
    expect(w['release.capsularLevel']).toBe(codeLabel(CAPSULAR_LEVEL, c.release.capsularLevel!));
    expect(w.bmi).toBe(`${c.bmi!.toFixed(1)} kg/m²`);
    expect(w['patient.sex']).toBe('Female');
    expect(w.priorIpsilateralSurgery).toBe('None');
    expect(w.conservativeTreatment).toBe(NOT_RECORDED);
    expect(w['imaging.bifidTendonOnMri']).toBe(NOT_RECORDED);
    expect(w['findings.labralTear']).toBe('No');
    expect(w['diagnosticInjection.performed']).toBe('Yes');
    expect(w['release.allBundlesReleased']).toBe('Yes');
    expect(w.portalsOther).toBe('distal accessory');
    const text = Object.values(w).join(' ');
    for (const code of [...c.indications, ...c.portals.filter((p) => p !== 'other'), c.release.capsularLevel!])
      expect(text).not.toContain(code);
    for (const row of groups.flatMap((g) => g.rows)) expect(row.label).not.toBe('This field');
  });

  it('leaves out the fields that do not apply', () => {
    const values = completeCaseValues({
      diagnosticInjection: { performed: false, response: null },
      release: { location: 'lesser_trochanter', capsularLevel: null },
      capsulotomy: 'none',
      capsularClosure: false,
    });
    const w = words(storedCase(values));
    for (const path of [
      'diagnosticInjection.response',
      'release.capsularLevel',
      'release.allBundlesReleased',
      'portalsOther',
      'capsularClosure',
    ])
      expect(w).not.toHaveProperty(path);
    expect(w.bmi).toBe(NOT_RECORDED);
  });
});

describe('history in words', () => {
  const entry = (overrides: Partial<HistoryEntry>): HistoryEntry => ({
    at: '2026-03-03T09:00:00.000Z',
    actor: { id: 'u1', displayName: 'Dr Ada' },
    action: 'update',
    entity: 'case',
    entityId: 'c1',
    changes: [],
    reason: null,
    correlationId: null,
    ...overrides,
  });

  it('names the field and shows codes before and after in words, with the reason', () => {
    const rows = historyRows([
      entry({ action: 'create', changes: [{ field: 'side', from: null, to: 'left' }] }),
      entry({
        action: 'amend',
        reason: 'Operative note re-read',
        changes: [
          { field: 'release.capsularLevel', from: 'central_compartment', to: 'peripheral_compartment' },
          { field: 'findings.cam', from: false, to: true },
          { field: 'notes', from: null, to: 'x' },
        ],
      }),
    ]);
    expect(rows).toHaveLength(4);
    expect(rows[0].action).toBe('Created');
    expect(rows[1]).toMatchObject({
      who: 'Dr Ada',
      action: 'Amended',
      field: fieldLabel('release.capsularLevel'),
      before: codeLabel(CAPSULAR_LEVEL, 'central_compartment'),
      after: codeLabel(CAPSULAR_LEVEL, 'peripheral_compartment'),
      reason: 'Operative note re-read',
    });
    expect(rows[2]).toMatchObject({ before: 'No', after: 'Yes' });
    expect(rows[3]).toMatchObject({ before: '—', after: 'x' });
  });

  it('words lists, statuses and the complication vocabularies', () => {
    expect(changeValueWords('case', 'portals', ['mid_anterior', 'other'])).toBe(
      `${codeLabel(PORTAL, 'mid_anterior')}, ${codeLabel(PORTAL, 'other')}`,
    );
    expect(changeValueWords('case', 'status', 'signed')).toBe('Signed');
    expect(changeValueWords('complication', 'type', 'recurrent_snapping')).toBe(
      codeLabel(COMPLICATION_TYPE, 'recurrent_snapping'),
    );
    expect(changeValueWords('case', 'release.tendonBundles', 2)).toBe('Two (bifid)');
  });

  it('counts reads instead of listing them', () => {
    const items = [entry({ action: 'create' }), entry({ action: 'read' }), entry({ action: 'read' })];
    expect(historyRows(items).map((r) => r.action)).toEqual(['Created']);
    expect(readCount(items)).toBe(2);
  });

  it("finds the signer in the case's sign entry", () => {
    expect(signerOf([entry({ action: 'create' })])).toBeNull();
    const signer = signerOf([
      entry({ action: 'create' }),
      entry({ action: 'sign', actor: { id: 'u2', displayName: 'Dr Bo' }, at: '2026-03-04T08:00:00.000Z' }),
    ]);
    expect(signer).toEqual({ name: 'Dr Bo', at: '2026-03-04T08:00:00.000Z' });
  });
});

describe('follow-ups and complications in words', () => {
  it('gives the timepoint, contact and each score or the reason there is none', () => {
    const followUp = {
      id: 'f1',
      caseId: 'c1',
      visitDate: '2026-06-02',
      day: 92,
      timepoint: '3m',
      contactMode: 'telephone',
      proms: {
        mhhs: { items: {}, score: 71.5, raw: 65, answered: 8, scoringVersion: '1' },
        ihot12: {
          items: [],
          score: null,
          raw: null,
          answered: 3,
          unscoredReason: '3 of 12 items answered',
          scoringVersion: '1',
        },
      },
    } as unknown as FollowUpResponse;
    const [row] = followUpRows([followUp]);
    expect(row.timepoint).toBe('3 months');
    expect(row.contactMode).toBe(codeLabel(CONTACT_MODE, 'telephone'));
    expect(row.proms).toEqual([`mHHS: ${(71.5).toFixed(1)}`, 'iHOT-12: not scored (3 of 12 items answered)']);
  });

  it('gives the complication and its grades in words', () => {
    const complication = {
      id: 'k1',
      caseId: 'c1',
      type: 'heterotopic_ossification',
      onsetDate: '2026-05-01',
      onsetDay: 60,
      brookerGrade: 2,
      recurrenceCause: null,
      sinkGrade: 2,
      clavienDindo: 'I',
      reoperation: null,
      resolvedDate: null,
      followUpId: null,
    } as unknown as ComplicationResponse;
    const [row] = complicationRows([complication]);
    expect(row.type).toBe(codeLabel(COMPLICATION_TYPE, 'heterotopic_ossification'));
    expect(row.onset).toBe('2026-05-01 (day 60)');
    expect(row.grades.join(' ')).toMatch(/^Sink grade 2: change in outpatient management Brooker grade II: /);
    expect(row.grades.join(' ')).toContain('Clavien–Dindo grade I');
  });
});
