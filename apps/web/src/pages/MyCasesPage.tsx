import {
  Alert,
  Anchor,
  Badge,
  Button,
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
import { useMemo, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { CASE_STATUS, RELEASE_LOCATION, SIDE, type Vocabulary } from '@ilr/clinical';
import { api, errorText, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { useSession } from '../auth/session';
import { overdueText } from '../logic/overdue';
import { dateInWords } from '../logic/visit-labels';
import { surgeonNamer } from '../logic/surgeons';

type ListQuery = NonNullable<paths['/api/v1/cases']['get']['parameters']['query']>;

// The filters as the form holds them ('' = any).
interface Filters {
  from: string;
  to: string;
  side: string;
  releaseLocation: string;
  impingementRepair: string;
  status: string;
  q: string;
  // Staff: one patient's cases (found by MRN).
  patientId: string;
}

const NO_FILTERS: Filters = {
  from: '',
  to: '',
  side: '',
  releaseLocation: '',
  impingementRepair: '',
  status: '',
  q: '',
  patientId: '',
};
const PAGE_SIZES = ['10', '25', '50'];

function toQuery(filters: Filters, limit: number, cursor: string | undefined): ListQuery {
  const query: ListQuery = { limit };
  if (filters.from) query.from = filters.from;
  if (filters.to) query.to = filters.to;
  if (filters.side) query.side = filters.side as ListQuery['side'];
  if (filters.releaseLocation) query.releaseLocation = filters.releaseLocation as ListQuery['releaseLocation'];
  if (filters.impingementRepair) query.impingementRepair = filters.impingementRepair === 'yes';
  if (filters.status) query.status = filters.status as ListQuery['status'];
  if (filters.q.trim()) query.q = filters.q.trim();
  if (filters.patientId) query.patientId = filters.patientId;
  if (cursor) query.cursor = cursor;
  return query;
}

// "Any" first, then the vocabulary's codes with their words.
function options<C extends string>(vocabulary: Vocabulary<C>) {
  return [
    { value: '', label: 'Any' },
    ...vocabulary.codes.map((code) => ({ value: code, label: vocabulary.labels[code] })),
  ];
}

function label<C extends string>(vocabulary: Vocabulary<C>, code: C | null | undefined): string {
  return code ? (vocabulary.labels[code] ?? code) : '—';
}

// The patient an MRN search found (their cases are listed), or that none has this MRN.
type MrnOutcome =
  | { kind: 'found'; mrn: string; patientId: string; birthDate?: string }
  | { kind: 'none'; mrn: string }
  | { kind: 'error'; message: string };

export function MyCasesPage() {
  const role = useSession()?.user.role;
  // Registry staff and administrators reach every case: "Cases", with the surgeon of each, and search by MRN.
  const staff = role === 'registry_staff' || role === 'admin';
  const [mrn, setMrn] = useState('');
  const [mrnOutcome, setMrnOutcome] = useState<MrnOutcome | null>(null);
  const [finding, setFinding] = useState(false);
  // A page that sent the surgeon here says what it did ("ILR-000012 deleted").
  const done = (useLocation().state as { saved?: string } | null)?.saved;
  // What the form shows, and what was applied (the query runs on the applied filters only).
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  // The page size may come with the link (/cases?limit=50), else 25.
  const [searchParams] = useSearchParams();
  const [limit, setLimit] = useState(() =>
    PAGE_SIZES.includes(searchParams.get('limit') ?? '') ? Number(searchParams.get('limit')) : 25,
  );
  // Cursor pagination: the cursors of the pages before this one (undefined = the first page).
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];

  // The server lists a surgeon's own cases only: no surgeonId filter needed for "My cases".
  const cases = useQuery({
    queryKey: ['cases', applied, limit, cursor],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/cases', {
          params: { query: toQuery(applied, limit, cursor) },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  // Surgeon names: only an administrator may list users; staff see the surgeons by letter.
  const users = useQuery({
    queryKey: ['users', 'names'],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/users', { params: { query: { limit: 500 } }, signal })),
    enabled: role === 'admin',
  });

  const set = (field: keyof Filters) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [field]: event.currentTarget.value });
  const apply = (filters: Filters) => {
    setApplied(filters);
    setCursors([undefined]);
  };

  const page = cursors.length;
  const items = useMemo(() => cases.data?.items ?? [], [cases.data]);
  const surgeonOf = useMemo(
    () => surgeonNamer(items, new Map((users.data?.items ?? []).map((u) => [u.id, u.displayName]))),
    [items, users.data],
  );

  const findByMrn = async () => {
    const wanted = mrn.trim();
    if (!wanted) return;
    setFinding(true);
    try {
      const found = unwrap(await api.GET('/api/v1/patients', { params: { query: { mrn: wanted } } }));
      const patient = found.items[0];
      setMrnOutcome(
        patient
          ? { kind: 'found', mrn: wanted, patientId: patient.id, birthDate: patient.birthDate }
          : { kind: 'none', mrn: wanted },
      );
      const next = { ...draft, patientId: patient?.id ?? '' };
      setDraft(next);
      if (patient || applied.patientId) apply(next);
    } catch (error) {
      setMrnOutcome({ kind: 'error', message: errorText(error) });
    } finally {
      setFinding(false);
    }
  };
  const clearMrn = () => {
    setMrn('');
    setMrnOutcome(null);
    const next = { ...draft, patientId: '' };
    setDraft(next);
    apply(next);
  };
  const title = staff ? 'Cases' : 'My cases';
  return (
    <Stack>
      <Title order={1}>{title}</Title>
      {done && (
        <Alert color="blue" title="Done" role="status">
          {done}.
        </Alert>
      )}
      {staff && (
        <form
          aria-label="Find a patient's cases by MRN"
          onSubmit={(event) => {
            event.preventDefault();
            void findByMrn();
          }}
        >
          <Stack gap="xs">
            <Group align="flex-end">
              <TextInput
                label="Patient MRN"
                description="The exact medical record number"
                value={mrn}
                onChange={(event) => setMrn(event.currentTarget.value)}
                maxLength={64}
                autoComplete="off"
                w={280}
              />
              <Button type="submit" variant="light" loading={finding} disabled={!mrn.trim()}>
                Find by MRN
              </Button>
              {draft.patientId && (
                <Button variant="default" onClick={clearMrn}>
                  Every patient
                </Button>
              )}
            </Group>
            <div aria-live="polite">
              {mrnOutcome?.kind === 'found' && (
                <Text size="sm" data-testid="mrn-outcome">
                  The cases of patient {mrnOutcome.mrn}
                  {mrnOutcome.birthDate ? `, born ${dateInWords(mrnOutcome.birthDate)}` : ''}.
                </Text>
              )}
              {mrnOutcome?.kind === 'none' && (
                <Text size="sm" data-testid="mrn-outcome">
                  No registered patient has the MRN {mrnOutcome.mrn}.
                </Text>
              )}
              {mrnOutcome?.kind === 'error' && (
                <Alert color="red" title="The patient could not be looked up" role="alert">
                  {mrnOutcome.message}
                </Alert>
              )}
            </div>
          </Stack>
        </form>
      )}
      <form
        aria-label="Filter cases"
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
            <TextInput
              label="Registry code"
              placeholder="ILR-0001"
              value={draft.q}
              onChange={set('q')}
              maxLength={16}
            />
            <TextInput label="Surgery from" type="date" value={draft.from} onChange={set('from')} />
            <TextInput label="Surgery to" type="date" value={draft.to} onChange={set('to')} />
            <NativeSelect label="Side" data={options(SIDE)} value={draft.side} onChange={set('side')} />
            <NativeSelect
              label="Release location"
              data={options(RELEASE_LOCATION)}
              value={draft.releaseLocation}
              onChange={set('releaseLocation')}
            />
            <NativeSelect
              label="Impingement repair"
              data={[
                { value: '', label: 'Any' },
                { value: 'yes', label: 'Performed' },
                { value: 'no', label: 'Not performed' },
              ]}
              value={draft.impingementRepair}
              onChange={set('impingementRepair')}
            />
            <NativeSelect label="Status" data={options(CASE_STATUS)} value={draft.status} onChange={set('status')} />
            <NativeSelect
              label="Rows per page"
              data={PAGE_SIZES}
              value={String(limit)}
              onChange={(event) => {
                setLimit(Number(event.currentTarget.value));
                setCursors([undefined]);
              }}
            />
          </SimpleGrid>
          <Group>
            <Button type="submit">Apply filters</Button>
            <Button
              variant="default"
              onClick={() => {
                setDraft(NO_FILTERS);
                apply(NO_FILTERS);
                setMrn('');
                setMrnOutcome(null);
              }}
            >
              Clear filters
            </Button>
          </Group>
        </Stack>
      </form>

      {cases.isPending && (
        <Group>
          <Loader size="sm" aria-label="Loading cases" />
          <Text>Loading cases…</Text>
        </Group>
      )}
      {cases.isError && (
        <Alert color="red" title="The cases could not be loaded" role="alert">
          {errorText(cases.error)}
          <Group mt="sm">
            <Button size="xs" variant="default" onClick={() => void cases.refetch()}>
              Try again
            </Button>
          </Group>
        </Alert>
      )}
      {cases.isSuccess && (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover aria-label={title} aria-busy={cases.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Registry code</Table.Th>
                  {staff && <Table.Th scope="col">Surgeon</Table.Th>}
                  <Table.Th scope="col">Surgery date</Table.Th>
                  <Table.Th scope="col">Side</Table.Th>
                  <Table.Th scope="col">Release location</Table.Th>
                  <Table.Th scope="col">Impingement repair</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Follow-up</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => {
                  const overdue = overdueText(item.overdueTimepoints);
                  return (
                    <Table.Tr key={item.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/cases/${item.id}`}>
                          {item.registryCode}
                        </Anchor>
                      </Table.Td>
                      {staff && <Table.Td>{surgeonOf(item.surgeonId)}</Table.Td>}
                      <Table.Td>{item.surgeryDate}</Table.Td>
                      <Table.Td>{label(SIDE, item.side)}</Table.Td>
                      <Table.Td>{label(RELEASE_LOCATION, item.release?.location)}</Table.Td>
                      <Table.Td>
                        {item.impingementRepair == null
                          ? '—'
                          : item.impingementRepair.performed
                            ? 'Performed'
                            : 'Not performed'}
                      </Table.Td>
                      <Table.Td>
                        {item.status === 'draft' ? (
                          <Badge color="yellow" variant="light" c="dark" miw="max-content">
                            {CASE_STATUS.labels.draft}
                          </Badge>
                        ) : (
                          CASE_STATUS.labels[item.status]
                        )}
                      </Table.Td>
                      <Table.Td>
                        {overdue ? (
                          <Badge
                            color="orange"
                            variant="light"
                            c="dark"
                            tt="none"
                            h="auto"
                            py={2}
                            radius="sm"
                            // A long list wraps rather than being cut short.
                            styles={{ label: { whiteSpace: 'normal' } }}
                            data-testid="overdue"
                          >
                            {overdue}
                          </Badge>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {items.length === 0 && <Text>No cases match these filters.</Text>}
          <Group justify="space-between">
            <Text size="sm" aria-live="polite">
              Page {page}
              {cases.isFetching ? ' (updating…)' : ''}
            </Text>
            <Group>
              <Button variant="default" disabled={page === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous page
              </Button>
              <Button
                variant="default"
                disabled={!cases.data.nextCursor || cases.isPlaceholderData}
                onClick={() => setCursors([...cursors, cases.data.nextCursor ?? undefined])}
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
