import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateCaseRequest } from '../cases/dto/case.dto.js';
import { CreateComplicationRequest } from '../complications/dto/complication.dto.js';
import { CreateFollowUpRequest } from '../follow-ups/dto/follow-up.dto.js';
import { validateBody, VALIDATOR_OPTIONS } from './validate-body.js';
import { toFieldErrors } from './validation-errors.js';

// What the API's ValidationPipe does with a body: class-transformer, then class-validator.
async function asThePipe(dto: new () => object, body: Record<string, unknown>) {
  return toFieldErrors(await validate(plainToInstance(dto, body), VALIDATOR_OPTIONS));
}

const CASE = {
  surgeryDate: '2025-03-14',
  side: 'right',
  indications: ['internal_snapping_hip'],
  diagnosticInjection: { performed: true, response: 'partial_relief' },
  examination: { snappingReproduced: true },
  imaging: { alphaAngle: 58.5, tonnisGrade: 1 },
  anesthesia: 'general',
  positioning: 'supine',
  tractionMinutes: 42,
  operativeMinutes: 96,
  portals: ['anterolateral'],
  capsulotomy: 'interportal',
  capsularClosure: true,
  findings: { labralTear: true, anteriorLabralLesionAtPsoas: false, cam: false, pincer: false },
  release: { location: 'lesser_trochanter', technique: 'complete_tenotomy', tendonBundles: 1 },
  impingementRepair: { performed: false, procedures: [] },
  hoProphylaxis: 'none',
};

const BODIES: Array<[new () => object, Record<string, unknown>]> = [
  [CreateCaseRequest, CASE],
  [CreateCaseRequest, { ...CASE, side: 'middle', tractionMinutes: 'long', release: 'lesser_trochanter' }],
  [CreateCaseRequest, { ...CASE, findings: { ...CASE.findings, cam: 'yes', extra: 1 }, unknown: true }],
  [CreateCaseRequest, { ...CASE, imaging: null, examination: [], indications: [] }],
  [CreateCaseRequest, {}],
  [
    CreateFollowUpRequest,
    {
      visitDate: '2025-06-01',
      contactMode: 'clinic',
      groinPain: 2.15,
      proms: { mhhs: { pain: 'slight', limp: 'oops' }, ihot12: [50, null, 200], hosAdl: Array(17).fill('na') },
    },
  ],
  [CreateFollowUpRequest, { visitDate: '2025-13-01', contactMode: 'clinic', proms: { eq5d5l: { mobility: 6 } } }],
  [
    CreateComplicationRequest,
    { type: 'heterotopic_ossification', onsetDate: '2025-04-01', sinkGrade: 3, reoperation: { date: 'x' } },
  ],
];

describe(validateBody.name, () => {
  it('finds what the API pipe finds in each body, valid or not', async () => {
    for (const [dto, body] of BODIES) {
      expect({ dto: dto.name, errors: validateBody(dto, structuredClone(body)).errors }).toEqual({
        dto: dto.name,
        errors: await asThePipe(dto, structuredClone(body)),
      });
    }
    // The cases above are not all valid: the comparison covers errors, not only their absence.
    expect(BODIES.filter(([dto, body]) => validateBody(dto, body).errors.length > 0).length).toBeGreaterThanOrEqual(6);
  });

  it('builds nested DTO instances as class-transformer does', () => {
    const { value } = validateBody(CreateCaseRequest, structuredClone(CASE));
    const piped = plainToInstance(CreateCaseRequest, structuredClone(CASE));
    expect(value).toEqual(piped);
    expect(Object.getPrototypeOf((value as any).release).constructor).toBe(
      Object.getPrototypeOf((piped as any).release).constructor,
    );
  });
});
