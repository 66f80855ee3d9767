// The surgeon's Case view: every field in words, its follow-ups and complications, signing, amending,
// deleting with a reason, and the audit history with whether its chain verifies. Another surgeon's case
// and an unknown id read the same: "Case not found".
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Loader,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import { InvitationsPanel } from '../features/invitations/InvitationsPanel';
import {
  type CaseResponse,
  caseViewGroups,
  complicationRows,
  followUpRows,
  historyRows,
  readCount,
  signerOf,
} from '../logic/case-view.js';
import { describeProblem, type ProblemView } from '../logic/problem.js';
import { instantWords } from '../logic/visit-labels.js';

class Refused extends Error {
  constructor(readonly view: ProblemView) {
    super(view.message);
  }
}

interface Loaded {
  stored: CaseResponse;
  etag: string;
}

export function CaseNotFound() {
  return (
    <Stack>
      <Title order={1}>Case not found</Title>
      <Text>There is no case of yours at this address. It may have been deleted, or the address may be mistyped.</Text>
      <Anchor component={Link} to="/cases">
        Go to my cases
      </Anchor>
    </Stack>
  );
}

function Failure({ title, view }: { title: string; view: ProblemView }) {
  return (
    <Alert color="red" title={title} role="alert">
      {view.message}
    </Alert>
  );
}

// A light alert with its title in the text colour (Mantine's green and orange titles are too pale for axe).
export function Notice({
  color,
  title,
  role = 'status',
  children,
}: {
  color: 'green' | 'orange';
  title: string;
  role?: 'status' | 'alert';
  children: React.ReactNode;
}) {
  return (
    <Alert color={color} title={title} role={role} styles={{ title: { color: 'var(--mantine-color-text)' } }}>
      {children}
    </Alert>
  );
}

const problemOf = (error: unknown) => (error instanceof Refused ? error.view : describeProblem(0, undefined));

