import type { SchemaObject } from '@nestjs/swagger';
import {
  COMPLICATION_TYPE,
  CONSENT,
  SCHEDULED_TIMEPOINTS,
  SCORED_INSTRUMENTS,
  STORED_INVITATION_STATUSES,
  TIMEPOINTS,
} from '@ilr/clinical';

// The report payloads (outcomes.service.ts, data-quality.service.ts) as OpenAPI 3.1 schemas. They are built
// from plain objects, not classes, so their schemas are written here beside the queries; every e2e response
// is validated against them (test/support/openapi-validator.ts), so a change to a payload that is not made
// here fails the tests. Objects stay open (no additionalProperties: false) where a report may gain members.

const integer: SchemaObject = { type: 'integer', minimum: 0 };
const nullableNumber = { type: ['number', 'null'] } as unknown as SchemaObject;
const date: SchemaObject = { type: 'string', format: 'date' };
const uuid: SchemaObject = { type: 'string', format: 'uuid' };

const object = (properties: Record<string, SchemaObject>, optional: string[] = []): SchemaObject => ({
  type: 'object',
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  properties,
});
const map = (keys: readonly string[], value: SchemaObject): SchemaObject => ({
  type: 'object',
  properties: Object.fromEntries(keys.map((key) => [key, value])),
  additionalProperties: false,
});
const nullable = (schema: SchemaObject): SchemaObject => ({ anyOf: [schema, { type: 'null' }] }) as SchemaObject;

// How reports name surgeons (surgeon-labels.ts): a display name where the caller may see it, else a stable label.
const surgeonLabel: SchemaObject = {
  type: 'string',
  description:
    'The display name for admins, registry staff and quality reviewers, and for a surgeon themself; otherwise, and always with anonymise=true, "Surgeon A", "Surgeon B", … (then "Surgeon AA"): letters in the order of the surgeons\' ids over the surgeons with cases under the filters other than surgeonId, so the same filters give the same letters',
};
const hiddenSurgeonId = (what: string): SchemaObject =>
  ({ ...uuid, type: ['string', 'null'], description: `null where the surgeon is labelled: ${what}` }) as SchemaObject;
const groupKey: SchemaObject = {
  type: 'string',
  description:
    "The group (`all` without groupBy). Grouped by surgeon: the surgeon id, or the surgeon's label where the id is hidden (anonymise=true, or another surgeon for a surgeon)",
};

// A Wilson 95% interval on numerator / denominator; rate and limits are null for 0 / 0.
const proportion = object({
  numerator: integer,
  denominator: integer,
  rate: nullableNumber,
  lower95: nullableNumber,
  upper95: nullableNumber,
});

// report-consent.ts `consentSummary`: the report's cases by the consent of their patients.
const consent = object({
  consentedOnly: { type: 'boolean' },
  cases: integer,
  byConsent: { ...map(CONSENT.codes, integer), required: [...CONSENT.codes] },
  withoutConsent: { ...integer, description: 'Cases of patients whose cases no export contains' },
  rule: { type: 'string' },
});
const withoutConsent: SchemaObject = { ...integer, description: 'Of these cases, those no export contains' };

const header = (report: string): Record<string, SchemaObject> => ({
  report: { type: 'string', enum: [report] },
  filters: {
    type: 'object',
    description:
      'The filters applied (after scoping to the caller), with `anonymise`; a surgeon filter also as `surgeonLabel`, and its `surgeonId` left out where the surgeon is labelled',
  },
  generatedAt: { type: 'string', format: 'date-time' },
  definitions: { type: 'object', additionalProperties: { type: 'string' }, description: 'How each figure is defined' },
  consent,
});

export const OUTCOMES_REPORT_SCHEMA = object({
  ...header('outcomes'),
  groups: {
    type: 'array',
    items: object(
      {
        key: groupKey,
        surgeonLabel: { ...surgeonLabel, description: `With groupBy=surgeon only. ${surgeonLabel.description}` },
        cases: integer,
        withoutConsent,
        followUpCompleteness: map(
          TIMEPOINTS,
          object({ due: integer, seen: integer, rate: nullableNumber, invited: integer, answered: integer }),
        ),
        complications: {
          type: 'array',
          items: {
            allOf: [proportion],
            type: 'object',
            required: ['type', 'count'],
            properties: { type: { type: 'string', enum: [...COMPLICATION_TYPE.codes] }, count: integer },
          },
        },
        heterotopicOssification: object({
          byBrookerGrade: map(['1', '2', '3', '4'], integer),
          byProphylaxis: { type: 'object', additionalProperties: proportion },
        }),
        recurrence: {
          allOf: [proportion],
          type: 'object',
          required: ['byCause'],
          properties: { byCause: { type: 'object', additionalProperties: integer } },
        },
        reoperation: proportion,
        conversionToArthroplasty: proportion,
        proms: map(
          SCORED_INSTRUMENTS,
          object({
            baseline: object({ mean: nullableNumber, n: integer }),
            timepoints: map(
              SCHEDULED_TIMEPOINTS.filter((t) => t !== 'preop'),
              object({
                mean: nullableNumber,
                n: integer,
                meanChange: nullableNumber,
                pairedN: integer,
                mcid: nullable(proportion),
                pass: nullable(proportion),
              }),
            ),
          }),
        ),
      },
      ['surgeonLabel'],
    ),
  },
});

