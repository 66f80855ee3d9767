import { Controller, Get, HttpCode, Param, type PipeTransform, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { INVITED_TIMEPOINTS, type InvitedTimepoint, isInvitedTimepoint } from '@ilr/clinical';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { DomainError } from '../common/errors.js';
import { IdParam } from '../common/params.js';
import { CaseInvitationsResponse, InvitationView } from './dto/questionnaire.dto.js';
import { InvitationsService } from './invitations.service.js';

class TimepointPipe implements PipeTransform<string, InvitedTimepoint> {
  transform(value: string): InvitedTimepoint {
    if (!isInvitedTimepoint(value)) {
      throw DomainError.validation([
        {
          field: 'timepoint',
          code: 'invalid_enum',
          message: `timepoint must be one of ${INVITED_TIMEPOINTS.join(', ')}`,
        },
      ]);
    }
    return value;
  }
}

@ApiTags('invitations')
@Controller('api/v1/cases/:id/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @Authorize(Permission.InvitationRead)
  @ApiOkResponse({ type: CaseInvitationsResponse })
  @ApiOperation({
    summary: "A case's questionnaire invitations",
    description: 'One item per timepoint after surgery (6w … 5y), with its state and what the caller may do.',
  })
  list(@Auth() auth: AuthContext, @IdParam() id: string): Promise<CaseInvitationsResponse> {
    return this.invitations.listForCase(auth, id);
  }

  @Post(':timepoint/send')
  @HttpCode(200)
  @Authorize(Permission.InvitationSend)
  @ApiParam({ name: 'timepoint', enum: INVITED_TIMEPOINTS })
  @ApiOkResponse({ type: InvitationView, description: 'Mailed (or refused by the mail server: status bounced)' })
  @ApiConflictResponse({ description: 'It cannot be sent now: the detail says why' })
  @ApiServiceUnavailableResponse({ description: 'The mail server could not be reached; nothing was sent' })
  @ApiOperation({
    summary: 'Send an invitation now, or again with a fresh link',
    description: 'Registry staff and admins. The invitation goes now if not yet mailed, else again with a new link.',
  })
  send(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @Param('timepoint', new TimepointPipe()) timepoint: InvitedTimepoint,
  ): Promise<InvitationView> {
    return this.invitations.send(auth, id, timepoint);
  }
}
