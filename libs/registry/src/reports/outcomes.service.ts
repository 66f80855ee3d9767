import { Injectable } from '@nestjs/common';
import {
  bernoulliCusum,
  COMPLICATION_TYPE,
  funnelFlag,
  funnelLimits,
  kaplanMeierFromCounts,
  logRankFromCounts,
  SCHEDULED_TIMEPOINTS,
  SCORED_INSTRUMENTS,
  wilson,
} from '@ilr/clinical';
import { type GroupBy, OutcomeReportRepository, type ReportFilter, UserRepository } from '@ilr/persistence';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { DomainError } from '../common/errors.js';
import { RegistryClock } from '../common/clock.js';
import type { CusumQuery, FunnelQuery, OutcomesQuery, SurvivalQuery } from './dto/report-queries.dto.js';
import { consentSummary, countByConsent, withoutConsent } from './report-consent.js';
import { reportNaming, shownFilters } from './report-naming.js';
import { registryWide, scopedFilter } from './report-scope.js';
import type { SurgeonNaming } from './surgeon-labels.js';

const interval = (numerator: number, denominator: number) => {
  const p = wilson(numerator, denominator);
  return { numerator, denominator, rate: p.rate, lower95: p.lower95, upper95: p.upper95 };
};

export const DEFINITIONS = {
  rates: "Proportions of the group's cases, with Wilson score 95% intervals (z = 1.959963984540054).",
  completeness:
    'Cases with a visit in the window ÷ cases whose window has closed; invited = cases whose patient was mailed the ' +
    "timepoint's questionnaire, answered = of those, the ones who answered it.",
  proms:
    "One visit per case and window: the one nearest the target day (earlier on a tie). Change is paired with the same case's preop score. MCID reached: change ≥ MCID; PASS reached: score ≥ PASS; visits before 1y use the 1y thresholds.",
  survival:
    'Kaplan–Meier from surgery; censored at last contact (latest visit, complication date or death; day 0 when nothing follows surgery). Greenwood variance, log-log 95% interval; log-rank test between groups.',
  funnel:
    'Evaluable cases: the event happened inside the horizon or the last contact is on or after the horizon day. Limits: exact binomial with interpolation (Spiegelhalter 2005), 95% and 99.8%.',
  cusum:
    'Bernoulli CUSUM (Steiner 2000): W = y·ln R − ln(1 − p0 + R·p0); X = max(0, X + W); a signal at X ≥ h, then X restarts at 0. Non-evaluable cases are skipped.',
};

@Injectable()
export class OutcomesService {
  constructor(
    private readonly reports: OutcomeReportRepository,
    private readonly clock: RegistryClock,
    private readonly users: UserRepository,
  ) {}

  private naming(auth: AuthContext, filter: ReportFilter, anonymise: boolean, listed?: string[]) {
    return reportNaming({ outcomes: this.reports, users: this.users }, auth, filter, anonymise, listed);
  }

  // Only reports grouped by surgeon or filtered to one look names and letters up.
  private groupNaming(auth: AuthContext, filter: ReportFilter, anonymise: boolean, groupBy: GroupBy, keys: string[]) {
    if (groupBy !== 'surgeon' && filter.surgeonId === undefined) return Promise.resolve(null);
    return this.naming(auth, filter, anonymise, groupBy === 'surgeon' ? keys : []);
  }

  // The caller's own surgeon id when they may see reports on their own cases only.
  private ownOnly(auth: AuthContext): string | undefined {
    return roleMay(auth.user.role, Permission.ReportAcrossSurgeons) ? undefined : auth.user.id;
  }

