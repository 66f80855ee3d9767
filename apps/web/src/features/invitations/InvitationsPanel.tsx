// The case page's questionnaires (step 12): the patient's questionnaire contact (email, whether they accept the
// emails) with an edit, and one row per timepoint of GET /cases/:id/invitations — its window, its status in words,
// the last mail, the reminders, the visit the answers became — with "Send now" / "Resend" where the server allows it.
// For the roles that see the MRN (surgeon, registry staff, admin); a quality reviewer sees none of it.
import { Alert, Anchor, Button, Group, Loader, Radio, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { useSession } from '../../auth/session';
import {
  checkContact,
  contactPatch,
  type ContactValues,
  contactValues,
  EMAIL_MAX_LENGTH,
  eligibilityText,
  type InvitationAction,
  invitationRows,
  type InvitationsResponse,
  type InvitationTimepoint,
  PROM_INVITATION_OPTIONS,
  PROM_INVITATION_WORDS,
  type PromInvitations,
  sentMessage,
} from '../../logic/invitations.js';
import { describeProblem, type ProblemView } from '../../logic/problem.js';
import { localToday } from '../case-form/case-submission.js';

class Refused extends Error {
  constructor(readonly view: ProblemView) {
    super(view.message);
  }
}

const problemOf = (error: unknown) => (error instanceof Refused ? error.view : describeProblem(0, undefined));

function Failure({ title, error }: { title: string; error: unknown }) {
  const view = problemOf(error);
  return (
    <Alert color="red" title={title} role="alert">
      {view.message}
      {view.otherErrors.length > 0 && ` ${view.otherErrors.join(' ')}`}
    </Alert>
  );
}

function Confirmation({ children }: { children: React.ReactNode }) {
  return (
    <Alert color="green" title="Done" role="status" styles={{ title: { color: 'var(--mantine-color-text)' } }}>
      {children}
    </Alert>
  );
}

const SEES_CONTACT = new Set(['surgeon', 'registry_staff', 'admin']);

export function InvitationsPanel({ caseId, patientId }: { caseId: string; patientId: string }) {
  const role = useSession()?.user.role;
  if (!role || !SEES_CONTACT.has(role)) return null;
  return (
    <Stack gap="sm">
      <Title order={2} size="h3">
        Questionnaires
      </Title>
      <QuestionnaireContact caseId={caseId} patientId={patientId} />
      <InvitationsTable caseId={caseId} />
    </Stack>
  );
}

function InvitationsTable({ caseId }: { caseId: string }) {
  const queryClient = useQueryClient();
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const key = ['case', caseId, 'invitations'];
  const invitations = useQuery({
    queryKey: key,
    queryFn: async ({ signal }): Promise<InvitationsResponse> => {
      const result = await api.GET('/api/v1/cases/{id}/invitations', {
        params: { path: { id: caseId } },
        signal,
        cache: 'no-store',
      });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return result.data;
    },
    retry: false,
  });
  const send = useMutation({
    mutationFn: async ({ timepoint }: { timepoint: InvitationTimepoint; kind: InvitationAction['kind'] }) => {
      const result = await api.POST('/api/v1/cases/{id}/invitations/{timepoint}/send', {
        params: { path: { id: caseId, timepoint } },
      });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return result.data;
    },
    onMutate: () => setConfirmation(null),
    onSuccess: (view, { kind }) => setConfirmation(sentMessage(kind, view)),
    // Refused or not, the rows are read again (a refusal may mean the state changed meanwhile).
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });

  if (invitations.isPending) return <Loader size="sm" aria-label="Loading the invitations" />;
  if (invitations.isError) return <Failure title="The invitations could not be loaded" error={invitations.error} />;

  const rows = invitationRows(invitations.data.items, localToday());
  const notInvitable = eligibilityText(invitations.data.eligibility);
  const withActions = rows.some((row) => row.action);

  return (
    <Stack gap="xs">
      {notInvitable && <Text size="sm">{notInvitable}</Text>}
      {confirmation && <Confirmation>{confirmation}</Confirmation>}
      {send.isError && <Failure title="The questionnaire was not sent" error={send.error} />}
      <Table striped aria-label="Questionnaire invitations">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Timepoint</Table.Th>
            <Table.Th>Window</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last mail</Table.Th>
            <Table.Th>Reminders</Table.Th>
            <Table.Th>Answered</Table.Th>
            {withActions && <Table.Th>Send</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.timepoint}>
              <Table.Td>{row.timepointLabel}</Table.Td>
              <Table.Td>{row.window}</Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {row.status}
                </Text>
                {row.detail && <Text size="sm">{row.detail}</Text>}
              </Table.Td>
              <Table.Td>{row.lastMail}</Table.Td>
              <Table.Td>{row.reminders}</Table.Td>
              <Table.Td>
                {row.answered ? (
                  row.answered.followUpId ? (
                    <Anchor
                      component={Link}
                      to={`/follow-ups/${row.answered.followUpId}/edit?case=${caseId}`}
                      aria-label={`Open the ${row.timepointLabel} visit the answers became (answered ${row.answered.at})`}
                    >
                      {row.answered.at}
                    </Anchor>
                  ) : (
                    row.answered.at
                  )
                ) : (
                  'No'
                )}
              </Table.Td>
              {withActions && (
                <Table.Td>
                  {row.action && (
                    <Button
                      size="xs"
                      variant={row.action.kind === 'send' ? 'filled' : 'light'}
                      aria-label={row.action.ariaLabel}
                      loading={send.isPending && send.variables?.timepoint === row.timepoint}
                      disabled={send.isPending && send.variables?.timepoint !== row.timepoint}
                      onClick={() => send.mutate({ timepoint: row.timepoint, kind: row.action!.kind })}
                    >
                      {row.action.label}
                    </Button>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

interface LoadedPatient {
  contact: ContactValues;
  etag: string;
}

function QuestionnaireContact({ caseId, patientId }: { caseId: string; patientId: string }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<ContactValues | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const key = ['patient', patientId, 'contact'];
  const patient = useQuery({
    queryKey: key,
    queryFn: async ({ signal }): Promise<LoadedPatient> => {
      // Not from the HTTP cache: the ETag must be the stored version's.
      const result = await api.GET('/api/v1/patients/{id}', {
        params: { path: { id: patientId } },
        signal,
        cache: 'no-store',
      });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      return {
        contact: contactValues(result.data),
        etag: result.response.headers.get('etag') ?? `"${result.data.version}"`,
      };
    },
    retry: false,
  });
  const save = useMutation({
    mutationFn: async (values: ContactValues) => {
      const loaded = patient.data!;
      const body = contactPatch(loaded.contact, values);
      if (!Object.keys(body).length) return;
      const result = await api.PATCH('/api/v1/patients/{id}', {
        params: { path: { id: patientId }, header: { 'If-Match': loaded.etag } },
        body,
      });
      if (!result.data)
        throw new Refused(
          describeProblem(result.response.status, result.error, { formFields: ['email', 'promInvitations'] }),
        );
    },
    onSuccess: async () => {
      setEditing(null);
      setSaved(true);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['patient', patientId] }),
        queryClient.invalidateQueries({ queryKey: ['case', caseId, 'invitations'] }),
      ]);
    },
    // 412 (changed meanwhile): read the patient again, so that saving again sends the current version.
    onError: () => queryClient.invalidateQueries({ queryKey: key }),
  });

  if (patient.isPending) return <Loader size="sm" aria-label="Loading the questionnaire contact" />;
  if (patient.isError) return <Failure title="The questionnaire contact could not be loaded" error={patient.error} />;
  const { contact } = patient.data;
  const serverErrors = save.error ? problemOf(save.error).fieldErrors : {};

  if (!editing)
    return (
      <Stack gap={4} aria-label="Questionnaire contact" role="group">
        <Text fw={600}>Questionnaire contact</Text>
        {saved && <Confirmation>The questionnaire contact was saved.</Confirmation>}
        <Text size="sm">Email: {contact.email || 'None on file'}</Text>
        <Text size="sm">{PROM_INVITATION_WORDS[contact.promInvitations]}</Text>
        <div>
          <Button
            size="xs"
            variant="light"
            onClick={() => {
              setSaved(false);
              setErrors({});
              save.reset();
              setEditing(contact);
            }}
          >
            Edit questionnaire contact
          </Button>
        </div>
      </Stack>
    );

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const found = checkContact(editing);
    setErrors(found);
    if (!Object.keys(found).length) save.mutate(editing);
  };

  return (
    <form noValidate aria-label="Questionnaire contact" onSubmit={submit}>
      <Stack gap="sm" maw={520}>
        <Text fw={600}>Questionnaire contact</Text>
        <TextInput
          label="Patient's email for questionnaires"
          description="Leave empty when there is none; invitations need one."
          type="email"
          autoComplete="off"
          maxLength={EMAIL_MAX_LENGTH}
          value={editing.email}
          error={errors.email ?? serverErrors.email}
          onChange={(event) => setEditing({ ...editing, email: event.currentTarget.value })}
        />
        <Radio.Group
          label="Questionnaire emails"
          value={editing.promInvitations}
          error={serverErrors.promInvitations}
          onChange={(value) => setEditing({ ...editing, promInvitations: value as PromInvitations })}
        >
          <Stack gap="xs" mt="xs">
            {PROM_INVITATION_OPTIONS.map((option) => (
              <Radio key={option.value} value={option.value} label={option.label} />
            ))}
          </Stack>
        </Radio.Group>
        {save.isError && !Object.keys(serverErrors).length && (
          <Failure title="The questionnaire contact was not saved" error={save.error} />
        )}
        <Group gap="sm">
          <Button type="submit" size="sm" loading={save.isPending}>
            Save contact
          </Button>
          <Button variant="default" size="sm" onClick={() => setEditing(null)} disabled={save.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
