import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiJsonOrCsv, ApiTextResponse } from '../common/api-docs.js';
import { IdParam } from '../common/params.js';
import { requestContext } from '../common/request-context.js';
import { scopedFilter } from '../reports/report-scope.js';
import { DataDictionaryResponse, ExportManifest } from './dto/export-dictionary.dto.js';
import {
  CreateExportRequest,
  DictionaryQuery,
  ExportJobListQuery,
  ExportJobListResponse,
  ExportJobResponse,
  ExportQuery,
} from './dto/export.dto.js';
import { ExportsService } from './exports.service.js';

const filtersOf = (auth: AuthContext, query: ExportQuery) => {
  const { format: _format, identified: _identified, ...filters } = query;
  return scopedFilter(auth, filters);
};

// ExportManifest documents the manifests written to EXPORT_DIR/manifests (a job's: GET /exports/:id/manifest).
@ApiTags('exports')
@ApiExtraModels(ExportManifest)
@Controller('api/v1/exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('dictionary')
  @Authorize(Permission.ReferenceRead)
  @ApiJsonOrCsv(
    DataDictionaryResponse,
    'Every exported column (type, unit, codes with labels, de-identification, empty cells), typed CSV readers, the registry rules and the cases no export holds',
  )
  @ApiOperation({ summary: 'Read the export data dictionary' })
  async dictionary(@Query() query: DictionaryQuery, @Res({ passthrough: true }) response: Response) {
    if (query.format === 'csv') {
      response.type('text/csv; charset=utf-8');
      return this.exports.dictionaryCsv();
    }
    return await this.exports.dictionary();
  }

  @Get('cases')
  @Authorize(Permission.ExportDeidentified)
  @ApiTextResponse(
    ['text/csv', 'application/x-ndjson', 'application/fhir+ndjson'],
    'One row per case (FHIR: one Bundle per line), streamed',
    ['Content-Disposition', 'Export-Date'],
  )
  @ApiOperation({ summary: 'Export cases (streamed)' })
  async cases(@Auth() auth: AuthContext, @Query() query: ExportQuery, @Res() response: Response): Promise<void> {
    await this.exports.streamTo(auth, 'cases', query, filtersOf(auth, query), response);
  }

  @Get('follow-ups')
  @Authorize(Permission.ExportDeidentified)
  @ApiTextResponse(['text/csv', 'application/x-ndjson'], 'One row per follow-up visit, streamed', [
    'Content-Disposition',
    'Export-Date',
  ])
  @ApiOperation({ summary: 'Export follow-ups (streamed)' })
  async followUps(@Auth() auth: AuthContext, @Query() query: ExportQuery, @Res() response: Response): Promise<void> {
    await this.exports.streamTo(auth, 'follow-ups', query, filtersOf(auth, query), response);
  }

  @Get('complications')
  @Authorize(Permission.ExportDeidentified)
  @ApiTextResponse(['text/csv', 'application/x-ndjson'], 'One row per complication, streamed', [
    'Content-Disposition',
    'Export-Date',
  ])
  @ApiOperation({ summary: 'Export complications (streamed)' })
  async complications(
    @Auth() auth: AuthContext,
    @Query() query: ExportQuery,
    @Res() response: Response,
  ): Promise<void> {
    await this.exports.streamTo(auth, 'complications', query, filtersOf(auth, query), response);
  }

  @Post()
  @HttpCode(202)
  @Authorize(Permission.ExportDeidentified)
  @ApiAcceptedResponse({
    type: ExportJobResponse,
    description: 'Queued; poll GET /exports/:id (Location)',
    headers: { Location: { $ref: '#/components/headers/Location' } as never },
  })
  @ApiOperation({ summary: 'Queue an export job' })
  async create(
    @Auth() auth: AuthContext,
    @Body() body: CreateExportRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ExportJobResponse> {
    const job = await this.exports.createJob(auth, body, requestContext.correlationId() ?? null);
    response.setHeader('Location', `/api/v1/exports/${job.id}`);
    return this.exports.toJobResponse({ job, createdBy: { id: auth.user.id, displayName: auth.user.displayName } });
  }

  @Get()
  @Authorize(Permission.ExportJobList)
  @ApiOkResponse({ type: ExportJobListResponse })
  @ApiOperation({
    summary: 'List export jobs',
    description:
      'Newest first. Registry staff see the jobs they asked for; administrators see every job. Identified jobs only for administrators.',
  })
  async list(@Auth() auth: AuthContext, @Query() query: ExportJobListQuery): Promise<ExportJobListResponse> {
    return this.exports.listJobs(auth, query);
  }

  @Get(':id')
  @Authorize(Permission.ExportDeidentified)
  @ApiOkResponse({ type: ExportJobResponse })
  @ApiForbiddenResponse({ description: 'An identified job, and the caller is not an administrator (now)' })
  @ApiOperation({ summary: 'Read an export job' })
  async job(@Auth() auth: AuthContext, @IdParam() id: string): Promise<ExportJobResponse> {
    return this.exports.toJobResponse(await this.exports.jobWithCreator(auth, id));
  }

  @Get(':id/manifest')
  @Authorize(Permission.ExportDeidentified)
  @ApiOkResponse({ type: ExportManifest, description: "The manifest written with the job's file" })
  @ApiForbiddenResponse({ description: 'An identified job, and the caller is not an administrator (now)' })
  @ApiConflictResponse({ description: 'The job is not done; the problem gives its state as jobStatus' })
  @ApiOperation({ summary: "Read an export job's manifest" })
  async manifest(@Auth() auth: AuthContext, @IdParam() id: string): Promise<ExportManifest> {
    return this.exports.jobManifest(auth, id);
  }

  @Get(':id/file')
  @Authorize(Permission.ExportDeidentified)
  @ApiTextResponse(
    ['text/csv', 'application/x-ndjson', 'application/fhir+ndjson'],
    'The finished file, with its SHA-256 as Digest',
    ['Content-Disposition', 'Digest'],
  )
  @ApiForbiddenResponse({ description: 'An identified job, and the caller is not an administrator (now)' })
  @ApiConflictResponse({ description: 'The job is not done; the problem gives its state as jobStatus' })
  @ApiOperation({ summary: "Download an export job's file" })
  async file(@Auth() auth: AuthContext, @IdParam() id: string, @Res() response: Response): Promise<void> {
    await this.exports.sendFile(auth, id, response);
  }
}
