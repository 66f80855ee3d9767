// The questionnaire one instrument per step (a phone shows one at a time): the opening lines, "Step 2 of 4" with a
// progress bar, the instrument's items, Back and Next, and on the last step "Send my answers". Before sending, each
// instrument is checked against the scoring rules; what is missing is listed with a way to go back to it.
import { INSTRUMENT_SHORT_NAMES, type Instrument } from '@ilr/clinical';
import { Alert, Box, Button, Group, List, Progress, Stack, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  closesText,
  type Completeness,
  incompleteInstruments,
  instrumentView,
  introText,
  type ItemValue,
  type QuestionItem,
  type QuestionnaireAnswers,
  type QuestionnaireView,
  type SaveState,
  saveStateText,
  stepText,
} from '../../logic/questionnaire.js';
import { InstrumentStep } from './questions.js';

// The server's refusal of a submit (400): the instruments it names and its messages for those the page thought done.
export interface SubmitRefusal {
  instruments: Instrument[];
  messages: string[];
}

export interface QuestionnaireStepsProps {
  view: QuestionnaireView;
  answers: QuestionnaireAnswers;
  onAnswer: (item: QuestionItem, value: ItemValue) => void;
  initialStep?: number;
  // Called when the patient moves to another step (the page saves then).
  onStepChange?: (step: number) => void;
  saveState: SaveState;
  onSubmit: () => void;
  submitting?: boolean;
  submitRefusal?: SubmitRefusal | null;
  // Another failure of the submit, in words.
  submitError?: string | null;
  // Show what is missing from the start (the page rendered after a refused submit, and tests).
  initiallyChecked?: boolean;
}

export function QuestionnaireSteps({
  view,
  answers,
  onAnswer,
  initialStep = 0,
  onStepChange,
  saveState,
  onSubmit,
  submitting = false,
  submitRefusal = null,
  submitError = null,
  initiallyChecked = false,
}: QuestionnaireStepsProps) {
  const count = view.instruments.length;
  const [step, setStep] = useState(() => Math.min(Math.max(0, initialStep), Math.max(0, count - 1)));
  const [checked, setChecked] = useState(initiallyChecked);
  const heading = useRef<HTMLHeadingElement>(null);
  const missingRef = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const instrument = view.instruments[step];
  const current = useMemo(() => instrumentView(instrument), [instrument]);
  const last = step === count - 1;

  // A step opened by Next or Back: to its top, its heading focused (screen readers start reading there).
  useEffect(() => {
    if (!moved.current) return;
    heading.current?.focus();
    window.scrollTo?.({ top: 0 });
  }, [step]);

  const goTo = (next: number) => {
    moved.current = true;
    setStep(next);
    onStepChange?.(next);
  };

  // What is missing: the page's own check, and what the server named beyond it.
  const incomplete: Completeness[] = checked ? incompleteInstruments(view.instruments, answers) : [];
  const refusedOnly = (submitRefusal?.instruments ?? []).filter((i) => !incomplete.some((c) => c.instrument === i));
  const showList = incomplete.length > 0 || refusedOnly.length > 0;

  const submit = () => {
    const missing = incompleteInstruments(view.instruments, answers);
    setChecked(true);
    if (missing.length) {
      setTimeout(() => missingRef.current?.focus(), 0);
      return;
    }
    onSubmit();
  };

  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={1}>How is your hip?</Title>
        <Text size="lg">{introText(view)}</Text>
        <Text size="sm">{closesText(view.closesOn)}</Text>
      </Stack>

      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Text fw={600}>
            {stepText(step, count)}: {INSTRUMENT_SHORT_NAMES[instrument]}
          </Text>
          <Box role="status" aria-live="polite" data-testid="save-status">
            <Text size="sm">{saveStateText(saveState)}</Text>
          </Box>
        </Group>
        <Progress value={Math.round(((step + 1) / count) * 100)} aria-label={stepText(step, count)} size="md" />
      </Stack>

      {showList && (
        <Box ref={missingRef} tabIndex={-1}>
          <Alert color="red" title="Some answers are missing" role="alert">
            <Stack gap="xs">
              <Text size="sm">Your answers can be sent once these are complete:</Text>
              <List size="sm" spacing="xs">
                {incomplete.map((c) => (
                  <List.Item key={c.instrument}>
                    <MissingEntry
                      name={INSTRUMENT_SHORT_NAMES[c.instrument]}
                      message={c.message ?? ''}
                      here={c.instrument === instrument}
                      onGo={() => goTo(view.instruments.indexOf(c.instrument))}
                    />
                  </List.Item>
                ))}
                {refusedOnly.map((i) => (
                  <List.Item key={i}>
                    <MissingEntry
                      name={INSTRUMENT_SHORT_NAMES[i]}
                      message={submitRefusal?.messages.join(' ') || 'Some answers are missing.'}
                      here={i === instrument}
                      onGo={() => goTo(view.instruments.indexOf(i))}
                    />
                  </List.Item>
                ))}
              </List>
            </Stack>
          </Alert>
        </Box>
      )}

      <InstrumentStep view={current} answers={answers} onAnswer={onAnswer} showMissing={checked} headingRef={heading} />

      {submitError && (
        <Alert color="red" title="Your answers were not sent" role="alert">
          {submitError}
        </Alert>
      )}

      <Group justify="space-between" gap="md" wrap="nowrap">
        <Button variant="default" size="lg" onClick={() => goTo(step - 1)} disabled={step === 0}>
          Back
        </Button>
        {last ? (
          <Button size="lg" onClick={submit} loading={submitting}>
            Send my answers
          </Button>
        ) : (
          <Button size="lg" onClick={() => goTo(step + 1)}>
            Next
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function MissingEntry({
  name,
  message,
  here,
  onGo,
}: {
  name: string;
  message: string;
  here: boolean;
  onGo: () => void;
}) {
  return (
    <Stack gap={4} align="flex-start">
      <Text size="sm">
        <strong>{name}</strong>: {message}
      </Text>
      {!here && (
        <Button variant="outline" size="sm" onClick={onGo}>
          Go to {name}
        </Button>
      )}
    </Stack>
  );
}

export function ThankYou() {
  return (
    <Stack>
      <Title order={1}>Thank you</Title>
      <Text size="lg">Your answers have been sent to your clinic.</Text>
      <Text>
        They help your surgeon follow how your hip is doing and make the operation better for others. You can close this
        page now; the link will not work again.
      </Text>
    </Stack>
  );
}
