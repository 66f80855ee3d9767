import { axes, escapeHtml, frame, legend, polyline, style, svg, sx, sy } from './svg.js';

type AnyReport = Record<string, any>;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '–' : v.toFixed(digits));
const ci = (p: AnyReport) => (p.rate === null ? '–' : `${pct(p.rate)} (${pct(p.lower95)}–${pct(p.upper95)})`);

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
@media print{body{margin:8mm}h2{break-after:avoid}svg{break-inside:avoid}}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>Generated ${escapeHtml(report.generatedAt)}</p>${consentLine(report.consent)}${body}
<footer><h2>Filters</h2><table>${filters}</table><h2>Definitions</h2><dl>${definitions}</dl></footer></body></html>`;
}

export function outcomesHtml(report: AnyReport): string {
  const groups: AnyReport[] = report.groups;
  const types = (groups[0]?.complications ?? [])
    .filter((c: AnyReport) =>
      groups.some((g) => g.complications.find((x: AnyReport) => x.type === c.type).numerator > 0),
    )
    .map((c: AnyReport) => c.type as string);
  // Complication rates with their Wilson intervals, one marker per group.
  const maxUpper = Math.max(0.05, ...groups.flatMap((g) => g.complications.map((c: AnyReport) => c.upper95 ?? 0)));
  const f = frame([0, Math.max(types.length, 1)], [0, maxUpper], 760, 340);
  let rates = axes(f, 'complication type (see table)', 'rate', (v) => `${Math.round(v * 100)}%`);
  types.forEach((type: string, t: number) => {
    groups.forEach((g, gi) => {
      const c = g.complications.find((x: AnyReport) => x.type === type);
      const x = sx(f, t + (gi + 1) / (groups.length + 1));
      const { color } = style(gi);
      if (c.rate !== null) {
        rates += `<line x1="${x}" y1="${sy(f, c.lower95)}" x2="${x}" y2="${sy(f, c.upper95)}" stroke="${color}"/><circle cx="${x}" cy="${sy(f, c.rate)}" r="3.5" fill="${color}"/>`;
      }
    });
    rates += `<text x="${sx(f, t + 0.5)}" y="${f.height - f.margin.bottom + 30}" font-size="10" text-anchor="middle">${t + 1}</text>`;
  });
  rates += legend(
    f,
    groups.map((g, i) => ({ label: `${g.key} (n=${g.cases})`, color: style(i).color, marker: true })),
  );
  // PROM means by timepoint.
  const order = ['preop', '6w', '3m', '6m', '1y', '2y', '5y'];
  const promCharts = ['mhhs', 'ihot12']
    .map((instrument) => {
      const pf = frame([0, order.length - 1], [0, 100], 760, 300);
      let body = axes(pf, 'timepoint (preop, 6w, 3m, 6m, 1y, 2y, 5y)', `${instrument} mean score`);
      groups.forEach((g, gi) => {
        const prom = g.proms[instrument];
        const values = order.map(
          (t, i) => [i, t === 'preop' ? prom.baseline.mean : prom.timepoints[t]?.mean] as [number, number | null],
        );
        const points = values
          .filter(([, v]) => v !== null)
          .map(([i, v]) => [sx(pf, i), sy(pf, v!)] as [number, number]);
        const { color, dash } = style(gi);
        body +=
          polyline(points, color, dash) +
          points.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`).join('');
      });
      body += legend(
        pf,
        groups.map((g, i) => ({ label: String(g.key), ...style(i) })),
      );
      return `<h2>${instrument === 'mhhs' ? 'mHHS' : 'iHOT-12'}: mean by timepoint</h2>${svg(pf, `${instrument} by timepoint`, body)}`;
    })
    .join('');
  const typeTable = `<table><tr><th>#</th><th>complication</th>${groups.map((g) => `<th>${escapeHtml(g.key)}</th>`).join('')}</tr>${types
    .map(
      (type: string, i: number) =>
        `<tr><td>${i + 1}</td><td>${escapeHtml(type)}</td>${groups.map((g) => `<td>${ci(g.complications.find((c: AnyReport) => c.type === type))}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  const summary = `<table><tr><th>group</th><th>cases</th><th>without consent</th><th>recurrence</th><th>reoperation</th><th>conversion</th><th>HO Brooker I/II/III/IV</th></tr>${groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(g.key)}</td><td>${g.cases}</td><td>${g.withoutConsent}</td><td>${ci(g.recurrence)}</td><td>${ci(g.reoperation)}</td><td>${ci(g.conversionToArthroplasty)}</td><td>${[
          1, 2, 3, 4,
        ]
          .map((k) => g.heterotopicOssification.byBrookerGrade[k])
          .join(' / ')}</td></tr>`,
    )
    .join('')}</table>`;
  const completeness = `<table><tr><th>group</th>${order.map((t) => `<th>${t}</th>`).join('')}</tr>${groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(g.key)}</td>${order.map((t) => `<td>${pct(g.followUpCompleteness[t]?.rate)} <small>${g.followUpCompleteness[t]?.seen ?? 0}/${g.followUpCompleteness[t]?.due ?? 0}</small></td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  return page(
    'Outcomes',
    report,
    `<h2>Summary</h2>${summary}<h2>Complication rates (95% Wilson intervals)</h2>${svg(f, 'Complication rates', rates)}${typeTable}${promCharts}<h2>Follow-up completeness</h2>${completeness}`,
  );
}

export function survivalHtml(report: AnyReport): string {
  const groups: AnyReport[] = report.groups;
  const maxDay = Math.max(30, ...groups.flatMap((g) => g.curve.map((r: AnyReport) => r.day)));
  const minS = Math.min(0.5, ...groups.flatMap((g) => g.curve.map((r: AnyReport) => r.lower95 ?? r.survival)));
  const f = frame([0, maxDay], [Math.max(0, Math.floor(minS * 10) / 10), 1]);
  let body = axes(f, 'days after surgery', `free of ${report.filters.endpoint}`, (v) => v.toFixed(2));
  groups.forEach((g, gi) => {
    const { color, dash } = style(gi);
    // Step function from (0, 1); the interval as a shaded band drawn with the same steps.
    const steps: Array<[number, number, number | null, number | null]> = [[0, 1, null, null]];
    for (const r of g.curve) steps.push([r.day, r.survival, r.lower95, r.upper95]);
    const line: Array<[number, number]> = [];
    let previous = 1;
    for (const [day, s] of steps) {
      line.push([sx(f, day), sy(f, previous)], [sx(f, day), sy(f, s)]);
      previous = s;
    }
    line.push([sx(f, maxDay), sy(f, previous)]);
    const band = steps.filter(([, , lo, hi]) => lo !== null && hi !== null);
    if (band.length) {
      const upper = band
        .map(([day, , , hi], i) => [
          [sx(f, day), sy(f, hi!)],
          [sx(f, band[i + 1]?.[0] ?? maxDay), sy(f, hi!)],
        ])
        .flat();
      const lower = band
        .map(([day, , lo], i) => [
          [sx(f, day), sy(f, lo!)],
          [sx(f, band[i + 1]?.[0] ?? maxDay), sy(f, lo!)],
        ])
        .flat()
        .reverse();
      body += `<polygon fill="${color}" fill-opacity="0.12" stroke="none" points="${[...upper, ...lower].map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' ')}"/>`;
    }
    body += polyline(line, color, dash);
  });
  body += legend(
    f,
    groups.map((g, i) => ({ label: `${g.key} (n=${g.cases}, events ${g.events})`, ...style(i) })),
  );
  const checkpoints = [0, 90, 180, 365, 730, 1095, 1826].filter((d) => d <= maxDay);
  const atRisk = (g: AnyReport, day: number) => {
    const next = g.curve.find((r: AnyReport) => r.day >= day);
    return next ? next.atRisk : 0;
  };
  const table = `<table><tr><th>at risk</th>${checkpoints.map((d) => `<th>day ${d}</th>`).join('')}</tr>${groups
    .map((g) => `<tr><td>${escapeHtml(g.key)}</td>${checkpoints.map((d) => `<td>${atRisk(g, d)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  const test = report.logRank
    ? `<p>Log-rank test: χ² = ${num(report.logRank.chiSquare, 3)} on ${report.logRank.df} df, p = ${report.logRank.pValue.toPrecision(3)}</p>`
    : '<p>Log-rank test: not applicable (fewer than two groups or no events).</p>';
  return page(
    `Survival free of ${report.filters.endpoint}`,
    report,
    svg(f, 'Kaplan–Meier curves', body) + test + table,
  );
}

export function funnelHtml(report: AnyReport): string {
  const curve: AnyReport[] = report.curve;
  const maxN = curve.at(-1)?.n ?? 10;
  const maxRate = Math.min(
    1,
    Math.max(
      0.1,
      ...report.surgeons.map((s: AnyReport) => s.rate),
      ...curve.filter((c) => c.n >= 5).map((c) => c.upper998),
    ),
  );
  const f = frame([0, maxN], [0, maxRate]);
  let body = axes(f, 'evaluable cases', `${report.filters.outcome} rate`, (v) => `${Math.round(v * 100)}%`);
  body += `<line x1="${sx(f, 0)}" y1="${sy(f, report.target)}" x2="${sx(f, maxN)}" y2="${sy(f, report.target)}" stroke="#000"/>`;
  const limit = (key: string, dash: string) =>
    polyline(
      curve.map((c) => [sx(f, c.n), sy(f, Math.min(c[key], maxRate))] as [number, number]),
      '#555',
      dash,
      1.5,
    );
  body += limit('upper95', '6 3') + limit('lower95', '6 3') + limit('upper998', '') + limit('lower998', '');
  report.surgeons.forEach((s: AnyReport) => {
    const color = s.outlier ? '#d62728' : s.alert ? '#ff7f0e' : '#1f77b4';
    body += `<circle cx="${sx(f, s.cases)}" cy="${sy(f, Math.min(s.rate, maxRate))}" r="${s.self ? 6 : 4}" fill="${color}" stroke="${s.self ? '#000' : 'none'}"/>`;
  });
  body += legend(f, [
    { label: `target ${pct(report.target)}`, color: '#000' },
    { label: '95% limits', color: '#555', dash: '6 3' },
    { label: '99.8% limits', color: '#555' },
    { label: 'surgeon', color: '#1f77b4', marker: true },
    { label: 'outside 95%', color: '#ff7f0e', marker: true },
    { label: 'outside 99.8%', color: '#d62728', marker: true },
  ]);
  const table = `<table><tr><th>surgeon</th><th>cases</th><th>without consent</th><th>events</th><th>rate</th><th>95% limits</th><th>99.8% limits</th><th>position</th></tr>${report.surgeons
    .map(
      (s: AnyReport) =>
        `<tr><td>${escapeHtml(s.surgeonId ?? 'another surgeon')}${s.self ? ' (you)' : ''}</td><td>${s.cases}</td><td>${s.withoutConsent}</td><td>${s.events}</td><td>${pct(s.rate)}</td><td>${pct(s.limits.lower95)}–${pct(s.limits.upper95)}</td><td>${pct(s.limits.lower998)}–${pct(s.limits.upper998)}</td><td>${escapeHtml(s.position)}</td></tr>`,
    )
    .join('')}</table>`;
  return page(`Funnel plot: ${report.filters.outcome}`, report, svg(f, 'Funnel plot', body) + table);
}

export function cusumHtml(report: AnyReport): string {
  const points: AnyReport[] = report.points;
  const maxY = Math.max(report.h * 1.2, ...points.map((p) => p.value));
  const f = frame([0, Math.max(points.length, 1)], [0, maxY]);
  let body = axes(f, 'cases in surgery-date order', 'CUSUM', (v) => v.toFixed(1));
  body += `<line x1="${sx(f, 0)}" y1="${sy(f, report.h)}" x2="${sx(f, points.length)}" y2="${sy(f, report.h)}" stroke="#d62728" stroke-dasharray="6 3"/>`;
  body += polyline(
    [[sx(f, 0), sy(f, 0)], ...points.map((p, i) => [sx(f, i + 1), sy(f, p.value)] as [number, number])],
    '#1f77b4',
  );
  body += points
    .filter((p) => p.signal)
    .map((p) => `<circle cx="${sx(f, points.indexOf(p) + 1)}" cy="${sy(f, p.value)}" r="5" fill="#d62728"/>`)
    .join('');
  body += legend(f, [
    { label: 'CUSUM', color: '#1f77b4' },
    { label: `h = ${report.h}`, color: '#d62728', dash: '6 3' },
    { label: 'signal', color: '#d62728', marker: true },
  ]);
  const info = `<p>p0 = ${num(report.p0, 4)} (${escapeHtml(report.p0Source)}), odds ratio ${report.oddsRatio}, h = ${report.h}; ${points.length} evaluable cases, ${report.signals.length} signal(s).</p>`;
  const signals = points
    .filter((p) => p.signal)
    .map((p) => `<li>${escapeHtml(p.registryCode)} (${escapeHtml(p.surgeryDate)})</li>`)
    .join('');
  return page(
    `CUSUM: ${report.filters.outcome}`,
    report,
    svg(f, 'Bernoulli CUSUM', body) + info + (signals ? `<h2>Signals</h2><ul>${signals}</ul>` : ''),
  );
}
