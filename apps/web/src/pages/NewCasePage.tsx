// New case: the CaseForm (features/case-form) wired to the API. The form checks the case rules and keeps a
// draft; this page sends the body (with an Idempotency-Key, so a resend after a lost answer creates one case),
// signs it when asked, and shows the server's answer in words with field errors at their fields.
import '@mantine/dates/styles.css';
import { Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import { CaseForm, type CaseIntent } from '../features/case-form';
import type { FindPatient } from '../features/case-form/patient-lookup.js';
import type { CreateCaseRequest } from '../logic/case-form-values.js';
import { describeProblem, type ProblemView } from '../logic/problem.js';

class Refused extends Error {
  constructor(readonly view: ProblemView) {
    super(view.message);
  }
}

// GET /patients?mrn= (exact): the registered patient with this MRN, or null.
const findPatient: FindPatient = async (mrn) => {
  const found = await api.GET('/api/v1/patients', { params: { query: { mrn } } });
  if (!found.data) throw new Error(describeProblem(found.response.status, found.error).message);
  const patient = found.data.items[0];
  return patient ? { id: patient.id, birthDate: patient.birthDate, sex: patient.sex } : null;
};

export function NewCasePage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [refusal, setRefusal] = useState<ProblemView | null>(null);
  // One key per form submission attempt of this page: a retry of the same body reuses it.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const submit = async (body: CreateCaseRequest, intent: CaseIntent) => {
    setRefusal(null);
    try {
      const created = await api.POST('/api/v1/cases', {
        body,
        params: { header: { 'Idempotency-Key': idempotencyKey } },
      });
      if (!created.data) throw new Refused(describeProblem(created.response.status, created.error));
      let code = created.data.registryCode;
      const id = created.data.id;
      if (intent === 'sign') {
        const signed = await api.POST('/api/v1/cases/{id}/sign', {
          params: { path: { id: created.data.id }, header: { 'If-Match': created.response.headers.get('etag') ?? '' } },
        });
        if (!signed.data) throw new Refused(describeProblem(signed.response.status, signed.error));
        code = signed.data.registryCode;
      }
      await queryClient.invalidateQueries({ queryKey: ['cases'] });
      navigate(`/cases/${id}`, {
        state: { saved: `${code} ${intent === 'sign' ? 'saved and signed' : 'saved as a draft'}` },
      });
    } catch (error) {
      const view = error instanceof Refused ? error.view : describeProblem(0, undefined);
      setRefusal(view);
      // The form keeps its values and draft when onSubmit throws.
      throw error;
    }
  };

  return (
    <Stack gap="md" maw={960}>
      <Title order={1} size="h2">
        New case
      </Title>
      <CaseForm
        onSubmit={submit}
        serverErrors={refusal?.fieldErrors}
        serverMessage={refusal?.message}
        serverOtherErrors={refusal?.otherErrors}
        draftRoute="/cases/new"
        findPatient={findPatient}
        onDiscard={() => navigate('/cases')}
      />
    </Stack>
  );
}
