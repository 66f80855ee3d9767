import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags, ApiOperation } from '@nestjs/swagger';
import { AuditRepository } from '@ilr/persistence';
import { Permission } from '../access/access.policy.js';
import { Authorize } from '../access/auth.decorators.js';

export class AuditHeadResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '1042',
    description: 'Id (chain order) of the newest audit event; null before the first one',
  })
  id: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '9f2c…',
    description: 'Its SHA-256 chain hash (64 hex digits): it covers every event up to this one',
  })
  hash: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the database checkpointed this head (UTC)',
  })
  at: string | null;
}

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  // The head of the audit chain as the database last checkpointed it. Kept somewhere else (a
  // ticket, a notary, another system's log), it later proves that no event up to it was changed or
  // removed: SELECT * FROM audit_events_verify() must be empty and the event with this id must
  // still have this hash.
  @Get('head')
  @Authorize(Permission.AuditHeadRead)
  @ApiOkResponse({ type: AuditHeadResponse })
  @ApiOperation({ summary: 'Read the head of the audit chain' })
  async head(): Promise<AuditHeadResponse> {
    const head = await this.audit.head();
    return head
      ? { id: head.id, hash: head.hash, at: new Date(head.at).toISOString() }
      : { id: null, hash: null, at: null };
  }
}
