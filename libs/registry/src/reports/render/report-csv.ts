import { toCsv } from '../../common/csv.js';

type AnyReport = Record<string, any>;
type Row = Record<string, unknown>;

const OUTCOME_COLUMNS = [
  'group',
  'section',
  'item',
  'timepoint',
  'n',
  'value',
  'numerator',
  'denominator',
  'lower95',
  'upper95',
  'surgeonLabel',
] as const;

const rateRow = (
  group: string,
  section: string,
  item: string | null,
  p: AnyReport,
  timepoint: string | null = null,
): Row => ({
  group,
  section,
  item,
  timepoint,
  n: p.denominator,
  value: p.rate,
  numerator: p.numerator,
  denominator: p.denominator,
  lower95: p.lower95,
  upper95: p.upper95,
});

// Each report as one flat table: the same figures as the JSON, a row per figure.
export function outcomesCsv(report: AnyReport): string {
  const rows: Row[] = [];
  for (const g of report.groups) {
    const start = rows.length;
    rows.push({ group: g.key, section: 'cases', item: null, timepoint: null, n: g.cases, value: g.cases });
    // Of those, the cases of patients who declined or withdrew consent (no export contains them).
    rows.push({ group: g.key, section: 'without_consent', n: g.cases, value: g.withoutConsent });
    for (const [timepoint, c] of Object.entries<AnyReport>(g.followUpCompleteness)) {
      rows.push({
        group: g.key,
        section: 'follow_up_completeness',
        item: null,
        timepoint,
        n: c.due,
        value: c.rate,
        numerator: c.seen,
        denominator: c.due,
      });
      // Questionnaires by email: of the cases invited at this timepoint, the share that answered.
      rows.push({
        group: g.key,
        section: 'questionnaire_answered',
        item: null,
        timepoint,
        n: c.invited,
        value: c.invited ? c.answered / c.invited : null,
        numerator: c.answered,
        denominator: c.invited,
      });
    }
    for (const c of g.complications) rows.push({ ...rateRow(g.key, 'complication', c.type, c), n: c.count });
    for (const [grade, n] of Object.entries(g.heterotopicOssification.byBrookerGrade)) {
      rows.push({ group: g.key, section: 'ho_brooker_grade', item: grade, n, value: n });
    }
    for (const [prophylaxis, p] of Object.entries<AnyReport>(g.heterotopicOssification.byProphylaxis))
      rows.push(rateRow(g.key, 'ho_by_prophylaxis', prophylaxis, p));
    rows.push(rateRow(g.key, 'recurrence', null, g.recurrence));
    for (const [cause, n] of Object.entries(g.recurrence.byCause))
      rows.push({ group: g.key, section: 'recurrence_cause', item: cause, n, value: n });
    rows.push(rateRow(g.key, 'reoperation', null, g.reoperation));
    rows.push(rateRow(g.key, 'conversion_to_arthroplasty', null, g.conversionToArthroplasty));
    for (const [instrument, prom] of Object.entries<AnyReport>(g.proms)) {
      rows.push({
        group: g.key,
        section: 'prom_mean',
        item: instrument,
        timepoint: 'preop',
        n: prom.baseline.n,
        value: prom.baseline.mean,
      });
      for (const [timepoint, t] of Object.entries<AnyReport>(prom.timepoints)) {
        rows.push({ group: g.key, section: 'prom_mean', item: instrument, timepoint, n: t.n, value: t.mean });
        rows.push({
          group: g.key,
          section: 'prom_mean_change',
          item: instrument,
          timepoint,
          n: t.pairedN,
          value: t.meanChange,
        });
        if (t.mcid) rows.push(rateRow(g.key, 'prom_mcid_reached', instrument, t.mcid, timepoint));
        if (t.pass) rows.push(rateRow(g.key, 'prom_pass_reached', instrument, t.pass, timepoint));
      }
    }
    // Grouped by surgeon, each row says whose figure it is (the name, or the label when anonymised).
    if (g.surgeonLabel !== undefined) for (const row of rows.slice(start)) row.surgeonLabel = g.surgeonLabel;
  }
  return toCsv(OUTCOME_COLUMNS, rows);
}

export function survivalCsv(report: AnyReport): string {
  const columns = [
    'group',
    'surgeonLabel',
    'groupCases',
    'groupWithoutConsent',
    'day',
    'atRisk',
    'events',
    'censored',
    'survival',
    'lower95',
    'upper95',
    'logRankChiSquare',
    'logRankDf',
    'logRankPValue',
  ];
  const rows = report.groups.flatMap((g: AnyReport) =>
    g.curve.map((r: AnyReport) => ({
      group: g.key,
      surgeonLabel: g.surgeonLabel ?? null,
      groupCases: g.cases,
      groupWithoutConsent: g.withoutConsent,
      ...r,
      logRankChiSquare: report.logRank?.chiSquare ?? null,
      logRankDf: report.logRank?.df ?? null,
      logRankPValue: report.logRank?.pValue ?? null,
    })),
  );
  return toCsv(columns, rows);
}

export function funnelCsv(report: AnyReport): string {
  const columns = [
    'surgeonId',
    'surgeonLabel',
    'self',
    'cases',
    'withoutConsent',
    'events',
    'rate',
    'lower95',
    'upper95',
    'lower998',
    'upper998',
    'position',
    'outlier',
    'target',
  ];
  return toCsv(
    columns,
    report.surgeons.map((s: AnyReport) => ({ ...s, ...s.limits, target: report.target })),
  );
}

export function cusumCsv(report: AnyReport): string {
  const columns = [
    'surgeonLabel',
    'caseId',
    'registryCode',
    'surgeryDate',
    'event',
    'value',
    'signal',
    'p0',
    'oddsRatio',
    'h',
  ];
  return toCsv(
    columns,
    report.points.map((p: AnyReport) => ({
      surgeonLabel: report.surgeonLabel,
      ...p,
      p0: report.p0,
      oddsRatio: report.oddsRatio,
      h: report.h,
    })),
  );
}

export function dataQualityCsv(report: AnyReport): string {
  const columns = [
    'list',
    'caseId',
    'registryCode',
    'surgeonId',
    'surgeonLabel',
    'surgeryDate',
    'timepoint',
    'windowClosed',
    'createdAt',
    'daysUnsigned',
    'followUpId',
    'visitDate',
    'missing',
  ];
  return toCsv(columns, [
    ...report.overdue.map((r: Row) => ({ list: 'overdue', ...r })),
    ...report.unsignedDrafts.map((r: Row) => ({ list: 'unsigned_draft', ...r })),
    ...report.missingData.map((r: Row) => ({ list: 'missing_data', ...r })),
  ]);
}
