// New follow-up on a case: loads the case (for its surgery date, which the timepoint is derived from), shows the
// FollowUpForm (features/follow-up-form), sends the body with an Idempotency-Key (a resend after a lost answer
// records one visit), and once saved shows the scores the server computed.
import '@mantine/dates/styles.css';
import { Alert, Anchor, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { SIDE } from '@ilr/clinical';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { FollowUpForm, FollowUpScores } from '../features/follow-up-form';
import {
  type CreateFollowUpRequest,
  followUpServerErrors,
  type FollowUpResponse,
} from '../logic/follow-up-form-values.js';
import { codeLabel } from '../logic/labels.js';
import { describeProblem, type FieldErrors, type ProblemView } from '../logic/problem.js';

class Refused extends Error {
  constructor(
    readonly view: ProblemView,
    readonly fields: FieldErrors,
    readonly other: string[],
  ) {
    super(view.message);
  }
}

interface Refusal {
  message: string;
  fields: FieldErrors;
  other: string[];
}

export function NewFollowUpPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [saved, setSaved] = useState<FollowUpResponse | null>(null);
  // One key per visit being recorded: a retry of the same body reuses it; "Add another" takes a new one.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [formKey, setFormKey] = useState(0);

  const theCase = useQuery({
    queryKey: ['case', id],
    queryFn: async () => {
      let answer;
      try {
        answer = await api.GET('/api/v1/cases/{id}', { params: { path: { id } } });
      } catch {
        throw describeProblem(0, undefined);
      }
      if (!answer.data) throw describeProblem(answer.response.status, answer.error);
      return answer.data;
    },
  });

  const submit = async (body: CreateFollowUpRequest) => {
    setRefusal(null);
    try {
      const created = await api.POST('/api/v1/cases/{caseId}/follow-ups', {
        body,
        params: { path: { caseId: id }, header: { 'Idempotency-Key': idempotencyKey } },
      });
      if (!created.data) {
        const view = describeProblem(created.response.status, created.error);
        const error = created.error as { errors?: Array<{ field: string; code: string; message: string }> } | undefined;
        const { fields, other } = followUpServerErrors(error?.errors);
        throw new Refused(view, fields, other);
      }
      setSaved(created.data);
      await queryClient.invalidateQueries();
    } catch (error) {
      const view = error instanceof Refused ? error.view : describeProblem(0, undefined);
      setRefusal({
        message: view.message,
        fields: error instanceof Refused ? error.fields : {},
        other: error instanceof Refused ? error.other : view.otherErrors,
      });
      throw error;
    }
  };

  const addAnother = () => {
    setSaved(null);
    setRefusal(null);
    setIdempotencyKey(crypto.randomUUID());
    setFormKey((k) => k + 1);
  };

  const caseLink = `/cases/${id}`;
  const code = theCase.data?.registryCode;

  return (
    <Stack gap="md" maw={960}>
      <Title order={1} size="h2">
        {saved ? 'Follow-up saved' : 'New follow-up'}
        {code ? ` — ${code}` : ''}
      </Title>
      {theCase.isPending && <Loader size="sm" aria-label="Loading the case" />}
      {theCase.isError && (
        <Alert color="red" title="The case could not be loaded" role="alert">
          <Text size="sm">{(theCase.error as unknown as ProblemView).message}</Text>
          <Anchor component={Link} to="/cases" size="sm">
            Back to my cases
          </Anchor>
        </Alert>
      )}
      {theCase.data && saved && (
        <Stack gap="md">
          <Text role="status" fw={600}>
            The follow-up was saved; the registry scored each questionnaire recorded.
          </Text>
          <FollowUpScores visit={saved} />
          <Group>
            <Button component={Link} to={caseLink} variant="default">
              Back to the case
            </Button>
            <Button onClick={addAnother}>Add another follow-up</Button>
          </Group>
        </Stack>
      )}
      {theCase.data && !saved && (
        <>
          <Text size="sm">
            Surgery on {theCase.data.surgeryDate}; side: {codeLabel(SIDE, theCase.data.side)}.
          </Text>
          <FollowUpForm
            key={formKey}
            surgeryDate={theCase.data.surgeryDate}
            onSubmit={submit}
            serverErrors={refusal?.fields}
            serverMessage={refusal?.message}
            serverOtherErrors={refusal?.other}
            draftRoute={`/cases/${id}/follow-ups/new`}
            onDiscard={() => navigate(caseLink)}
          />
        </>
      )}
    </Stack>
  );
}