export const SURVIVAL_REPORT_SCHEMA = object({
  ...header('survival'),
  groups: {
    type: 'array',
    items: object(
      {
        key: groupKey,
        surgeonLabel: { ...surgeonLabel, description: `With groupBy=surgeon only. ${surgeonLabel.description}` },
        cases: integer,
        withoutConsent,
        events: integer,
        curve: {
          type: 'array',
          items: object({
            day: integer,
            atRisk: integer,
            events: integer,
            censored: integer,
            survival: { type: 'number', minimum: 0, maximum: 1 },
            lower95: nullableNumber,
            upper95: nullableNumber,
          }),
        },
      },
      ['surgeonLabel'],
    ),
  },
  logRank: nullable(object({ chiSquare: { type: 'number' }, df: integer, pValue: { type: 'number' } })),
});

const funnelLimits = {
  lower95: { type: 'number' },
  upper95: { type: 'number' },
  lower998: { type: 'number' },
  upper998: { type: 'number' },
} satisfies Record<string, SchemaObject>;

export const FUNNEL_REPORT_SCHEMA = object({
  ...header('funnel'),
  target: { type: 'number' },
  targetSource: { type: 'string' },
  totals: object({ cases: integer, events: integer }),
  surgeons: {
    type: 'array',
    items: object({
      surgeonId: hiddenSurgeonId('another surgeon for a surgeon, and everyone with anonymise=true'),
      surgeonLabel,
      self: { type: 'boolean', description: "The caller's own point (always false with anonymise=true)" },
      cases: integer,
      withoutConsent,
      events: integer,
      rate: { type: 'number' },
      limits: object(funnelLimits),
      position: { type: 'string', enum: ['above_998', 'above_95', 'within', 'below_95', 'below_998'] },
      alert: { type: 'boolean' },
      outlier: { type: 'boolean' },
    }),
  },
  curve: { type: 'array', items: object({ n: integer, ...funnelLimits }) },
});

export const CUSUM_REPORT_SCHEMA = object(
  {
    ...header('cusum'),
    p0: { type: 'number' },
    p0Source: { type: 'string' },
    oddsRatio: { type: 'number' },
    h: { type: 'number' },
    surgeonLabel,
    note: { type: 'string', description: 'Why there are no points' },
    points: {
      type: 'array',
      items: object({
        caseId: uuid,
        registryCode: { type: 'string' },
        surgeryDate: date,
        event: { type: 'boolean' },
        value: { type: 'number' },
        signal: { type: 'boolean' },
      }),
    },
    signals: { type: 'array', items: uuid },
  },
  ['note'],
);

const listed = {
  caseId: uuid,
  registryCode: { type: 'string' },
  surgeonId: hiddenSurgeonId('with anonymise=true'),
  surgeonLabel,
} satisfies Record<string, SchemaObject>;

export const DATA_QUALITY_REPORT_SCHEMA = object({
  filters: header('data-quality').filters,
  generatedAt: { type: 'string', format: 'date-time' },
  today: date,
  definitions: { type: 'object', additionalProperties: { type: 'string' } },
  consent,
  overdue: {
    type: 'array',
    items: object({
      ...listed,
      surgeryDate: date,
      timepoint: { type: 'string', enum: [...TIMEPOINTS] },
      windowClosed: date,
      invitation: {
        oneOf: [
          { type: 'null' },
          object({
            status: { type: 'string', enum: [...STORED_INVITATION_STATUSES] },
            outstanding: { type: 'boolean' },
            sentAt: { type: ['string', 'null'], format: 'date-time' } as unknown as SchemaObject,
            remindersSent: integer,
          }),
        ],
      },
    }),
  },
  unsignedDrafts: {
    type: 'array',
    items: object({
      ...listed,
      surgeryDate: date,
      createdAt: { type: 'string', format: 'date-time' },
      daysUnsigned: integer,
    }),
  },
  missingData: {
    type: 'array',
    items: object({
      ...listed,
      followUpId: uuid,
      visitDate: date,
      timepoint: { type: 'string', enum: [...TIMEPOINTS] },
      missing: { type: 'array', items: { type: 'string' } },
    }),
  },
});
