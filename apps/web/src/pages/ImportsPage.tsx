// Imports of historical spreadsheets (registry staff, admin): choose the dataset and a CSV file, check it
// (mode=validate: nothing is written) or import it (mode=commit, with what to do with bad rows), watch the job
// (GET /imports/:id, polled while it runs), read the rows to fix as a table and download them as CSV, fix the file
// and upload it again. The templates (header row, column list) and the recent imports are on the same page.
import { Alert, Button, Group, Input, List, NativeSelect, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api } from '../api/client';
import { currentToken, endSession, useSession } from '../auth/session';
import { DownloadButton } from '../features/imports/DownloadButton';
import { ImportJobPanel } from '../features/imports/ImportJobPanel';
import { RecentImports } from '../features/imports/RecentImports';
import {
  bytesWords,
  DATASET_LABELS,
  DATASET_OPTIONS,
  fileNameHeader,
  type ImportDataset,
  type ImportJob,
  type ImportMode,
  type ImportOnError,
  importUrl,
  isMalformedFile,
  malformedFileView,
  type MalformedView,
  ON_ERROR_OPTIONS,
  surgeonOptionsFromGroups,
  surgeonOptionsFromUsers,
  templateFileName,
  UPLOAD_CONTENT_TYPE,
} from '../logic/imports.js';
import type { Option } from '../logic/labels.js';
import { describeProblem } from '../logic/problem.js';
import { answer } from '../logic/refusal.js';

type Refusal = { kind: 'malformed'; view: MalformedView } | { kind: 'refused'; message: string };

type UploadOutcome = { kind: 'started'; job: ImportJob } | Refusal;

// The raw file as the request body (text/csv, its name in X-File-Name), with the session's bearer token as the API
// client sends it (openapi-fetch would serialise the body; the stream is the file's own bytes).
async function upload(
  file: File,
  request: { dataset: ImportDataset; mode: ImportMode; onError: ImportOnError; surgeonId: string },
): Promise<UploadOutcome> {
  const token = currentToken();
  const name = fileNameHeader(file.name);
  let response: Response;
  try {
    response = await fetch(importUrl(request), {
      method: 'POST',
      headers: {
        'Content-Type': UPLOAD_CONTENT_TYPE,
        Accept: 'application/json',
        ...(name ? { 'X-File-Name': name } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: file,
    });
  } catch {
    return { kind: 'refused', message: describeProblem(0, undefined).message };
  }
  if (response.status === 401 && token) endSession('expired');
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 202 && body && typeof body === 'object') return { kind: 'started', job: body as ImportJob };
  if (isMalformedFile(body)) return { kind: 'malformed', view: malformedFileView(body) };
  const view = describeProblem(response.status, body);
  return {
    kind: 'refused',
    message: [view.message, ...Object.values(view.fieldErrors), ...view.otherErrors].join(' '),
  };
}

// The surgeons a default may be chosen from: an administrator lists the users; registry staff see the surgeons
// with cases, by name, in the outcomes report grouped by surgeon.
function useSurgeonOptions(role: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['import-surgeons', role],
    enabled: enabled && (role === 'admin' || role === 'registry_staff'),
    queryFn: async ({ signal }): Promise<Option[]> => {
      if (role === 'admin') {
        const users = await answer(api.GET('/api/v1/users', { params: { query: { limit: 500 } }, signal }));
        return surgeonOptionsFromUsers(users.items);
      }
      const report = await answer(
        api.GET('/api/v1/reports/outcomes', { params: { query: { groupBy: 'surgeon', format: 'json' } }, signal }),
      );
      // The route also answers CSV; asked for JSON, a text body would be a server fault.
      if (typeof report !== 'object') throw new Error('The registry answered the surgeons in an unexpected format.');
      return surgeonOptionsFromGroups(
        (report as { groups: Array<{ key: string; surgeonLabel?: string | null }> }).groups,
      );
    },
  });
}

