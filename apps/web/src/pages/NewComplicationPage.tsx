// New complication on a case: loads the case (its surgery date and visits), shows the ComplicationForm
// (features/complication-form), sends the body with an Idempotency-Key, and then shows the saved
// complication in words with the way back to the case or on to another complication.
import '@mantine/dates/styles.css';
import { Alert, Anchor, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { SIDE } from '@ilr/clinical';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorText, unwrap } from '../api/client';
import { ComplicationForm } from '../features/complication-form';
import {
  type ComplicationResponse,
  type CreateComplicationRequest,
  describeComplication,
  visitOptions,
} from '../logic/complication-form-values.js';
import { codeLabel } from '../logic/labels.js';
import { describeProblem, type ProblemView } from '../logic/problem.js';
import { dateInWords } from '../logic/visit-labels.js';

const FORM_FIELDS = [
  'type',
  'onsetDate',
  'brookerGrade',
  'recurrenceCause',
  'sinkGrade',
  'clavienDindo',
  'reoperation',
  'reoperation.date',
  'reoperation.procedure',
  'resolvedDate',
  'followUpId',
  'description',
];

class Refused extends Error {
  constructor(readonly view: ProblemView) {
    super(view.message);
  }
}

export function NewComplicationPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [refusal, setRefusal] = useState<ProblemView | null>(null);
  const [saved, setSaved] = useState<ComplicationResponse | null>(null);
  // One key per complication being entered: a resend of the same body after a lost answer creates one.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  // Remounts the form for "Add another complication".
  const [round, setRound] = useState(0);

  const record = useQuery({
    queryKey: ['case', id],
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/cases/{id}', { params: { path: { id } }, signal })),
  });

  const submit = async (body: CreateComplicationRequest) => {
    setRefusal(null);
    try {
      const created = await api.POST('/api/v1/cases/{caseId}/complications', {
        body,
        params: { path: { caseId: id }, header: { 'Idempotency-Key': idempotencyKey } },
      });
      if (!created.data)
        throw new Refused(describeProblem(created.response.status, created.error, { formFields: FORM_FIELDS }));
      await queryClient.invalidateQueries({ queryKey: ['case', id] });
      setSaved(created.data);
    } catch (error) {
      setRefusal(error instanceof Refused ? error.view : describeProblem(0, undefined));
      throw error;
    }
  };

  const another = () => {
    setSaved(null);
    setRefusal(null);
    setIdempotencyKey(crypto.randomUUID());
    setRound(round + 1);
  };

  const caseData = record.data;
  return (
    <Stack gap="md" maw={960}>
      <Title order={1} size="h2">
        {saved ? 'Complication saved' : 'New complication'}
      </Title>
      {record.isPending && (
        <Group>
          <Loader size="sm" aria-label="Loading the case" />
          <Text>Loading the case…</Text>
        </Group>
      )}
      {record.isError && (
        <Alert color="red" title="The case could not be loaded" role="alert">
          {errorText(record.error)}
          <Group mt="sm">
            <Button size="xs" variant="default" onClick={() => void record.refetch()}>
              Try again
            </Button>
            <Anchor component={Link} to="/cases" size="sm">
              Back to my cases
            </Anchor>
          </Group>
        </Alert>
      )}
      {caseData && (
        <Text>
          Case {caseData.registryCode}, {codeLabel(SIDE, caseData.side).toLowerCase()} hip, operated on{' '}
          {dateInWords(caseData.surgeryDate)}.
        </Text>
      )}
      {caseData && saved && (
        <Stack>
          <Alert color="blue" title="The complication was saved" role="status">
            It is now part of case {caseData.registryCode}.
          </Alert>
          <Table variant="vertical" withTableBorder aria-label="Saved complication">
            <Table.Caption>The complication as the registry recorded it</Table.Caption>
            <Table.Tbody>
              {describeComplication(saved, caseData.followUps ?? []).map((line) => (
                <Table.Tr key={line.label}>
                  <Table.Th w={220} scope="row">
                    {line.label}
                  </Table.Th>
                  <Table.Td>{line.value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button component={Link} to={`/cases/${id}`}>
              Back to the case
            </Button>
            <Button variant="default" onClick={another}>
              Add another complication
            </Button>
          </Group>
        </Stack>
      )}
      {caseData && !saved && (
        <ComplicationForm
          key={round}
          caseId={id}
          surgeryDate={caseData.surgeryDate}
          visits={visitOptions(caseData.followUps ?? [])}
          onSubmit={submit}
          serverErrors={refusal?.fieldErrors}
          serverMessage={refusal?.message}
          serverOtherErrors={refusal?.otherErrors}
          draftRoute={`/cases/${id}/complications/new`}
          onDiscard={() => navigate(`/cases/${id}`)}
        />
      )}
    </Stack>
  );
}
