// The New-complication form: DOMAIN.md § Complication, showing only what applies (the Brooker grade for
// heterotopic ossification, the cause for a recurrence, the reoperation's date and procedure when there was
// one), checked with libs/clinical's rules before sending (logic/complication-form-values.ts). It keeps a
// draft in sessionStorage and hands the CreateComplicationRequest body to `onSubmit`; the page sends it.
import { Button, Fieldset, Group, Radio, SimpleGrid, Stack } from '@mantine/core';
import {
  BROOKER_GRADE,
  CLAVIEN_DINDO,
  COMPLICATION_TYPE,
  RECURRENCE_CAUSE,
  REOPERATION_PROCEDURE,
  SINK_GRADE,
} from '@ilr/clinical';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { complicationFieldStates, type ComplicationFormValues } from '../../logic/case-form-fields.js';
import {
  checkComplicationValues,
  type ComplicationCheckContext,
  type CreateComplicationRequest,
  emptyComplicationFormValues,
  toCreateComplicationRequest,
} from '../../logic/complication-form-values.js';
import { rebaseFormValues } from '../../logic/case-view.js';
import { type DraftStore, sessionDrafts } from '../../logic/drafts.js';
import { fieldLabel, type Option, optionsOf } from '../../logic/labels.js';
import type { FieldErrors } from '../../logic/problem.js';
import { dateInWords } from '../../logic/visit-labels.js';
import { localToday } from '../case-form/case-submission.js';
import {
  CodeSelect,
  DateField,
  fieldId,
  formFields,
  FormFieldsContext,
  OptionSelect,
  TextAreaField,
} from '../case-form/controls.js';
import { useFormDraft } from '../case-form/use-form-draft.js';
import { FormNotices } from '../case-form/form-notices.js';

export interface ComplicationFormProps {
  // 'edit': a stored complication (defaultValues), saved with "Save changes".
  mode?: 'new' | 'edit';
  // The form's accessible name.
  title?: string;
  // The values to start from. New values (reloaded after a 412) replace the fields the user has not changed.
  defaultValues?: ComplicationFormValues;
  // More of the page's own, shown before the buttons (the 412 notice).
  extraFields?: ReactNode;
  caseId: string;
  surgeryDate: string;
  // The case's visits, as "Found at visit" offers them (visitOptions).
  visits: Option[];
  onSubmit: (body: CreateComplicationRequest) => Promise<unknown> | unknown;
  serverErrors?: FieldErrors;
  serverMessage?: string;
  serverOtherErrors?: string[];
  onDiscard?: () => void;
  today?: string;
  drafts?: DraftStore | null;
  draftRoute: string;
}

const DRAFT_FORM = 'complication-form';
const REQUIRED = ['type', 'onsetDate', 'sinkGrade'];

function focusField(path: string) {
  const element = document.getElementById(fieldId(path));
  const target = element?.matches('input, textarea, select, button')
    ? element
    : element?.querySelector<HTMLElement>('input:not([type="hidden"]), textarea, select, button');
  target?.focus();
}

// A graded scale as radio buttons, so that every grade's description is on the page, not hidden in a list.
function GradeRadios({
  name,
  options,
  errors,
  required,
  description,
  control,
}: {
  name: 'brookerGrade' | 'sinkGrade';
  options: Option[];
  errors: FieldErrors;
  required: boolean;
  description?: string;
  control: ReturnType<typeof useForm<ComplicationFormValues>>['control'];
}) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <Radio.Group
          id={fieldId(name)}
          label={fieldLabel(name)}
          description={description}
          withAsterisk={required}
          error={errors[name]}
          value={field.value === null ? null : String(field.value)}
          onChange={(value) => field.onChange(Number(value))}
        >
          <Stack mt="xs" gap="xs">
            {options.map((option, index) => (
              <Radio
                key={option.value}
                value={option.value}
                label={option.label}
                ref={index === 0 ? field.ref : undefined}
              />
            ))}
          </Stack>
        </Radio.Group>
      )}
    />
  );
}

