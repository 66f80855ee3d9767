import { type Instrument, type PromAnswers, scoreProms } from '@ilr/clinical';
import type { FollowUpEntity, PromResponseEntity, PromRow } from '@ilr/persistence';
import type { FollowUpResponse, PromAnswersDto, PromResultResponse } from './dto/follow-up.dto.js';

// Scores what was sent: a row per instrument present, null for an instrument sent as null (removed).
export function promRows(answers: PromAnswersDto | undefined): Partial<Record<Instrument, PromRow | null>> {
  if (!answers) return {};
  const rows: Partial<Record<Instrument, PromRow | null>> = {};
  const scores = scoreProms(stripNulls(answers));
  for (const [instrument, given] of Object.entries(answers) as Array<[Instrument, unknown]>) {
    if (given === undefined) continue;
    if (given === null) {
      rows[instrument] = null;
      continue;
    }
    const score = scores[instrument]!;
    rows[instrument] = {
      instrument,
      items: plain(given),
      score: score.score,
      raw: score.raw,
      answered: score.answered,
      unscoredReason: score.unscoredReason ?? null,
      scoringVersion: score.scoringVersion,
    };
  }
  return rows;
}

function stripNulls(answers: PromAnswersDto): PromAnswers {
  return Object.fromEntries(
    Object.entries(answers)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, plain(v)]),
  ) as PromAnswers;
}

// Class instances from validation → plain JSON (absent mHHS items become null: unanswered).
function plain(value: unknown): object {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v === undefined ? null : v)));
}

export function toPromResults(proms: PromResponseEntity[]): Record<string, PromResultResponse> {
  return Object.fromEntries(
    proms.map((p) => [
      p.instrument,
      {
        items: p.items,
        score: p.score,
        raw: p.raw,
        answered: p.answered,
        ...(p.unscoredReason ? { unscoredReason: p.unscoredReason } : {}),
        scoringVersion: p.scoringVersion,
      },
    ]),
  );
}

export function toFollowUpResponse(visit: FollowUpEntity, proms: PromResponseEntity[]): FollowUpResponse {
  return {
    id: visit.id,
    caseId: visit.caseId,
    visitDate: visit.visitDate,
    day: visit.day,
    timepoint: visit.timepoint,
    contactMode: visit.contactMode,
    snapping: visit.snapping,
    groinPain: visit.groinPain,
    hipFlexionStrength: visit.hipFlexionStrength,
    returnedToSport: visit.returnedToSport,
    satisfaction: visit.satisfaction,
    proms: toPromResults(proms),
    version: visit.version,
    createdAt: visit.createdAt.toISOString(),
    updatedAt: visit.updatedAt.toISOString(),
  };
}
