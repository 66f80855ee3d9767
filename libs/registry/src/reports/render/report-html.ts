import {
  AT_RISK_DAYS,
  atRisk,
  complicationWords,
  cusumSpec,
  funnelSpec,
  groupLabeller,
  INSTRUMENT_WORDS,
  kaplanMeierSpec,
  OUTCOME_WORDS,
  outcomeRatesSpec,
  POSITION_WORDS,
  promMeansSpec,
  surgeonLabels,
  TIMEPOINT_WORDS,
} from '@ilr/charts';
import { SCHEDULED_TIMEPOINTS } from '@ilr/clinical';
import { chartSvg } from './chart-svg.js';

type AnyReport = Record<string, any>;

export const escapeHtml = (text: unknown) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '–' : v.toFixed(digits));
const ci = (p: AnyReport | undefined) =>
  !p || p.rate === null ? '–' : `${pct(p.rate)} (${pct(p.lower95)}–${pct(p.upper95)})`;
const outcomeWords = (code: unknown) => OUTCOME_WORDS[String(code)] ?? String(code);

// A chart (libs/charts, drawn on the server) with its table beside it: one figure per chart.
async function figure(spec: Parameters<typeof chartSvg>[0], title: string, table: string): Promise<string> {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption>${await chartSvg(spec, title)}${table}</figure>`;
}

// Which cases the figures include, beside the ones an export contains (API.md: reports state it).
function consentLine(consent: AnyReport | undefined): string {
  if (!consent) return '';
  const others = Object.entries(consent.byConsent as Record<string, number>)
    .filter(([state]) => state !== 'given')
    .map(([state, n]) => `${n} ${escapeHtml(state)}`)
    .join(', ');
  const scope = consent.consentedOnly
    ? 'Consenting patients only (consentedOnly=true): the cases an export contains.'
    : `All patients: ${consent.withoutConsent} of ${consent.cases} cases come from patients without consent (${others}); exports omit them.`;
  return `<p class="consent">${scope}</p>`;
}

// A printable page: title, the charts, then the filters and the definitions the figures follow.
function page(title: string, report: AnyReport, body: string): string {
  const filters =
    Object.entries(report.filters ?? {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join('') || '<tr><td>none</td></tr>';
  const definitions = Object.entries(report.definitions ?? {})
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — ILR Registry</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;font-size:12px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}dt{font-weight:600;margin-top:6px}dd{margin-left:16px}footer{margin-top:32px;font-size:12px}
figure{margin:16px 0 28px}figcaption{font-size:16px;font-weight:600;margin-bottom:6px}svg{max-width:100%;height:auto;display:block}
@media print{body{margin:8mm}h2,figcaption{break-after:avoid}figure{break-inside:avoid}}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>Generated ${escapeHtml(report.generatedAt)}</p>${consentLine(report.consent)}${body}
<footer><h2>Filters</h2><table>${filters}</table><h2>Definitions</h2><dl>${definitions}</dl></footer></body></html>`;
}

