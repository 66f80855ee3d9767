import { CONSENT, ITEM_RULES, SIDE, type Vocabulary } from '@ilr/clinical';
import type { ImportDataset } from '@ilr/persistence';
import { stringify } from 'csv-stringify/sync';
import { type ColumnType, EXPORT_COLUMNS, type ExportColumn, itemColumn } from '../exports/export-columns.js';

// The columns an import reads: those of the identified export of the same dataset (so that an
// identified export imports as it is), each with what the import does with it, plus a few columns
// only an import reads. Names, types and codes come from the export's column definitions.
//
// - required: the header must have it (an empty cell is then a row error where the API requires the field)
// - optional: read when present
// - key: names the record (the case of a visit, or the stored record a row may repeat)
// - derived: computed by the registry (scores, days, pseudonyms, database ids): accepted and ignored
export type ImportUse = 'required' | 'optional' | 'key' | 'derived';

export interface ImportColumn {
  name: string;
  type: ColumnType;
  codes?: Vocabulary<string>;
  use: ImportUse;
  description: string;
  // Where the value goes in the API's request body (`release.location`, `proms.ihot12[3]`); none for
  // columns read by the import itself (keys, the surgeon, the status).
  path?: string;
  // HOS items: 0–4 or `na`.
  item?: 'na_allowed';
}

interface Input {
  use: Exclude<ImportUse, 'derived'>;
  path?: string;
}

const req = (path?: string): Input => ({ use: 'required', path });
const opt = (path?: string): Input => ({ use: 'optional', path });
const key: Input = { use: 'key' };

// The case row: the DOMAIN.md case fields (the CreateCaseRequest body) and its inline patient.
const CASE_INPUTS: Record<string, Input> = {
  registryCode: key,
  surgeonEmail: opt(),
  mrn: req('patient.mrn'),
  birthDate: req('patient.birthDate'),
  sex: req('patient.sex'),
  status: opt(),
  surgeryDate: req('surgeryDate'),
  side: req('side'),
  indications: req('indications'),
  priorIpsilateralSurgery: opt('priorIpsilateralSurgery'),
  injectionPerformed: req('diagnosticInjection.performed'),
  injectionResponse: opt('diagnosticInjection.response'),
  symptomDurationMonths: opt('symptomDurationMonths'),
  conservativeTreatment: opt('conservativeTreatment'),
  snappingReproduced: opt('examination.snappingReproduced'),
  activityLevel: opt('activityLevel'),
  heightCm: opt('heightCm'),
  weightKg: opt('weightKg'),
  alphaAngle: opt('imaging.alphaAngle'),
  lateralCenterEdgeAngle: opt('imaging.lateralCenterEdgeAngle'),
  tonnisGrade: opt('imaging.tonnisGrade'),
  dynamicUltrasoundSnapping: opt('imaging.dynamicUltrasoundSnapping'),
  bifidTendonOnMri: opt('imaging.bifidTendonOnMri'),
  anesthesia: req('anesthesia'),
  positioning: req('positioning'),
  tractionMinutes: req('tractionMinutes'),
  operativeMinutes: req('operativeMinutes'),
  portals: req('portals'),
  portalsOther: opt('portalsOther'),
  capsulotomy: req('capsulotomy'),
  capsularClosure: req('capsularClosure'),
  labralTear: req('findings.labralTear'),
  anteriorLabralLesionAtPsoas: req('findings.anteriorLabralLesionAtPsoas'),
  cam: req('findings.cam'),
  pincer: req('findings.pincer'),
  acetabularCartilageIcrs: opt('findings.acetabularCartilageIcrs'),
  femoralCartilageIcrs: opt('findings.femoralCartilageIcrs'),
  releaseLocation: req('release.location'),
  capsularLevel: opt('release.capsularLevel'),
  releaseTechnique: req('release.technique'),
  tendonBundles: req('release.tendonBundles'),
  allBundlesReleased: opt('release.allBundlesReleased'),
  impingementRepair: req('impingementRepair.performed'),
  impingementProcedures: opt('impingementRepair.procedures'),
  hoProphylaxis: req('hoProphylaxis'),
  intraoperativeEvents: opt('intraoperativeEvents'),
  notes: opt('notes'),
  // The export's day of death after surgery: with surgeryDate, the patient's deceasedDate.
  deceasedDay: opt(),
};

const VISIT_INPUTS: Record<string, Input> = {
  registryCode: key,
  followUpId: key,
  visitDate: req('visitDate'),
  contactMode: req('contactMode'),
  snapping: opt('snapping'),
  groinPain: opt('groinPain'),
  hipFlexionStrength: opt('hipFlexionStrength'),
  returnedToSport: opt('returnedToSport'),
  satisfaction: opt('satisfaction'),
  ...Object.fromEntries(
    ['mobility', 'selfCare', 'usualActivities', 'painDiscomfort', 'anxietyDepression', 'vas'].map((d) => [
      `eq5d5l_${d}`,
      opt(`proms.eq5d5l.${d}`),
    ]),
  ),
};

