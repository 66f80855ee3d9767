import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnsFor, csvSplit, sqlCsvText } from '../../registry/src/exports/export-columns.js';
import { UNSIGNED_DRAFT_DAYS } from '../../registry/src/reports/data-quality.service.js';
import { refreshFactsSql } from './repositories/case-facts.repository.js';
import {
  type ExportDataset,
  exportCountSql,
  exportExclusionsSql,
  ExportRepository,
} from './repositories/export.repository.js';
import {
  ENDPOINT_SQL,
  GROUP_BY_SQL,
  type GroupBy,
  HORIZON_OUTCOMES,
  type HorizonOutcome,
  OUTCOME_STATEMENTS,
  type Statement,
  type SurvivalEndpoint,
} from './repositories/outcome-report.repository.js';
import { type ReportFilter, ReportRepository } from './repositories/report.repository.js';

// The SQL the code assembles (reports, the case facts refresh, exports), written out as statements
// in libs/persistence/sql/<name>.sql, so that a change to a query is a reviewable diff. This test
// builds each statement with fixed, representative parameters and fails when it differs from the
// committed file; `npm run sql:snapshots` (UPDATE_SQL_SNAPSHOTS=1) rewrites the files instead.
// test/e2e/sql-snapshots.e2e.spec.ts runs EXPLAIN on each file against a migrated database.

const SQL_DIR = fileURLToPath(new URL('../sql/', import.meta.url));
const UPDATE = process.env.UPDATE_SQL_SNAPSHOTS === '1';
const HOW_TO_UPDATE =
  'The generated SQL differs from the committed snapshot. If the change is intended, run `npm run sql:snapshots` ' +
  '(UPDATE_SQL_SNAPSHOTS=1) and commit the rewritten libs/persistence/sql/*.sql with it.';

// --- representative parameters ------------------------------------------------------------------
const TODAY = '2026-06-30';
const SURGEON = '00000000-0000-4000-8000-00000000000a';
const CASE_IDS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
const LIMIT = 1000;
// Every common filter set, so that each clause of caseFilterSql appears in the statement.
const EVERY_FILTER: ReportFilter = {
  from: '2024-01-01',
  to: TODAY,
  surgeonId: SURGEON,
  releaseLocation: 'capsular',
  impingementRepair: true,
};
// What the funnel and the CUSUM baseline use: the same filters without the surgeon (registry-wide).
const { surgeonId: _surgeonId, ...REGISTRY_WIDE } = EVERY_FILTER;
// Reports (never exports, which always apply it) may also keep only the cases an export contains.
const REPORT_FILTER: ReportFilter = { ...EVERY_FILTER, consentedOnly: true };

