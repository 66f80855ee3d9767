import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATASETS, EXPORT_FORMATS } from './export.dto.js';

// The data dictionary (GET /api/v1/exports/dictionary) and the manifest every export writes
// (EXPORT_DIR/manifests): the shapes ExportsService builds, typed so that the code and the document agree.

const COLUMN_TYPES = ['string', 'integer', 'number', 'boolean', 'code', 'codes', 'date', 'json'] as const;
const DEIDENTIFICATION = ['kept', 'pseudonymised', 'day', 'year', 'age', 'window_status', 'identified_only'] as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class CsvConventions {
  @ApiProperty() file: string;
  @ApiProperty({ description: 'TRUE / FALSE' }) booleans: string;
  @ApiProperty({ description: "Codes joined by ';'; `none` = an empty list" }) codeLists: string;
  @ApiProperty() emptyCell: string;
  @ApiProperty() numbers: string;
  @ApiProperty() text: string;
}

export class NdjsonConventions {
  @ApiProperty() file: string;
  @ApiProperty() booleans: string;
  @ApiProperty() codeLists: string;
  @ApiProperty() emptyCell: string;
}

export class FormatConventions {
  @ApiProperty({ type: CsvConventions }) csv: CsvConventions;
  @ApiProperty({ type: NdjsonConventions }) ndjson: NdjsonConventions;
}

export class DeidentificationRules {
  @ApiProperty() kept: string;
  @ApiProperty() pseudonymised: string;
  @ApiProperty() day: string;
  @ApiProperty() year: string;
  @ApiProperty() age: string;
  @ApiProperty({ name: 'window_status' }) window_status: string;
  @ApiProperty({ name: 'identified_only' }) identified_only: string;
}

export class ExclusionReason {
  @ApiProperty({ example: 'consent_withdrawn', description: 'case_deleted, or consent_<consent>' }) reason: string;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'Cases left out for this reason' }) cases: number;
}

export class ExportExclusions {
  @ApiProperty() rule: string;
  @ApiProperty({ description: 'Cases left out, all reasons' }) cases: number;
  @ApiProperty({ type: [ExclusionReason] }) reasons: ExclusionReason[];
}

export class TimepointWindowRule {
  @ApiProperty({ example: '1y' }) timepoint: string;
  @ApiProperty({ description: 'First day after surgery in the window (inclusive)' }) fromDay: number;
  @ApiProperty({ description: 'Last day after surgery in the window (inclusive)' }) toDay: number;
  @ApiProperty({ description: 'The visit nearest this day is used' }) targetDay: number;
}

export class TimepointRules {
  @ApiProperty() rule: string;
  @ApiProperty() windowClosed: string;
  @ApiProperty({ type: [TimepointWindowRule] }) windows: TimepointWindowRule[];
}

export class PromInstrumentRule {
  @ApiProperty({ example: 'ihot12' }) instrument: string;
  @ApiProperty() items: number;
  @ApiProperty({ description: 'Items that must be answered for a score' }) minAnswered: number;
  @ApiProperty({ description: 'The minimum is a registry rule (fewer than all items)' })
  minAnsweredIsRegistryRule: boolean;
  @ApiProperty() scoring: string;
}

export class PromRules {
  @ApiProperty() scoringVersion: string;
  @ApiProperty() rule: string;
  @ApiProperty({ type: [PromInstrumentRule] }) instruments: PromInstrumentRule[];
  @ApiProperty() notScored: string;
}

export class ThresholdRule {
  @ApiProperty() instrument: string;
  @ApiProperty({ enum: ['1y', '2y', '5y'] }) timepoint: string;
  @ApiProperty() mcid: number;
  @ApiProperty() pass: number;
  @ApiProperty() source: string;
}

export class ThresholdRules {
  @ApiProperty() source: string;
  @ApiProperty() rule: string;
  @ApiProperty({ type: [ThresholdRule] }) items: ThresholdRule[];
}

