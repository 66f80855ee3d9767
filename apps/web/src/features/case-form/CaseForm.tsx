// The New-case form: every DOMAIN.md case field, grouped the way a surgeon works through a case,
// showing only what applies (logic/case-form-fields.ts, from libs/clinical's rules). It checks the
// same rules as the server before sending (the server stays the authority: its field errors come
// back through `serverErrors`), keeps a draft in sessionStorage, and hands the CreateCaseRequest
// body to `onSubmit`; the page owns the request.
import { Button, Fieldset, Group, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import {
  ACTIVITY_LEVEL,
  ANESTHESIA,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CONSERVATIVE_TREATMENT,
  HO_PROPHYLAXIS,
  IMPINGEMENT_PROCEDURE,
  INDICATION,
  INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT,
  POSITIONING,
  PORTAL,
  PRIOR_SURGERY,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  SEX,
  SIDE,
} from '@ilr/clinical';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { caseFieldStates } from '../../logic/case-form-fields.js';
import {
  type CaseFormValues,
  type CreateCaseRequest,
  emptyCaseFormValues,
  REQUIRED_CASE_FIELDS,
} from '../../logic/case-form-values.js';
import { rebaseFormValues } from '../../logic/case-view.js';
import { type DraftStore, sessionDrafts } from '../../logic/drafts.js';
import { PROM_INVITATION_OPTIONS } from '../../logic/invitations.js';
import {
  fieldLabel,
  ICRS_OPTIONS,
  PATIENT_MODE_OPTIONS,
  TENDON_BUNDLE_OPTIONS,
  TONNIS_OPTIONS,
} from '../../logic/labels.js';
import type { FieldErrors } from '../../logic/problem.js';
import { localToday, prepareCaseSubmission } from './case-submission.js';
import {
  CaseFormContext,
  formFields,
  CheckField,
  CodeChecklist,
  CodeSelect,
  DateField,
  fieldId,
  NumberField,
  OptionSelect,
  RecordedChecklist,
  TextAreaField,
  TextField,
  YesNoField,
} from './controls.js';
import { useFormDraft } from './use-form-draft.js';
import { FormNotices } from './form-notices.js';
import { type FindPatient, PatientLookup } from './patient-lookup.js';

// "Save as draft" keeps the case editable; "Save and sign" asks the page to sign it once created.
export type CaseIntent = 'save' | 'sign';

export interface CaseFormProps {
  // 'edit': a stored case (its patient cannot change; one "Save changes" button).
  mode?: 'new' | 'edit';
  // The form's accessible name.
  title?: string;
  // The values to start from. In edit mode, new values (the case reloaded after a 412) replace the
  // fields the user has not changed and keep those they have.
  defaultValues?: Partial<CaseFormValues>;
  // More fields of the page's own, shown before the buttons (the amendment reason).
  extraFields?: ReactNode;
  onSubmit: (body: CreateCaseRequest, intent: CaseIntent) => Promise<unknown> | unknown;
  // The server's field errors by field path (ProblemView.fieldErrors from logic/problem.ts).
  serverErrors?: FieldErrors;
  // The server's message when the last request failed (ProblemView.message), and errors on no field.
  serverMessage?: string;
  serverOtherErrors?: string[];
  onDiscard?: () => void;
  // Today in the registry's time zone; defaults to the browser's date.
  today?: string;
  // Where drafts are kept (sessionStorage by default; null: no draft) and the route that names this one.
  drafts?: DraftStore | null;
  // The MRN look-up ("Find patient") of a new case; without it the MRN is only matched when the case is saved.
  findPatient?: FindPatient;
  draftRoute?: string;
}

const DRAFT_FORM = 'case-form';

// The first field in error gets the focus: the control itself, or the first choice of a group.
function focusField(path: string) {
  const element = document.getElementById(fieldId(path));
  const target = element?.matches('input, textarea, select, button')
    ? element
    : element?.querySelector<HTMLElement>('input:not([type="hidden"]), textarea, select, button');
  target?.focus();
}

export function CaseForm({
  mode = 'new',
  title = 'New case',
  defaultValues,
  extraFields,
  onSubmit,
  serverErrors = {},
  serverMessage,
  serverOtherErrors = [],
  onDiscard,
  today = localToday(),
  drafts,
  draftRoute = '/cases/new',
  findPatient,
}: CaseFormProps) {
  const initial = useMemo(() => ({ ...emptyCaseFormValues(), ...defaultValues }), [defaultValues]);
  const form = useForm<CaseFormValues>({ defaultValues: initial });
  const store = useMemo(() => (drafts === undefined ? sessionDrafts() : drafts), [drafts]);
  const draft = useFormDraft(form, store, DRAFT_FORM, draftRoute);
  const opened = useRef(initial);
  useEffect(() => {
    if (opened.current === initial) return;
    form.reset(rebaseFormValues(opened.current, form.getValues(), initial));
    opened.current = initial;
  }, [initial, form]);
  const values = useWatch({ control: form.control }) as CaseFormValues;
  const states = caseFieldStates(values);
  // Checked as typed once the surgeon has tried to save; before that, only the server's answer shows.
  const [checkedErrors, setCheckedErrors] = useState<FieldErrors | null>(null);
  const liveErrors = useMemo(() => {
    if (!checkedErrors) return null;
    const submission = prepareCaseSubmission(values, today);
    return submission.ok ? {} : submission.errors;
  }, [checkedErrors, values, today]);
  const errors: FieldErrors = { ...serverErrors, ...(liveErrors ?? {}) };

  const required = new Set<string>([
    ...REQUIRED_CASE_FIELDS,
    ...(states.patient.applies ? ['patient.mrn', 'patient.birthDate', 'patient.sex'] : ['patientId']),
    ...Object.entries(states)
      .filter(([, state]) => state.required)
      .map(([path]) => path),
  ]);

  const submit = (intent: CaseIntent) =>
    form.handleSubmit(async (current) => {
      const submission = prepareCaseSubmission(current, today);
      if (!submission.ok) {
        setCheckedErrors(submission.errors);
        focusField(Object.keys(submission.errors)[0]);
        return;
      }
      setCheckedErrors(null);
      try {
        await onSubmit(submission.body, intent);
        draft.clear();
      } catch {
        // The page shows the answer (serverErrors, serverMessage); the draft stays.
      }
    });

  const discard = () => {
    draft.clear();
    form.reset(initial);
    setCheckedErrors(null);
    onDiscard?.();
  };

  const { isSubmitting } = form.formState;

  return (
    <CaseFormContext.Provider value={formFields({ control: form.control, errors, required })}>
      <form noValidate aria-label={title} onSubmit={(event) => event.preventDefault()}>
        <Stack gap="lg">
          <FormNotices
            record="case"
            draftRestored={Boolean(draft.restoredAt)}
            errors={errors}
            serverMessage={serverMessage}
            serverOtherErrors={serverOtherErrors}
          />

          <Fieldset legend="Patient">
            {mode === 'edit' ? (
              <Text size="sm">
                {fieldLabel('patientId')}: {values.patientId}. A case keeps its patient; the registry office corrects a
                wrong patient.
              </Text>
            ) : (
              <Stack>
                <Controller
                  control={form.control}
                  name="patientMode"
                  render={({ field }) => (
                    <Radio.Group
                      id={fieldId('patientMode')}
                      label={fieldLabel('patientMode')}
                      value={field.value}
                      onChange={(value) => field.onChange(value)}
                    >
                      <Group mt="xs" gap="md">
                        {PATIENT_MODE_OPTIONS.map((option, index) => (
                          <Radio
                            key={option.value}
                            value={option.value}
                            label={option.label}
                            ref={index === 0 ? field.ref : undefined}
                          />
                        ))}
                      </Group>
                    </Radio.Group>
                  )}
                />
                {states.patient.applies ? (
                  <>
                    <SimpleGrid cols={{ base: 1, sm: 3 }}>
                      <TextField
                        name="patient.mrn"
                        maxLength={32}
                        description="A registered patient is found by MRN; otherwise one is registered with the case"
                      />
                      <DateField name="patient.birthDate" maxDate={today} />
                      <CodeSelect name="patient.sex" vocabulary={SEX} />
                    </SimpleGrid>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                      <TextField
                        name="patient.email"
                        maxLength={254}
                        description="Optional: questionnaires after surgery are sent to it"
                      />
                      <OptionSelect
                        name="patient.promInvitations"
                        options={PROM_INVITATION_OPTIONS}
                        description="Left empty: sent whenever there is an email address"
                      />
                    </SimpleGrid>
                    {findPatient && <PatientLookup form={form} findPatient={findPatient} />}
                  </>
                ) : (
                  <TextField name="patientId" description="The registry id shown on the patient's page" />
                )}
              </Stack>
            )}
          </Fieldset>

          <Fieldset legend="Operation">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <DateField name="surgeryDate" maxDate={today} />
              <CodeSelect name="side" vocabulary={SIDE} description="Bilateral surgery is logged as two cases" />
            </SimpleGrid>
          </Fieldset>

          <Fieldset legend="Indication and work-up">
            <Stack>
              <CodeChecklist name="indications" vocabulary={INDICATION} />
              <RecordedChecklist name="priorIpsilateralSurgery" vocabulary={PRIOR_SURGERY} />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <NumberField name="symptomDurationMonths" min={0} max={600} />
                <CodeSelect name="activityLevel" vocabulary={ACTIVITY_LEVEL} />
                <NumberField name="heightCm" min={100} max={230} decimals={1} />
                <NumberField name="weightKg" min={30} max={250} decimals={1} />
              </SimpleGrid>
              <RecordedChecklist name="conservativeTreatment" vocabulary={CONSERVATIVE_TREATMENT} />
              <YesNoField name="examination.snappingReproduced" />
              <YesNoField name="diagnosticInjection.performed" allowUnknown={false} />
              {states['diagnosticInjection.response'].applies && (
                <CodeSelect name="diagnosticInjection.response" vocabulary={INJECTION_RESPONSE} />
              )}
              <Fieldset legend="Imaging" variant="unstyled">
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <NumberField name="imaging.alphaAngle" min={20} max={120} decimals={1} />
                  <NumberField name="imaging.lateralCenterEdgeAngle" min={-20} max={60} decimals={1} />
                  <OptionSelect name="imaging.tonnisGrade" options={TONNIS_OPTIONS} numeric />
                </SimpleGrid>
                <SimpleGrid cols={{ base: 1, sm: 2 }} mt="md">
                  <YesNoField name="imaging.dynamicUltrasoundSnapping" />
                  <YesNoField name="imaging.bifidTendonOnMri" />
                </SimpleGrid>
              </Fieldset>
            </Stack>
          </Fieldset>

          <Fieldset legend="Set-up">
            <Stack>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <CodeSelect name="anesthesia" vocabulary={ANESTHESIA} />
                <CodeSelect name="positioning" vocabulary={POSITIONING} />
                <NumberField name="tractionMinutes" min={0} max={240} description="0–240; 0 = no traction" />
                <NumberField
                  name="operativeMinutes"
                  min={5}
                  max={600}
                  description="5–600; at least the traction time"
                />
              </SimpleGrid>
              <CodeChecklist name="portals" vocabulary={PORTAL} />
              {states.portalsOther.applies && (
                <TextField name="portalsOther" maxLength={200} description="Name the other portal" />
              )}
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <CodeSelect name="capsulotomy" vocabulary={CAPSULOTOMY} />
                {states.capsularClosure.applies && <CheckField name="capsularClosure" />}
              </SimpleGrid>
            </Stack>
          </Fieldset>

          <Fieldset legend="Findings">
            <Stack>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <CheckField name="findings.labralTear" />
                <CheckField name="findings.anteriorLabralLesionAtPsoas" description="The iliopsoas impingement sign" />
                <CheckField name="findings.cam" />
                <CheckField name="findings.pincer" />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <OptionSelect name="findings.acetabularCartilageIcrs" options={ICRS_OPTIONS} numeric />
                <OptionSelect name="findings.femoralCartilageIcrs" options={ICRS_OPTIONS} numeric />
              </SimpleGrid>
            </Stack>
          </Fieldset>

          <Fieldset legend="Release">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <CodeSelect name="release.location" vocabulary={RELEASE_LOCATION} />
              {states['release.capsularLevel'].applies && (
                <CodeSelect name="release.capsularLevel" vocabulary={CAPSULAR_LEVEL} />
              )}
              <CodeSelect name="release.technique" vocabulary={RELEASE_TECHNIQUE} />
              <OptionSelect name="release.tendonBundles" options={TENDON_BUNDLE_OPTIONS} numeric clearable={false} />
              {states['release.allBundlesReleased'].applies && (
                <YesNoField
                  name="release.allBundlesReleased"
                  allowUnknown={false}
                  description="An unreleased bundle is a known cause of recurrence"
                />
              )}
            </SimpleGrid>
          </Fieldset>

          <Fieldset legend="Impingement repair">
            <Stack>
              <YesNoField name="impingementRepair.performed" allowUnknown={false} />
              {states['impingementRepair.procedures'].applies && (
                <CodeChecklist
                  name="impingementRepair.procedures"
                  vocabulary={IMPINGEMENT_PROCEDURE}
                  description="At most one labral procedure"
                />
              )}
            </Stack>
          </Fieldset>

          <Fieldset legend="Prophylaxis, events and notes">
            <Stack>
              <CodeSelect
                name="hoProphylaxis"
                vocabulary={HO_PROPHYLAXIS}
                description="Reports compare heterotopic ossification by prophylaxis"
              />
              <RecordedChecklist name="intraoperativeEvents" vocabulary={INTRAOPERATIVE_EVENT} />
              <TextAreaField name="notes" maxLength={4000} description="Free text; never in de-identified exports" />
            </Stack>
          </Fieldset>

          {extraFields}

          {mode === 'edit' ? (
            <Group justify="flex-end">
              <Button variant="default" onClick={discard} disabled={isSubmitting}>
                Discard changes
              </Button>
              <Button onClick={submit('save')} loading={isSubmitting}>
                Save changes
              </Button>
            </Group>
          ) : (
            <Group justify="flex-end">
              <Button variant="default" onClick={discard} disabled={isSubmitting}>
                Discard
              </Button>
              <Button variant="light" onClick={submit('save')} loading={isSubmitting}>
                Save as draft
              </Button>
              <Button onClick={submit('sign')} loading={isSubmitting}>
                Save and sign
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </CaseFormContext.Provider>
  );
}
