export { createDataSource, dataSourceOptions, migrate, pendingSchemaChanges, SESSION_OPTIONS } from './data-source.js';
export { APP_ROLE, connectedUser, DatabaseSetupError, ensureLoginRole, serviceRoleWarnings } from './data-source.js';
export type { DataSourceSettings, MigrateOptions } from './data-source.js';
export { APP_SERVICE_USER, firstBlockedDirectory, startEmbeddedPostgres } from './embedded-postgres.js';
export type { EmbeddedDatabase, EmbeddedOptions } from './embedded-postgres.js';
export { ENTITIES } from './entities/index.js';
export { UserEntity, USER_ROLES } from './entities/user.entity.js';
export type { UserRole } from './entities/user.entity.js';
export { ApiTokenEntity } from './entities/api-token.entity.js';
export { PatientEntity } from './entities/patient.entity.js';
export { CaseEntity } from './entities/case.entity.js';
export { AuditEventEntity } from './entities/audit-event.entity.js';
export { AuditCheckpointEntity } from './entities/audit-checkpoint.entity.js';
export type { AuditChange } from './entities/audit-event.entity.js';
export { UserRepository } from './repositories/user.repository.js';
export { ApiTokenRepository } from './repositories/api-token.repository.js';
export { PatientRepository } from './repositories/patient.repository.js';
export type { NewPatient } from './repositories/patient.repository.js';
export { CaseRepository } from './repositories/case.repository.js';
export type { CaseColumns, ListedCase, CaseCursor, CaseListFilter } from './repositories/case.repository.js';
export { AuditRepository } from './repositories/audit.repository.js';
export type {
  AuditChainProblem,
  AuditEventWithActor,
  AuditHead,
  NewAuditEvent,
} from './repositories/audit.repository.js';
export { IdempotencyRepository } from './repositories/idempotency.repository.js';
export type { IdempotencyClaim } from './repositories/idempotency.repository.js';
export { AccessRepository } from './repositories/access.repository.js';
export { FollowUpEntity } from './entities/follow-up.entity.js';
export { PromResponseEntity } from './entities/prom-response.entity.js';
export { ComplicationEntity } from './entities/complication.entity.js';
export { PromThresholdEntity } from './entities/prom-threshold.entity.js';
export { FollowUpRepository } from './repositories/follow-up.repository.js';
export type { FollowUpColumns, FollowUpWithProms, PromRow } from './repositories/follow-up.repository.js';
export { ComplicationRepository } from './repositories/complication.repository.js';
export type { ComplicationColumns } from './repositories/complication.repository.js';
export {
  caseFilterSql,
  EXPORTED_CONSENT,
  exportedPatientSql,
  overdueTimepointSql,
  overdueTimepointsSql,
  ReportRepository,
  windowsSql,
} from './repositories/report.repository.js';
export type { DraftRow, MissingRow, OverdueRow, ReportFilter } from './repositories/report.repository.js';
export {
  ENDPOINT_SQL,
  GROUP_BY_SQL,
  HORIZON_OUTCOMES,
  OUTCOME_STATEMENTS,
  OutcomeReportRepository,
} from './repositories/outcome-report.repository.js';
export type {
  ConsentCounts,
  GroupBy,
  HorizonOutcome,
  Statement,
  SurvivalEndpoint,
} from './repositories/outcome-report.repository.js';
export { ExportJobEntity, EXPORT_JOB_STATUSES } from './entities/export-job.entity.js';
export type { ExportJobStatus } from './entities/export-job.entity.js';
export { EXPORT_INSTRUMENTS, ExportRepository } from './repositories/export.repository.js';
export type {
  ExportDataset,
  ExportJobListFilter,
  ExportStream,
  JobLease,
  ListedExportJob,
} from './repositories/export.repository.js';
export { CaseFactsEntity, factColumn, FACT_INSTRUMENTS } from './entities/case-facts.entity.js';
export { CaseFactsRepository, refreshFactsSql } from './repositories/case-facts.repository.js';
export { ThrottleCounterEntity } from './entities/throttle-counter.entity.js';
export { ThrottleRepository } from './repositories/throttle.repository.js';
export type { ThrottleHit } from './repositories/throttle.repository.js';
export {
  IMPORT_DATASETS,
  IMPORT_MODES,
  IMPORT_ON_ERROR,
  IMPORT_STATUSES,
  ImportErrorEntity,
  ImportJobEntity,
} from './entities/import-job.entity.js';
export type { ImportDataset, ImportMode, ImportOnError, ImportStatus } from './entities/import-job.entity.js';
export { ImportRepository } from './repositories/import.repository.js';
export type { ImportCounts, NewImportError, NewImportJob } from './repositories/import.repository.js';
export { QuestionnaireInvitationEntity, QuestionnaireTokenEntity } from './entities/questionnaire-invitation.entity.js';
export { InvitationRepository, OPEN_INVITATION_STATUSES } from './repositories/invitation.repository.js';
export type {
  ChangedInvitation,
  ClaimedInvitation,
  FoundToken,
  InvitationCaseContext,
} from './repositories/invitation.repository.js';
