import { ApiProperty } from '@nestjs/swagger';
import {
  IMPORT_DATASETS,
  IMPORT_MODES,
  IMPORT_ON_ERROR,
  IMPORT_STATUSES,
  type ImportDataset,
  type ImportMode,
  type ImportOnError,
  type ImportStatus,
} from '@ilr/persistence';
import { Field } from '../../common/validation.js';

export class CreateImportQuery {
  @Field.code(IMPORT_DATASETS, { enumName: 'ImportDataset', description: 'What the rows are' })
  dataset: ImportDataset;

  @Field.code(IMPORT_MODES, {
    optional: true,
    enumName: 'ImportMode',
    description: 'validate (default): check every row and write nothing; commit: write',
  })
  mode?: ImportMode;

  @Field.code(IMPORT_ON_ERROR, {
    optional: true,
    enumName: 'ImportOnError',
    description:
      'reject_all (default): a commit writes nothing if any row is invalid or in conflict; skip_invalid: it writes the valid rows and reports the rest',
  })
  onError?: ImportOnError;

  @Field.uuid({
    optional: true,
    description: 'Cases: the surgeon of rows without a surgeonEmail (an active surgeon)',
  })
  surgeonId?: string;
}

export class ImportListQuery {
  @Field.int({ optional: true, query: true, min: 1, max: 200, description: 'Page size (default 20)' }) limit?: number;
  @Field.string({ optional: true, maxLength: 512 }) cursor?: string;
}

export class ImportErrorsQuery {
  @Field.code(['json', 'csv'] as const, { optional: true, description: 'json (default, paged) or csv (all rows)' })
  format?: 'json' | 'csv';
  @Field.int({ optional: true, query: true, min: 1, max: 1000, description: 'Page size (default 100)' })
  limit?: number;
  @Field.string({ optional: true, maxLength: 512 }) cursor?: string;
}

export class ImportTemplateQuery {
  @Field.code(IMPORT_DATASETS, { enumName: 'ImportDataset' }) dataset: ImportDataset;
  @Field.code(['header', 'columns'] as const, {
    optional: true,
    description: "header (default): an importable file's header row; columns: each column's use, type and codes",
  })
  file?: 'header' | 'columns';
}

export class ImportCreator {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
}

export class ImportJobResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: IMPORT_DATASETS, enumName: 'ImportDataset' }) dataset: ImportDataset;
  @ApiProperty({ enum: IMPORT_MODES, enumName: 'ImportMode' }) mode: ImportMode;
  @ApiProperty({ enum: IMPORT_ON_ERROR, enumName: 'ImportOnError' }) onError: ImportOnError;
  @ApiProperty({
    enum: IMPORT_STATUSES,
    enumName: 'ImportStatus',
    description:
      'running; validated (a check finished: nothing written); committed (written; with skip_invalid the invalid rows were left out); rejected (reject_all found a bad row: nothing written); failed (interrupted or an unexpected failure: `error` says what was kept)',
  })
  status: ImportStatus;
  @ApiProperty({ type: String, nullable: true }) fileName: string | null;
  @ApiProperty({ description: 'Size of the file in bytes' }) bytes: number;
  @ApiProperty({ description: 'SHA-256 of the file as uploaded (hex)' }) sha256: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) surgeonId: string | null;
  @ApiProperty({ description: 'Data rows read so far' }) rowsRead: number;
  @ApiProperty({ description: 'Valid rows: created + unchanged' }) accepted: number;
  @ApiProperty({ description: 'Rows invalid or in conflict with a stored record' }) rejected: number;
  @ApiProperty({
    description: 'Records created (validate: that a commit would create; rejected: 0, as nothing was written)',
  })
  created: number;
  @ApiProperty({ description: 'Rows identical to a stored record (or to an earlier line): nothing new' })
  unchanged: number;
  @ApiProperty({ description: 'Rows that would change a stored record: reported, never applied' }) conflicts: number;
  @ApiProperty({ description: 'Entries in the error report' }) errorCount: number;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: ImportCreator }) createdBy: ImportCreator;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}

export class ImportListResponse {
  @ApiProperty({ type: [ImportJobResponse] }) items: ImportJobResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ImportErrorResponse {
  @ApiProperty({ description: "The file's line (the header is line 1)" }) line: number;
  @ApiProperty({ type: String, nullable: true, description: 'The column, or null for the row as a whole' })
  column: string | null;
  @ApiProperty({ description: 'Stable code: required, invalid_code, out_of_range, conflict, case_not_found, …' })
  code: string;
  @ApiProperty({ description: 'What is wrong, naming the column and the rule (never the value)' }) message: string;
}

export class ImportErrorListResponse {
  @ApiProperty({ type: [ImportErrorResponse] }) items: ImportErrorResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
