import { Injectable } from '@nestjs/common';
import { OPEN_INVITATION_STATUSES, OutcomeReportRepository, ReportRepository, UserRepository } from '@ilr/persistence';
import type { AuthContext } from '../access/access.policy.js';
import { RegistryClock } from '../common/clock.js';
import type { DataQualityQuery } from './dto/report-filter.dto.js';
import { consentSummary } from './report-consent.js';
import { reportNaming, shownFilters } from './report-naming.js';
import { scopedFilter } from './report-scope.js';

export const UNSIGNED_DRAFT_DAYS = 14;

@Injectable()
export class DataQualityService {
  constructor(
    private readonly reports: ReportRepository,
    private readonly outcomes: OutcomeReportRepository,
    private readonly clock: RegistryClock,
    private readonly users: UserRepository,
  ) {}

  async report(auth: AuthContext, query: DataQualityQuery) {
    const { limit = 1000, anonymise = false, ...filters } = query;
    const filter = scopedFilter(auth, filters);
    const today = this.clock.today();
    const [overdue, drafts, missing, consent] = await Promise.all([
      this.reports.overdueFollowUps(filter, today, limit),
      this.reports.unsignedDrafts(filter, UNSIGNED_DRAFT_DAYS, limit),
      this.reports.missingFollowUpData(filter, limit),
      this.outcomes.consentByGroup(filter, 'none'),
    ]);
    const listed = [...overdue, ...drafts, ...missing].map((r) => r.surgeon_id);
    const naming = await reportNaming({ outcomes: this.outcomes, users: this.users }, auth, filter, anonymise, listed);
    const surgeon = (id: string) => ({ surgeonId: naming.id(id), surgeonLabel: naming.label(id) });
    return {
      filters: shownFilters(filter, anonymise, naming),
      generatedAt: new Date().toISOString(),
      today,
      definitions: {
        overdue:
          'The window of the timepoint has closed, the case has no visit in it, and the patient is alive and consenting. ' +
          'invitation: the questionnaire invitation of that timepoint (null when none was made); outstanding while it ' +
          'still waits for an answer.',
        unsignedDrafts: `Cases still in draft ${UNSIGNED_DRAFT_DAYS} days after they were logged.`,
        missingData:
          'Visits at a scheduled timepoint without snapping, groin pain, a scored mHHS or a scored iHOT-12 (registry rule).',
      },
      // Over every case the filters select; overdue follow-ups are listed for consenting patients only in any case.
      consent: consentSummary(
        consent.map((c) => c.byConsent),
        filter.consentedOnly,
      ),
      overdue: overdue.map((r) => ({
        caseId: r.case_id,
        registryCode: r.registry_code,
        ...surgeon(r.surgeon_id),
        surgeryDate: r.surgery_date,
        timepoint: r.timepoint,
        windowClosed: r.window_closed,
        invitation: r.invitation_status
          ? {
              status: r.invitation_status,
              outstanding: OPEN_INVITATION_STATUSES.includes(r.invitation_status as never),
              sentAt: r.invitation_sent_at?.toISOString() ?? null,
              remindersSent: r.invitation_reminders ?? 0,
            }
          : null,
      })),
      unsignedDrafts: drafts.map((r) => ({
        caseId: r.case_id,
        registryCode: r.registry_code,
        ...surgeon(r.surgeon_id),
        surgeryDate: r.surgery_date,
        createdAt: r.created_at.toISOString(),
        daysUnsigned: r.days_unsigned,
      })),
      missingData: missing.map((r) => ({
        caseId: r.case_id,
        registryCode: r.registry_code,
        ...surgeon(r.surgeon_id),
        followUpId: r.follow_up_id,
        visitDate: r.visit_date,
        timepoint: r.timepoint,
        missing: r.missing,
      })),
    };
  }
}
