// Registry staff's work lists (GET /reports/data-quality): overdue follow-up timepoints, drafts unsigned after
// 14 days, and visits missing registry-required data, each row linking to its case; one surgeon filter for all
// three, kept in the address (?surgeon=) so that a filtered list can be bookmarked or shared.
import { Alert, Anchor, Button, Group, Loader, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
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

      <Stack gap="xs">
        <Title order={2} size="h3">
          Overdue follow-ups ({overdue.length})
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label="Overdue follow-ups" captionSide="top">
            <Table.Caption>{data.definitions.overdue}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Case</Table.Th>
                <Table.Th scope="col">Surgeon</Table.Th>
                <Table.Th scope="col">Surgery</Table.Th>
                <Table.Th scope="col">Timepoint</Table.Th>
                <Table.Th scope="col">Window closed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {overdue.map((row) => (
                <Table.Tr key={row.key} data-testid="overdue-row">
                  <Table.Td>
                    <CaseLink id={row.caseId} code={row.registryCode} />
                  </Table.Td>
                  <Table.Td>{row.surgeon}</Table.Td>
                  <Table.Td>{row.surgery}</Table.Td>
                  <Table.Td>{row.timepoint}</Table.Td>
                  <Table.Td>{row.windowClosed}</Table.Td>
                </Table.Tr>
              ))}
              {overdue.length === 0 && <Empty columns={5} text="No follow-up is overdue." />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>

      <Stack gap="xs">
        <Title order={2} size="h3">
          Unsigned drafts ({drafts.length})
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label="Unsigned drafts" captionSide="top">
            <Table.Caption>{data.definitions.unsignedDrafts}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Case</Table.Th>
                <Table.Th scope="col">Surgeon</Table.Th>
                <Table.Th scope="col">Surgery</Table.Th>
                <Table.Th scope="col">Logged</Table.Th>
                <Table.Th scope="col">Unsigned for</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {drafts.map((row) => (
                <Table.Tr key={row.key} data-testid="draft-row">
                  <Table.Td>
                    <CaseLink id={row.caseId} code={row.registryCode} />
                  </Table.Td>
                  <Table.Td>{row.surgeon}</Table.Td>
                  <Table.Td>{row.surgery}</Table.Td>
                  <Table.Td>{row.logged}</Table.Td>
                  <Table.Td>{row.unsignedFor}</Table.Td>
                </Table.Tr>
              ))}
              {drafts.length === 0 && <Empty columns={5} text="No draft has waited more than 14 days." />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>

      <Stack gap="xs">
        <Title order={2} size="h3">
          Missing registry data ({missing.length})
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label="Missing registry data" captionSide="top">
            <Table.Caption>{data.definitions.missingData}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Case</Table.Th>
                <Table.Th scope="col">Surgeon</Table.Th>
                <Table.Th scope="col">Visit</Table.Th>
                <Table.Th scope="col">Missing</Table.Th>
                <Table.Th scope="col">Correct</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {missing.map((row) => (
                <Table.Tr key={row.key} data-testid="missing-row">
                  <Table.Td>
                    <CaseLink id={row.caseId} code={row.registryCode} />
                  </Table.Td>
                  <Table.Td>{row.surgeon}</Table.Td>
                  <Table.Td>{row.visit}</Table.Td>
                  <Table.Td>{row.missing}</Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/follow-ups/${row.followUpId}/edit?case=${row.caseId}`}
                      aria-label={`Edit the ${row.visit} of ${row.registryCode}`}
                    >
                      Edit the visit
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
              {missing.length === 0 && <Empty columns={5} text="No visit lacks registry-required data." />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Stack>
  );
}