  async outcomes(auth: AuthContext, query: OutcomesQuery) {
    const { groupBy, format: _format, anonymise = false, ...filters } = query;
    const filter = scopedFilter(auth, filters);
    const key: GroupBy = groupBy ?? 'none';
    const today = this.clock.today();
    const [completeness, complications, details, proms, consent] = await Promise.all([
      this.reports.completeness(filter, key, today),
      this.reports.complications(filter, key),
      this.reports.complicationDetails(filter, key),
      this.reports.proms(filter, key),
      this.reports.consentByGroup(filter, key),
    ]);
    const keys = [...new Set(completeness.map((r) => r.key))].sort();
    const naming = await this.groupNaming(auth, filter, anonymise, key, keys);
    const groups = keys.map((groupKey) => {
      const rows = completeness.filter((r) => r.key === groupKey);
      const cases = rows[0]?.cases ?? 0;
      const detail = (kind: string) => details.filter((d) => d.key === groupKey && d.kind === kind);
      const reop = detail('reoperation')[0];
      const conv = detail('conversion')[0];
      return {
        ...groupKeyOf(groupKey, key, naming),
        cases,
        withoutConsent: withoutConsent(consent.find((c) => c.key === groupKey)?.byConsent),
        followUpCompleteness: Object.fromEntries(
          rows.map((r) => [
            r.timepoint,
            { due: r.due, seen: r.seen, rate: r.due ? r.seen / r.due : null, invited: r.invited, answered: r.answered },
          ]),
        ),
        complications: COMPLICATION_TYPE.codes.map((type) => {
          const row = complications.find((c) => c.key === groupKey && c.type === type);
          return { type, count: row?.complications ?? 0, ...interval(row?.cases ?? 0, cases) };
        }),
        heterotopicOssification: {
          byBrookerGrade: Object.fromEntries(
            [1, 2, 3, 4].map((grade) => [
              String(grade),
              detail('brooker').find((d) => d.item === String(grade))?.cases ?? 0,
            ]),
          ),
          byProphylaxis: Object.fromEntries(detail('ho_prophylaxis').map((d) => [d.item, interval(d.cases, d.total)])),
        },
        recurrence: {
          ...interval(
            complications.find((c) => c.key === groupKey && c.type === 'recurrent_snapping')?.cases ?? 0,
            cases,
          ),
          byCause: Object.fromEntries(detail('recurrence_cause').map((d) => [d.item, d.cases])),
        },
        reoperation: interval(reop?.cases ?? 0, cases),
        conversionToArthroplasty: interval(conv?.cases ?? 0, cases),
        proms: Object.fromEntries(
          SCORED_INSTRUMENTS.map((instrument) => {
            const rows = proms.filter((p) => p.key === groupKey && p.instrument === instrument);
            const baseline = rows.find((p) => p.timepoint === 'preop');
            return [
              instrument,
              {
                baseline: { mean: baseline?.mean ?? null, n: baseline?.n ?? 0 },
                timepoints: Object.fromEntries(
                  SCHEDULED_TIMEPOINTS.filter((t) => t !== 'preop').map((timepoint) => {
                    const row = rows.find((p) => p.timepoint === timepoint);
                    return [
                      timepoint,
                      {
                        mean: row?.mean ?? null,
                        n: row?.n ?? 0,
                        meanChange: row?.mean_change ?? null,
                        pairedN: row?.paired ?? 0,
                        mcid: instrument === 'nahs' ? null : interval(row?.mcid_reached ?? 0, row?.mcid_n ?? 0),
                        pass: instrument === 'nahs' ? null : interval(row?.pass_reached ?? 0, row?.pass_n ?? 0),
                      },
                    ];
                  }),
                ),
              },
            ];
          }),
        ),
      };
    });
    return {
      report: 'outcomes',
      filters: { ...shownFilters(filter, anonymise, naming), groupBy: groupBy ?? null },
      generatedAt: new Date().toISOString(),
      definitions: DEFINITIONS,
      consent: consentSummary(
        consent.map((c) => c.byConsent),
        filter.consentedOnly,
      ),
      groups,
    };
  }

  async survival(auth: AuthContext, query: SurvivalQuery) {
    const { groupBy, endpoint, format: _format, anonymise = false, ...filters } = query;
    const filter = scopedFilter(auth, filters);
    const [counts, consent] = await Promise.all([
      this.reports.survivalCounts(filter, groupBy ?? 'none', endpoint),
      this.reports.consentByGroup(filter, groupBy ?? 'none'),
    ]);
    const keys = [...new Set(counts.map((r) => r.key))].sort();
    const naming = await this.groupNaming(auth, filter, anonymise, groupBy ?? 'none', keys);
    const byKey = keys.map((key) =>
      counts.filter((r) => r.key === key).map(({ day, events, censored }) => ({ day, events, censored })),
    );
    const test = logRankFromCounts(byKey);
    return {
      report: 'survival',
      filters: { ...shownFilters(filter, anonymise, naming), endpoint, groupBy: groupBy ?? null },
      generatedAt: new Date().toISOString(),
      definitions: { survival: DEFINITIONS.survival },
      consent: consentSummary(
        consent.map((c) => c.byConsent),
        filter.consentedOnly,
      ),
      groups: keys.map((key, i) => ({
        ...groupKeyOf(key, groupBy ?? 'none', naming),
        cases: byKey[i].reduce((sum, c) => sum + c.events + c.censored, 0),
        withoutConsent: withoutConsent(consent.find((c) => c.key === key)?.byConsent),
        events: byKey[i].reduce((sum, c) => sum + c.events, 0),
        curve: kaplanMeierFromCounts(byKey[i]),
      })),
      logRank: test ? { chiSquare: test.chiSquare, df: test.df, pValue: test.pValue } : null,
    };
  }