export function ImportsPage() {
  const role = useSession()?.user.role;
  const queryClient = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [dataset, setDataset] = useState<ImportDataset>('cases');
  const [file, setFile] = useState<File | null>(null);
  const [onError, setOnError] = useState<ImportOnError>('reject_all');
  const [surgeonId, setSurgeonId] = useState('');
  const [sending, setSending] = useState<ImportMode | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const surgeons = useSurgeonOptions(role, dataset === 'cases');

  const start = async (mode: ImportMode) => {
    if (!file) {
      setRefusal({ kind: 'refused', message: 'Choose a CSV file first.' });
      fileInput.current?.focus();
      return;
    }
    setRefusal(null);
    setSending(mode);
    try {
      const outcome = await upload(file, { dataset, mode, onError, surgeonId });
      if (outcome.kind !== 'started') {
        setRefusal(outcome);
        return;
      }
      queryClient.setQueryData(['import', outcome.job.id], outcome.job);
      setJobId(outcome.job.id);
      await queryClient.invalidateQueries({ queryKey: ['imports'] });
    } finally {
      setSending(null);
    }
  };

  const datasetWords = DATASET_LABELS[dataset].toLowerCase();
  return (
    <Stack gap="lg" maw={1200}>
      <Title order={1}>Imports</Title>
      <Text>
        Bring historical records in from a spreadsheet saved as CSV. Check the file first: a check writes nothing and
        lists every row to fix, by line and column. Fix the file, check it again, then import it.
      </Text>

      <Paper withBorder p="md" component="section" aria-labelledby="import-templates">
        <Stack gap="xs">
          <Title order={2} size="h3" id="import-templates">
            Templates for {datasetWords}
          </Title>
          <Text size="sm">
            The template is the header row of an importable file; the column list says what each column takes. An
            identified export of the same dataset imports as it is.
          </Text>
          <Group>
            <DownloadButton
              fileName={templateFileName(dataset, false)}
              request={() => api.GET('/api/v1/imports/template', { params: { query: { dataset } }, parseAs: 'blob' })}
            >
              {`Download the ${datasetWords} template (CSV)`}
            </DownloadButton>
            <DownloadButton
              fileName={templateFileName(dataset, true)}
              request={() =>
                api.GET('/api/v1/imports/template', {
                  params: { query: { dataset, file: 'columns' } },
                  parseAs: 'blob',
                })
              }
            >
              {`Download the ${datasetWords} column list (CSV)`}
            </DownloadButton>
          </Group>
        </Stack>
      </Paper>

      <form
        aria-labelledby="import-upload"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void start('validate');
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h3" id="import-upload">
            Upload a file
          </Title>
          <Group align="flex-start" grow preventGrowOverflow={false}>
            <NativeSelect
              label="Dataset"
              data={DATASET_OPTIONS}
              value={dataset}
              onChange={(event) => {
                setDataset(event.currentTarget.value as ImportDataset);
                setRefusal(null);
              }}
              maw={280}
            />
            <Input.Wrapper
              label="CSV file"
              labelElement="label"
              id="import-file"
              description={file ? `${file.name}, ${bytesWords(file.size)}` : 'A .csv file, UTF-8'}
            >
              <input
                id="import-file"
                ref={fileInput}
                type="file"
                accept=".csv,text/csv"
                aria-describedby="import-file-description"
                style={{ display: 'block', marginTop: 6 }}
                onChange={(event) => {
                  setFile(event.currentTarget.files?.[0] ?? null);
                  setRefusal(null);
                }}
              />
            </Input.Wrapper>
            {dataset === 'cases' && (
              <NativeSelect
                label="Default surgeon"
                description={
                  surgeons.isError
                    ? 'The surgeons could not be loaded: rows must name theirs (surgeonEmail)'
                    : 'For rows without a surgeonEmail'
                }
                data={[{ value: '', label: 'None: each row names its surgeon' }, ...(surgeons.data ?? [])]}
                value={surgeonId}
                onChange={(event) => setSurgeonId(event.currentTarget.value)}
                disabled={surgeons.isPending && surgeons.fetchStatus !== 'idle'}
                maw={360}
              />
            )}
          </Group>
          <Radio.Group
            label="When importing, rows with problems"
            value={onError}
            onChange={(value) => setOnError(value as ImportOnError)}
          >
            <Group mt={4}>
              {ON_ERROR_OPTIONS.map((o) => (
                <Radio key={o.value} value={o.value} label={o.label} />
              ))}
            </Group>
          </Radio.Group>
          {refusal?.kind === 'malformed' && (
            <Alert color="red" title={refusal.view.title} role="alert" data-testid="import-malformed">
              <Text>{refusal.view.message}</Text>
              {refusal.view.columns.length > 0 && (
                <List size="sm" mt="xs">
                  {refusal.view.columns.map((c) => (
                    <List.Item key={c}>{c}</List.Item>
                  ))}
                </List>
              )}
              {refusal.view.advice && (
                <Text size="sm" mt="xs">
                  {refusal.view.advice}
                </Text>
              )}
            </Alert>
          )}
          {refusal?.kind === 'refused' && (
            <Alert color="red" title="The file was not taken" role="alert">
              {refusal.message}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={sending === 'validate'} disabled={sending !== null}>
              Check the file
            </Button>
            <Button
              variant="outline"
              loading={sending === 'commit'}
              disabled={sending !== null}
              onClick={() => void start('commit')}
            >
              Import
            </Button>
          </Group>
        </Stack>
      </form>

      {jobId && <ImportJobPanel key={jobId} id={jobId} />}
      <RecentImports selected={jobId} onSelect={setJobId} />
    </Stack>
  );
}
