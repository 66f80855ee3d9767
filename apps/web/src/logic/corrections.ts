// Correcting a stored follow-up or complication: the stored record as the form's values, and the PATCH body that
// carries only what the form changes (a field emptied is sent as null; an instrument cleared is sent as null).
import { INSTRUMENTS, type Instrument } from '@ilr/clinical';
import type { components } from '../api/schema.js';
import type { ComplicationFormValues } from './case-form-fields.js';
import {
  type ComplicationResponse,
  type CreateComplicationRequest,
  emptyComplicationFormValues,
  toCreateComplicationRequest,
} from './complication-form-values.js';
import {
  type CreateFollowUpRequest,
  emptyFollowUpFormValues,
  type FollowUpFormValues,
  type FollowUpResponse,
  toCreateFollowUpRequest,
} from './follow-up-form-values.js';

export type UpdateFollowUpRequest = components['schemas']['UpdateFollowUpRequest'];
export type UpdateComplicationRequest = components['schemas']['UpdateComplicationRequest'];

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// The stored visit as the follow-up form holds it: each instrument's answers put back item by item.
export function followUpToFormValues(stored: FollowUpResponse): FollowUpFormValues {
  const values = emptyFollowUpFormValues();
  values.visitDate = stored.visitDate;
  values.contactMode = stored.contactMode;
  values.snapping = stored.snapping ?? null;
  values.groinPain = stored.groinPain ?? null;
  values.hipFlexionStrength = stored.hipFlexionStrength ?? null;
  values.returnedToSport = stored.returnedToSport ?? null;
  values.satisfaction = stored.satisfaction ?? null;
  const proms = values.proms as Record<Instrument, unknown>;
  for (const instrument of INSTRUMENTS) {
    const items = stored.proms?.[instrument]?.items;
    if (!items) continue;
    const slot = proms[instrument];
    if (Array.isArray(slot) && Array.isArray(items)) items.forEach((v, i) => i < slot.length && (slot[i] = v ?? null));
    else if (slot && typeof slot === 'object' && !Array.isArray(items))
      for (const [key, v] of Object.entries(items))
        if (key in (slot as object)) (slot as Record<string, unknown>)[key] = v ?? null;
  }
  return values;
}

const VISIT_FIELDS = [
  'visitDate',
  'contactMode',
  'snapping',
  'groinPain',
  'hipFlexionStrength',
  'returnedToSport',
  'satisfaction',
] as const;

// The PATCH body for a visit: the visit fields and instruments the form's body changes from the stored visit.
export function toUpdateFollowUpRequest(stored: FollowUpResponse, body: CreateFollowUpRequest): UpdateFollowUpRequest {
  const before = toCreateFollowUpRequest(followUpToFormValues(stored));
  const patch: Record<string, unknown> = {};
  for (const field of VISIT_FIELDS) if (!same(before[field], body[field])) patch[field] = body[field] ?? null;
  const proms: Record<string, unknown> = {};
  for (const instrument of INSTRUMENTS)
    if (!same(before.proms?.[instrument], body.proms?.[instrument]))
      proms[instrument] = body.proms?.[instrument] ?? null;
  if (Object.keys(proms).length) patch.proms = proms;
  return patch as UpdateFollowUpRequest;
}

// The stored complication as the complication form holds it.
export function complicationToFormValues(stored: ComplicationResponse): ComplicationFormValues {
  return {
    ...emptyComplicationFormValues(),
    type: stored.type,
    onsetDate: stored.onsetDate,
    brookerGrade: stored.brookerGrade ?? null,
    recurrenceCause: stored.recurrenceCause ?? null,
    sinkGrade: stored.sinkGrade,
    clavienDindo: stored.clavienDindo ?? null,
    reoperation: stored.reoperation ? { date: stored.reoperation.date, procedure: stored.reoperation.procedure } : null,
    resolvedDate: stored.resolvedDate ?? null,
    followUpId: stored.followUpId ?? null,
    description: stored.description ?? '',
  };
}

const COMPLICATION_FIELDS = [
  'type',
  'onsetDate',
  'brookerGrade',
  'recurrenceCause',
  'sinkGrade',
  'clavienDindo',
  'reoperation',
  'resolvedDate',
  'followUpId',
  'description',
] as const;

// The PATCH body for a complication: the fields the form's body changes from the stored one.
export function toUpdateComplicationRequest(
  stored: ComplicationResponse,
  body: CreateComplicationRequest,
): UpdateComplicationRequest {
  const before = toCreateComplicationRequest(complicationToFormValues(stored));
  const patch: Record<string, unknown> = {};
  for (const field of COMPLICATION_FIELDS) if (!same(before[field], body[field])) patch[field] = body[field] ?? null;
  return patch as UpdateComplicationRequest;
}
