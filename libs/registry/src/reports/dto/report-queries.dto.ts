import { Field } from '../../common/validation.js';
import { ReportScopeQuery } from './report-filter.dto.js';

export const GROUP_BY_OPTIONS = [
  'releaseLocation',
  'impingementRepair',
  'surgeon',
  'year',
  'capsularLevel',
  'technique',
  'positioning',
  'hoProphylaxis',
] as const;
export type GroupByOption = (typeof GROUP_BY_OPTIONS)[number];
export const FORMATS = ['json', 'csv'] as const;

export class OutcomesQuery extends ReportScopeQuery {
  @Field.code(GROUP_BY_OPTIONS, {
    optional: true,
    enumName: 'ReportGroupBy',
    description: 'Without it, one group `all`',
  })
  groupBy?: GroupByOption;
  @Field.code(FORMATS, { optional: true, description: 'csv, or send Accept: text/csv' }) format?: 'json' | 'csv';
}

export const ENDPOINTS = ['recurrence', 'reoperation', 'conversion'] as const;

export class SurvivalQuery extends OutcomesQuery {
  @Field.code(ENDPOINTS, { enumName: 'SurvivalEndpoint' }) endpoint: (typeof ENDPOINTS)[number];
}

export const HORIZON_OUTCOME_OPTIONS = ['complication_90d', 'recurrence_1y', 'reoperation_1y'] as const;

export class FunnelQuery extends ReportScopeQuery {
  @Field.code(HORIZON_OUTCOME_OPTIONS, { enumName: 'FunnelOutcome' }) outcome: (typeof HORIZON_OUTCOME_OPTIONS)[number];
  @Field.number({
    optional: true,
    query: true,
    min: 0,
    max: 1,
    description: 'Target rate θ (default: the registry-wide rate over the same filters)',
  })
  target?: number;
  @Field.code(FORMATS, { optional: true }) format?: 'json' | 'csv';
}

export class CusumQuery extends ReportScopeQuery {
  @Field.code(HORIZON_OUTCOME_OPTIONS, { enumName: 'FunnelOutcome' }) outcome: (typeof HORIZON_OUTCOME_OPTIONS)[number];
  @Field.number({
    optional: true,
    query: true,
    min: 0.0001,
    max: 0.9999,
    description: 'In-control rate (default: registry-wide rate)',
  })
  p0?: number;
  @Field.number({ optional: true, query: true, min: 1.0001, max: 100, description: 'Odds ratio to detect (default 2)' })
  oddsRatio?: number;
  @Field.number({ optional: true, query: true, min: 0.01, max: 100, description: 'Decision threshold h (default 4.5)' })
  h?: number;
  @Field.code(FORMATS, { optional: true }) format?: 'json' | 'csv';
}