const COMPLICATION_INPUTS: Record<string, Input> = {
  registryCode: key,
  complicationId: key,
  type: req('type'),
  onsetDate: req('onsetDate'),
  brookerGrade: opt('brookerGrade'),
  recurrenceCause: opt('recurrenceCause'),
  sinkGrade: req('sinkGrade'),
  clavienDindo: opt('clavienDindo'),
  reoperationDate: opt('reoperation.date'),
  reoperationProcedure: opt('reoperation.procedure'),
  resolvedDate: opt('resolvedDate'),
  description: opt('description'),
};

// A visit's or complication's case, when the file has no registry code: the natural key of a case.
const CASE_KEY_COLUMNS: ImportColumn[] = [
  { name: 'mrn', type: 'string', use: 'key', description: "The case's patient's MRN (with side and surgeryDate)" },
  { name: 'side', type: 'code', codes: SIDE, use: 'key', description: "The case's side (with mrn and surgeryDate)" },
  { name: 'surgeryDate', type: 'date', use: 'key', description: "The case's surgery date (with mrn and side)" },
];

const IMPORT_ONLY: Record<ImportDataset, ImportColumn[]> = {
  cases: [
    {
      name: 'consent',
      type: 'code',
      codes: CONSENT,
      use: 'optional',
      path: 'patient.consent',
      description: "The patient's consent when the import registers them (default given)",
    },
    {
      name: 'deceasedDate',
      type: 'date',
      use: 'optional',
      description: "The patient's date of death (or deceasedDay, days after surgery)",
    },
  ],
  'follow-ups': CASE_KEY_COLUMNS,
  complications: CASE_KEY_COLUMNS,
};

function inputOf(dataset: ImportDataset, name: string): Input | undefined {
  if (dataset === 'cases') return CASE_INPUTS[name];
  if (dataset === 'complications') return COMPLICATION_INPUTS[name];
  const fixed = VISIT_INPUTS[name];
  if (fixed) return fixed;
  // PROM items: mhhs_pain, ihot12_01 … (the export's item columns).
  const mhhs = /^mhhs_([a-zA-Z]+)$/.exec(name);
  if (mhhs) return opt(`proms.mhhs.${mhhs[1]}`);
  const list = /^(ihot12|hosAdl|hosSport|nahs)_(\d{2})$/.exec(name);
  if (list) return opt(`proms.${list[1]}[${Number(list[2]) - 1}]`);
  return undefined;
}

function importColumn(dataset: ImportDataset, column: ExportColumn): ImportColumn {
  const input = inputOf(dataset, column.name);
  const base = { name: column.name, type: column.type, codes: column.codes, description: column.description };
  if (!input) return { ...base, use: 'derived' };
  const hos = /^hos(Adl|Sport)_\d{2}$/.test(column.name);
  return { ...base, use: input.use, path: input.path, ...(hos ? { item: 'na_allowed' as const } : {}) };
}

export const IMPORT_COLUMNS: Record<ImportDataset, ImportColumn[]> = {
  cases: [...EXPORT_COLUMNS.cases.map((c) => importColumn('cases', c)), ...IMPORT_ONLY.cases],
  'follow-ups': [
    ...EXPORT_COLUMNS['follow-ups'].map((c) => importColumn('follow-ups', c)),
    ...IMPORT_ONLY['follow-ups'],
  ],
  complications: [
    ...EXPORT_COLUMNS.complications.map((c) => importColumn('complications', c)),
    ...IMPORT_ONLY.complications,
  ],
};

// Every item column the follow-up import reads (a check that the export still writes them all).
export const VISIT_ITEM_COLUMNS = (['ihot12', 'hosAdl', 'hosSport', 'nahs'] as const).flatMap((i) =>
  Array.from({ length: ITEM_RULES[i].items }, (_, n) => itemColumn(i, n)),
);

// The header of an importable file: every column but the derived ones.
export function templateHeader(dataset: ImportDataset): string {
  return stringify([IMPORT_COLUMNS[dataset].filter((c) => c.use !== 'derived').map((c) => c.name)], {
    record_delimiter: '\r\n',
  });
}

// What each column is: how the import uses it, its type, its codes (code = label) and its description.
export function templateColumnsCsv(dataset: ImportDataset): string {
  const rows = IMPORT_COLUMNS[dataset].map((c) => [
    c.name,
    c.use,
    c.item ? 'integer 0-4 or na' : c.type,
    c.codes ? c.codes.codes.map((code) => `${code} = ${c.codes!.labels[code]}`).join('; ') : '',
    c.use === 'derived' ? `${c.description} (computed by the registry: ignored on import)` : c.description,
  ]);
  return stringify([['column', 'use', 'type', 'codes', 'description'], ...rows], { record_delimiter: '\r\n' });
}
