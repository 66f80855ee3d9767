// The report payloads as the charts read them (libs/registry/src/reports/dto/report-schemas.ts, openapi.json):
// structural types, so that the API's JSON, the web's generated schema types and the server's objects all fit.
export interface Proportion {
  numerator: number;
  denominator: number;
  rate: number | null;
  lower95: number | null;
  upper95: number | null;
}

// Surgeon labels: the report may name surgeons (`surgeonLabel`) for roles that may see names.
export type SurgeonLabel = (surgeonId: string | null) => string;

export interface ReportHeader {
  filters?: Record<string, unknown>;
}

export interface PromTimepointFigures {
  mean: number | null;
  n: number;
}

export interface OutcomesGroup {
  key: string;
  surgeonLabel?: string | null;
  cases: number;
  complications: ReadonlyArray<Proportion & { type: string; count?: number }>;
  recurrence: Proportion;
  reoperation: Proportion;
  conversionToArthroplasty: Proportion;
  proms: Partial<
    Record<
      string,
      {
        baseline: { mean: number | null; n: number };
        timepoints: Partial<Record<string, PromTimepointFigures>>;
      }
    >
  >;
}

export interface OutcomesReport extends ReportHeader {
  groups: readonly OutcomesGroup[];
}

export interface SurvivalRow {
  day: number;
  atRisk: number;
  events: number;
  censored: number;
  survival: number;
  lower95: number | null;
  upper95: number | null;
}

export interface SurvivalGroup {
  key: string;
  surgeonLabel?: string | null;
  cases: number;
  events: number;
  curve: readonly SurvivalRow[];
}

export interface SurvivalReport extends ReportHeader {
  groups: readonly SurvivalGroup[];
}

export interface FunnelLimits {
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export interface FunnelSurgeon {
  surgeonId: string | null;
  surgeonLabel?: string | null;
  self: boolean;
  cases: number;
  events: number;
  rate: number;
  limits: FunnelLimits;
  position: string;
  alert: boolean;
  outlier: boolean;
}

export interface FunnelReport extends ReportHeader {
  target: number;
  surgeons: readonly FunnelSurgeon[];
  curve: ReadonlyArray<FunnelLimits & { n: number }>;
}

export interface CusumPoint {
  caseId: string;
  registryCode: string;
  surgeryDate: string;
  event: boolean;
  value: number;
  signal: boolean;
}

export interface CusumReport extends ReportHeader {
  h: number;
  p0: number;
  oddsRatio: number;
  surgeonLabel?: string | null;
  points: readonly CusumPoint[];
}