const args = (...values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');

interface Snapshot {
  name: string;
  // What builds the statement, with the arguments used (the file's first line).
  producer: string;
  statement: Statement;
}

const REPORTS = 'libs/persistence/src/repositories/outcome-report.repository.ts';
const DATA_QUALITY = 'libs/persistence/src/repositories/report.repository.ts';
const FACTS = 'libs/persistence/src/repositories/case-facts.repository.ts';
const EXPORTS = 'libs/persistence/src/repositories/export.repository.ts';

// ReportRepository builds each data-quality statement in its method and hands it to query(); this
// subclass keeps what it is given instead of sending it, so the methods' own SQL is what is captured.
class CapturedReportStatements extends ReportRepository {
  private captured?: Statement;
  constructor() {
    super(undefined as never);
  }
  override query<T>(text: string, params: unknown[]): Promise<T[]> {
    this.captured = { text, params };
    return Promise.resolve([]);
  }
  capture(build: (repository: ReportRepository) => unknown): Statement {
    this.captured = undefined;
    void build(this);
    if (!this.captured) throw new Error('the method sent no statement');
    return this.captured;
  }
}

function snapshots(): Snapshot[] {
  const list: Snapshot[] = [];
  const add = (name: string, producer: string, statement: Statement) => list.push({ name, producer, statement });

  // GET /reports/outcomes: five statements per report, here grouped by release location.
  const outcomes = { completeness: [TODAY], complicationDetails: [], proms: [], consentByGroup: [] } as const;
  for (const [method, extra] of Object.entries(outcomes) as Array<[keyof typeof outcomes, readonly string[]]>) {
    const groupBy: GroupBy = 'releaseLocation';
    const build = OUTCOME_STATEMENTS[method] as (
      filter: ReportFilter,
      groupBy: GroupBy,
      ...rest: string[]
    ) => Statement;
    add(
      `outcomes-${kebab(method)}`,
      `OUTCOME_STATEMENTS.${method}(${args(REPORT_FILTER, groupBy, ...extra)}) in ${REPORTS}`,
      build(REPORT_FILTER, groupBy, ...extra),
    );
  }
  // The complications statement once per grouping (GROUP_BY_SQL), with no filter but the live cases.
  for (const groupBy of Object.keys(GROUP_BY_SQL) as GroupBy[]) {
    add(
      `outcomes-complications-by-${kebab(groupBy)}`,
      `OUTCOME_STATEMENTS.complications(${args({}, groupBy)}) in ${REPORTS}`,
      OUTCOME_STATEMENTS.complications({}, groupBy),
    );
  }
  // GET /reports/survival: one statement per endpoint (ENDPOINT_SQL), ungrouped as by default.
  for (const endpoint of Object.keys(ENDPOINT_SQL) as SurvivalEndpoint[]) {
    add(
      `survival-${kebab(endpoint)}`,
      `OUTCOME_STATEMENTS.survivalCounts(${args(EVERY_FILTER, 'none', endpoint)}) in ${REPORTS}`,
      OUTCOME_STATEMENTS.survivalCounts(EVERY_FILTER, 'none', endpoint),
    );
  }
  // GET /reports/funnel (and the CUSUM baseline): registry-wide; GET /reports/cusum: one surgeon's series.
  for (const outcome of Object.keys(HORIZON_OUTCOMES) as HorizonOutcome[]) {
    add(
      `funnel-${kebab(outcome)}`,
      `OUTCOME_STATEMENTS.horizonBySurgeon(${args(REGISTRY_WIDE, outcome)}) in ${REPORTS}`,
      OUTCOME_STATEMENTS.horizonBySurgeon(REGISTRY_WIDE, outcome),
    );
    add(
      `cusum-series-${kebab(outcome)}`,
      `OUTCOME_STATEMENTS.horizonSeries(${args(EVERY_FILTER, outcome)}) in ${REPORTS}`,
      OUTCOME_STATEMENTS.horizonSeries(EVERY_FILTER, outcome),
    );
  }

  // GET /reports/data-quality: three statements.
  const dq = new CapturedReportStatements();
  add(
    'data-quality-overdue-follow-ups',
    `ReportRepository.overdueFollowUps(${args(EVERY_FILTER, TODAY, LIMIT)}) in ${DATA_QUALITY}`,
    dq.capture((r) => r.overdueFollowUps(EVERY_FILTER, TODAY, LIMIT)),
  );
  add(
    'data-quality-unsigned-drafts',
    `ReportRepository.unsignedDrafts(${args(EVERY_FILTER, UNSIGNED_DRAFT_DAYS, LIMIT)}) in ${DATA_QUALITY}`,
    dq.capture((r) => r.unsignedDrafts(EVERY_FILTER, UNSIGNED_DRAFT_DAYS, LIMIT)),
  );
  add(
    'data-quality-missing-follow-up-data',
    `ReportRepository.missingFollowUpData(${args(EVERY_FILTER, LIMIT)}) in ${DATA_QUALITY}`,
    dq.capture((r) => r.missingFollowUpData(EVERY_FILTER, LIMIT)),
  );

  // The case facts refresh every clinical write runs (and the seeder, per chunk).
  add('refresh-case-facts', `refreshFactsSql() with $1 = ${args(CASE_IDS)} in ${FACTS}`, {
    text: refreshFactsSql(),
    params: [CASE_IDS],
  });

  // Exports: the dataset queries, and the cases CSV line whose tail PostgreSQL renders. The tail is
  // built as ExportsService.open builds it, from the export columns (libs/registry/src/exports).
  const exports = new ExportRepository(undefined as never);
  const datasets: Array<[string, ExportDataset, boolean]> = [
    ['export-cases', 'cases', false],
    ['export-cases-identified', 'cases', true],
    ['export-follow-ups', 'follow-ups', false],
    ['export-complications', 'complications', false],
  ];
  for (const [name, dataset, identified] of datasets) {
    add(
      name,
      `ExportRepository.sql(${args(dataset, EVERY_FILTER, identified)}) in ${EXPORTS}`,
      exports.sql(dataset, EVERY_FILTER, identified),
    );
  }
  // The row count each export job records as its total.
  for (const [, dataset] of datasets.filter(([, , identified]) => !identified)) {
    add(
      `export-count-${dataset}`,
      `exportCountSql(${args(dataset, EVERY_FILTER)}) in ${EXPORTS}`,
      exportCountSql(dataset, EVERY_FILTER),
    );
  }
  // What an export leaves out and why (its manifest and the dictionary).
  add(
    'export-exclusions',
    `exportExclusionsSql(${args(EVERY_FILTER)}) in ${EXPORTS}`,
    exportExclusionsSql(EVERY_FILTER),
  );
  for (const identified of [false, true]) {
    const split = csvSplit(columnsFor('cases', identified));
    if (!split) continue; // this variant has no SQL-rendered tail: it runs export-cases(-identified)
    const tail = split.tail.map(sqlCsvText).join(` || ',' || `);
    add(
      identified ? 'export-cases-csv-identified' : 'export-cases-csv',
      `ExportRepository.sql(${args('cases', EVERY_FILTER, identified)}, csvTail) with csvTail from ` +
        `csvSplit(columnsFor(${args('cases', identified)})).tail (libs/registry/src/exports/export-columns.ts) in ${EXPORTS}`,
      exports.sql('cases', EVERY_FILTER, identified, tail),
    );
  }
  return list;
}

// --- a light, whitespace-only formatter ---------------------------------------------------------
// Trims, drops trailing spaces, removes the indentation the template literals carry, collapses runs
// of blank lines, and breaks a line longer than WIDTH, one item a line: after each ", " of its
// outermost list, else before each " || " at that depth, then one level deeper while a piece is still
// too long. Lists inside a function call's parentheses (`coalesce(a, b)`) are never broken. Only
// whitespace outside quotes and comments changes, so the file is the statement the code runs (the
// test below checks that too).
const WIDTH = 120;

type Mode = 'code' | 'single' | 'double' | 'line-comment' | 'block-comment';
interface Break {
  // ", ": the index of the comma (the line breaks after it); " || ": the index of the space before it.
  index: number;
  // Parenthesis depth, then comma (0) before concatenation (1): lower ranks break first.
  rank: number;
}
interface LineInfo {
  text: string;
  startsIn: Mode;
  breaks: Break[];
}

function scan(text: string): LineInfo[] {
  const lines: LineInfo[] = [];
  let mode: Mode = 'code';
  // Per open parenthesis or bracket: may the list inside it be broken (not a function's arguments)?
  const open: boolean[] = [];
  let current: LineInfo = { text: '', startsIn: mode, breaks: [] };
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (i === text.length || ch === '\n') {
      current.text = text.slice(start, i);
      lines.push(current);
      if (mode === 'line-comment') mode = 'code';
      start = i + 1;
      current = { text: '', startsIn: mode, breaks: [] };
      continue;
    }
    const next = text[i + 1];
    if (mode === 'code') {
      const breakable = open.length === 0 || open[open.length - 1];
      if (ch === "'") mode = 'single';
      else if (ch === '"') mode = 'double';
      else if (ch === '-' && next === '-') mode = 'line-comment';
      else if (ch === '/' && next === '*') mode = 'block-comment';
      else if (ch === '(' || ch === '[') open.push(!/[\w"]/.test(text[i - 1] ?? ''));
      else if (ch === ')' || ch === ']') open.pop();
      else if (breakable && ch === ',' && next === ' ')
        current.breaks.push({ index: i - start, rank: open.length * 2 });
      else if (breakable && ch === ' ' && text.startsWith('|| ', i + 1) && i > start)
        current.breaks.push({ index: i - start, rank: open.length * 2 + 1 });
    } else if (mode === 'single' && ch === "'") {
      if (next === "'") i++;
      else mode = 'code';
    } else if (mode === 'double' && ch === '"') {
      if (next === '"') i++;
      else mode = 'code';
    } else if (mode === 'block-comment' && ch === '*' && next === '/') {
      mode = 'code';
      i++;
    }
  }
  return lines;
}

function wrap(line: LineInfo): string[] {
  const indent = line.text.length - line.text.trimStart().length;
  const pieces = (from: number, to: number, floor: number, pad: number): string[] => {
    const text = line.text.slice(from, to);
    const inside = line.breaks.filter((b) => b.index > from && b.index + 2 <= to && b.rank > floor);
    if (pad + text.length <= WIDTH || inside.length === 0) return [' '.repeat(pad) + text];
    const rank = Math.min(...inside.map((b) => b.rank));
    const out: string[] = [];
    let start = from;
    for (const cut of inside.filter((b) => b.rank === rank)) {
      // A comma stays at the end of its line; " || " starts the next one.
      const end = rank % 2 === 0 ? cut.index + 1 : cut.index;
      out.push(...pieces(start, end, rank, start === from ? pad : pad + 2));
      start = cut.index + 1 + (rank % 2 === 0 ? 1 : 0);
    }
    out.push(...pieces(start, to, rank, pad + 2));
    return out;
  };
  return pieces(indent, line.text.length, -Infinity, indent);
}

export function formatSql(sql: string): string {
  const lines = scan(sql.replace(/\r\n?/g, '\n').trim());
  // Lines that begin inside a quoted string or a block comment are kept exactly as they are.
  const free = (l: LineInfo) => l.startsIn === 'code';
  const indents = lines
    .slice(1)
    .filter((l) => free(l) && l.text.trim() !== '')
    .map((l) => l.text.length - l.text.trimStart().length);
  const cut = indents.length ? Math.min(...indents) : 0;
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!free(line)) return void out.push(line.text);
    const text = line.text.trimEnd();
    if (text === '') return void (out.at(-1) === '' ? undefined : out.push(''));
    const drop = i === 0 ? 0 : cut;
    const breaks = line.breaks.filter((b) => b.index < text.length).map((b) => ({ ...b, index: b.index - drop }));
    out.push(...wrap({ ...line, text: text.slice(drop), breaks }));
  });
  return out.join('\n');
}

