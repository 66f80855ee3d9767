// Correct a stored complication: the ComplicationForm filled from the complication as stored (read with its case,
// GET /cases/{id}: there is no GET of one complication; the case comes in the address, ?case=). The PATCH carries
// only what changed and the version the form was opened at (If-Match); a 412 offers to reload, keeping what was typed.
import '@mantine/dates/styles.css';
import { Alert, Anchor, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { COMPLICATION_TYPE, SIDE } from '@ilr/clinical';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { ComplicationForm } from '../features/complication-form';
import type { CaseResponse } from '../logic/case-view.js';
import {
  type ComplicationResponse,
  type CreateComplicationRequest,
  visitOptions,
} from '../logic/complication-form-values.js';
import { complicationToFormValues, toUpdateComplicationRequest } from '../logic/corrections.js';
import { codeLabel } from '../logic/labels.js';
import { describeProblem, type ProblemView } from '../logic/problem.js';
import { dateInWords } from '../logic/visit-labels.js';
import { Notice } from './CaseViewPage';
import { RecordNotFound } from './EditFollowUpPage';

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

interface Loaded {
  theCase: CaseResponse;
  stored: ComplicationResponse;
}

const NOT_FOUND: ProblemView = {
  kind: 'not_found',
  status: 404,
  message: 'There is no such complication.',
  fieldErrors: {},
  otherErrors: [],
};

export function EditComplicationPage() {
  const { id = '' } = useParams();
  const caseId = useSearchParams()[0].get('case') ?? '';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<ProblemView | null>(null);
  const [reloading, setReloading] = useState(false);
  const [refusal, setRefusal] = useState<ProblemView | null>(null);

  const load = useCallback(async () => {
    if (!caseId) {
      setLoadError(NOT_FOUND);
      return false;
    }
    // Not from the HTTP cache: the case's ETag is its own version, which a visit's or complication's change leaves
    // as it was, so a revalidation would answer 304 with the records before the change.
    const result = await api.GET('/api/v1/cases/{id}', { params: { path: { id: caseId } }, cache: 'no-store' });
    if (!result.data) {
      setLoadError(describeProblem(result.response.status, result.error));
      return false;
    }
    const stored = result.data.complications?.find((c) => c.id === id);
    if (!stored) {
      setLoadError(NOT_FOUND);
      return false;
    }
    setLoadError(null);
    setLoaded({ theCase: result.data, stored });
    return true;
  }, [id, caseId]);

  useEffect(() => {
    load().catch(() => setLoadError(describeProblem(0, undefined)));
  }, [load]);

  const defaultValues = useMemo(() => (loaded ? complicationToFormValues(loaded.stored) : undefined), [loaded]);

  const reload = async () => {
    setReloading(true);
    try {
      if (await load()) setRefusal(null);
    } catch {
      setLoadError(describeProblem(0, undefined));
    } finally {
      setReloading(false);
    }
  };

  if (loadError?.kind === 'not_found') return <RecordNotFound what="Complication" />;
  if (!loaded || !defaultValues) {
    if (loadError)
      return (
        <Alert color="red" title="The complication could not be loaded" role="alert">
          {loadError.message}
        </Alert>
      );
    return <Loader aria-label="Loading the complication" />;
  }

  const { theCase, stored } = loaded;
  const caseLink = `/cases/${theCase.id}`;
  const what = `${codeLabel(COMPLICATION_TYPE, stored.type).toLowerCase()} of ${dateInWords(stored.onsetDate)}`;

  const submit = async (body: CreateComplicationRequest) => {
    setRefusal(null);
    const patch = toUpdateComplicationRequest(stored, body);
    try {
      if (!Object.keys(patch).length)
        throw new Refused({
          kind: 'validation',
          status: 0,
          message: 'Nothing was changed: the complication is as stored.',
          fieldErrors: {},
          otherErrors: [],
        });
      const result = await api.PATCH('/api/v1/complications/{id}', {
        params: { path: { id }, header: { 'If-Match': `"${stored.version}"` } },
        body: patch,
      });
      if (!result.data)
        throw new Refused(describeProblem(result.response.status, result.error, { formFields: FORM_FIELDS }));
      await queryClient.invalidateQueries();
      queryClient.removeQueries({ queryKey: ['case', theCase.id] });
      navigate(caseLink, { state: { saved: `The ${what} on ${theCase.registryCode} corrected` } });
    } catch (error) {
      setRefusal(error instanceof Refused ? error.view : describeProblem(0, undefined));
      throw error;
    }
  };

  const stale = refusal?.kind === 'stale';
  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to={caseLink}>
        Back to the case
      </Anchor>
      <Title order={1} size="h2">
        Correct a complication — {theCase.registryCode}
      </Title>
      <Text size="sm">
        Case {theCase.registryCode}, {codeLabel(SIDE, theCase.side).toLowerCase()} hip, operated on{' '}
        {dateInWords(theCase.surgeryDate)}. The change is kept in the case&apos;s history.
      </Text>
      <ComplicationForm
        mode="edit"
        title={`Correct the ${what}`}
        defaultValues={defaultValues}
        caseId={theCase.id}
        surgeryDate={theCase.surgeryDate}
        visits={visitOptions(theCase.followUps ?? [])}
        onSubmit={submit}
        serverErrors={refusal?.fieldErrors}
        serverMessage={stale ? undefined : refusal?.message}
        serverOtherErrors={refusal?.otherErrors}
        draftRoute={`/complications/${id}/edit`}
        onDiscard={() => navigate(caseLink)}
        extraFields={
          stale && (
            <Notice color="orange" title="The complication changed meanwhile" role="alert">
              <Stack gap="xs">
                <Text size="sm">{refusal.message}</Text>
                <Group>
                  <Button size="xs" onClick={reload} loading={reloading}>
                    Reload the complication
                  </Button>
                </Group>
              </Stack>
            </Notice>
          )
        }
      />
    </Stack>
  );
}
