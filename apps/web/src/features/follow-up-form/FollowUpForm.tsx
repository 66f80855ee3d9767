// The follow-up visit form: the visit fields of DOMAIN.md § Follow-up visit with the timepoint derived live from
// the visit date, then each PROM instrument in its own collapsible section, item by item in the instrument's
// words (libs/clinical prom-wording). Checked in the browser like the server (logic/follow-up-form-values.ts),
// kept as a draft; the page sends the body and passes the server's answer back.
import { Accordion, Badge, Button, Fieldset, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import {
  EQ5D5L_DIMENSIONS,
  EQ5D5L_INSTRUCTIONS,
  EQ5D5L_VAS,
  HOS_ADL_ITEMS,
  HOS_ANSWERS,
  HOS_INSTRUCTIONS,
  HOS_SPORT_ITEMS,
  IHOT12_INSTRUCTIONS,
  IHOT12_ITEMS,
  INSTRUMENT_NAMES,
  INSTRUMENTS,
  type Instrument,
  MHHS_ITEM_NAMES,
  MHHS_WORDING,
  mhhsAnswers,
  NAHS_ANSWERS,
  NAHS_INSTRUCTIONS,
  NAHS_SECTIONS,
} from '@ilr/clinical';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { rebaseFormValues } from '../../logic/case-view.js';
import { type DraftStore, sessionDrafts } from '../../logic/drafts.js';
import {
  answeredItems,
  checkFollowUpValues,
  type CreateFollowUpRequest,
  dayWords,
  emptyFollowUpFormValues,
  FOLLOW_UP_VOCABULARIES,
  followUpFieldLabel,
  type FollowUpFormValues,
  INSTRUMENT_ITEM_COUNTS,
  liveTimepoint,
  MRC_OPTIONS,
  REQUIRED_FOLLOW_UP_FIELDS,
  toCreateFollowUpRequest,
} from '../../logic/follow-up-form-values.js';
import type { FieldErrors } from '../../logic/problem.js';
import { localToday } from '../case-form/case-submission.js';
import {
  CodeSelect,
  DateField,
  fieldId,
  FormFieldsContext,
  formFields,
  NumberField,
  OptionSelect,
} from '../case-form/controls.js';
import { useFormDraft } from '../case-form/use-form-draft.js';
import { ChoiceField, ScaleField } from './prom-controls.js';
import { FormNotices } from '../case-form/form-notices.js';

export interface FollowUpFormProps {
  // 'edit': a stored visit (defaultValues), saved with "Save changes".
  mode?: 'new' | 'edit';
  // The form's accessible name.
  title?: string;
  // The values to start from. New values (the visit reloaded after a 412) replace the fields the user has not
  // changed and keep those they have.
  defaultValues?: FollowUpFormValues;
  // More of the page's own, shown before the buttons (the 412 notice).
  extraFields?: ReactNode;
  surgeryDate: string;
  onSubmit: (body: CreateFollowUpRequest) => Promise<unknown> | unknown;
  // The server's field errors by form path (logic/follow-up-form-values.ts followUpServerErrors).
  serverErrors?: FieldErrors;
  serverMessage?: string;
  serverOtherErrors?: string[];
  onDiscard?: () => void;
  today?: string;
  drafts?: DraftStore | null;
  draftRoute: string;
  // The instrument sections open at first (all start closed by default).
  openInstruments?: readonly Instrument[];
}

const DRAFT_FORM = 'follow-up-form';
const REQUIRED = new Set<string>(REQUIRED_FOLLOW_UP_FIELDS);

function focusField(path: string) {
  const element = document.getElementById(fieldId(path));
  const target = element?.matches('input, textarea, select, button')
    ? element
    : element?.querySelector<HTMLElement>('input:not([type="hidden"]), textarea, select, button');
  target?.focus();
}

const instrumentOf = (path: string) => /^proms\.(\w+)/.exec(path)?.[1] as Instrument | undefined;

export function FollowUpForm({
  mode = 'new',
  title = 'New follow-up',
  defaultValues,
  extraFields,
  surgeryDate,
  onSubmit,
  serverErrors = {},
  serverMessage,
  serverOtherErrors = [],
  onDiscard,
  today = localToday(),
  drafts,
  draftRoute,
  openInstruments = [],
}: FollowUpFormProps) {
  const initial = useMemo(() => defaultValues ?? emptyFollowUpFormValues(), [defaultValues]);
  const form = useForm<FollowUpFormValues>({ defaultValues: initial });
  const store = useMemo(() => (drafts === undefined ? sessionDrafts() : drafts), [drafts]);
  const draft = useFormDraft(form, store, DRAFT_FORM, draftRoute);
  const opened = useRef(initial);
  useEffect(() => {
    if (opened.current === initial) return;
    form.reset(rebaseFormValues(opened.current, form.getValues(), initial));
    opened.current = initial;
  }, [initial, form]);
  const values = useWatch({ control: form.control }) as FollowUpFormValues;
  const [checked, setChecked] = useState(false);
  const [open, setOpen] = useState<string[]>([...openInstruments]);
  const context = { surgeryDate, today };
  const liveErrors = checked ? checkFollowUpValues(values, context) : {};
  const errors: FieldErrors = { ...serverErrors, ...liveErrors };
  const timepoint = liveTimepoint(surgeryDate, values.visitDate);
  const counts = answeredItems(values.proms);
  // A section with an error in it opens, so that the error shows.
  const openSections = [...new Set([...open, ...Object.keys(errors).map(instrumentOf).filter(Boolean)])] as string[];

  const submit = form.handleSubmit(async (current) => {
    const found = checkFollowUpValues(current, context);
    if (Object.keys(found).length) {
      setChecked(true);
      const first = Object.keys(found)[0];
      const instrument = instrumentOf(first);
      if (instrument) setOpen((o) => [...new Set([...o, instrument])]);
      setTimeout(() => focusField(first), 0);
      return;
    }
    setChecked(false);
    try {
      await onSubmit(toCreateFollowUpRequest(current));
      draft.clear();
    } catch {
      // The page shows the answer; the values and the draft stay.
    }
  });

  const discard = () => {
    draft.clear();
    form.reset(initial);
    setChecked(false);
    onDiscard?.();
  };

  const { isSubmitting } = form.formState;

  return (
    <FormFieldsContext.Provider
      value={formFields({ control: form.control, errors, required: REQUIRED, labelOf: followUpFieldLabel })}
    >
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
            record="follow-up"
            draftRestored={Boolean(draft.restoredAt)}
            errors={errors}
            serverMessage={serverMessage}
            serverOtherErrors={serverOtherErrors}
            labelOf={followUpFieldLabel}
          />

          <Fieldset legend="Visit">
            <Stack>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Stack gap={4}>
                  <DateField name="visitDate" maxDate={today} />
                  <Text size="sm" aria-live="polite" data-testid="live-timepoint">
                    {timepoint
                      ? `Timepoint: ${timepoint.label} (${dayWords(timepoint.day)} on ${surgeryDate})`
                      : `Timepoint: shown once the visit date is typed (surgery on ${surgeryDate})`}
                  </Text>
                </Stack>
                <CodeSelect name="contactMode" vocabulary={FOLLOW_UP_VOCABULARIES.contactMode} />
                <CodeSelect name="snapping" vocabulary={FOLLOW_UP_VOCABULARIES.snapping} />
                <NumberField
                  name="groinPain"
                  min={0}
                  max={10}
                  decimals={1}
                  description="0 = no pain, 10 = worst pain; one decimal"
                />
                <OptionSelect name="hipFlexionStrength" options={MRC_OPTIONS} numeric />
                <CodeSelect name="returnedToSport" vocabulary={FOLLOW_UP_VOCABULARIES.returnedToSport} />
                <NumberField
                  name="satisfaction"
                  min={0}
                  max={10}
                  description="0 = not at all satisfied, 10 = fully satisfied"
                />
              </SimpleGrid>
            </Stack>
          </Fieldset>

          <Stack gap="xs">
            <Text fw={600} component="h2" size="lg">
              Questionnaires
            </Text>
            <Text size="sm" c="dimmed">
              Open an instrument to record it item by item. An instrument is saved when at least one item is answered;
              the registry scores it.
            </Text>
            <Accordion multiple variant="separated" value={openSections} onChange={setOpen}>
              {INSTRUMENTS.map((instrument) => (
                <Accordion.Item key={instrument} value={instrument}>
                  <Accordion.Control>
                    <Group gap="sm" wrap="wrap">
                      <Text fw={500}>{INSTRUMENT_NAMES[instrument]}</Text>
                      <Badge variant="light" color={counts[instrument] ? 'blue' : 'gray'}>
                        {counts[instrument]} of {INSTRUMENT_ITEM_COUNTS[instrument]} answered
                      </Badge>
                    </Group>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <InstrumentItems instrument={instrument} error={errors[`proms.${instrument}`]} />
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
          </Stack>

          {extraFields}

          <Group justify="flex-end">
            <Button variant="default" onClick={discard} disabled={isSubmitting}>
              {mode === 'edit' ? 'Discard changes' : 'Discard'}
            </Button>
            <Button type="submit" loading={isSubmitting}>
              {mode === 'edit' ? 'Save changes' : 'Save follow-up'}
            </Button>
          </Group>
        </Stack>
      </form>
    </FormFieldsContext.Provider>
  );
}

function InstrumentItems({ instrument, error }: { instrument: Instrument; error?: string }) {
  const problem = error && (
    <Text size="sm" c="red" role="alert">
      {error}
    </Text>
  );
  switch (instrument) {
    case 'mhhs':
      return (
        <Stack>
          {problem}
          {MHHS_ITEM_NAMES.map((item, i) => (
            <ChoiceField
              key={item}
              name={`proms.mhhs.${item}`}
              label={`${i + 1}. ${MHHS_WORDING[item].text}`}
              options={mhhsAnswers(item)}
              vertical
            />
          ))}
        </Stack>
      );
    case 'ihot12':
      return (
        <Stack>
          <Text size="sm">{IHOT12_INSTRUCTIONS}</Text>
          {problem}
          {IHOT12_ITEMS.map((item, i) => (
            <ScaleField
              key={item.text}
              name={`proms.ihot12.${i}`}
              label={`${i + 1}. ${item.text}`}
              at0={item.at0}
              at100={item.at100}
            />
          ))}
        </Stack>
      );
    case 'hosAdl':
    case 'hosSport':
      return (
        <Stack>
          <Text size="sm">{HOS_INSTRUCTIONS}</Text>
          {problem}
          {(instrument === 'hosAdl' ? HOS_ADL_ITEMS : HOS_SPORT_ITEMS).map((text, i) => (
            <ChoiceField
              key={text}
              name={`proms.${instrument}.${i}`}
              label={`${i + 1}. ${text}`}
              options={HOS_ANSWERS}
            />
          ))}
        </Stack>
      );
    case 'nahs': {
      let n = 0;
      return (
        <Stack>
          <Text size="sm">{NAHS_INSTRUCTIONS}</Text>
          {problem}
          {NAHS_SECTIONS.map((section) => (
            <Fieldset key={section.name} legend={`${section.name}: ${section.stem}…`} variant="unstyled">
              <Stack>
                {section.items.map((text) => {
                  const i = n++;
                  return (
                    <ChoiceField
                      key={text}
                      name={`proms.nahs.${i}`}
                      label={`${i + 1}. ${text}`}
                      options={NAHS_ANSWERS}
                    />
                  );
                })}
              </Stack>
            </Fieldset>
          ))}
        </Stack>
      );
    }
    case 'eq5d5l':
      return (
        <Stack>
          <Text size="sm">{EQ5D5L_INSTRUCTIONS}</Text>
          {problem}
          {EQ5D5L_DIMENSIONS.map((dimension) => (
            <ChoiceField
              key={dimension.key}
              name={`proms.eq5d5l.${dimension.key}`}
              label={dimension.name}
              options={dimension.levels.map((label, i) => ({ value: i + 1, label }))}
              vertical
            />
          ))}
          <Text size="sm">{EQ5D5L_VAS.text}</Text>
          <ScaleField name="proms.eq5d5l.vas" label={EQ5D5L_VAS.label} at0={EQ5D5L_VAS.at0} at100={EQ5D5L_VAS.at100} />
        </Stack>
      );
  }
}
