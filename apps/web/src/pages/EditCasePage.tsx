// Edit (a draft) or amend (a signed case, with a reason): the CaseForm pre-filled from the stored case. The
// PATCH carries only what changed and the version the form was opened at (If-Match); when someone else
// saved the case meanwhile (412), the page offers to reload it and keeps what the user typed.
import '@mantine/dates/styles.css';
import { Alert, Anchor, Button, Group, Loader, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { CaseForm } from '../features/case-form';
import type { CreateCaseRequest } from '../logic/case-form-values.js';
import { type CaseResponse, caseToFormValues, toUpdateCaseRequest } from '../logic/case-view.js';
import { describeProblem, type ProblemView } from '../logic/problem.js';
import { CaseNotFound, Notice } from './CaseViewPage';

class Refused extends Error {
  constructor(readonly view: ProblemView) {
    super(view.message);
  }
}

interface Loaded {
  stored: CaseResponse;
  etag: string;
}

export function EditCasePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<ProblemView | null>(null);
  const [reloading, setReloading] = useState(false);
  const [refusal, setRefusal] = useState<ProblemView | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);

  // The case as stored now; a fresh read each time (the form compares against exactly this version).
  const load = useCallback(async () => {
    const result = await api.GET('/api/v1/cases/{id}', { params: { path: { id } } });
    if (!result.data) {
      setLoadError(describeProblem(result.response.status, result.error));
      return false;
    }
    setLoadError(null);
    setLoaded({
      stored: result.data,
      etag: result.response.headers.get('etag') ?? `"${result.data.version}"`,
    });
    return true;
  }, [id]);

  useEffect(() => {
    load().catch(() => setLoadError(describeProblem(0, undefined)));
  }, [load]);

  const defaultValues = useMemo(() => (loaded ? caseToFormValues(loaded.stored) : undefined), [loaded]);

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

  if (loadError?.kind === 'not_found') return <CaseNotFound />;
  if (!loaded || !defaultValues) {
    if (loadError)
      return (
        <Alert color="red" title="The case could not be loaded" role="alert">
          {loadError.message}
        </Alert>
      );
    return <Loader aria-label="Loading the case" />;
  }

  const { stored, etag } = loaded;
  const signed = stored.status === 'signed';

  const submit = async (body: CreateCaseRequest) => {
    setRefusal(null);
    const amendmentReason = reason.trim();
    if (signed && !amendmentReason) {
      setReasonError('Give the reason for changing a signed case.');
      throw new Error('amendment reason missing');
    }
    setReasonError(null);
    const patch = toUpdateCaseRequest(stored, body);
    if (!Object.keys(patch).length) {
      const view: ProblemView = {
        kind: 'validation',
        status: 0,
        message: 'Nothing was changed: the case is as stored.',
        fieldErrors: {},
        otherErrors: [],
      };
      setRefusal(view);
      throw new Refused(view);
    }
    try {
      const result = await api.PATCH('/api/v1/cases/{id}', {
        params: { path: { id }, header: { 'If-Match': etag } },
        body: signed ? { ...patch, amendmentReason } : patch,
      });
      if (!result.data) throw new Refused(describeProblem(result.response.status, result.error));
      await queryClient.invalidateQueries({ queryKey: ['cases'] });
      // The view reads the case afresh rather than showing the version before this change.
      queryClient.removeQueries({ queryKey: ['case', id] });
      navigate(`/cases/${id}`, {
        state: { saved: `${result.data.registryCode} ${signed ? 'amended' : 'saved'}` },
      });
    } catch (error) {
      const view = error instanceof Refused ? error.view : describeProblem(0, undefined);
      setRefusal(view);
      if (view.fieldErrors.amendmentReason) setReasonError(view.fieldErrors.amendmentReason);
      throw error;
    }
  };

  const stale = refusal?.kind === 'stale';
  const verb = signed ? 'Amend' : 'Edit';
  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to={`/cases/${id}`}>
        Back to the case
      </Anchor>
      <Title order={1} size="h2">
        {verb} {stored.registryCode}
      </Title>
      {signed && (
        <Text size="sm">
          This case is signed: a change is recorded as an amendment, with its reason, in the case&apos;s history.
        </Text>
      )}
      <CaseForm
        mode="edit"
        title={`${verb} case ${stored.registryCode}`}
        defaultValues={defaultValues}
        onSubmit={submit}
        serverErrors={refusal?.fieldErrors}
        serverMessage={stale ? undefined : refusal?.message}
        serverOtherErrors={refusal?.otherErrors}
        draftRoute={`/cases/${id}/edit`}
        onDiscard={() => navigate(`/cases/${id}`)}
        extraFields={
          <>
            {signed && (
              <Textarea
                id="case-amendmentReason"
                label="Reason for the amendment"
                description="Kept with the change in the case's history"
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
              />
            )}
            {/* Beside the button that was pressed. */}
            {stale && (
              <Notice color="orange" title="The case changed meanwhile" role="alert">
                <Stack gap="xs">
                  <Text size="sm">{refusal.message}</Text>
                  <Group>
                    <Button size="xs" onClick={reload} loading={reloading}>
                      Reload the case
                    </Button>
                  </Group>
                </Stack>
              </Notice>
            )}
          </>
        }
      />
    </Stack>
  );
}
