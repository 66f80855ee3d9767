import type { AccessRepository, UserRole } from '@ilr/persistence';
import { DomainError } from '../common/errors.js';

// The one access policy. Every route names a permission (checked against the role by AuthGuard);
// every service method that touches records asks `requireAccess` which of the ids the caller may
// touch. A record the caller may not see answers exactly like one that does not exist (404).
export enum Permission {
  ProfileRead = 'profile.read',
  TokenManageOwn = 'token.manage_own',
  TokenRevokeAny = 'token.revoke_any',
  UserManage = 'user.manage',

  PatientCreate = 'patient.create',
  PatientRead = 'patient.read',
  // Seeing MRN and birth date; looking a patient up by MRN.
  PatientReadIdentified = 'patient.read_identified',
  PatientUpdate = 'patient.update',
  PatientCorrectMrn = 'patient.correct_mrn',

  CaseCreate = 'case.create',
  CaseCreateForOtherSurgeon = 'case.create_for_other_surgeon',
  CaseRead = 'case.read',
  // Free text (notes, portalsOther) may identify a patient: not for de-identified readers.
  CaseReadFreeText = 'case.read_free_text',
  CaseUpdate = 'case.update',
  CaseSign = 'case.sign',
  CaseDelete = 'case.delete',
  CaseHistory = 'case.history',

  // Follow-up visits and complications of a case (record-level: the case).
  FollowUpWrite = 'follow_up.write',
  ComplicationWrite = 'complication.write',
  DataQualityRead = 'report.data_quality',
  // Outcome, survival, funnel and CUSUM reports; a surgeon's cover their own cases.
  OutcomeReportRead = 'report.outcomes',
  // Reports over every surgeon's cases (without it, a report covers the caller's own cases).
  ReportAcrossSurgeons = 'report.across_surgeons',
  // Other surgeons by display name and id in reports (without it, as "Surgeon A", "Surgeon B", …).
  ReportSeeSurgeonNames = 'report.see_surgeon_names',
  ExportDeidentified = 'export.deidentified',
  ExportIdentified = 'export.identified',
  // The list of export jobs (GET /exports): who exported what, and when.
  ExportJobList = 'export.job_list',
  // CSV imports of cases, visits and complications (a staff member's own imports).
  ImportWrite = 'import.write',
  // Every user's imports, not only one's own.
  ImportReadAll = 'import.read_all',
  ReferenceRead = 'reference.read',
  // The audit chain's head, for an operator to keep outside the database.
  AuditHeadRead = 'audit.head_read',
  // A case's questionnaire invitations and their states (record-level: the case).
  InvitationRead = 'invitation.read',
  // Sending a case's invitation now, or again with a fresh link (record-level: the case).
  InvitationSend = 'invitation.send',
}

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
}

export interface AuthContext {
  user: AuthUser;
  // How the caller authenticated: a login's access token, or a personal API token.
  via: 'access_token' | 'api_token';
  tokenId?: string;
}

// Role-level rules: may this role ever do this?
export function roleMay(role: UserRole, permission: Permission): boolean {
  switch (permission) {
    case Permission.ProfileRead:
    case Permission.TokenManageOwn:
    case Permission.PatientRead:
    case Permission.CaseRead:
    case Permission.ReferenceRead:
    case Permission.OutcomeReportRead:
      return true;
    case Permission.UserManage:
    case Permission.TokenRevokeAny:
    case Permission.PatientCorrectMrn:
    case Permission.ExportIdentified:
    case Permission.AuditHeadRead:
    case Permission.ImportReadAll:
      return role === 'admin';
    case Permission.ExportDeidentified:
    case Permission.ExportJobList:
    case Permission.ImportWrite:
      return role === 'registry_staff' || role === 'admin';
    case Permission.ReportAcrossSurgeons:
    case Permission.ReportSeeSurgeonNames:
      return role === 'registry_staff' || role === 'quality_reviewer' || role === 'admin';
    case Permission.PatientCreate:
    case Permission.PatientReadIdentified:
    case Permission.PatientUpdate:
    case Permission.CaseCreate:
    case Permission.CaseReadFreeText:
    case Permission.CaseHistory:
      return role === 'surgeon' || role === 'registry_staff' || role === 'admin';
    case Permission.FollowUpWrite:
    case Permission.ComplicationWrite:
    case Permission.DataQualityRead:
    case Permission.InvitationRead:
      return role === 'surgeon' || role === 'registry_staff' || role === 'admin';
    case Permission.InvitationSend:
      return role === 'registry_staff' || role === 'admin';
    case Permission.CaseCreateForOtherSurgeon:
      return role === 'registry_staff' || role === 'admin';
    case Permission.CaseUpdate:
    case Permission.CaseSign:
    case Permission.CaseDelete:
      return role === 'surgeon' || role === 'admin';
    default: {
      const unknown: never = permission;
      throw new Error(`Permission ${String(unknown)} has no rule`);
    }
  }
}

// May the caller see this surgeon by name and id in a report? Everyone sees themself.
export function maySeeSurgeonName(auth: AuthContext, surgeonId: string): boolean {
  return surgeonId === auth.user.id || roleMay(auth.user.role, Permission.ReportSeeSurgeonNames);
}

// Record-level rules: of these ids, which may the caller touch? Surgeons are held to their own
// cases (and the patients of those cases, or that they registered); the other roles that pass `roleMay` reach every record.
export async function allowedIds(
  repo: AccessRepository,
  auth: AuthContext,
  permission: Permission,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0 || !roleMay(auth.user.role, permission)) return new Set();
  const surgeon = auth.user.role === 'surgeon';
  switch (permission) {
    case Permission.CaseRead:
    case Permission.CaseReadFreeText:
    case Permission.CaseUpdate:
    case Permission.CaseSign:
    case Permission.CaseDelete:
    case Permission.CaseHistory:
    case Permission.FollowUpWrite:
    case Permission.ComplicationWrite:
    case Permission.InvitationRead:
    case Permission.InvitationSend:
      return surgeon ? repo.casesOwnedBy(auth.user.id, ids) : repo.casesExisting(ids);
    case Permission.PatientRead:
    case Permission.PatientReadIdentified:
    case Permission.PatientUpdate:
      return surgeon ? repo.patientsOfSurgeon(auth.user.id, ids) : repo.patientsExisting(ids);
    case Permission.PatientCorrectMrn:
      return repo.patientsExisting(ids);
    default:
      throw new Error(`Permission ${permission} is not a record-level permission`);
  }
}

// Throws 403 when the role may never do this, 404 when the record is missing or not the caller's.
export async function requireAccess(
  repo: AccessRepository,
  auth: AuthContext,
  permission: Permission,
  id: string,
  what: string,
): Promise<void> {
  if (!roleMay(auth.user.role, permission)) throw DomainError.forbidden();
  const allowed = await allowedIds(repo, auth, permission, [id]);
  if (!allowed.has(id)) throw DomainError.notFound(what);
}
