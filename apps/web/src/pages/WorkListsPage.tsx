// Registry staff's work lists (GET /reports/data-quality): overdue follow-up timepoints, drafts unsigned after
// 14 days, and visits missing registry-required data, each row linking to its case; one surgeon filter for all
// three, kept in the address (?surgeon=) so that a filtered list can be bookmarked or shared.
import { Alert, Anchor, Button, Group, Loader, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorText, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { dateInWords } from '../logic/visit-labels.js';
import {
  allRows,
  type DataQualityReport,
  draftRows,
  forSurgeon,
  missingRows,
  overdueRows,
  surgeonOptions,
} from '../logic/work-lists.js';
import { surgeonNamer } from '../logic/surgeons.js';

function CaseLink({ id, code }: { id: string; code: string }) {
  return (
    <Anchor component={Link} to={`/cases/${id}`} style={{ whiteSpace: 'nowrap' }}>
      {code}
    </Anchor>
  );
}

function Empty({ columns, text }: { columns: number; text: string }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={columns}>{text}</Table.Td>
    </Table.Tr>
  );
}

// One work list: its title with the count, the report's definition as caption, a row per item (or why there is none).
function WorkList(props: {
  title: string;
  caption: string;
  columns: string[];
  rows: Array<{ key: string; cells: ReactNode[] }>;
  testId: string;
  empty: string;
}) {
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        {props.title} ({props.rows.length})
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table striped aria-label={props.title} captionSide="top">
          <Table.Caption>{props.caption}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              {props.columns.map((column) => (
                <Table.Th scope="col" key={column}>
                  {column}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.rows.map((row) => (
              <Table.Tr key={row.key} data-testid={props.testId}>
                {row.cells.map((cell, i) => (
                  <Table.Td key={props.columns[i]}>{cell}</Table.Td>
                ))}
              </Table.Tr>
            ))}
            {props.rows.length === 0 && <Empty columns={props.columns.length} text={props.empty} />}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export function WorkListsPage() {
  const role = useSession()?.user.role;
  const [searchParams, setSearchParams] = useSearchParams();
  const surgeon = searchParams.get('surgeon') ?? '';

  const report = useQuery({
    queryKey: ['reports', 'data-quality'],
    queryFn: async ({ signal }): Promise<DataQualityReport> => {
      const body = unwrap(
        await api.GET('/api/v1/reports/data-quality', { params: { query: { format: 'json' } }, signal }),
      );
      // The route also answers CSV; asked for JSON, a text body would be a server fault.
      if (typeof body !== 'object') throw new Error('The registry answered the work lists in an unexpected format.');
      return body as DataQualityReport;
    },
  });
  // Only an administrator may list users; for the others the lists name surgeons as the report does.
  const users = useQuery({
    queryKey: ['users', 'names'],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 500 } }, signal })),
    enabled: role === 'admin',
  });

  const nameOf = useMemo(() => {
    const known = new Map((users.data?.items ?? []).map((u) => [u.id, u.displayName]));
    return surgeonNamer(report.data ? allRows(report.data) : [], known);
  }, [report.data, users.data]);

  const chooseSurgeon = (value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set('surgeon', value);
    else next.delete('surgeon');
    setSearchParams(next, { replace: true });
  };

  if (report.isPending)
    return (
      <Stack>
        <Title order={1}>Work lists</Title>
        <Group>
          <Loader size="sm" aria-label="Loading the work lists" />
          <Text>Loading the work lists…</Text>
        </Group>
      </Stack>
    );
  if (report.isError)
    return (
      <Stack>
        <Title order={1}>Work lists</Title>
        <Alert color="red" title="The work lists could not be loaded" role="alert">
          {errorText(report.error)}
          <Group mt="sm">
            <Button size="xs" variant="default" onClick={() => void report.refetch()}>
              Try again
            </Button>
          </Group>
        </Alert>
      </Stack>
    );

  const data = report.data;
  const options = surgeonOptions(data, nameOf);
  const shown = forSurgeon(data, surgeon);
  const overdue = overdueRows(shown.overdue, data.today, nameOf);
  const drafts = draftRows(shown.unsignedDrafts, nameOf);
  const missing = missingRows(shown.missingData, nameOf);
  const chosen = options.find((o) => o.value === surgeon)?.label;

  return (
    <Stack gap="lg" maw={1200}>
      <Title order={1}>Work lists</Title>
      <Text size="sm">
        As of {dateInWords(data.today)}
        {report.isFetching ? ' (updating…)' : ''}. {chosen ? `${chosen}'s cases.` : 'Every surgeon’s cases.'}
      </Text>
      {users.isError && (
        <Alert color="orange" title="Surgeon names could not be loaded" role="status">
          {errorText(users.error)} The lists name surgeons by letter meanwhile.
        </Alert>
      )}
      <Group align="flex-end">
        <NativeSelect
          label="Surgeon"
          data={[{ value: '', label: 'Every surgeon' }, ...options]}
          value={options.some((o) => o.value === surgeon) ? surgeon : ''}
          onChange={(event) => chooseSurgeon(event.currentTarget.value)}
          w={320}
        />
        <Button variant="default" onClick={() => void report.refetch()} loading={report.isFetching}>
          Refresh
        </Button>
      </Group>

      <WorkList
        title="Overdue follow-ups"
        caption={data.definitions.overdue}
        columns={['Case', 'Surgeon', 'Surgery', 'Timepoint', 'Window closed', 'Questionnaire']}
        testId="overdue-row"
        empty="No follow-up is overdue."
        rows={overdue.map((row) => ({
          key: row.key,
          cells: [
            <CaseLink key="case" id={row.caseId} code={row.registryCode} />,
            row.surgeon,
            row.surgery,
            row.timepoint,
            row.windowClosed,
            row.questionnaire,
          ],
        }))}
      />
      <WorkList
        title="Unsigned drafts"
        caption={data.definitions.unsignedDrafts}
        columns={['Case', 'Surgeon', 'Surgery', 'Logged', 'Unsigned for']}
        testId="draft-row"
        empty="No draft has waited more than 14 days."
        rows={drafts.map((row) => ({
          key: row.key,
          cells: [
            <CaseLink key="case" id={row.caseId} code={row.registryCode} />,
            row.surgeon,
            row.surgery,
            row.logged,
            row.unsignedFor,
          ],
        }))}
      />
      <WorkList
        title="Missing registry data"
        caption={data.definitions.missingData}
        columns={['Case', 'Surgeon', 'Visit', 'Missing', 'Correct']}
        testId="missing-row"
        empty="No visit lacks registry-required data."
        rows={missing.map((row) => ({
          key: row.key,
          cells: [
            <CaseLink key="case" id={row.caseId} code={row.registryCode} />,
            row.surgeon,
            row.visit,
            row.missing,
            <Anchor
              key="edit"
              component={Link}
              to={`/follow-ups/${row.followUpId}/edit?case=${row.caseId}`}
              aria-label={`Edit the ${row.visit} of ${row.registryCode}`}
            >
              Edit the visit
            </Anchor>,
          ],
        }))}
      />
    </Stack>
  );
}
