// One import job: its status in words and its counts, polled while it runs; then its error report as a table
// (paged, "Show more") with the whole report as a CSV download.
import { Alert, Badge, Button, Code, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import {
  bytesWords,
  countRows,
  errorRows,
  errorsFileName,
  type ImportJob,
  importRunning,
  importStatusWords,
  jobTitle,
  ON_ERROR_LABELS,
  STATUS_COLOURS,
  STATUS_LABELS,
} from '../../logic/imports.js';
import { answer, viewOf } from '../../logic/refusal.js';
import { instantWords } from '../../logic/visit-labels.js';
import { DownloadButton } from './DownloadButton';

const POLL_MS = 500;
const ERRORS_PAGE = 50;

function ErrorReport({ job }: { job: ImportJob }) {
  const errors = useInfiniteQuery({
    queryKey: ['import-errors', job.id],
    queryFn: async ({ pageParam, signal }) => {
      const page = await answer(
        api.GET('/api/v1/imports/{id}/errors', {
          params: { path: { id: job.id }, query: { limit: ERRORS_PAGE, cursor: pageParam } },
          signal,
        }),
      );
      // The route also answers CSV; asked for JSON, a text body would be a server fault.
      if (typeof page !== 'object') throw new Error('The registry answered the errors in an unexpected format.');
      return page;
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (errors.isPending)
    return (
      <Group>
        <Loader size="sm" aria-label="Loading the errors" />
        <Text>Loading the errors…</Text>
      </Group>
    );
  if (errors.isError)
    return (
      <Alert color="red" title="The errors could not be loaded" role="alert">
        {viewOf(errors.error).message}
        <Group mt="sm">
          <Button size="xs" variant="default" onClick={() => void errors.refetch()}>
            Try again
          </Button>
        </Group>
      </Alert>
    );
  const rows = errorRows(errors.data.pages.flatMap((p) => p.items));
  return (
    <Stack gap="xs">
      <Group justify="space-between" align="flex-end">
        <Title order={3}>Rows to fix</Title>
        <DownloadButton
          fileName={errorsFileName(job)}
          request={() =>
            api.GET('/api/v1/imports/{id}/errors', {
              params: { path: { id: job.id }, query: { format: 'csv' } },
              parseAs: 'blob',
            })
          }
        >
          Download the errors (CSV)
        </DownloadButton>
      </Group>
      <Text size="sm">
        Line numbers are the file’s own lines (the header is line 1). Fix these rows in the spreadsheet, save it as CSV
        and check it again.
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table striped withTableBorder aria-label="Rows to fix" data-testid="import-errors">
          <Table.Caption>
            {rows.length} of {job.errorCount} {job.errorCount === 1 ? 'error' : 'errors'} shown
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Line</Table.Th>
              <Table.Th scope="col">Column</Table.Th>
              <Table.Th scope="col">Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.key}>
                <Table.Td>{row.line}</Table.Td>
                <Table.Td>{row.column}</Table.Td>
                <Table.Td>{row.problem}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {errors.hasNextPage && (
        <Group>
          <Button variant="default" loading={errors.isFetchingNextPage} onClick={() => void errors.fetchNextPage()}>
            Show more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

export function ImportJobPanel({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ['import', id],
    queryFn: async ({ signal }) => {
      const found = await answer(api.GET('/api/v1/imports/{id}', { params: { path: { id } }, signal }));
      // The list shows the same job: refresh it when this one ends.
      if (!importRunning(found)) void queryClient.invalidateQueries({ queryKey: ['imports'] });
      return found;
    },
    refetchInterval: (query) => (importRunning(query.state.data) ? POLL_MS : false),
  });
  if (job.isPending)
    return (
      <Group>
        <Loader size="sm" aria-label="Loading the import" />
        <Text>Loading the import…</Text>
      </Group>
    );
  if (job.isError)
    return (
      <Alert color="red" title="The import could not be read" role="alert">
        {viewOf(job.error).message}
        <Group mt="sm">
          <Button size="xs" variant="default" onClick={() => void job.refetch()}>
            Try again
          </Button>
        </Group>
      </Alert>
    );
  const j = job.data;
  const running = importRunning(j);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="current-import">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} id="current-import">
            {jobTitle(j)}
          </Title>
          <Badge color={STATUS_COLOURS[j.status]} variant="light" c="dark" tt="none">
            {STATUS_LABELS[j.status]}
          </Badge>
        </Group>
        <Text size="sm">
          {instantWords(j.createdAt)} by {j.createdBy.displayName} · {bytesWords(j.bytes)}
          {j.mode === 'commit' ? ` · ${ON_ERROR_LABELS[j.onError]}` : ''}
        </Text>
        <Group gap="xs" aria-live="polite">
          {running && <Loader size="xs" aria-label="Working" />}
          <Text fw={600} data-testid="import-status">
            {importStatusWords(j)}
          </Text>
        </Group>
        {j.status === 'failed' && (
          <Alert color="red" title="The import failed" role="alert">
            {j.error ?? 'The import did not finish.'}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="xs" component="dl" m={0}>
          {countRows(j).map((c) => (
            <Paper key={c.key} withBorder p="xs" data-count={c.key}>
              <Text component="dt" size="xs" c="dimmed">
                {c.label}
              </Text>
              <Text component="dd" fw={700} size="lg" m={0}>
                {c.value}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          SHA-256 of the file: <Code style={{ wordBreak: 'break-all' }}>{j.sha256}</Code>
        </Text>
        {!running && j.errorCount > 0 && <ErrorReport key={`${j.id}:${j.errorCount}`} job={j} />}
        {!running && j.errorCount === 0 && j.status !== 'failed' && <Text>No row needs fixing.</Text>}
      </Stack>
    </Paper>
  );
}
