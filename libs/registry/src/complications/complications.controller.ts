import { Body, Controller, Delete, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiCreatedRecord, ApiIdempotencyKey, ApiIfMatch, ApiRecordResponse } from '../common/api-docs.js';
import { IdParam } from '../common/params.js';
import { IfMatch, Idempotency, type IdempotencyRequest } from '../common/preconditions.js';
import { created, withETag } from '../common/reply.js';
import { DeleteRecordRequest } from '../follow-ups/dto/follow-up.dto.js';
import { ComplicationsService } from './complications.service.js';
import { ComplicationResponse, CreateComplicationRequest, UpdateComplicationRequest } from './dto/complication.dto.js';

@ApiTags('complications')
@Controller('api/v1')
export class ComplicationsController {
  constructor(private readonly complications: ComplicationsService) {}

  @Post('cases/:caseId/complications')
  @Authorize(Permission.ComplicationWrite)
  @ApiIdempotencyKey()
  @ApiCreatedRecord(ComplicationResponse)
  @ApiOperation({ summary: 'Record a complication' })
  async create(
    @Auth() auth: AuthContext,
    @IdParam('caseId') caseId: string,
    @Body() body: CreateComplicationRequest,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ComplicationResponse> {
    return created(response, '/api/v1/complications', await this.complications.create(auth, caseId, body, idempotency));
  }

  @Patch('complications/:id')
  @Authorize(Permission.ComplicationWrite)
  @ApiIfMatch(true)
  @ApiRecordResponse(ComplicationResponse)
  @ApiOperation({ summary: 'Update a complication' })
  async update(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: UpdateComplicationRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ComplicationResponse> {
    const updated = await this.complications.update(auth, id, ifMatch, body);
    return withETag(response, updated.version, updated);
  }

  @Delete('complications/:id')
  @HttpCode(204)
  @Authorize(Permission.ComplicationWrite)
  @ApiIfMatch(true)
  @ApiNoContentResponse()
  @ApiOperation({ summary: 'Delete a complication' })
  async remove(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: DeleteRecordRequest,
  ): Promise<void> {
    await this.complications.remove(auth, id, ifMatch, body.reason);
  }
}
