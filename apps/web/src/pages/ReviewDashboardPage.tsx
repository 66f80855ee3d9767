// The quality-review dashboard: the outcome table per group, Kaplan–Meier survivorship for recurrence,
// reoperation and conversion, the funnel plot of a quality outcome and a CUSUM per surgeon, for the filters in the
// URL (logic/review.ts). Each report has its table, a CSV download of the same figures and its printable page.
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { cusumSpec, funnelSpec, kaplanMeierSpec, outcomeRatesSpec, promMeansSpec } from '@ilr/charts';
import { useSearchParams } from 'react-router';
import { api, errorText, unwrap } from '../api/client';
import { currentToken } from '../auth/session';
import { groupLabel, type OutcomesReport, outcomesTable, percent } from '../logic/outcomes-table.js';
import {
  commonQuery,
  type CusumReport,
  ENDPOINTS,
  type FunnelReport,
  GROUP_BY_CHOICES,
  OUTCOME_CHOICES,
  POSITION_WORDS,
  pValueWords,
  RELEASE_LOCATION_CHOICES,
  type ReviewFilters,
  reviewFiltersOf,
  reviewParamsOf,
  survivalAt,
  survivalCell,
  type SurvivalReport,
} from '../logic/review.js';
import { instantWords } from '../logic/visit-labels.js';
import { ChartView } from '../features/charts/ChartView';

type ReportName = 'outcomes' | 'survival' | 'funnel' | 'cusum';

// A report as CSV or as its printable page: the API wants the bearer token, which never goes into a URL, so the
// page fetches it and hands the browser a local copy.
async function fetchReport(name: ReportName, query: Record<string, string>, kind: 'csv' | 'html'): Promise<Blob> {
  const path = kind === 'csv' ? `/api/v1/reports/${name}` : `/api/v1/reports/${name}.html`;
  const search = new URLSearchParams(kind === 'csv' ? { ...query, format: 'csv' } : query);
  const response = await fetch(`${path}?${search}`, { headers: { Authorization: `Bearer ${currentToken() ?? ''}` } });
  if (!response.ok) throw new Error(`The registry answered ${response.status} for the ${name} report.`);
  return response.blob();
}