export class EndpointRule {
  @ApiProperty({ example: 'conversion' }) endpoint: string;
  @ApiProperty({ example: 'conversionDay', description: 'The cases column holding the event day' }) column: string;
}

export class HorizonRule {
  @ApiProperty({ example: 'recurrence_1y' }) outcome: string;
  @ApiProperty() column: string;
  @ApiProperty() horizonDay: number;
  @ApiProperty() event: string;
  @ApiProperty() evaluable: string;
}

export class EventRules {
  @ApiProperty() dayZero: string;
  @ApiProperty({ type: [EndpointRule] }) endpoints: EndpointRule[];
  @ApiProperty() recurrenceDay: string;
  @ApiProperty() reoperationDay: string;
  @ApiProperty() conversionDay: string;
  @ApiProperty() lastContactDay: string;
  @ApiProperty() censoring: string;
  @ApiProperty({ type: [HorizonRule] }) horizons: HorizonRule[];
}

export class FunnelTailsRule {
  @ApiProperty() lower95: number;
  @ApiProperty() upper95: number;
  @ApiProperty() lower998: number;
  @ApiProperty() upper998: number;
}

export class StatisticsRules {
  @ApiProperty() rates: string;
  @ApiProperty() completeness: string;
  @ApiProperty() proms: string;
  @ApiProperty() survival: string;
  @ApiProperty() funnel: string;
  @ApiProperty() cusum: string;
  @ApiProperty({ description: 'The normal quantile of every 95% interval' }) z: number;
  @ApiProperty({ type: FunnelTailsRule }) funnelTails: FunnelTailsRule;
}

export class RegistryRules {
  @ApiProperty({ type: TimepointRules }) timepoints: TimepointRules;
  @ApiProperty({ type: PromRules }) proms: PromRules;
  @ApiProperty({ type: ThresholdRules }) thresholds: ThresholdRules;
  @ApiProperty({ type: EventRules }) events: EventRules;
  @ApiProperty({ type: StatisticsRules }) statistics: StatisticsRules;
}

export class ReaderSnippets {
  @ApiProperty({ description: 'Base R read.csv with colClasses' }) r: string;
  @ApiProperty({ description: 'readr::read_csv with col_types' }) readr: string;
  @ApiProperty({ description: 'pandas.read_csv with dtype' }) pandas: string;
}

export class CsvReaders {
  @ApiProperty({ description: 'The file name the snippets read' }) fileName: string;
  @ApiProperty({ ...stringMap, description: "R colClasses by column, in the file's order" })
  colClasses: Record<string, string>;
  @ApiProperty({ description: 'readr compact col_types, one letter per column' }) readrColTypes: string;
  @ApiProperty({ ...stringMap, description: 'pandas dtype by column' }) pandasDtypes: Record<string, string>;
  @ApiProperty({ type: [String], description: 'Date columns for parse_dates' }) pandasParseDates: string[];
  @ApiProperty({ type: ReaderSnippets }) snippets: ReaderSnippets;
  @ApiProperty() notes: string;
}

export class DatasetReaders {
  @ApiProperty({ type: CsvReaders }) deidentified: CsvReaders;
  @ApiProperty({ type: CsvReaders }) identified: CsvReaders;
}

export class DictionaryReaders {
  @ApiProperty({ type: DatasetReaders }) cases: DatasetReaders;
  @ApiProperty({ name: 'follow-ups', type: DatasetReaders }) 'follow-ups': DatasetReaders;
  @ApiProperty({ type: DatasetReaders }) complications: DatasetReaders;
}

export class DictionaryCode {
  @ApiProperty() code: string;
  @ApiProperty() label: string;
}