function fileText(snapshot: Snapshot): string {
  return [
    `-- generated by ${snapshot.producer} (libs/persistence/src/sql-snapshots.spec.ts); do not edit: npm run sql:snapshots rewrites it`,
    `-- params: ${JSON.stringify(snapshot.statement.params)}`,
    '',
    formatSql(snapshot.statement.text),
    '',
  ].join('\n');
}

const SNAPSHOTS = snapshots();

describe('SQL snapshots (libs/persistence/sql)', () => {
  if (UPDATE) {
    it('rewrites every snapshot and removes the ones nothing generates any more', () => {
      mkdirSync(SQL_DIR, { recursive: true });
      const names = new Set(SNAPSHOTS.map((s) => `${s.name}.sql`));
      for (const file of readdirSync(SQL_DIR))
        if (file.endsWith('.sql') && !names.has(file)) rmSync(join(SQL_DIR, file));
      for (const snapshot of SNAPSHOTS) writeFileSync(join(SQL_DIR, `${snapshot.name}.sql`), fileText(snapshot));
      expect(readdirSync(SQL_DIR).filter((f) => f.endsWith('.sql'))).toHaveLength(names.size);
    });
    return;
  }

  it('name each statement once', () => {
    const names = SNAPSHOTS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(SNAPSHOTS.map((s) => [s.name, s] as const))('%s.sql matches the generated statement', (name, snapshot) => {
    const path = join(SQL_DIR, `${name}.sql`);
    if (!existsSync(path)) throw new Error(`libs/persistence/sql/${name}.sql is missing. ${HOW_TO_UPDATE}`);
    try {
      // The diff reads as a change: "-" is the committed file, "+" what the code generates now.
      expect(fileText(snapshot)).toBe(readFileSync(path, 'utf8'));
    } catch (error) {
      (error as Error).message = `${HOW_TO_UPDATE}\n\n${(error as Error).message}`;
      throw error;
    }
  });

  it('has no snapshot that nothing generates', () => {
    const names = new Set(SNAPSHOTS.map((s) => `${s.name}.sql`));
    const stale = readdirSync(SQL_DIR).filter((f) => f.endsWith('.sql') && !names.has(f));
    if (stale.length) {
      throw new Error(
        `Nothing generates ${stale.map((f) => `libs/persistence/sql/${f}`).join(', ')} any more: ` +
          '`npm run sql:snapshots` removes it; commit the removal.',
      );
    }
  });

  it('formats by changing whitespace only: each file is the statement the code runs', () => {
    const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();
    for (const { statement } of SNAPSHOTS) expect(squash(formatSql(statement.text))).toBe(squash(statement.text));
  });
});
