// The patient's items, one column and large touch targets for a phone: each item a <fieldset> whose <legend> is the
// question (its accessible name), a choice as native radio buttons in full-width labels, a 0–100 scale as a slider
// with a number box. A scale is unanswered (null) until the patient sets it, and says so in words.
import { Box, Fieldset, Group, NumberInput, Slider, Stack, Text, Title } from '@mantine/core';
import type { Ref } from 'react';
import {
  answeredCount,
  type ChoiceItem,
  completeness,
  type InstrumentView,
  type ItemValue,
  type QuestionItem,
  type QuestionnaireAnswers,
  type ScaleItem,
  valueOf,
} from '../../logic/questionnaire.js';

export const NOT_ANSWERED = 'Not answered yet';

const legendStyles = {
  root: { border: 0, padding: 0, margin: 0, minWidth: 0 },
  legend: { fontWeight: 600, fontSize: 'var(--mantine-font-size-lg)', marginBottom: 'var(--mantine-spacing-xs)' },
};

function Missing({ id }: { id: string }) {
  return (
    <Text id={id} size="sm" fw={700} c="red.9" mb="xs">
      {NOT_ANSWERED}
    </Text>
  );
}

export function ChoiceQuestion({
  item,
  value,
  onChange,
  showMissing,
}: {
  item: ChoiceItem;
  value: ItemValue;
  onChange: (value: ItemValue) => void;
  showMissing: boolean;
}) {
  const missing = showMissing && value === null;
  return (
    <Fieldset
      id={item.id}
      variant="unstyled"
      legend={`${item.number}. ${item.text}`}
      styles={legendStyles}
      aria-describedby={missing ? `${item.id}-missing` : undefined}
    >
      {missing && <Missing id={`${item.id}-missing`} />}
      <Stack gap={8}>
        {item.options.map((option) => {
          const checked = value === option.value;
          return (
            <Box
              key={String(option.value)}
              component="label"
              style={{
                display: 'flex',
                alignItems: 'center',
                gap: 12,
                minHeight: 48,
                padding: '10px 12px',
                borderRadius: 'var(--mantine-radius-sm)',
                border: checked
                  ? '2px solid var(--mantine-primary-color-filled)'
                  : '1px solid var(--mantine-color-gray-6)',
                background: checked ? 'var(--mantine-primary-color-light)' : 'var(--mantine-color-body)',
                cursor: 'pointer',
              }}
            >
              <input
                type="radio"
                name={item.id}
                value={String(option.value)}
                checked={checked}
                onChange={() => onChange(option.value)}
                style={{
                  width: 22,
                  height: 22,
                  margin: 0,
                  flex: 'none',
                  accentColor: 'var(--mantine-primary-color-filled)',
                }}
              />
              <Text component="span" fw={checked ? 700 : 400}>
                {option.label}
              </Text>
            </Box>
          );
        })}
      </Stack>
    </Fieldset>
  );
}

export function ScaleQuestion({
  item,
  value,
  onChange,
  showMissing,
}: {
  item: ScaleItem;
  value: number | null;
  onChange: (value: number | null) => void;
  showMissing: boolean;
}) {
  const unanswered = value === null;
  const statusId = `${item.id}-status`;
  return (
    <Fieldset
      id={item.id}
      variant="unstyled"
      legend={`${item.number}. ${item.text}`}
      styles={legendStyles}
      aria-describedby={statusId}
    >
      <Stack gap="sm">
        {item.description && <Text size="sm">{item.description}</Text>}
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
          <Text size="sm" maw="45%">
            0 = {item.at0}
          </Text>
          <Text size="sm" maw="45%" ta="right">
            100 = {item.at100}
          </Text>
        </Group>
        <Box px={6} py="xs">
          <Slider
            min={0}
            max={100}
            step={1}
            size="lg"
            thumbSize={32}
            label={null}
            value={value ?? 50}
            onChange={(next) => onChange(next)}
            thumbLabel={item.text}
            thumbValueText={unanswered ? NOT_ANSWERED : (v) => `${v} of 100`}
            color={unanswered ? 'gray.6' : undefined}
            // Unanswered: no filled bar, a hollow thumb in the middle, and the words below.
            styles={
              unanswered
                ? {
                    bar: { opacity: 0 },
                    thumb: { background: 'var(--mantine-color-body)', borderColor: 'var(--mantine-color-gray-7)' },
                  }
                : undefined
            }
          />
        </Box>
        <Group align="flex-end" gap="md" wrap="wrap">
          <NumberInput
            label="Your answer, 0 to 100"
            value={value ?? ''}
            onChange={(next) => onChange(next === '' || next === null ? null : Math.round(Number(next)))}
            min={0}
            max={100}
            step={1}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="strict"
            inputMode="numeric"
            size="md"
            w={170}
          />
          <Text
            id={statusId}
            size="sm"
            fw={unanswered ? 700 : 400}
            c={unanswered && showMissing ? 'red.9' : undefined}
            pb={8}
          >
            {unanswered ? NOT_ANSWERED : `Your answer: ${value}`}
          </Text>
        </Group>
      </Stack>
    </Fieldset>
  );
}

export function Question({
  item,
  answers,
  onAnswer,
  showMissing,
}: {
  item: QuestionItem;
  answers: QuestionnaireAnswers;
  onAnswer: (item: QuestionItem, value: ItemValue) => void;
  showMissing: boolean;
}) {
  const value = valueOf(answers, item);
  return item.kind === 'scale' ? (
    <ScaleQuestion
      item={item}
      value={typeof value === 'number' ? value : null}
      onChange={(v) => onAnswer(item, v)}
      showMissing={showMissing}
    />
  ) : (
    <ChoiceQuestion item={item} value={value} onChange={(v) => onAnswer(item, v)} showMissing={showMissing} />
  );
}

// One instrument: its name as the step's heading (focused when the step opens), its instructions, and its items.
export function InstrumentStep({
  view,
  answers,
  onAnswer,
  showMissing,
  headingRef,
}: {
  view: InstrumentView;
  answers: QuestionnaireAnswers;
  onAnswer: (item: QuestionItem, value: ItemValue) => void;
  showMissing: boolean;
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  const headingId = `${view.instrument}-heading`;
  const state = completeness(view.instrument, answers);
  return (
    <Stack component="section" aria-labelledby={headingId} gap="lg">
      <Stack gap={4}>
        <Title order={2} id={headingId} ref={headingRef} tabIndex={-1}>
          {view.name}
        </Title>
        {view.instructions && <Text>{view.instructions}</Text>}
        <Text size="sm">
          {answeredCount(view.instrument, answers)} of {state.total} answered
        </Text>
        {showMissing && state.message && (
          <Text size="sm" fw={700} c="red.9">
            {state.message}
          </Text>
        )}
      </Stack>
      {view.sections.map((section, i) => (
        <Stack key={section.heading ?? i} gap="lg">
          {section.heading && (
            <Title order={3} size="h4">
              {section.heading}
            </Title>
          )}
          {section.items.map((item) => (
            <Question key={item.id} item={item} answers={answers} onAnswer={onAnswer} showMissing={showMissing} />
          ))}
        </Stack>
      ))}
    </Stack>
  );
}