export function ComplicationForm({
  mode = 'new',
  title = 'New complication',
  defaultValues,
  extraFields,
  caseId,
  surgeryDate,
  visits,
  onSubmit,
  serverErrors = {},
  serverMessage,
  serverOtherErrors = [],
  onDiscard,
  today = localToday(),
  drafts,
  draftRoute,
}: ComplicationFormProps) {
  const initial = useMemo(() => defaultValues ?? emptyComplicationFormValues(), [defaultValues]);
  const form = useForm<ComplicationFormValues>({ defaultValues: initial });
  const store = useMemo(() => (drafts === undefined ? sessionDrafts() : drafts), [drafts]);
  const draft = useFormDraft(form, store, DRAFT_FORM, draftRoute);
  const opened = useRef(initial);
  useEffect(() => {
    if (opened.current === initial) return;
    form.reset(rebaseFormValues(opened.current, form.getValues(), initial));
    opened.current = initial;
  }, [initial, form]);
  const values = useWatch({ control: form.control }) as ComplicationFormValues;
  const states = complicationFieldStates(values);
  const context: ComplicationCheckContext = { surgeryDate, today, caseId };
  // Checked as typed once the surgeon has tried to save; before that, only the server's answer shows.
  const [checked, setChecked] = useState(false);
  const liveErrors = checked ? checkComplicationValues(values, context) : {};
  const errors: FieldErrors = { ...serverErrors, ...liveErrors };

  const required = new Set<string>([
    ...REQUIRED,
    ...Object.entries(states)
      .filter(([, state]) => state.required)
      .map(([path]) => path),
    ...(values.reoperation ? ['reoperation.date', 'reoperation.procedure'] : []),
  ]);

  const submit = form.handleSubmit(async (current) => {
    const found = checkComplicationValues(current, context);
    if (Object.keys(found).length) {
      setChecked(true);
      focusField(Object.keys(found)[0]);
      return;
    }
    setChecked(false);
    try {
      await onSubmit(toCreateComplicationRequest(current));
      draft.clear();
    } catch {
      // The page shows the answer; the values and the draft stay.
    }
  });

  const discard = () => {
    // Reset first: the reset is a change the draft would keep, unless it is cleared after it.
    form.reset(initial);
    draft.clear();
    setChecked(false);
    onDiscard?.();
  };

  const { isSubmitting } = form.formState;

  return (
    <FormFieldsContext.Provider value={formFields({ control: form.control, errors, required })}>
      <form
        noValidate
        aria-label={title}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Stack gap="lg">
          <FormNotices
            record="complication"
            draftRestored={Boolean(draft.restoredAt)}
            errors={errors}
            serverMessage={serverMessage}
            serverOtherErrors={serverOtherErrors}
          />

          <Fieldset legend="What happened">
            <Stack>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <CodeSelect name="type" vocabulary={COMPLICATION_TYPE} />
                <DateField
                  name="onsetDate"
                  maxDate={today}
                  description={`On or after the surgery (${dateInWords(surgeryDate)}); type as YYYY-MM-DD or pick from the calendar`}
                />
              </SimpleGrid>
              {states.brookerGrade.applies && (
                <GradeRadios
                  name="brookerGrade"
                  options={optionsOf(BROOKER_GRADE)}
                  errors={errors}
                  required={required.has('brookerGrade')}
                  description="Brooker 1973"
                  control={form.control}
                />
              )}
              {states.recurrenceCause.applies && <CodeSelect name="recurrenceCause" vocabulary={RECURRENCE_CAUSE} />}
              <OptionSelect
                name="followUpId"
                options={visits}
                description={visits.length ? 'The visit where it was found, if any' : 'This case has no visits yet'}
              />
              <TextAreaField
                name="description"
                maxLength={4000}
                description={
                  states.description.required
                    ? 'Required for another complication: say what it was'
                    : 'Free text; never in de-identified exports'
                }
              />
            </Stack>
          </Fieldset>

          <Fieldset legend="Severity">
            <Stack>
              <GradeRadios
                name="sinkGrade"
                options={optionsOf(SINK_GRADE)}
                errors={errors}
                required
                description="Hip-preservation grading (Sink 2011/2012); at least 3 when there was a reoperation"
                control={form.control}
              />
              <CodeSelect name="clavienDindo" vocabulary={CLAVIEN_DINDO} description="Optional" />
            </Stack>
          </Fieldset>

          <Fieldset legend="Treatment and course">
            <Stack>
              <Controller
                control={form.control}
                name="reoperation"
                render={({ field }) => (
                  <Radio.Group
                    id={fieldId('reoperation')}
                    label={fieldLabel('reoperation')}
                    error={errors.reoperation}
                    value={field.value ? 'yes' : 'no'}
                    onChange={(value) => field.onChange(value === 'yes' ? { date: null, procedure: null } : null)}
                  >
                    <Group mt="xs" gap="md">
                      <Radio value="no" label="No" ref={field.ref} />
                      <Radio value="yes" label="Yes" />
                    </Group>
                  </Radio.Group>
                )}
              />
              {values.reoperation && (
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <DateField name="reoperation.date" maxDate={today} />
                  <CodeSelect name="reoperation.procedure" vocabulary={REOPERATION_PROCEDURE} />
                </SimpleGrid>
              )}
              <DateField
                name="resolvedDate"
                maxDate={today}
                description="On or after the onset; empty while it lasts"
              />
            </Stack>
          </Fieldset>

          {extraFields}

          <Group justify="flex-end">
            <Button variant="default" onClick={discard} disabled={isSubmitting}>
              {mode === 'edit' ? 'Discard changes' : 'Discard'}
            </Button>
            <Button type="submit" loading={isSubmitting}>
              {mode === 'edit' ? 'Save changes' : 'Save the complication'}
            </Button>
          </Group>
        </Stack>
      </form>
    </FormFieldsContext.Provider>
  );
}
