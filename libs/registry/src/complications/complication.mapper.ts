import { type ComplicationData, daysBetween } from '@ilr/clinical';
import type { ComplicationColumns, ComplicationEntity } from '@ilr/persistence';
import type { ComplicationResponse } from './dto/complication.dto.js';

export function complicationData(e: ComplicationEntity): ComplicationData {
  return {
    type: e.type,
    onsetDate: e.onsetDate,
    brookerGrade: e.brookerGrade,
    recurrenceCause: e.recurrenceCause,
    sinkGrade: e.sinkGrade,
    clavienDindo: e.clavienDindo,
    reoperation:
      e.reoperationDate && e.reoperationProcedure
        ? { date: e.reoperationDate, procedure: e.reoperationProcedure }
        : null,
    resolvedDate: e.resolvedDate,
    followUpId: e.followUpId,
    description: e.description,
  };
}

const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);

export function complicationColumns(d: ComplicationData): Omit<ComplicationColumns, 'caseId' | 'createdBy'> {
  return {
    type: d.type,
    onsetDate: d.onsetDate,
    brookerGrade: orNull(d.brookerGrade),
    recurrenceCause: orNull(d.recurrenceCause),
    sinkGrade: d.sinkGrade,
    clavienDindo: orNull(d.clavienDindo),
    reoperationDate: d.reoperation?.date ?? null,
    reoperationProcedure: d.reoperation?.procedure ?? null,
    resolvedDate: orNull(d.resolvedDate),
    followUpId: orNull(d.followUpId),
    description: orNull(d.description),
  };
}

// `freeText: false` (de-identified readers) drops the description.
export function toComplicationResponse(
  e: ComplicationEntity,
  surgeryDate: string,
  options: { freeText: boolean },
): ComplicationResponse {
  const data = complicationData(e);
  return {
    id: e.id,
    caseId: e.caseId,
    type: data.type,
    onsetDate: data.onsetDate,
    onsetDay: daysBetween(surgeryDate, data.onsetDate),
    brookerGrade: data.brookerGrade ?? null,
    recurrenceCause: data.recurrenceCause ?? null,
    sinkGrade: data.sinkGrade,
    clavienDindo: data.clavienDindo ?? null,
    reoperation: data.reoperation ?? null,
    resolvedDate: data.resolvedDate ?? null,
    followUpId: data.followUpId ?? null,
    ...(options.freeText ? { description: data.description ?? null } : {}),
    version: e.version,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
