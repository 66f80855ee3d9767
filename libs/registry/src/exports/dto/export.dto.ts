import { ApiProperty } from '@nestjs/swagger';
import { Field } from '../../common/validation.js';
import { ReportFilterQuery } from '../../reports/dto/report-filter.dto.js';

export const DATASETS = ['cases', 'follow-ups', 'complications'] as const;
export const EXPORT_FORMATS = ['csv', 'ndjson', 'fhir'] as const;

export class ExportQuery extends ReportFilterQuery {
  @Field.code(EXPORT_FORMATS, {
    optional: true,
    enumName: 'ExportFormat',
    description: 'csv (default), ndjson, or fhir (cases only: one R4 Bundle per line)',
  })
  format?: (typeof EXPORT_FORMATS)[number];

  @Field.boolean({
    optional: true,
    query: true,
    description: 'Admin only: include MRN, dates, registry codes, ids and free text',
  })
  identified?: boolean;
}

export class ExportFilters extends ReportFilterQuery {}

export class CreateExportRequest {
  @Field.code(DATASETS, { enumName: 'ExportDataset' }) dataset: (typeof DATASETS)[number];
  @Field.code(EXPORT_FORMATS, { enumName: 'ExportFormat' }) format: (typeof EXPORT_FORMATS)[number];
  @Field.nested(() => ExportFilters, { optional: true }) filters?: ExportFilters;
  @Field.boolean({ optional: true, description: 'Admin only' }) identified?: boolean;
}

export class DictionaryQuery {
  @Field.code(['json', 'csv'] as const, { optional: true }) format?: 'json' | 'csv';
}

export class ExportJobListQuery {
  @Field.int({ optional: true, query: true, min: 1, max: 500, description: 'Page size (default 50)' }) limit?: number;
  @Field.string({ optional: true, maxLength: 512 }) cursor?: string;
}

export class ExportJobCreator {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
}

export class ExportJobResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) status: string;
  @ApiProperty({ enum: DATASETS }) dataset: string;
  @ApiProperty({ enum: EXPORT_FORMATS }) format: string;
  @ApiProperty() identified: boolean;
  @ApiProperty() filters: Record<string, unknown>;
  @ApiProperty({ type: Number, nullable: true }) rows: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '0–1' }) progress: number | null;
  @ApiProperty({ type: String, nullable: true }) sha256: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: ExportJobCreator, description: 'Who asked for the export' }) createdBy: ExportJobCreator;
}

export class ExportJobListResponse {
  @ApiProperty({ type: [ExportJobResponse] }) items: ExportJobResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