export async function outcomesHtml(report: AnyReport): Promise<string> {
  const groups: AnyReport[] = report.groups;
  const label = groupLabeller(report.groups, report.filters);
  const head = (first: string) =>
    `<tr><th>${first}</th>${groups.map((g) => `<th>${escapeHtml(label(g.key))}</th>`).join('')}</tr>`;
  const summary = `<table><tr><th>group</th><th>cases</th><th>without consent</th><th>recurrence</th><th>reoperation</th><th>conversion</th><th>HO Brooker I/II/III/IV</th></tr>${groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(label(g.key))}</td><td>${g.cases}</td><td>${g.withoutConsent}</td><td>${ci(g.recurrence)}</td><td>${ci(g.reoperation)}</td><td>${ci(g.conversionToArthroplasty)}</td><td>${[
          1, 2, 3, 4,
        ]
          .map((k) => g.heterotopicOssification.byBrookerGrade[k])
          .join(' / ')}</td></tr>`,
    )
    .join('')}</table>`;
  const types = (groups[0]?.complications ?? [])
    .map((c: AnyReport) => c.type as string)
    .filter((type: string) =>
      groups.some((g) => (g.complications.find((x: AnyReport) => x.type === type)?.numerator ?? 0) > 0),
    );
  const typeTable = `<table>${head('complication')}${types
    .map(
      (type: string) =>
        `<tr><td>${escapeHtml(complicationWords(type))}</td>${groups.map((g) => `<td>${ci(g.complications.find((c: AnyReport) => c.type === type))}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  const complications = types.length
    ? await figure(
        outcomeRatesSpec(report as never, 'complications'),
        'Complication rates (95% Wilson intervals)',
        typeTable,
      )
    : '<h2>Complication rates</h2><p>No complications in these cases.</p>';
  const proms: string[] = [];
  for (const instrument of ['mhhs', 'ihot12']) {
    const table = `<table>${head('timepoint')}${SCHEDULED_TIMEPOINTS.map((t) => {
      const cells = groups.map((g) => {
        const figures = t === 'preop' ? g.proms[instrument]?.baseline : g.proms[instrument]?.timepoints[t];
        return `<td>${num(figures?.mean)} <small>n=${figures?.n ?? 0}</small></td>`;
      });
      return `<tr><td>${TIMEPOINT_WORDS[t]}</td>${cells.join('')}</tr>`;
    }).join('')}</table>`;
    proms.push(
      await figure(
        promMeansSpec(report as never, instrument),
        `${INSTRUMENT_WORDS[instrument]}: mean score by timepoint`,
        table,
      ),
    );
  }
  const completeness = `<table><tr><th>group</th>${SCHEDULED_TIMEPOINTS.map((t) => `<th>${TIMEPOINT_WORDS[t]}</th>`).join('')}</tr>${groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(label(g.key))}</td>${SCHEDULED_TIMEPOINTS.map((t) => `<td>${pct(g.followUpCompleteness[t]?.rate)} <small>${g.followUpCompleteness[t]?.seen ?? 0}/${g.followUpCompleteness[t]?.due ?? 0}</small></td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  const rates = await figure(
    outcomeRatesSpec(report as never, 'outcomes'),
    'Recurrence, reoperation and conversion (95% Wilson intervals)',
    summary,
  );
  return page(
    'Outcomes',
    report,
    `${rates}${complications}${proms.join('')}<h2>Follow-up completeness</h2>${completeness}`,
  );
}

export async function survivalHtml(report: AnyReport): Promise<string> {
  const groups: AnyReport[] = report.groups;
  const label = groupLabeller(report.groups, report.filters);
  const endpoint = outcomeWords(report.filters.endpoint).toLowerCase();
  const maxDay = Math.max(30, ...groups.flatMap((g) => g.curve.map((r: AnyReport) => r.day)));
  const checkpoints = AT_RISK_DAYS.filter((d) => d <= maxDay);
  const table = `<table><tr><th>at risk</th>${checkpoints.map((d) => `<th>day ${d}</th>`).join('')}</tr>${groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(label(g.key))}</td>${checkpoints.map((d) => `<td>${atRisk(g as never, d)}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  const test = report.logRank
    ? `<p>Log-rank test: χ² = ${num(report.logRank.chiSquare, 3)} on ${report.logRank.df} df, p = ${report.logRank.pValue.toPrecision(3)}</p>`
    : '<p>Log-rank test: not applicable (fewer than two groups or no events).</p>';
  return page(
    `Survival free of ${endpoint}`,
    report,
    (await figure(kaplanMeierSpec(report as never), 'Kaplan–Meier curves', table)) + test,
  );
}

export async function funnelHtml(report: AnyReport): Promise<string> {
  const name = surgeonLabels(
    report.surgeons.map((s: AnyReport) => ({ id: s.surgeonId, surgeonLabel: s.surgeonLabel })),
  );
  const table = `<table><tr><th>surgeon</th><th>cases</th><th>without consent</th><th>events</th><th>rate</th><th>95% limits</th><th>99.8% limits</th><th>position</th></tr>${report.surgeons
    .map(
      (s: AnyReport) =>
        `<tr><td>${escapeHtml(s.surgeonLabel ?? name(s.surgeonId))}${s.self ? ' (you)' : ''}</td><td>${s.cases}</td><td>${s.withoutConsent}</td><td>${s.events}</td><td>${pct(s.rate)}</td><td>${pct(s.limits.lower95)}–${pct(s.limits.upper95)}</td><td>${pct(s.limits.lower998)}–${pct(s.limits.upper998)}</td><td>${escapeHtml(POSITION_WORDS[s.position] ?? s.position)}</td></tr>`,
    )
    .join('')}</table>`;
  return page(
    `Funnel plot: ${outcomeWords(report.filters.outcome)}`,
    report,
    `<p>Target ${pct(report.target)} (${escapeHtml(report.targetSource)}).</p>` +
      (await figure(funnelSpec(report as never), 'Funnel plot', table)),
  );
}

export async function cusumHtml(report: AnyReport): Promise<string> {
  const points: AnyReport[] = report.points;
  const info = `<p>p0 = ${num(report.p0, 4)} (${escapeHtml(report.p0Source)}), odds ratio ${report.oddsRatio}, h = ${report.h}; ${points.length} evaluable cases, ${report.signals.length} signal(s).</p>`;
  const signals = points.filter((p) => p.signal);
  const table = signals.length
    ? `<table><tr><th>signal at case</th><th>number in order</th><th>surgery date</th><th>CUSUM</th></tr>${signals
        .map(
          (p) =>
            `<tr><td>${escapeHtml(p.registryCode)}</td><td>${points.indexOf(p) + 1}</td><td>${escapeHtml(p.surgeryDate)}</td><td>${num(p.value, 2)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p>No signals.</p>';
  const surgeon = report.surgeonLabel ? ` — ${report.surgeonLabel}` : '';
  return page(
    `CUSUM: ${outcomeWords(report.filters.outcome)}${surgeon}`,
    report,
    info + (await figure(cusumSpec(report as never), 'Bernoulli CUSUM', table)),
  );
}
