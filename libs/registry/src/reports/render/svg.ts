// Small, dependency-free SVG charts for printable report pages. Every chart has axes with ticks,
// a title and a legend, and prints in black and white (series also differ by dash pattern).
export const escapeHtml = (text: unknown) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const DASHES = ['', '6 3', '2 2', '8 3 2 3', '1 3', '10 4', '4 4', '3 6'];

export interface Frame {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
  x: [number, number];
  y: [number, number];
}

export function frame(x: [number, number], y: [number, number], width = 760, height = 360): Frame {
  return { width, height, margin: { top: 24, right: 160, bottom: 44, left: 60 }, x, y };
}

export function sx(f: Frame, value: number): number {
  const span = f.x[1] - f.x[0] || 1;
  return f.margin.left + ((value - f.x[0]) / span) * (f.width - f.margin.left - f.margin.right);
}

export function sy(f: Frame, value: number): number {
  const span = f.y[1] - f.y[0] || 1;
  return f.height - f.margin.bottom - ((value - f.y[0]) / span) * (f.height - f.margin.top - f.margin.bottom);
}

function ticks([low, high]: [number, number], count = 5): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => span / s <= count) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function axes(f: Frame, xLabel: string, yLabel: string, format: (v: number) => string = String): string {
  const x0 = f.margin.left;
  const y0 = f.height - f.margin.bottom;
  const xEnd = f.width - f.margin.right;
  const parts = [
    `<line x1="${x0}" y1="${y0}" x2="${xEnd}" y2="${y0}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${f.margin.top}" x2="${x0}" y2="${y0}" stroke="#333"/>`,
  ];
  for (const t of ticks(f.x)) {
    const x = sx(f, t);
    parts.push(
      `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 4}" stroke="#333"/><text x="${x}" y="${y0 + 16}" font-size="11" text-anchor="middle">${escapeHtml(t)}</text>`,
    );
  }
  for (const t of ticks(f.y)) {
    const y = sy(f, t);
    parts.push(
      `<line x1="${x0 - 4}" y1="${y}" x2="${xEnd}" y2="${y}" stroke="#eee"/><text x="${x0 - 6}" y="${y + 4}" font-size="11" text-anchor="end">${escapeHtml(format(t))}</text>`,
    );
  }
  parts.push(
    `<text x="${(x0 + xEnd) / 2}" y="${f.height - 8}" font-size="12" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${(f.margin.top + y0) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(f.margin.top + y0) / 2})">${escapeHtml(yLabel)}</text>`,
  );
  return parts.join('');
}

export function style(index: number) {
  return { color: PALETTE[index % PALETTE.length], dash: DASHES[index % DASHES.length] };
}

export function legend(
  f: Frame,
  items: Array<{ label: string; color: string; dash?: string; marker?: boolean }>,
): string {
  const x = f.width - f.margin.right + 14;
  return items
    .map((item, i) => {
      const y = f.margin.top + 8 + i * 18;
      const mark = item.marker
        ? `<circle cx="${x + 10}" cy="${y}" r="4" fill="${item.color}"/>`
        : `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${item.color}" stroke-width="2" stroke-dasharray="${item.dash ?? ''}"/>`;
      return `${mark}<text x="${x + 28}" y="${y + 4}" font-size="11">${escapeHtml(item.label)}</text>`;
    })
    .join('');
}

export function svg(f: Frame, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`
  );
}

export function polyline(points: Array<[number, number]>, color: string, dash = '', width = 2): string {
  return `<polyline fill="none" stroke="${color}" stroke-width="${width}" stroke-dasharray="${dash}" points="${points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' ')}"/>`;
}