  async funnel(auth: AuthContext, query: FunnelQuery) {
    const { outcome, target, format: _format, anonymise = false, ...filters } = query;
    const own = this.ownOnly(auth);
    if (own && filters.surgeonId && filters.surgeonId !== own) {
      throw DomainError.forbidden('Surgeons see their own position on the funnel only.');
    }
    const rows = await this.reports.horizonBySurgeon(registryWide(filters), outcome);
    const naming = await this.naming(
      auth,
      filters,
      anonymise,
      rows.map((r) => r.surgeon_id),
    );
    const totalCases = rows.reduce((sum, r) => sum + r.cases, 0);
    const totalEvents = rows.reduce((sum, r) => sum + r.events, 0);
    const theta = target ?? (totalCases ? totalEvents / totalCases : 0);
    const maxN = Math.max(0, ...rows.map((r) => r.cases));
    const surgeons = rows
      .filter((r) => r.cases > 0 && (!filters.surgeonId || r.surgeon_id === filters.surgeonId))
      .map((r) => {
        const rate = r.events / r.cases;
        const limits = funnelLimits(r.cases, theta);
        const position = funnelFlag(rate, limits);
        return {
          // A surgeon sees themself by name and id and the others labelled; anonymised, nobody is singled out.
          surgeonId: naming.id(r.surgeon_id),
          surgeonLabel: naming.label(r.surgeon_id),
          self: !anonymise && auth.user.id === r.surgeon_id,
          cases: r.cases,
          withoutConsent: withoutConsent(r.byConsent),
          events: r.events,
          rate,
          limits,
          position,
          alert: position !== 'within',
          outlier: position === 'above_998' || position === 'below_998',
        };
      });
    return {
      report: 'funnel',
      filters: { ...shownFilters(filters, anonymise, naming), outcome },
      generatedAt: new Date().toISOString(),
      definitions: { funnel: DEFINITIONS.funnel },
      target: theta,
      targetSource: target === undefined ? 'registry-wide rate over the same filters' : 'given',
      totals: { cases: totalCases, events: totalEvents },
      // Over the evaluable cases of every surgeon, which set the target.
      consent: consentSummary(
        rows.map((r) => r.byConsent),
        filters.consentedOnly,
      ),
      surgeons,
      curve: funnelCurve(maxN).map((n) => ({ n, ...funnelLimits(n, theta) })),
    };
  }

  async cusum(auth: AuthContext, query: CusumQuery) {
    const { outcome, p0, oddsRatio = 2, h = 4.5, format: _format, anonymise = false, ...filters } = query;
    const own = this.ownOnly(auth);
    const surgeonId = own ?? filters.surgeonId;
    if (own && filters.surgeonId && filters.surgeonId !== own) {
      throw DomainError.forbidden('Surgeons see their own CUSUM only.');
    }
    if (!surgeonId)
      throw DomainError.validation([{ field: 'surgeonId', code: 'required', message: 'surgeonId is required' }]);
    let baseline = p0;
    if (baseline === undefined) {
      const rows = await this.reports.horizonBySurgeon(registryWide(filters), outcome);
      const cases = rows.reduce((sum, r) => sum + r.cases, 0);
      baseline = cases ? rows.reduce((sum, r) => sum + r.events, 0) / cases : 0;
    }
    const [series, naming] = await Promise.all([
      this.reports.horizonSeries({ ...filters, surgeonId }, outcome),
      this.naming(auth, { ...filters, surgeonId }, anonymise),
    ]);
    const usable = baseline > 0 && baseline < 1;
    const points = usable
      ? bernoulliCusum(
          series.map((s) => ({ item: s, event: s.event })),
          baseline,
          oddsRatio,
          h,
        )
      : [];
    return {
      report: 'cusum',
      filters: { ...shownFilters({ ...filters, surgeonId }, anonymise, naming), outcome },
      generatedAt: new Date().toISOString(),
      definitions: { cusum: DEFINITIONS.cusum },
      surgeonLabel: naming.label(surgeonId),
      p0: baseline,
      p0Source: p0 === undefined ? 'registry-wide rate over the same filters' : 'given',
      oddsRatio,
      h,
      ...(usable ? {} : { note: 'p0 is 0 or 1: the CUSUM is not defined' }),
      // Over the surgeon's evaluable cases, the points of the path.
      consent: consentSummary([countByConsent(series.map((s) => s.consent))], filters.consentedOnly),
      points: points.map((p) => ({
        caseId: p.item.case_id,
        registryCode: p.item.registry_code,
        surgeryDate: p.item.surgery_date,
        event: p.event,
        value: p.value,
        signal: p.signal,
      })),
      signals: points.filter((p) => p.signal).map((p) => p.item.case_id),
    };
  }
}

// A group's key; grouped by surgeon, also the surgeon's name or label, and the label as the key when the id is hidden.
function groupKeyOf(groupKey: string, groupBy: GroupBy, naming: SurgeonNaming | null) {
  if (groupBy !== 'surgeon' || !naming) return { key: groupKey };
  return { key: naming.id(groupKey) ?? naming.label(groupKey), surgeonLabel: naming.label(groupKey) };
}

// Sample sizes at which to draw the funnel: every n up to 100, then about 200 steps to the largest.
export function funnelCurve(maxN: number): number[] {
  const top = Math.max(maxN, 10);
  const points = new Set<number>();
  for (let n = 1; n <= Math.min(top, 100); n++) points.add(n);
  const step = Math.max(1, Math.ceil((top - 100) / 200));
  for (let n = 100; n <= top; n += step) points.add(n);
  points.add(top);
  return [...points].sort((a, b) => a - b);
}
