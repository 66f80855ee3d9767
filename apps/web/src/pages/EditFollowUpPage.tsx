// Correct a stored follow-up visit: the FollowUpForm filled from the visit as stored (read with its case, GET
// /cases/{id}: there is no GET of one visit; the case comes in the address, ?case=). The PATCH carries only what
// changed and the version the form was opened at (If-Match); a 412 offers to reload, keeping what was typed.
import '@mantine/dates/styles.css';
import { Alert, Anchor, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { SIDE } from '@ilr/clinical';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { FollowUpForm } from '../features/follow-up-form';
import type { CaseResponse } from '../logic/case-view.js';
import { followUpToFormValues, toUpdateFollowUpRequest } from '../logic/corrections.js';
import {
  type CreateFollowUpRequest,
  followUpServerErrors,
  type FollowUpResponse,
} from '../logic/follow-up-form-values.js';
import { codeLabel } from '../logic/labels.js';
import { describeProblem, type FieldErrors, type ProblemView } from '../logic/problem.js';
import { dateInWords, TIMEPOINT_LABELS } from '../logic/visit-labels.js';
import { Notice } from './CaseViewPage';

interface Refusal {
  view: ProblemView;
  fields: FieldErrors;
  other: string[];
}

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.view.message);
  }
}

interface Loaded {
  theCase: CaseResponse;
  stored: FollowUpResponse;
}

const NOT_FOUND: ProblemView = {
  kind: 'not_found',
  status: 404,
  message: 'There is no such follow-up visit.',
  fieldErrors: {},
  otherErrors: [],
};

export function RecordNotFound({ what }: { what: string }) {
  return (
    <Stack>
      <Title order={1}>{what} not found</Title>
      <Text>
        There is no {what.toLowerCase()} you may correct at this address. It may have been deleted; open it from its
        case.
      </Text>
      <Anchor component={Link} to="/cases">
        Go to the cases
      </Anchor>
    </Stack>
  );
}

export function EditFollowUpPage() {
  const { id = '' } = useParams();
  const caseId = useSearchParams()[0].get('case') ?? '';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<ProblemView | null>(null);
  const [reloading, setReloading] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  // The visit as stored now, with its case (for the surgery date the timepoint is derived from).
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
    const stored = result.data.followUps?.find((f) => f.id === id);
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

  const defaultValues = useMemo(() => (loaded ? followUpToFormValues(loaded.stored) : undefined), [loaded]);

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

  if (loadError?.kind === 'not_found') return <RecordNotFound what="Follow-up" />;
  if (!loaded || !defaultValues) {
    if (loadError)
      return (
        <Alert color="red" title="The follow-up could not be loaded" role="alert">
          {loadError.message}
        </Alert>
      );
    return <Loader aria-label="Loading the follow-up" />;
  }

  const { theCase, stored } = loaded;
  const caseLink = `/cases/${theCase.id}`;
  const visitWords = `${TIMEPOINT_LABELS[stored.timepoint]} visit of ${dateInWords(stored.visitDate)}`;

  const submit = async (body: CreateFollowUpRequest) => {
    setRefusal(null);
    const patch = toUpdateFollowUpRequest(stored, body);
    try {
      if (!Object.keys(patch).length)
        throw new Refused({
          view: {
            kind: 'validation',
            status: 0,
            message: 'Nothing was changed: the visit is as stored.',
            fieldErrors: {},
            otherErrors: [],
          },
          fields: {},
          other: [],
        });
      const result = await api.PATCH('/api/v1/follow-ups/{id}', {
        params: { path: { id }, header: { 'If-Match': `"${stored.version}"` } },
        body: patch,
      });
      if (!result.data) {
        const view = describeProblem(result.response.status, result.error);
        const error = result.error as { errors?: Array<{ field: string; code: string; message: string }> } | undefined;
        const { fields, other } = followUpServerErrors(error?.errors);
        throw new Refused({ view, fields, other });
      }
      await queryClient.invalidateQueries();
      queryClient.removeQueries({ queryKey: ['case', theCase.id] });
      navigate(caseLink, {
        state: { saved: `The ${visitWords} of ${theCase.registryCode} corrected` },
      });
    } catch (error) {
      setRefusal(
        error instanceof Refused
          ? error.refusal
          : { view: describeProblem(0, undefined), fields: {}, other: describeProblem(0, undefined).otherErrors },
      );
      throw error;
    }
  };

  const stale = refusal?.view.kind === 'stale';
  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to={caseLink}>
        Back to the case
      </Anchor>
      <Title order={1} size="h2">
        Correct a follow-up — {theCase.registryCode}
      </Title>
      <Text size="sm">
        The {visitWords}; surgery on {dateInWords(theCase.surgeryDate)}, {codeLabel(SIDE, theCase.side).toLowerCase()}{' '}
        hip. The change is kept in the case&apos;s history.
      </Text>
      <FollowUpForm
        mode="edit"
        title={`Correct the ${visitWords}`}
        defaultValues={defaultValues}
        surgeryDate={theCase.surgeryDate}
        onSubmit={submit}
        serverErrors={refusal?.fields}
        serverMessage={stale ? undefined : refusal?.view.message}
        serverOtherErrors={refusal?.other}
        draftRoute={`/follow-ups/${id}/edit`}
        onDiscard={() => navigate(caseLink)}
        extraFields={
          stale && (
            <Notice color="orange" title="The visit changed meanwhile" role="alert">
              <Stack gap="xs">
                <Text size="sm">{refusal.view.message}</Text>
                <Group>
                  <Button size="xs" onClick={reload} loading={reloading}>
                    Reload the visit
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
