// Exports (registry staff, admin): choose dataset, format and filters, start an export job (POST
// /exports), watch its progress (GET /exports/:id, polled while queued or running), download the file
// with the bearer token (Blob → object URL; no token in a URL), and read its manifest and checksum.
// Below, the past export jobs (GET /exports) with who ran them.
import '@mantine/dates/styles.css';
import {
  Accordion,
  Alert,
  Badge,
  Button,
  Code,
  Group,
  List,
  Loader,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { RELEASE_LOCATION } from '@ilr/clinical';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import {
  CheckField,
  CodeSelect,
  DateField,
  FormFieldsContext,
  formFields,
  OptionSelect,
} from '../features/case-form/controls';
import {
  DATASET_LABELS,
  DATASET_OPTIONS,
  downloadFileName,
  EXPORT_FIELD_LABELS,
  EXPORT_FORM_DEFAULTS,
  exclusionsWords,
  type ExportFormValues,
  type ExportJob,
  filtersWords,
  FORMAT_LABELS,
  formatOptions,
  formatsFor,
  IMPINGEMENT_REPAIR_OPTIONS,
  jobInProgress,
  jobStatusWords,
  mayExportIdentified,
  progressPercent,
  rowsWords,
  toCreateExportRequest,
  validateExportForm,
} from '../logic/exports-form.js';
import { describeProblem, type FieldErrors, type ProblemView } from '../logic/problem.js';
import { instantWords } from '../logic/visit-labels.js';

const PAGE_SIZE = 10;
const POLL_MS = 1000;
const labelOf = (path: string) => EXPORT_FIELD_LABELS[path] ?? path;

// A failed answer as the page shows it; thrown by query functions so `error` is a ProblemView.
async function answered<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await request;
  } catch {
    throw describeProblem(0, undefined);
  }
  if (result.data === undefined || !result.response.ok) throw describeProblem(result.response.status, result.error);
  return result.data;
}

const problemText = (error: unknown) =>
  (error as ProblemView | null)?.message ?? 'Something went wrong. Try again; if it persists, report it.';

