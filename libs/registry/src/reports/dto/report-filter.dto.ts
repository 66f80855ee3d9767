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
  @Field.boolean({
    optional: true,
    query: true,
    description:
      'Surgeons only as stable labels ("Surgeon A", "Surgeon B", … in the order of their ids, over the surgeons with cases under the other filters) and no surgeon id anywhere, whoever asks (default false: admins, registry staff and quality reviewers see display names and ids, a surgeon sees themself by name and the others labelled)',
  })
  anonymise?: boolean;
}

export class DataQualityQuery extends ReportScopeQuery {
  @Field.code(['json', 'csv'] as const, { optional: true, description: 'csv, or send Accept: text/csv' }) format?:
    'json' | 'csv';
  @Field.int({ optional: true, query: true, min: 1, max: 10000, description: 'Most rows per list (default 1000)' })
  limit?: number;
}
