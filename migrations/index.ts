import type { MigrationInterface } from 'typeorm';
import { CreateUsersAndTokens1795910689230 } from './1795910689230-CreateUsersAndTokens.js';
import { CreatePatientsCasesAudit1795911191187 } from './1795911191187-CreatePatientsCasesAudit.js';
import { CreateFollowUpsComplications1795911740449 } from './1795911740449-CreateFollowUpsComplications.js';
import { CreateExportJobs1795912739009 } from './1795912739009-CreateExportJobs.js';
import { CreateCaseFacts1795914061180 } from './1795914061180-CreateCaseFacts.js';
import { AddAuditSystemActor1796153935456 } from './1796153935456-AddAuditSystemActor.js';
import { IdempotencyWithoutBodiesPatientCreator1796154217612 } from './1796154217612-IdempotencyWithoutBodiesPatientCreator.js';
import { CreateThrottleCounters1796154184309 } from './1796154184309-CreateThrottleCounters.js';
import { AddExportJobLease1796154285249 } from './1796154285249-AddExportJobLease.js';
import { AddUserCredentialsVersion1796154448526 } from './1796154448526-AddUserCredentialsVersion.js';
import { CreateAppRole1796154534911 } from './1796154534911-CreateAppRole.js';
import { AuditChainV2Checkpoints1796155454400 } from './1796155454400-AuditChainV2Checkpoints.js';
import { NullableCaseCodeLists1796165742865 } from './1796165742865-NullableCaseCodeLists.js';
import { CreateImportJobs1796185647240 } from './1796185647240-CreateImportJobs.js';
import { AddQuestionnaireInvitations1796197929246 } from './1796197929246-AddQuestionnaireInvitations.js';
// generated imports end

// Every migration, in order. ES modules give TypeORM no globs: `npm run migration:generate`
// writes the new file and adds it here (between the markers).
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateUsersAndTokens1795910689230,
  CreatePatientsCasesAudit1795911191187,
  CreateFollowUpsComplications1795911740449,
  CreateExportJobs1795912739009,
  CreateCaseFacts1795914061180,
  AddAuditSystemActor1796153935456,
  IdempotencyWithoutBodiesPatientCreator1796154217612,
  CreateThrottleCounters1796154184309,
  AddExportJobLease1796154285249,
  AddUserCredentialsVersion1796154448526,
  CreateAppRole1796154534911,
  AuditChainV2Checkpoints1796155454400,
  NullableCaseCodeLists1796165742865,
  CreateImportJobs1796185647240,
  AddQuestionnaireInvitations1796197929246,
  // generated list end
];
