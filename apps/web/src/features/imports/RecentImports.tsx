// The caller's recent imports (an administrator sees everyone's), newest first, paged by cursor; "Show" opens one.
import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import {
  countsSummary,
  DATASET_LABELS,
  importRunning,
  MODE_LABELS,
  STATUS_COLOURS,
  STATUS_LABELS,
} from '../../logic/imports.js';
import { answer, viewOf } from '../../logic/refusal.js';
import { instantWords } from '../../logic/visit-labels.js';

const PAGE_SIZE = 10;

export function RecentImports({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['imports', cursor],
    queryFn: ({ signal }) =>
      answer(api.GET('/api/v1/imports', { params: { query: { limit: PAGE_SIZE, cursor } }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some(importRunning) ? 1000 : false),
  });
  const page = cursors.length;
  return (
    <Stack gap="sm" component="section" aria-labelledby="recent-imports">
      <Title order={2} id="recent-imports">
        Recent imports
      </Title>
      {list.isPending && (
        <Group>
          <Loader size="sm" aria-label="Loading recent imports" />
          <Text>Loading recent imports…</Text>
        </Group>
      )}
      {list.isError && (
        <Alert color="red" title="The recent imports could not be loaded" role="alert">
          {viewOf(list.error).message}
          <Group mt="sm">
            <Button size="xs" variant="default" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </Group>
        </Alert>
      )}
      {list.isSuccess && list.data.items.length === 0 && page === 1 && <Text>No imports yet.</Text>}
      {list.isSuccess && list.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={760}>
          <Table striped withTableBorder aria-label="Recent imports" aria-busy={list.isFetching}>
            <Table.Caption>Checks and imports, newest first</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">Ran by</Table.Th>
                <Table.Th scope="col">Dataset</Table.Th>
                <Table.Th scope="col">Check or import</Table.Th>
                <Table.Th scope="col">File</Table.Th>
                <Table.Th scope="col">Rows</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((job) => (
                <Table.Tr key={job.id} data-import-id={job.id} aria-current={job.id === selected ? 'true' : undefined}>
                  <Table.Td>{instantWords(job.createdAt)}</Table.Td>
                  <Table.Td>{job.createdBy.displayName}</Table.Td>
                  <Table.Td>{DATASET_LABELS[job.dataset]}</Table.Td>
                  <Table.Td>{MODE_LABELS[job.mode]}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{job.fileName ?? '—'}</Table.Td>
                  <Table.Td>{countsSummary(job)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Badge color={STATUS_COLOURS[job.status]} variant="light" c="dark" tt="none">
                      {STATUS_LABELS[job.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant={job.id === selected ? 'filled' : 'default'}
                      aria-label={`Show the ${MODE_LABELS[job.mode].toLowerCase()} of ${instantWords(job.createdAt)}`}
                      onClick={() => onSelect(job.id)}
                    >
                      Show
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.isSuccess && (page > 1 || list.data.nextCursor) && (
        <Group justify="space-between">
          <Text size="sm" aria-live="polite">
            Page {page}
            {list.isFetching ? ' (updating…)' : ''}
          </Text>
          <Group>
            <Button variant="default" disabled={page === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </Button>
            <Button
              variant="default"
              disabled={!list.data.nextCursor || list.isPlaceholderData}
              onClick={() => setCursors([...cursors, list.data.nextCursor ?? undefined])}
            >
              Next page
            </Button>
          </Group>
        </Group>
      )}
    </Stack>
  );
}
