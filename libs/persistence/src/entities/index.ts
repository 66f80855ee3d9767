import { ApiTokenEntity } from './api-token.entity.js';
import { AuditCheckpointEntity } from './audit-checkpoint.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { CaseEntity } from './case.entity.js';
import { CaseFactsEntity } from './case-facts.entity.js';
import { ComplicationEntity } from './complication.entity.js';
import { ExportJobEntity } from './export-job.entity.js';
import { FollowUpEntity } from './follow-up.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { PatientEntity } from './patient.entity.js';
import { PromResponseEntity } from './prom-response.entity.js';
import { PromThresholdEntity } from './prom-threshold.entity.js';
import { ThrottleCounterEntity } from './throttle-counter.entity.js';
import { ImportErrorEntity, ImportJobEntity } from './import-job.entity.js';
import { UserEntity } from './user.entity.js';
import { QuestionnaireInvitationEntity, QuestionnaireTokenEntity } from './questionnaire-invitation.entity.js';

// Listed explicitly: ES modules give TypeORM no globs to load.
export const ENTITIES = [
  UserEntity,
  ApiTokenEntity,
  PatientEntity,
  CaseEntity,
  AuditEventEntity,
  AuditCheckpointEntity,
  IdempotencyKeyEntity,
  FollowUpEntity,
  PromResponseEntity,
  ComplicationEntity,
  PromThresholdEntity,
  ExportJobEntity,
  CaseFactsEntity,
  ThrottleCounterEntity,
  ImportJobEntity,
  ImportErrorEntity,
  QuestionnaireInvitationEntity,
  QuestionnaireTokenEntity,
];
