import type { ChangedInvitation } from '@ilr/persistence';
import type { AuditAction, AuditEventInput } from '../audit/audit.service.js';

// An invitation's audit event: which invitation, case and timepoint, and its state; never an address.
export function invitationEvent(
  action: AuditAction,
  invitation: Pick<ChangedInvitation, 'id' | 'case_id' | 'timepoint'> & {
    status?: string;
    status_reason?: string | null;
  },
  details: Record<string, unknown> = {},
): AuditEventInput {
  return {
    action,
    entity: 'invitation',
    entityId: invitation.id,
    caseId: invitation.case_id,
    details: {
      timepoint: invitation.timepoint,
      ...(invitation.status ? { status: invitation.status } : {}),
      ...(invitation.status_reason ? { reason: invitation.status_reason } : {}),
      ...details,
    },
  };
}