export class DictionaryColumn {
  @ApiProperty() name: string;
  @ApiProperty({ enum: COLUMN_TYPES }) type: string;
  @ApiProperty({ type: String, nullable: true }) unit: string | null;
  @ApiProperty() description: string;
  @ApiProperty({ enum: DEIDENTIFICATION }) deidentification: string;
  @ApiProperty() inDeidentifiedExports: boolean;
  @ApiProperty({ type: [DictionaryCode], nullable: true }) codes: DictionaryCode[] | null;
  @ApiProperty({ description: 'What an empty CSV cell (NDJSON null) means in this column' }) emptyCell: string;
  @ApiProperty({ type: String, nullable: true, description: 'Code lists: what the literal `none` means' })
  none: string | null;
  @ApiProperty({ description: 'R colClasses entry' }) rClass: string;
  @ApiProperty({ description: 'readr col_types letter' }) readrType: string;
  @ApiProperty({ description: 'pandas dtype' }) pandasDtype: string;
}

export class DictionaryDatasets {
  @ApiProperty({ type: [DictionaryColumn] }) cases: DictionaryColumn[];
  @ApiProperty({ name: 'follow-ups', type: [DictionaryColumn] }) 'follow-ups': DictionaryColumn[];
  @ApiProperty({ type: [DictionaryColumn] }) complications: DictionaryColumn[];
}

export class DataDictionaryResponse {
  @ApiProperty({ format: 'date', description: "The registry's today, the date the exclusions were counted" })
  exportDate: string;
  @ApiProperty() exportDateRule: string;
  @ApiProperty({ type: FormatConventions }) formats: FormatConventions;
  @ApiProperty({ type: DeidentificationRules }) deidentification: DeidentificationRules;
  @ApiProperty() consent: string;
  @ApiProperty({ type: ExportExclusions, description: 'Cases no export holds, registry-wide (no filters)' })
  exclusions: ExportExclusions;
  @ApiProperty({ type: RegistryRules }) rules: RegistryRules;
  @ApiProperty({ type: DictionaryReaders, description: 'Typed CSV readers per dataset and variant' })
  readers: DictionaryReaders;
  @ApiProperty({ type: DictionaryDatasets }) datasets: DictionaryDatasets;
}

export class ManifestColumn {
  @ApiProperty() name: string;
  @ApiProperty({ enum: COLUMN_TYPES }) type: string;
  @ApiProperty({ enum: DEIDENTIFICATION }) deidentification: string;
}

// Written to EXPORT_DIR/manifests/<job>.manifest.json (jobs) or sync-<date>-<dataset>-<id>.manifest.json.
export class ExportManifest {
  @ApiProperty({ enum: DATASETS }) dataset: string;
  @ApiProperty({ enum: EXPORT_FORMATS }) format: string;
  @ApiProperty() identified: boolean;
  @ApiProperty() filters: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty({ format: 'date', description: 'The date the windowClosed_* columns refer to' }) exportDate: string;
  @ApiProperty() rows: number;
  @ApiProperty() sha256: string;
  @ApiProperty() consent: string;
  @ApiProperty({ type: ExportExclusions, description: 'Cases matching the filters that the export left out' })
  exclusions: ExportExclusions;
  @ApiProperty({ type: [ManifestColumn] }) columns: ManifestColumn[];
  @ApiProperty({
    oneOf: [{ type: 'string' }, stringMap],
    description: 'The de-identification rules applied, by rule; a sentence for an identified export',
  })
  deidentification: string | Record<string, string>;
  @ApiProperty({
    nullable: true,
    oneOf: [{ $ref: '#/components/schemas/CsvConventions' }, { $ref: '#/components/schemas/NdjsonConventions' }],
    description: 'How the file writes values; null for FHIR',
  })
  conventions: CsvConventions | NdjsonConventions | null;
  @ApiProperty({ type: CsvReaders, nullable: true, description: 'Typed readers of a CSV file; null otherwise' })
  readers: CsvReaders | null;
  @ApiPropertyOptional({ description: 'FHIR exports: what the file holds, line by line' }) fhir?: string;
  @ApiProperty() dictionary: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Streamed exports: the audit events’ entity id' })
  exportId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) jobId?: string;
  @ApiPropertyOptional() file?: string;
}