export function CaseViewPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const saved = (location.state as { saved?: string } | null)?.saved;
  const role = useSession()?.user.role;
  // Who may correct visits and complications (a surgeon reads only their own cases) and who may change the case.
  const mayCorrect = role === 'surgeon' || role === 'registry_staff' || role === 'admin';
  const mayChangeCase = role === 'surgeon' || role === 'admin';
  const staff = role === 'registry_staff' || role === 'admin';
  const [deleting, setDeleting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);

  const theCase = useQuery({
    // Its own key under ['case', id]: the new follow-up and complication pages cache the bare case there.
    queryKey: ['case', id, 'view'],
    queryFn: async ({ signal }): Promise<Loaded> => {
      // Not from the HTTP cache: the case's ETag stays the same when one of its visits or complications changes.
      const result = await api.GET('/api/v1/cases/{id}', { params: { path: { id } }, signal, cache: 'no-store' });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return { stored: result.data, etag: result.response.headers.get('etag') ?? `"${result.data.version}"` };
    },
    retry: false,
  });
  const history = useQuery({
    queryKey: ['case', id, 'history'],
    queryFn: async ({ signal }) => {
      const result = await api.GET('/api/v1/cases/{id}/history', { params: { path: { id } }, signal });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return result.data;
    },
    enabled: theCase.isSuccess,
    retry: false,
  });
  const patientId = theCase.data?.stored.patientId;
  const patient = useQuery({
    queryKey: ['patient', patientId],
    queryFn: async ({ signal }) => {
      const result = await api.GET('/api/v1/patients/{id}', { params: { path: { id: patientId! } }, signal });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return result.data;
    },
    enabled: !!patientId,
    retry: false,
  });

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['case', id] });

  const sign = useMutation({
    mutationFn: async () => {
      const result = await api.POST('/api/v1/cases/{id}/sign', {
        params: { path: { id }, header: { 'If-Match': theCase.data!.etag } },
      });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return result.data;
    },
    onSettled: async () => {
      await refresh();
      await queryClient.invalidateQueries({ queryKey: ['cases'] });
    },
  });

  const remove = useMutation({
    mutationFn: async (why: string) => {
      const result = await api.DELETE('/api/v1/cases/{id}', {
        params: { path: { id }, header: { 'If-Match': theCase.data!.etag } },
        body: { reason: why },
      });
      if (result.error !== undefined || !result.response.ok)
        throw new Refused(describeProblem(result.response.status, result.error));
    },
    // A refusal (412: changed meanwhile) re-reads the case, so that trying again sends its current version.
    onError: () => refresh(),
    onSuccess: async () => {
      const code = theCase.data?.stored.registryCode ?? 'The case';
      await queryClient.invalidateQueries({ queryKey: ['cases'] });
      queryClient.removeQueries({ queryKey: ['case', id] });
      navigate('/cases', { state: { saved: `${code} deleted` } });
    },
  });

  if (theCase.isPending) return <Loader aria-label="Loading the case" />;
  if (theCase.isError) {
    const view = problemOf(theCase.error);
    if (view.kind === 'not_found') return <CaseNotFound />;
    return <Failure title="The case could not be loaded" view={view} />;
  }

  const { stored } = theCase.data;
  const signed = stored.status === 'signed';
  const signer = history.data ? signerOf(history.data.items) : null;
  const groups = caseViewGroups(stored, patient.data);
  const followUps = followUpRows(stored.followUps ?? []);
  const complications = complicationRows(stored.complications ?? []);

  const confirmDelete = () => {
    const why = reason.trim();
    if (!why) {
      setReasonError('Give the reason for deleting this case.');
      return;
    }
    remove.mutate(why);
  };

  return (
    <Stack gap="lg" maw={1100}>
      <Anchor component={Link} to="/cases">
        {staff ? 'Back to the cases' : 'Back to my cases'}
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={1}>{stored.registryCode}</Title>
            <Badge color={signed ? 'teal.9' : 'gray'} variant={signed ? 'filled' : 'outline'} size="lg">
              {signed ? 'Signed' : 'Draft'}
            </Badge>
          </Group>
          {signed && (
            <Text size="sm" c="dimmed">
              Signed by {signer?.name ?? (history.isPending ? '…' : 'the surgeon')} on{' '}
              {instantWords(signer?.at ?? stored.signedAt ?? '')}
            </Text>
          )}
          {!signed && (
            <Text size="sm" c="dimmed">
              A draft: check it and sign it when it is complete.
            </Text>
          )}
        </Stack>
        {mayChangeCase && (
          <Group gap="sm">
            {!signed && (
              <Button onClick={() => sign.mutate()} loading={sign.isPending}>
                Sign
              </Button>
            )}
            <Button component={Link} to={`/cases/${id}/edit`} variant="light">
              {signed ? 'Amend' : 'Edit'}
            </Button>
            <Button
              color="red"
              variant="outline"
              onClick={() => {
                setReason('');
                setReasonError(null);
                remove.reset();
                setDeleting(true);
              }}
            >
              Delete
            </Button>
          </Group>
        )}
      </Group>

      {saved && !sign.isSuccess && (
        <Notice color="green" title="Saved">
          {saved}.
        </Notice>
      )}
      {sign.isSuccess && (
        <Notice color="green" title="Signed">
          {stored.registryCode} is signed. Later changes are amendments, each with its reason.
        </Notice>
      )}
      {sign.isError && <Failure title="The case was not signed" view={problemOf(sign.error)} />}
      {patient.isError && <Failure title="The patient could not be loaded" view={problemOf(patient.error)} />}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        {groups.map((group) => (
          <Card key={group.legend} withBorder padding="md">
            <Title order={2} size="h4" mb="xs">
              {group.legend}
            </Title>
            <Table variant="vertical" layout="fixed" withRowBorders={false} verticalSpacing={4}>
              <Table.Tbody>
                {group.rows.map((row) => (
                  <Table.Tr key={row.path}>
                    <Table.Th w="45%" scope="row">
                      {row.label}
                    </Table.Th>
                    <Table.Td>{row.value}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        ))}
      </SimpleGrid>

      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h3">
            Follow-ups
          </Title>
          {mayCorrect && (
            <Button component={Link} to={`/cases/${id}/follow-ups/new`} variant="light">
              Add follow-up
            </Button>
          )}
        </Group>
        {followUps.length ? (
          <Table striped aria-label="Follow-ups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Timepoint</Table.Th>
                <Table.Th>Visit date</Table.Th>
                <Table.Th>Contact</Table.Th>
                <Table.Th>Questionnaire scores</Table.Th>
                {mayCorrect && <Table.Th>Correct</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {followUps.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>{row.timepoint}</Table.Td>
                  <Table.Td>
                    {row.visitDate} (day {row.day})
                  </Table.Td>
                  <Table.Td>{row.contactMode}</Table.Td>
                  <Table.Td>
                    {row.proms.length ? (
                      <List size="sm">
                        {row.proms.map((line) => (
                          <List.Item key={line}>{line}</List.Item>
                        ))}
                      </List>
                    ) : (
                      'None'
                    )}
                  </Table.Td>
                  {mayCorrect && (
                    <Table.Td>
                      <Anchor
                        component={Link}
                        to={`/follow-ups/${row.id}/edit?case=${id}`}
                        aria-label={`Edit the ${row.timepoint} follow-up of ${row.visitDate}`}
                      >
                        Edit
                      </Anchor>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm">No follow-up visits recorded yet.</Text>
        )}
      </Stack>

      <InvitationsPanel caseId={id} patientId={stored.patientId} />

      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h3">
            Complications
          </Title>
          {mayCorrect && (
            <Button component={Link} to={`/cases/${id}/complications/new`} variant="light">
              Add complication
            </Button>
          )}
        </Group>
        {complications.length ? (
          <Table striped aria-label="Complications">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Complication</Table.Th>
                <Table.Th>Onset</Table.Th>
                <Table.Th>Grades</Table.Th>
                {mayCorrect && <Table.Th>Correct</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {complications.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>{row.type}</Table.Td>
                  <Table.Td>{row.onset}</Table.Td>
                  <Table.Td>{row.grades.join('; ')}</Table.Td>
                  {mayCorrect && (
                    <Table.Td>
                      <Anchor
                        component={Link}
                        to={`/complications/${row.id}/edit?case=${id}`}
                        aria-label={`Edit the complication ${row.type}, ${row.onset}`}
                      >
                        Edit
                      </Anchor>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm">No complications recorded.</Text>
        )}
      </Stack>

      <Stack gap="xs">
        <Title order={2} size="h3">
          History
        </Title>
        {history.isPending && <Loader size="sm" aria-label="Loading the history" />}
        {history.isError && <Failure title="The history could not be loaded" view={problemOf(history.error)} />}
        {history.data &&
          (history.data.chainIntact ? (
            <Notice color="green" title="The audit chain verifies">
              No event of this case has been edited or removed since it was recorded.
            </Notice>
          ) : (
            <Alert color="red" title="The audit chain does not verify" role="alert">
              An event of this case no longer matches what was recorded, or one is missing. Tell the registry office.
            </Alert>
          ))}
        {history.data && (
          <Table striped aria-label="History">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Who</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Field</Table.Th>
                <Table.Th>Before → after</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {historyRows(history.data.items).map((row) => (
                <Table.Tr key={row.key}>
                  <Table.Td>{row.who}</Table.Td>
                  <Table.Td>{instantWords(row.at)}</Table.Td>
                  <Table.Td>{row.action}</Table.Td>
                  <Table.Td>{row.field}</Table.Td>
                  <Table.Td>{row.before || row.after ? `${row.before} → ${row.after}` : ''}</Table.Td>
                  <Table.Td>{row.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {history.data && readCount(history.data.items) > 0 && (
          <Text size="sm" c="dimmed">
            The case was also opened {readCount(history.data.items)} times; each reading is kept in the audit trail.
          </Text>
        )}
      </Stack>

      {/* No scroll lock: it injects a <style> element, which the Content-Security-Policy refuses. */}
      <Modal
        opened={deleting}
        onClose={() => setDeleting(false)}
        title={`Delete ${stored.registryCode}`}
        centered
        lockScroll={false}
        closeButtonProps={{ 'aria-label': 'Close without deleting' }}
      >
        <Stack>
          <Text size="sm">The case leaves your lists and the reports; its history is kept. Say why it is deleted.</Text>
          <Textarea
            label="Reason for deleting"
            withAsterisk
            autosize
            minRows={2}
            maxLength={500}
            value={reason}
            error={reasonError}
            onChange={(event) => {
              setReason(event.currentTarget.value);
              setReasonError(null);
            }}
            data-autofocus
          />
          {remove.isError && <Failure title="The case was not deleted" view={problemOf(remove.error)} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              Cancel
            </Button>
            <Button color="red" onClick={confirmDelete} loading={remove.isPending}>
              Delete the case
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