function ReportActions({ name, query, label }: { name: ReportName; query: Record<string, string>; label: string }) {
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    try {
      const url = URL.createObjectURL(await fetchReport(name, query, 'csv'));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${name}-report.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const print = async () => {
    setError(null);
    const opened = window.open('', '_blank');
    try {
      // The copy is shown under this page's Content-Security-Policy: its <style> elements get this page's nonce.
      const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
      const html = (await (await fetchReport(name, query, 'html')).text()).replace(
        /<style>/g,
        `<style nonce="${nonce}">`,
      );
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
      if (opened) opened.location.href = url;
      else window.location.href = url;
    } catch (e) {
      opened?.close();
      setError(errorText(e));
    }
  };
  return (
    <Stack gap={4}>
      <Group gap="sm">
        <Button variant="default" size="xs" onClick={download} aria-label={`Download the ${label} as CSV`}>
          Download CSV
        </Button>
        <Button variant="default" size="xs" onClick={print} aria-label={`Printable ${label}`}>
          Print view
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red.9" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}

function Section({ title, actions, children }: { title: string; actions: ReactNode; children: ReactNode }) {
  return (
    <Stack gap="sm" component="section" aria-label={title}>
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Stack>
  );
}

function Pending({ query, label }: { query: { isPending: boolean; error: unknown }; label: string }) {
  if (query.isPending) return <Loader size="sm" aria-label={`Loading ${label}`} />;
  if (query.error)
    return (
      <Alert color="red" title={`The ${label} could not be loaded`} role="alert">
        {errorText(query.error)}
      </Alert>
    );
  return null;
}

// A surgeon as the report names them: the API gives a display name or a stable label ("Surgeon A").
function surgeonOf(row: { surgeonId: string | null; surgeonLabel?: string | null }): string {
  return row.surgeonLabel ?? (row.surgeonId ? 'Surgeon' : 'Another surgeon');
}

// The charts, each from its one definition in libs/charts (the printable pages draw the same ones as SVG).
function OutcomeCharts({ report }: { report: OutcomesReport }) {
  const rates = useMemo(() => outcomeRatesSpec(report, 'outcomes'), [report]);
  const complications = useMemo(() => outcomeRatesSpec(report, 'complications'), [report]);
  const mhhs = useMemo(() => promMeansSpec(report, 'mhhs'), [report]);
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <ChartView spec={rates} title="Recurrence, reoperation and conversion with 95% intervals" />
      <ChartView spec={complications} title="Complication rates with 95% intervals" />
      <ChartView spec={mhhs} title="mHHS by timepoint" />
    </SimpleGrid>
  );
}

function KaplanMeierChart({ report, title }: { report: SurvivalReport; title: string }) {
  const spec = useMemo(() => kaplanMeierSpec(report), [report]);
  return <ChartView spec={spec} title={title} />;
}

function FunnelChart({ report, title }: { report: FunnelReport; title: string }) {
  const spec = useMemo(() => funnelSpec(report), [report]);
  return <ChartView spec={spec} title={title} />;
}

function CusumChart({ report, title }: { report: CusumReport; title: string }) {
  const spec = useMemo(() => cusumSpec(report), [report]);
  return <ChartView spec={spec} title={title} />;
}

// A CUSUM's surgeon: as the (anonymised) report names them, else as the funnel does.
function cusumSurgeon(report: CusumReport | undefined, row: Parameters<typeof surgeonOf>[0], anonymised: boolean) {
  const label = (report?.filters as { surgeonLabel?: unknown } | undefined)?.surgeonLabel;
  if (typeof label === 'string') return label;
  // Anonymised, the row is the page's own named roster: never shown.
  return anonymised ? 'Surgeon (loading)' : surgeonOf(row);
}

export function ReviewDashboardPage() {
  const [params, setParams] = useSearchParams();
  const applied = reviewFiltersOf(params);
  const [draft, setDraft] = useState<ReviewFilters>(applied);
  const appliedKey = JSON.stringify(applied);
  useEffect(() => setDraft(JSON.parse(appliedKey) as ReviewFilters), [appliedKey]);
  const common = commonQuery(applied);
  const set = (name: keyof ReviewFilters) => (event: { currentTarget: { value: string } }) =>
    setDraft((d) => ({ ...d, [name]: event.currentTarget.value }));

  const outcomes = useQuery({
    queryKey: ['reports', 'outcomes', 'review', applied],
    queryFn: async ({ signal }) =>
      unwrap<OutcomesReport>(
        (await api.GET('/api/v1/reports/outcomes', {
          params: { query: { ...common, groupBy: applied.groupBy } as never },
          signal,
        })) as never,
      ),
    placeholderData: keepPreviousData,
  });
  const survival = useQueries({
    queries: ENDPOINTS.map((endpoint) => ({
      queryKey: ['reports', 'survival', endpoint.value, applied],
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        unwrap<SurvivalReport>(
          (await api.GET('/api/v1/reports/survival', {
            params: { query: { ...common, groupBy: applied.groupBy, endpoint: endpoint.value } as never },
            signal,
          })) as never,
        ),
      placeholderData: keepPreviousData,
    })),
  });
  const funnels = useQueries({
    queries: OUTCOME_CHOICES.map((outcome) => ({
      queryKey: ['reports', 'funnel', outcome.value, applied],
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        unwrap<FunnelReport>(
          (await api.GET('/api/v1/reports/funnel', {
            params: { query: { ...common, outcome: outcome.value } as never },
            signal,
          })) as never,
        ),
      placeholderData: keepPreviousData,
    })),
  });
  const funnel = funnels[OUTCOME_CHOICES.findIndex((o) => o.value === applied.outcome)];
  // The surgeons to draw a CUSUM for. Anonymised reports carry no surgeon ids, so the page asks once by name (roles
  // that may see names) for the ids and then asks each CUSUM anonymised: the ids stay in memory, never on the page.
  const roster = useQuery({
    queryKey: ['reports', 'funnel', 'roster', applied],
    enabled: applied.anonymise,
    queryFn: async ({ signal }) =>
      unwrap<FunnelReport>(
        (await api.GET('/api/v1/reports/funnel', {
          params: { query: { ...commonQuery({ ...applied, anonymise: false }), outcome: applied.outcome } as never },
          signal,
        })) as never,
      ),
  });
  const surgeons = ((applied.anonymise ? roster.data : funnel.data)?.surgeons ?? []).filter(
    (s) => s.surgeonId !== null,
  );
  const cusums = useQueries({
    queries: surgeons.map((s) => ({
      queryKey: ['reports', 'cusum', s.surgeonId, applied],
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        unwrap<CusumReport>(
          (await api.GET('/api/v1/reports/cusum', {
            params: { query: { ...common, outcome: applied.outcome, surgeonId: s.surgeonId! } as never },
            signal,
          })) as never,
        ),
    })),
  });

  const table = outcomes.data ? outcomesTable(outcomes.data, applied.groupBy) : null;
  const outcomeWords = OUTCOME_CHOICES.find((o) => o.value === applied.outcome)!.label;

  return (
    <Stack gap="xl">
      <Title order={1}>Quality review</Title>
      <form
        aria-label="Review filters"
        onSubmit={(event) => {
          event.preventDefault();
          setParams(reviewParamsOf(draft));
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <TextInput label="Surgery from" type="date" value={draft.from} onChange={set('from')} />
            <TextInput label="Surgery to" type="date" value={draft.to} onChange={set('to')} />
            <NativeSelect
              label="Release location"
              data={[{ value: '', label: 'Any' }, ...RELEASE_LOCATION_CHOICES]}
              value={draft.releaseLocation}
              onChange={set('releaseLocation')}
            />
            <NativeSelect
              label="Impingement repair"
              data={[
                { value: '', label: 'Any' },
                { value: 'true', label: 'Performed' },
                { value: 'false', label: 'Not performed' },
              ]}
              value={draft.impingementRepair}
              onChange={set('impingementRepair')}
            />
            <NativeSelect label="Group by" data={GROUP_BY_CHOICES} value={draft.groupBy} onChange={set('groupBy')} />
            <NativeSelect
              label="Quality outcome (funnel and CUSUM)"
              data={OUTCOME_CHOICES}
              value={draft.outcome}
              onChange={set('outcome')}
            />
          </SimpleGrid>
          <Checkbox
            label="Anonymise surgeons (Surgeon A, Surgeon B…), for a departmental meeting"
            checked={draft.anonymise}
            onChange={(event) => {
              const anonymise = event.currentTarget.checked;
              setDraft((d) => ({ ...d, anonymise }));
            }}
          />
          <Group>
            <Button type="submit">Show</Button>
            <Button variant="default" onClick={() => setParams({})}>
              Clear filters
            </Button>
          </Group>
        </Stack>
      </form>

      <Section
        title="Outcomes by group"
        actions={
          <ReportActions name="outcomes" query={{ ...common, groupBy: applied.groupBy }} label="outcomes report" />
        }
      >
        <Pending query={outcomes} label="outcomes report" />
        {outcomes.data && <OutcomeCharts report={outcomes.data} />}
        {table && (
          <Table striped withTableBorder>
            <Table.Caption>
              Rates with their 95% Wilson intervals, grouped by{' '}
              {GROUP_BY_CHOICES.find((g) => g.value === applied.groupBy)!.label.toLowerCase()}.
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Outcome</Table.Th>
                {table.columns.map((column) => (
                  <Table.Th scope="col" key={column.key}>
                    {column.label} (n = {column.cases})
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {table.rows.map((row) => (
                <Table.Tr key={row.id} data-row={row.id}>
                  <Table.Th scope="row">{row.label}</Table.Th>
                  {row.cells.map((cell, i) => (
                    <Table.Td key={table.columns[i].key}>{cell}</Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>

      {ENDPOINTS.map((endpoint, index) => {
        const query = survival[index];
        const report = query.data;
        return (
          <Section
            key={endpoint.value}
            title={`Survivorship: ${endpoint.label.toLowerCase()}`}
            actions={
              <ReportActions
                name="survival"
                query={{ ...common, groupBy: applied.groupBy, endpoint: endpoint.value }}
                label={`${endpoint.label.toLowerCase()} survivorship`}
              />
            }
          >
            <Pending query={query} label={`${endpoint.label.toLowerCase()} survivorship`} />
            {report && <KaplanMeierChart report={report} title={`Kaplan–Meier: ${endpoint.label.toLowerCase()}`} />}
            {report && (
              <Table striped withTableBorder>
                <Table.Caption>
                  Kaplan–Meier estimates with log-log 95% intervals
                  {report.logRank ? `; log-rank ${pValueWords(report.logRank.pValue)}` : ''}.
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Group</Table.Th>
                    <Table.Th scope="col">Cases</Table.Th>
                    <Table.Th scope="col">Events</Table.Th>
                    <Table.Th scope="col">At 1 year</Table.Th>
                    <Table.Th scope="col">At 2 years</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.groups.map((group) => (
                    <Table.Tr key={group.key}>
                      <Table.Th scope="row">{group.surgeonLabel ?? groupLabel(applied.groupBy, group.key)}</Table.Th>
                      <Table.Td>{group.cases}</Table.Td>
                      <Table.Td>{group.events}</Table.Td>
                      <Table.Td>{survivalCell(survivalAt(group.curve, 365))}</Table.Td>
                      <Table.Td>{survivalCell(survivalAt(group.curve, 730))}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Section>
        );
      })}

      {OUTCOME_CHOICES.map((outcome, index) => {
        const funnel = funnels[index];
        return (
          <Section
            title={`Funnel plot: ${outcome.label.toLowerCase()}`}
            actions={
              <ReportActions
                name="funnel"
                query={{ ...common, outcome: outcome.value }}
                label={`${outcome.label.toLowerCase()} funnel report`}
              />
            }
          >
            <Pending query={funnel} label={`${outcome.label.toLowerCase()} funnel report`} />
            {funnel.data && <FunnelChart report={funnel.data} title={`Funnel plot: ${outcome.label.toLowerCase()}`} />}
            {funnel.data && (
              <Table striped withTableBorder>
                <Table.Caption>
                  Target {percent(funnel.data.target)} ({funnel.data.targetSource}); {funnel.data.totals.events} events
                  in {funnel.data.totals.cases} cases.
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Surgeon</Table.Th>
                    <Table.Th scope="col">Cases</Table.Th>
                    <Table.Th scope="col">Events</Table.Th>
                    <Table.Th scope="col">Rate</Table.Th>
                    <Table.Th scope="col">95% limits</Table.Th>
                    <Table.Th scope="col">Position</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {funnel.data.surgeons.map((s, i) => (
                    <Table.Tr key={s.surgeonId ?? `other-${i}`} data-outlier={s.outlier}>
                      <Table.Th scope="row">{surgeonOf(s)}</Table.Th>
                      <Table.Td>{s.cases}</Table.Td>
                      <Table.Td>{s.events}</Table.Td>
                      <Table.Td>{percent(s.rate)}</Table.Td>
                      <Table.Td>
                        {percent(s.limits.lower95)}–{percent(s.limits.upper95)}
                      </Table.Td>
                      <Table.Td>
                        {POSITION_WORDS[s.position]}
                        {s.outlier ? ' (outlier)' : ''}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Section>
        );
      })}

      <Section title={`CUSUM per surgeon: ${outcomeWords.toLowerCase()}`} actions={null}>
        {surgeons.length === 0 && !funnel.isPending && <Text size="sm">No surgeon has cases for these filters.</Text>}
        {surgeons.length > 0 && (
          <Table striped withTableBorder>
            <Table.Caption>Risk-adjusted CUSUM per surgeon: a signal is a path crossing the threshold h.</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Surgeon</Table.Th>
                <Table.Th scope="col">Cases</Table.Th>
                <Table.Th scope="col">Threshold h</Table.Th>
                <Table.Th scope="col">Signals</Table.Th>
                <Table.Th scope="col">Figures</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {surgeons.map((s, i) => {
                const cusum = cusums[i];
                return (
                  <Table.Tr key={s.surgeonId}>
                    <Table.Th scope="row">{cusumSurgeon(cusum.data, s, applied.anonymise)}</Table.Th>
                    {cusum.data ? (
                      <>
                        <Table.Td>{cusum.data.points.length}</Table.Td>
                        <Table.Td>{cusum.data.h}</Table.Td>
                        <Table.Td>{cusum.data.signals.length}</Table.Td>
                      </>
                    ) : (
                      <Table.Td colSpan={3}>{cusum.error ? errorText(cusum.error) : 'Loading…'}</Table.Td>
                    )}
                    <Table.Td>
                      {/* A CUSUM is one surgeon's: its CSV and printable page name the surgeon (anonymised too). */}
                      <ReportActions
                        name="cusum"
                        query={{ ...common, outcome: applied.outcome, surgeonId: s.surgeonId! }}
                        label={`CUSUM of ${cusumSurgeon(cusum.data, s, applied.anonymise)}`}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          {surgeons.map((s, i) =>
            cusums[i].data ? (
              <CusumChart
                key={s.surgeonId}
                report={cusums[i].data}
                title={`CUSUM: ${cusumSurgeon(cusums[i].data, s, applied.anonymise)}`}
              />
            ) : null,
          )}
        </SimpleGrid>
      </Section>
      {outcomes.data && <Text size="sm">Figures as of {instantWords(outcomes.data.generatedAt)}.</Text>}
    </Stack>
  );
}