// Fetches the file with the bearer token and hands it to the browser as a download.
async function downloadJobFile(job: ExportJob): Promise<void> {
  let result;
  try {
    result = await api.GET('/api/v1/exports/{id}/file', { params: { path: { id: job.id } }, parseAs: 'blob' });
  } catch {
    throw describeProblem(0, undefined);
  }
  if (!result.response.ok || !result.data) throw describeProblem(result.response.status, result.error);
  const url = URL.createObjectURL(result.data as Blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = downloadFileName(job, result.response.headers.get('content-disposition'));
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click is handled; the URL is not needed after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function DownloadButton({ job, label }: { job: ExportJob; label: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Stack gap={4} align="flex-start">
      <Button
        size="xs"
        variant="light"
        loading={busy}
        aria-label={label}
        onClick={() => {
          setBusy(true);
          setError(null);
          downloadJobFile(job)
            .catch((e: unknown) => setError(problemText(e)))
            .finally(() => setBusy(false));
        }}
      >
        Download
      </Button>
      {error && (
        <Text size="sm" c="red.8" role="alert">
          The file could not be downloaded: {error}
        </Text>
      )}
    </Stack>
  );
}

function Manifest({ job }: { job: ExportJob }) {
  const manifest = useQuery({
    queryKey: ['export-manifest', job.id],
    queryFn: ({ signal }) =>
      answered(api.GET('/api/v1/exports/{id}/manifest', { params: { path: { id: job.id } }, signal })),
  });
  if (manifest.isPending)
    return (
      <Group>
        <Loader size="sm" aria-label="Loading the manifest" />
        <Text>Loading the manifest…</Text>
      </Group>
    );
  if (manifest.isError)
    return (
      <Alert color="red" title="The manifest could not be loaded" role="alert">
        {problemText(manifest.error)}
      </Alert>
    );
  const m = manifest.data;
  const rules = typeof m.deidentification === 'string' ? null : Object.entries(m.deidentification);
  return (
    <Stack gap="xs">
      <Title order={3}>Manifest</Title>
      <Table aria-label="Manifest" variant="vertical" withTableBorder>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">Export date</Table.Th>
            <Table.Td>{m.exportDate}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Rows</Table.Th>
            <Table.Td>{rowsWords(m.rows)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Filters</Table.Th>
            <Table.Td>{filtersWords(m.filters)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Consent</Table.Th>
            <Table.Td>{m.consent}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Left out</Table.Th>
            <Table.Td>
              <List size="sm">
                {exclusionsWords(m.exclusions).map((line) => (
                  <List.Item key={line}>{line}</List.Item>
                ))}
              </List>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Columns</Table.Th>
            <Table.Td>{m.columns.length}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">SHA-256 in the manifest</Table.Th>
            <Table.Td>
              <Code data-testid="manifest-sha256" style={{ wordBreak: 'break-all' }}>
                {m.sha256}
              </Code>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">De-identification</Table.Th>
            <Table.Td>
              {rules === null ? (
                String(m.deidentification)
              ) : (
                <List size="sm">
                  {rules.map(([rule, text]) => (
                    <List.Item key={rule}>{text}</List.Item>
                  ))}
                </List>
              )}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Accordion variant="contained">
        <Accordion.Item value="json">
          <Accordion.Control>The whole manifest (JSON)</Accordion.Control>
          <Accordion.Panel>
            <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
              {JSON.stringify(m, null, 2)}
            </Code>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}

// The job just started: its progress while it runs, then the download, checksum and manifest.
function CurrentJob({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ['export', id],
    queryFn: async ({ signal }) => {
      const found = await answered(api.GET('/api/v1/exports/{id}', { params: { path: { id } }, signal }));
      // The list shows the same job: refresh it when this one ends.
      if (!jobInProgress(found)) void queryClient.invalidateQueries({ queryKey: ['exports'] });
      return found;
    },
    refetchInterval: (query) => (jobInProgress(query.state.data) ? POLL_MS : false),
  });
  if (job.isPending)
    return (
      <Group>
        <Loader size="sm" aria-label="Loading the export" />
        <Text>Loading the export…</Text>
      </Group>
    );
  if (job.isError)
    return (
      <Alert color="red" title="The export could not be read" role="alert">
        {problemText(job.error)}
        <Group mt="sm">
          <Button size="xs" variant="default" onClick={() => void job.refetch()}>
            Try again
          </Button>
        </Group>
      </Alert>
    );
  const j = job.data;
  const percent = progressPercent(j);
  return (
    <Paper withBorder p="md" aria-labelledby="current-export">
      <Stack gap="sm">
        <Title order={2} id="current-export">
          {DATASET_LABELS[j.dataset]}, {FORMAT_LABELS[j.format]}
          {j.identified ? ', identified' : ''}
        </Title>
        <Text size="sm">{filtersWords(j.filters)}</Text>
        <Progress
          value={percent ?? 0}
          animated={jobInProgress(j)}
          color={j.status === 'failed' ? 'red' : undefined}
          aria-label="Export progress"
          size="lg"
        />
        <Text aria-live="polite" data-testid="export-status">
          {jobStatusWords(j)}
        </Text>
        {j.status === 'failed' && (
          <Alert color="red" title="The export failed" role="alert">
            {j.error ?? 'The export did not finish.'}
          </Alert>
        )}
        {j.status === 'done' && (
          <>
            <Group>
              <DownloadButton job={j} label={`Download the ${DATASET_LABELS[j.dataset].toLowerCase()} export`} />
            </Group>
            <Text size="sm">
              SHA-256 of the file:{' '}
              <Code data-testid="export-sha256" style={{ wordBreak: 'break-all' }}>
                {j.sha256}
              </Code>
            </Text>
            <Manifest job={j} />
          </>
        )}
      </Stack>
    </Paper>
  );
}

function PastExports() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['exports', cursor],
    queryFn: ({ signal }) =>
      answered(api.GET('/api/v1/exports', { params: { query: { limit: PAGE_SIZE, cursor } }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some(jobInProgress) ? POLL_MS * 2 : false),
  });
  const page = cursors.length;
  return (
    <Stack>
      <Title order={2}>Past exports</Title>
      {list.isPending && (
        <Group>
          <Loader size="sm" aria-label="Loading past exports" />
          <Text>Loading past exports…</Text>
        </Group>
      )}
      {list.isError && (
        <Alert color="red" title="The past exports could not be loaded" role="alert">
          {problemText(list.error)}
          <Group mt="sm">
            <Button size="xs" variant="default" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </Group>
        </Alert>
      )}
      {list.isSuccess && (
        <>
          <Table.ScrollContainer minWidth={720}>
            <Table striped aria-label="Past exports" aria-busy={list.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Ran by</Table.Th>
                  <Table.Th scope="col">Dataset</Table.Th>
                  <Table.Th scope="col">Format</Table.Th>
                  <Table.Th scope="col">Filters</Table.Th>
                  <Table.Th scope="col">Identified</Table.Th>
                  <Table.Th scope="col">Rows</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">File</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((job) => (
                  <Table.Tr key={job.id} data-job-id={job.id}>
                    <Table.Td>{instantWords(job.createdAt)}</Table.Td>
                    <Table.Td>{job.createdBy.displayName}</Table.Td>
                    <Table.Td>{DATASET_LABELS[job.dataset]}</Table.Td>
                    <Table.Td>{job.format.toUpperCase()}</Table.Td>
                    <Table.Td>{filtersWords(job.filters)}</Table.Td>
                    <Table.Td>
                      {job.identified ? (
                        <Badge color="red" variant="light" c="dark">
                          Identified
                        </Badge>
                      ) : (
                        'De-identified'
                      )}
                    </Table.Td>
                    <Table.Td>{job.rows ?? '—'}</Table.Td>
                    <Table.Td>{jobStatusWords(job)}</Table.Td>
                    <Table.Td>
                      {job.status === 'done' ? (
                        <DownloadButton
                          job={job}
                          label={`Download the ${DATASET_LABELS[job.dataset].toLowerCase()} export of ${instantWords(job.createdAt)}`}
                        />
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.items.length === 0 && <Text>No exports yet.</Text>}
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
        </>
      )}
    </Stack>
  );
}

export function ExportsPage() {
  const session = useSession();
  const role = session?.user.role;
  const queryClient = useQueryClient();
  const form = useForm<ExportFormValues>({ defaultValues: EXPORT_FORM_DEFAULTS });
  const dataset = useWatch({ control: form.control, name: 'dataset' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  // A dataset without the chosen format (FHIR is for cases only) falls back to CSV.
  useEffect(() => {
    if (!formatsFor(dataset).includes(form.getValues('format'))) form.setValue('format', 'csv');
  }, [dataset, form]);

  const start = form.handleSubmit(async (values) => {
    setRefusal(null);
    const invalid = validateExportForm(values);
    setErrors(invalid);
    if (Object.keys(invalid).length > 0) return;
    setStarting(true);
    try {
      const created = await api.POST('/api/v1/exports', { body: toCreateExportRequest(values, role) });
      if (!created.data) {
        const view = describeProblem(created.response.status, created.error);
        const fields: FieldErrors = {};
        for (const [field, message] of Object.entries(view.fieldErrors))
          fields[field.replace(/^filters\./, '')] = message;
        setErrors(fields);
        setRefusal([view.message, ...view.otherErrors].join(' '));
        return;
      }
      setJobId(created.data.id);
      queryClient.setQueryData(['export', created.data.id], created.data);
      await queryClient.invalidateQueries({ queryKey: ['exports'] });
    } catch {
      setRefusal(describeProblem(0, undefined).message);
    } finally {
      setStarting(false);
    }
  });

  return (
    <Stack>
      <Title order={1}>Exports</Title>
      <Text>
        An export holds the patients who gave consent. De-identified exports carry export ids, the surgery year and days
        after surgery instead of identifiers and dates.
      </Text>
      <form aria-label="New export" onSubmit={(event) => void start(event)} noValidate>
        <FormFieldsContext.Provider
          value={formFields({ control: form.control, errors, required: new Set(['dataset', 'format']), labelOf })}
        >
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
              <OptionSelect name="dataset" options={DATASET_OPTIONS} clearable={false} />
              <OptionSelect
                name="format"
                options={formatOptions(dataset)}
                clearable={false}
                description={dataset === 'cases' ? undefined : 'FHIR is available for the cases dataset only'}
              />
              <DateField name="from" />
              <DateField name="to" />
              <CodeSelect name="releaseLocation" vocabulary={RELEASE_LOCATION} />
              <OptionSelect name="impingementRepair" options={IMPINGEMENT_REPAIR_OPTIONS} />
            </SimpleGrid>
            {mayExportIdentified(role) && (
              <CheckField
                name="identified"
                description="Administrators only. The file holds MRNs, dates, registry codes and free text: keep it safe."
              />
            )}
            {refusal && (
              <Alert color="red" title="The export could not be started" role="alert">
                {refusal}
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={starting}>
                Start export
              </Button>
            </Group>
          </Stack>
        </FormFieldsContext.Provider>
      </form>
      {jobId && <CurrentJob key={jobId} id={jobId} />}
      <PastExports />
    </Stack>
  );
}
