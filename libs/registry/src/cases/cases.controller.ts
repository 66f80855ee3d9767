import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiCreatedRecord, ApiIdempotencyKey, ApiIfMatch, ApiRecordResponse } from '../common/api-docs.js';
import { IdParam } from '../common/params.js';
import { IfMatch, Idempotency, type IdempotencyRequest } from '../common/preconditions.js';
import { created, withETag } from '../common/reply.js';
import { CasesService } from './cases.service.js';
import {
  CaseHistoryResponse,
  CaseListQuery,
  CaseListResponse,
  CaseResponse,
  type CaseView,
  CreateCaseRequest,
  DeleteCaseRequest,
  UpdateCaseRequest,
} from './dto/case.dto.js';

@ApiTags('cases')
@Controller('api/v1/cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @Authorize(Permission.CaseCreate)
  @ApiIdempotencyKey()
  @ApiCreatedRecord(CaseResponse)
  @ApiOperation({ summary: 'Create a case' })
  async create(
    @Auth() auth: AuthContext,
    @Body() body: CreateCaseRequest,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CaseView> {
    return created(response, '/api/v1/cases', await this.cases.create(auth, body, idempotency));
  }

  @Get()
  @Authorize(Permission.CaseRead)
  @ApiOkResponse({ type: CaseListResponse })
  @ApiOperation({ summary: 'List cases' })
  async list(
    @Auth() auth: AuthContext,
    @Query() query: CaseListQuery,
  ): Promise<{ items: CaseView[]; nextCursor: string | null }> {
    return this.cases.list(auth, query);
  }

  @Get(':id')
  @Authorize(Permission.CaseRead)
  @ApiRecordResponse(CaseResponse)
  @ApiOperation({ summary: 'Read a case with its follow-ups and complications' })
  async get(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CaseView> {
    const { entity, view } = await this.cases.get(auth, id);
    return withETag(response, entity.version, view);
  }

  @Patch(':id')
  @Authorize(Permission.CaseUpdate)
  @ApiIfMatch(true)
  @ApiRecordResponse(CaseResponse)
  @ApiOperation({ summary: 'Update a case' })
  async update(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: UpdateCaseRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CaseView> {
    const entity = await this.cases.update(auth, id, ifMatch, body);
    return withETag(response, entity.version, this.cases.view(auth, entity));
  }

  @Post(':id/sign')
  @HttpCode(200)
  @Authorize(Permission.CaseSign)
  @ApiIfMatch(false)
  @ApiRecordResponse(CaseResponse)
  @ApiConflictResponse({ description: 'The case is already signed' })
  @ApiOperation({ summary: 'Sign a case' })
  async sign(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CaseView> {
    const entity = await this.cases.sign(auth, id, ifMatch);
    return withETag(response, entity.version, this.cases.view(auth, entity));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize(Permission.CaseDelete)
  @ApiIfMatch(true)
  @ApiNoContentResponse({ description: 'Soft-deleted: gone from lists and reports, kept with its history' })
  @ApiOperation({ summary: 'Delete a case (soft)' })
  async remove(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: DeleteCaseRequest,
  ): Promise<void> {
    await this.cases.remove(auth, id, ifMatch, body.reason);
  }

  @Get(':id/history')
  @Authorize(Permission.CaseHistory)
  @ApiOkResponse({ type: CaseHistoryResponse })
  @ApiOperation({ summary: "Read a case's audit history" })
  history(@Auth() auth: AuthContext, @IdParam() id: string): Promise<CaseHistoryResponse> {
    return this.cases.history(auth, id);
  }
}
