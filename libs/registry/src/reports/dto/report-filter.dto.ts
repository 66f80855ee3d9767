import { RELEASE_LOCATION, type ReleaseLocation } from '@ilr/clinical';
import { Field } from '../../common/validation.js';

// The common report filters of API.md. Soft-deleted cases never count.
export class ReportFilterQuery {
  @Field.date({ optional: true, description: 'Surgery date from (inclusive)' }) from?: string;
  @Field.date({ optional: true, description: 'Surgery date to (inclusive)' }) to?: string;
  @Field.uuid({ optional: true }) surgeonId?: string;
  @Field.code(RELEASE_LOCATION.codes, { optional: true, enumName: 'ReleaseLocation' })
  releaseLocation?: ReleaseLocation;
  @Field.boolean({ optional: true, query: true }) impingementRepair?: boolean;
}

// Reports (not exports, which always apply the rule) may be restricted to the cases an export contains.
export class ReportScopeQuery extends ReportFilterQuery {
  @Field.boolean({
    optional: true,
    query: true,
    description:
      "Only cases of patients whose consent is 'given': the cases an export contains (default false: every case)",
  })
  consentedOnly?: boolean;
}

export class DataQualityQuery extends ReportScopeQuery {
  @Field.code(['json', 'csv'] as const, { optional: true, description: 'csv, or send Accept: text/csv' }) format?:
    'json' | 'csv';
  @Field.int({ optional: true, query: true, min: 1, max: 10000, description: 'Most rows per list (default 1000)' })
  limit?: number;
}
