// My outcomes: the signed-in surgeon's own outcomes report (GET /api/v1/reports/outcomes, scoped to their
// cases), one column per group, as logic/outcomes-table.ts reads it. The filters live in the URL's search
// params, so that a reload or a shared link keeps them.
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
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, errorText, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { GROUP_BY_OPTIONS, isGroupBy, type OutcomesReport, outcomesTable } from '../logic/outcomes-table.js';
import { dateInWords, instantWords } from '../logic/visit-labels.js';

interface Filters {
  from: string;
  to: string;
  groupBy: string;
  consentedOnly: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function filtersOf(params: URLSearchParams): Filters {
  const date = (name: string) => {
    const value = params.get(name) ?? '';
    return DATE.test(value) ? value : '';
  };
  const groupBy = params.get('groupBy');
  return {
    from: date('from'),
    to: date('to'),
    groupBy: isGroupBy(groupBy) ? groupBy : '',
    consentedOnly: params.get('consentedOnly') === 'true',
  };
}

function paramsOf(filters: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  if (filters.from) out.from = filters.from;
  if (filters.to) out.to = filters.to;
  if (filters.groupBy) out.groupBy = filters.groupBy;
  if (filters.consentedOnly) out.consentedOnly = 'true';
  return out;
}

export function MyOutcomesPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const applied = filtersOf(params);
  const [draft, setDraft] = useState<Filters>(applied);
  const appliedKey = JSON.stringify(applied);
  // Back and forward change the URL: the form follows it.
  useEffect(() => setDraft(JSON.parse(appliedKey) as Filters), [appliedKey]);

  const groupBy = isGroupBy(applied.groupBy) ? applied.groupBy : null;
  const report = useQuery({
    queryKey: ['reports', 'outcomes', session?.user.id, applied],
    queryFn: async ({ signal }) =>
      unwrap<OutcomesReport>(
        // JSON (no format=csv asked): the CSV variant of the response type does not apply.
        (await api.GET('/api/v1/reports/outcomes', {
          params: {
            query: {
              // The server scopes a surgeon's reports to their own cases; naming them keeps the request explicit.
              ...(session ? { surgeonId: session.user.id } : {}),
              ...(applied.from ? { from: applied.from } : {}),
              ...(applied.to ? { to: applied.to } : {}),
              ...(groupBy ? { groupBy } : {}),
              ...(applied.consentedOnly ? { consentedOnly: true } : {}),
            },
          },
          signal,
        })) as { data?: OutcomesReport; error?: unknown; response: Response },
      ),
    placeholderData: keepPreviousData,
  });

  const table = report.data ? outcomesTable(report.data, groupBy) : null;
  const range =
    applied.from || applied.to
      ? `operated ${applied.from ? `from ${dateInWords(applied.from)}` : ''}${applied.from && applied.to ? ' ' : ''}${applied.to ? `to ${dateInWords(applied.to)}` : ''}`
      : 'of every date';
  const grouping = GROUP_BY_OPTIONS.find((o) => o.value === (groupBy ?? ''))!.label;

  return (
    <Stack>
      <Title order={1}>My outcomes</Title>
      <form
        aria-label="Outcome filters"
        onSubmit={(event) => {
          event.preventDefault();
          setParams(paramsOf(draft));
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput
              label="Surgery from"
              type="date"
              value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.currentTarget.value })}
            />
            <TextInput
              label="Surgery to"
              type="date"
              value={draft.to}
              onChange={(event) => setDraft({ ...draft, to: event.currentTarget.value })}
            />
            <NativeSelect
              label="Group by"
              data={GROUP_BY_OPTIONS}
              value={draft.groupBy}
              onChange={(event) => setDraft({ ...draft, groupBy: event.currentTarget.value })}
            />
          </SimpleGrid>
          <Checkbox
            label="Only cases whose patients gave consent (the cases an export contains)"
            checked={draft.consentedOnly}
            onChange={(event) => setDraft({ ...draft, consentedOnly: event.currentTarget.checked })}
          />
          <Group>
            <Button type="submit">Show outcomes</Button>
            <Button variant="default" onClick={() => setParams({})}>
              Clear filters
            </Button>
          </Group>
        </Stack>
      </form>

      {report.isPending && (
        <Group>
          <Loader size="sm" aria-label="Loading the outcomes" />
          <Text>Loading the outcomes…</Text>
        </Group>
      )}
      {report.isError && (
        <Alert color="red" title="The outcomes could not be loaded" role="alert">
          {errorText(report.error)}
          <Group mt="sm">
            <Button size="xs" variant="default" onClick={() => void report.refetch()}>
              Try again
            </Button>
          </Group>
        </Alert>
      )}
      {report.isSuccess && table && (
        <>
          <Alert color="blue" title="Which cases these figures count">
            <Text size="sm" data-testid="consent-note">
              {table.consentNote}
            </Text>
          </Alert>
          {table.columns.length === 0 ? (
            <Text>No cases match these filters.</Text>
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table striped withTableBorder captionSide="top" aria-label="My outcomes" aria-busy={report.isFetching}>
                <Table.Caption>
                  Your cases {range}, grouped by {grouping.toLowerCase()}: rates with their 95% Wilson intervals.
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Outcome</Table.Th>
                    {table.columns.map((column) => (
                      <Table.Th scope="col" key={column.key} data-key={column.key}>
                        {column.label} (n = {column.cases})
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {table.rows.map((row) => (
                    <Table.Tr key={row.id} data-row={row.id}>
                      <Table.Th scope="row">{row.label}</Table.Th>
                      {row.cells.map((cell, index) => (
                        <Table.Td key={table.columns[index].key}>{cell}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <Text size="sm" c="dimmed">
            Figures as of {instantWords(report.data.generatedAt)}.
          </Text>
        </>
      )}
    </Stack>
  );
}
