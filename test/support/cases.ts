import { randomBytes } from 'node:crypto';

let counter = 0;

export function uniqueMrn(): string {
  return `T${Date.now().toString(36).toUpperCase()}${(++counter).toString(36).toUpperCase()}${randomBytes(2).toString('hex').toUpperCase()}`;
}

// A complete, valid POST /api/v1/cases body (every DOMAIN.md § Case field), with an inline patient.
export function newCaseBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    patient: { mrn: uniqueMrn(), birthDate: '1990-04-02', sex: 'female' },
    surgeryDate: '2025-03-14',
    side: 'right',
    indications: ['internal_snapping_hip', 'iliopsoas_impingement'],
    priorIpsilateralSurgery: ['hip_arthroscopy'],
    diagnosticInjection: { performed: true, response: 'partial_relief' },
    symptomDurationMonths: 18,
    conservativeTreatment: ['physiotherapy', 'nsaids'],
    examination: { snappingReproduced: true },
    activityLevel: 'recreational',
    heightCm: 168.5,
    weightKg: 61.2,
    imaging: {
      alphaAngle: 58.5,
      lateralCenterEdgeAngle: 31,
      tonnisGrade: 1,
      dynamicUltrasoundSnapping: true,
      bifidTendonOnMri: false,
    },
    anesthesia: 'general_and_regional',
    positioning: 'supine',
    tractionMinutes: 42,
    operativeMinutes: 96,
    portals: ['anterolateral', 'mid_anterior', 'other'],
    portalsOther: 'accessory distal anterior',
    capsulotomy: 't_capsulotomy',
    capsularClosure: true,
    findings: {
      labralTear: true,
      anteriorLabralLesionAtPsoas: true,
      cam: true,
      pincer: false,
      acetabularCartilageIcrs: 2,
      femoralCartilageIcrs: 1,
    },
    release: {
      location: 'capsular',
      capsularLevel: 'peripheral_compartment',
      technique: 'fractional_lengthening',
      tendonBundles: 2,
      allBundlesReleased: true,
    },
    impingementRepair: { performed: true, procedures: ['labral_repair', 'femoral_osteochondroplasty'] },
    hoProphylaxis: 'nsaid',
    intraoperativeEvents: ['fluid_extravasation'],
    notes: 'Dancer; snapping since a growth spurt.',
    ...overrides,
  };
}
