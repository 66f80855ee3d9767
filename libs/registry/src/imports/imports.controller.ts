import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiJsonOrCsv, ApiTextResponse } from '../common/api-docs.js';
import { IdParam } from '../common/params.js';
import {
  CreateImportQuery,
  ImportErrorListResponse,
  ImportErrorsQuery,
  ImportJobResponse,
  ImportListQuery,
  ImportListResponse,
  ImportTemplateQuery,
} from './dto/import.dto.js';
import { ImportsService } from './imports.service.js';

@ApiTags('imports')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @HttpCode(202)
  @Authorize(Permission.ImportWrite)
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({
    description:
      'The CSV file: the raw bytes (text/csv; optional X-File-Name header), or the part named `file` of a form. UTF-8 (with or without BOM) or Latin-1; the columns of the identified export of the dataset (GET /imports/template).',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiAcceptedResponse({
    type: ImportJobResponse,
    description:
      'The file is well-formed and its rows are being read; poll GET /imports/:id (Location). A malformed file is a 400 problem naming the problem and the line, and nothing is written.',
    headers: { Location: { $ref: '#/components/headers/Location' } as never },
  })
  @ApiOperation({ summary: 'Import cases, visits or complications from a CSV file' })
  async create(
    @Auth() auth: AuthContext,
    @Query() query: CreateImportQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ImportJobResponse> {
    const job = await this.imports.create(auth, query, request);
    response.setHeader('Location', `/api/v1/imports/${job.id}`);
    return job;
  }

  @Get()
  @Authorize(Permission.ImportWrite)
  @ApiOkResponse({ type: ImportListResponse })
  @ApiOperation({
    summary: 'List imports',
    description: 'Newest first: registry staff see their own imports, administrators every import.',
  })
  async list(@Auth() auth: AuthContext, @Query() query: ImportListQuery): Promise<ImportListResponse> {
    return this.imports.list(auth, query);
  }

  @Get('template')
  @Authorize(Permission.ImportWrite)
  @ApiTextResponse(
    ['text/csv'],
    "The header row of an importable file (file=header), or each column's use, type, codes and description (file=columns)",
    ['Content-Disposition'],
  )
  @ApiOperation({ summary: 'Download the import template of a dataset' })
  template(@Query() query: ImportTemplateQuery, @Res() response: Response): void {
    const { name, body } = this.imports.template(query);
    response.type('text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    response.send(body);
  }

  @Get(':id')
  @Authorize(Permission.ImportWrite)
  @ApiOkResponse({ type: ImportJobResponse })
  @ApiOperation({ summary: 'Read an import: its progress while it runs, its result after' })
  async get(@Auth() auth: AuthContext, @IdParam() id: string): Promise<ImportJobResponse> {
    return this.imports.get(auth, id);
  }

  @Get(':id/errors')
  @Authorize(Permission.ImportWrite)
  @ApiJsonOrCsv(ImportErrorListResponse, 'The rejected rows: line, column, code and message (CSV: all of them)')
  @ApiOperation({ summary: "Read an import's error report" })
  async errors(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @Query() query: ImportErrorsQuery,
    @Res() response: Response,
  ): Promise<void> {
    if (query.format === 'csv') await this.imports.errorsCsv(auth, id, response);
    else response.json(await this.imports.errors(auth, id, query));
  }
}
