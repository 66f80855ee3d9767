import { Body, Controller, Delete, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiCreatedRecord, ApiIdempotencyKey, ApiIfMatch, ApiRecordResponse } from '../common/api-docs.js';
import { IdParam } from '../common/params.js';
import { IfMatch, Idempotency, type IdempotencyRequest } from '../common/preconditions.js';
import { created, withETag } from '../common/reply.js';
import {
  CreateFollowUpRequest,
  DeleteRecordRequest,
  FollowUpResponse,
  UpdateFollowUpRequest,
} from './dto/follow-up.dto.js';
import { FollowUpsService } from './follow-ups.service.js';

@ApiTags('follow-ups')
@Controller('api/v1')
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Post('cases/:caseId/follow-ups')
  @Authorize(Permission.FollowUpWrite)
  @ApiIdempotencyKey()
  @ApiCreatedRecord(FollowUpResponse, 'The visit with its derived timepoint and each PROM scored')
  @ApiOperation({ summary: 'Record a follow-up visit' })
  async create(
    @Auth() auth: AuthContext,
    @IdParam('caseId') caseId: string,
    @Body() body: CreateFollowUpRequest,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FollowUpResponse> {
    return created(response, '/api/v1/follow-ups', await this.followUps.create(auth, caseId, body, idempotency));
  }

  @Patch('follow-ups/:id')
  @Authorize(Permission.FollowUpWrite)
  @ApiIfMatch(true)
  @ApiRecordResponse(FollowUpResponse)
  @ApiOperation({ summary: 'Update a follow-up visit' })
  async update(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: UpdateFollowUpRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FollowUpResponse> {
    const updated = await this.followUps.update(auth, id, ifMatch, body);
    return withETag(response, updated.version, updated);
  }

  @Delete('follow-ups/:id')
  @HttpCode(204)
  @Authorize(Permission.FollowUpWrite)
  @ApiIfMatch(true)
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'A complication names this visit: change or delete it first' })
  @ApiOperation({ summary: 'Delete a follow-up visit' })
  async remove(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: DeleteRecordRequest,
  ): Promise<void> {
    await this.followUps.remove(auth, id, ifMatch, body.reason);
  }
}
