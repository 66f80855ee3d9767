import { Body, Controller, Delete, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
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
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({
    type: FollowUpResponse,
    description: 'The visit with its derived timepoint and each PROM scored',
  })
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
  @ApiHeader({ name: 'If-Match', required: true })
  @ApiOkResponse({ type: FollowUpResponse })
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
  @ApiHeader({ name: 'If-Match', required: true })
  @ApiNoContentResponse()
  async remove(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: DeleteRecordRequest,
  ): Promise<void> {
    await this.followUps.remove(auth, id, ifMatch, body.reason);
  }
}
