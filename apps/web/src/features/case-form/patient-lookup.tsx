// "Find patient": looks the typed MRN up among registered patients (GET /patients?mrn=, exact match) so the surgeon
// sees before saving whether the case joins a registered patient or registers a new one. A registered patient's birth
// date and sex fill the form (the server refuses a case whose patient details disagree with the registered ones).
import { Alert, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { SEX, type Sex } from '@ilr/clinical';
import type { CaseFormValues } from '../../logic/case-form-values.js';
import { codeLabel } from '../../logic/labels.js';
import { dateInWords } from '../../logic/visit-labels.js';

export interface RegisteredPatient {
  id: string;
  birthDate?: string;
  sex: Sex;
}

// The page's look-up: the patient with this MRN, null when there is none; throws a message in words on failure.
export type FindPatient = (mrn: string) => Promise<RegisteredPatient | null>;

type Outcome = { kind: 'found'; patient: RegisteredPatient } | { kind: 'none' } | { kind: 'error'; message: string };

export function PatientLookup({
  form,
  findPatient,
}: {
  form: UseFormReturn<CaseFormValues>;
  findPatient: FindPatient;
}) {
  const [outcome, setOutcome] = useState<{ mrn: string; result: Outcome } | null>(null);
  const [busy, setBusy] = useState(false);
  const mrn = (form.watch('patient.mrn') ?? '').trim();
  // An answer about another MRN than the one now typed is not shown.
  const shown = outcome && outcome.mrn === mrn ? outcome.result : null;

  const lookUp = async () => {
    if (!mrn) return;
    setBusy(true);
    try {
      const patient = await findPatient(mrn);
      if (patient) {
        if (patient.birthDate) form.setValue('patient.birthDate', patient.birthDate, { shouldDirty: true });
        form.setValue('patient.sex', patient.sex, { shouldDirty: true });
      }
      setOutcome({ mrn, result: patient ? { kind: 'found', patient } : { kind: 'none' } });
    } catch (error) {
      setOutcome({ mrn, result: { kind: 'error', message: error instanceof Error ? error.message : String(error) } });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs">
      <div>
        <Button variant="default" size="sm" onClick={lookUp} loading={busy} disabled={!mrn}>
          Find patient
        </Button>
      </div>
      <div aria-live="polite">
        {shown?.kind === 'found' && (
          <Alert color="blue" title="A registered patient has this MRN">
            <Text size="sm">
              Born {shown.patient.birthDate ? dateInWords(shown.patient.birthDate) : '(not shown to your role)'},{' '}
              {codeLabel(SEX, shown.patient.sex).toLowerCase()}. The case will be linked to this patient; their date of
              birth and sex are filled in. Their questionnaire email stays as registered (change it on the case page).
            </Text>
          </Alert>
        )}
        {shown?.kind === 'none' && (
          <Alert color="gray" title="No registered patient has this MRN">
            <Text size="sm">Saving the case registers a new patient with the details below.</Text>
          </Alert>
        )}
        {shown?.kind === 'error' && (
          <Alert color="red" title="The patient could not be looked up">
            <Text size="sm">{shown.message}</Text>
          </Alert>
        )}
      </div>
    </Stack>
  );
}
