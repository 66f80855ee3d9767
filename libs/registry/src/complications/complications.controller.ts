import { Body, Controller, Delete, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
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
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: ComplicationResponse })
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
  @ApiHeader({ name: 'If-Match', required: true })
  @ApiOkResponse({ type: ComplicationResponse })
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
  @ApiHeader({ name: 'If-Match', required: true })
  @ApiNoContentResponse()
  async remove(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: DeleteRecordRequest,
  ): Promise<void> {
    await this.complications.remove(auth, id, ifMatch, body.reason);
  }
}
