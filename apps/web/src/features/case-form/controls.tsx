// The forms' controls (case, follow-up, complication): Mantine components bound to react-hook-form by
// field path. Each shows its label in words (logic/labels.ts, or the form's own `labelOf`), its error in
// words, and nothing a keyboard cannot reach. A form provides FormFieldsContext around them.
import {
  Checkbox,
  Group,
  NumberInput,
  Radio,
  Select,
  Stack,
  Textarea,
  TextInput,
  type NumberInputProps,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { createContext, useContext, useState } from 'react';
import { Controller, type Control, type FieldPath, type FieldValues } from 'react-hook-form';
import type { Vocabulary } from '@ilr/clinical';
import type { CaseFormValues } from '../../logic/case-form-values.js';
import { fieldLabel, LIST_RECORDING, type Option, optionsOf, YES_NO_UNKNOWN } from '../../logic/labels.js';
import type { FieldErrors } from '../../logic/problem.js';

export type CasePath = FieldPath<CaseFormValues>;

export interface FormFields {
  // The form's react-hook-form control; the controls address its values by field path.
  control: Control<FieldValues>;
  errors: FieldErrors;
  required: ReadonlySet<string>;
  // Words for a field path (default: logic/labels.ts's fieldLabel).
  labelOf?: (path: string) => string;
}

export const FormFieldsContext = createContext<FormFields | null>(null);
// The case form's name for it (CaseForm.tsx).
export const CaseFormContext = FormFieldsContext;

// A form's context, typed by its values.
export function formFields<T extends FieldValues>(
  fields: Omit<FormFields, 'control'> & { control: Control<T, unknown, T> },
) {
  return fields as unknown as FormFields;
}

function useField(name: string) {
  const context = useContext(FormFieldsContext);
  if (!context) throw new Error('Form controls are used inside a FormFieldsContext');
  return {
    control: context.control,
    error: context.errors[name],
    required: context.required.has(name),
    label: (context.labelOf ?? fieldLabel)(name),
  };
}

// Mantine ids and aria wiring come from `id`: a stable one per path keeps labels, errors and
// descriptions linked to their control (and lets a page focus the first field in error).
export const fieldId = (name: string) => `case-${name.replace(/[.[\]]/g, '-')}`;

interface BaseProps {
  // A field path of the form's values (CasePath for the case form).
  name: string;
  description?: string;
  label?: string;
}

export function TextField({ name, description, label, maxLength }: BaseProps & { maxLength?: number }) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <TextInput
          id={fieldId(name)}
          label={label ?? field.label}
          description={description}
          withAsterisk={field.required}
          error={field.error}
          maxLength={maxLength}
          value={(f.value as string | null) ?? ''}
          onChange={(event) => f.onChange(event.currentTarget.value)}
          onBlur={f.onBlur}
          ref={f.ref}
          name={f.name}
          autoComplete="off"
        />
      )}
    />
  );
}

export function TextAreaField({ name, description, maxLength }: BaseProps & { maxLength?: number }) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <Textarea
          id={fieldId(name)}
          label={field.label}
          description={description}
          error={field.error}
          maxLength={maxLength}
          autosize
          minRows={3}
          value={(f.value as string | null) ?? ''}
          onChange={(event) => f.onChange(event.currentTarget.value)}
          onBlur={f.onBlur}
          ref={f.ref}
          name={f.name}
        />
      )}
    />
  );
}

export function DateField({ name, description, maxDate }: BaseProps & { maxDate?: string }) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <DateInput
          id={fieldId(name)}
          label={field.label}
          description={description ?? 'Type as YYYY-MM-DD or pick from the calendar'}
          withAsterisk={field.required}
          error={field.error}
          valueFormat="YYYY-MM-DD"
          placeholder="YYYY-MM-DD"
          clearable
          // The clear button is an icon: it needs a name of its own (axe button-name).
          clearButtonProps={{ 'aria-label': `Clear ${field.label.toLowerCase()}` }}
          maxDate={maxDate}
          value={(f.value as string | null) ?? null}
          onChange={(value) => f.onChange(value ?? null)}
          onBlur={f.onBlur}
          ref={f.ref}
          name={f.name}
        />
      )}
    />
  );
}

export function NumberField({
  name,
  description,
  min,
  max,
  decimals = 0,
}: BaseProps & { min: number; max: number; decimals?: number } & Pick<NumberInputProps, 'suffix'>) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <NumberInput
          id={fieldId(name)}
          label={field.label}
          description={description ?? `${min}–${max}`}
          withAsterisk={field.required}
          error={field.error}
          min={min}
          max={max}
          decimalScale={decimals}
          allowDecimal={decimals > 0}
          allowNegative={min < 0}
          clampBehavior="none"
          value={(f.value as number | null) ?? ''}
          onChange={(value) => f.onChange(value === '' || value === null ? null : Number(value))}
          onBlur={f.onBlur}
          ref={f.ref}
          name={f.name}
        />
      )}
    />
  );
}

// One code of a vocabulary, from a list.
export function CodeSelect<C extends string>({
  name,
  description,
  vocabulary,
}: BaseProps & { vocabulary: Vocabulary<C> }) {
  return <OptionSelect name={name} description={description} options={optionsOf(vocabulary)} />;
}

// One of a fixed list of options; `numeric` stores the option's value as a number.
export function OptionSelect({
  name,
  description,
  options,
  numeric = false,
  clearable = true,
}: BaseProps & { options: Option[]; numeric?: boolean; clearable?: boolean }) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <Select
          id={fieldId(name)}
          label={field.label}
          description={description}
          withAsterisk={field.required}
          error={field.error}
          data={options}
          clearable={clearable && !field.required}
          allowDeselect={!field.required}
          placeholder="Choose"
          value={f.value === null || f.value === undefined ? null : String(f.value)}
          onChange={(value) => f.onChange(value === null ? null : numeric ? Number(value) : value)}
          onBlur={f.onBlur}
          ref={f.ref}
          name={f.name}
        />
      )}
    />
  );
}

// Several codes of a vocabulary, as checkboxes (a list of at most a dozen reads better than a multi-select).
export function CodeChecklist<C extends string>({
  name,
  description,
  vocabulary,
}: BaseProps & { vocabulary: Vocabulary<C> }) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <Checkbox.Group
          id={fieldId(name)}
          label={field.label}
          description={description}
          withAsterisk={field.required}
          error={field.error}
          value={(f.value as string[] | null) ?? []}
          onChange={(value) => f.onChange(value)}
        >
          <Group mt="xs" gap="md">
            {optionsOf(vocabulary).map((option, index) => (
              <Checkbox
                key={option.value}
                value={option.value}
                label={option.label}
                ref={index === 0 ? f.ref : undefined}
                onBlur={f.onBlur}
              />
            ))}
          </Group>
        </Checkbox.Group>
      )}
    />
  );
}

// A list that may be "not recorded" (null), "none" ([]) or some codes.
export function RecordedChecklist<C extends string>({
  name,
  description,
  vocabulary,
}: BaseProps & { vocabulary: Vocabulary<C> }) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <RecordedChecklistControl
          id={fieldId(name)}
          label={field.label}
          description={description}
          error={field.error}
          options={optionsOf(vocabulary)}
          value={(f.value as string[] | null) ?? null}
          onChange={f.onChange}
          inputRef={f.ref}
        />
      )}
    />
  );
}

function RecordedChecklistControl(props: {
  id: string;
  label: string;
  description?: string;
  error?: string;
  options: Option[];
  value: string[] | null;
  onChange: (value: string[] | null) => void;
  inputRef: (element: HTMLInputElement | null) => void;
}) {
  const { value, onChange } = props;
  // "Yes" before any item is ticked is still an empty list; remember that the surgeon chose it.
  const [someChosen, setSomeChosen] = useState(false);
  const mode = value === null ? 'unknown' : value.length > 0 || someChosen ? 'some' : 'none';
  return (
    <Stack gap="xs">
      <Radio.Group
        id={props.id}
        label={props.label}
        description={props.description}
        error={mode === 'some' ? undefined : props.error}
        value={mode}
        onChange={(next) => {
          setSomeChosen(next === 'some');
          onChange(next === 'unknown' ? null : next === 'none' ? [] : (value ?? []));
        }}
      >
        <Group mt="xs" gap="md">
          {LIST_RECORDING.map((option, index) => (
            <Radio
              key={option.value}
              value={option.value}
              label={option.label}
              ref={index === 0 ? props.inputRef : undefined}
            />
          ))}
        </Group>
      </Radio.Group>
      {mode === 'some' && (
        <Checkbox.Group
          id={`${props.id}-items`}
          label={`${props.label}: which`}
          withAsterisk
          error={props.error}
          value={value ?? []}
          onChange={(next) => onChange(next)}
        >
          <Group mt="xs" gap="md">
            {props.options.map((option) => (
              <Checkbox key={option.value} value={option.value} label={option.label} />
            ))}
          </Group>
        </Checkbox.Group>
      )}
    </Stack>
  );
}

// Yes / no, or "not recorded" (null) where the API allows it.
export function YesNoField({ name, description, allowUnknown = true }: BaseProps & { allowUnknown?: boolean }) {
  const field = useField(name);
  const options = allowUnknown ? YES_NO_UNKNOWN : YES_NO_UNKNOWN.filter((o) => o.value !== 'unknown');
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <Radio.Group
          id={fieldId(name)}
          label={field.label}
          description={description}
          withAsterisk={field.required}
          error={field.error}
          value={f.value === true ? 'yes' : f.value === false ? 'no' : allowUnknown ? 'unknown' : null}
          onChange={(value) => f.onChange(value === 'yes' ? true : value === 'no' ? false : null)}
        >
          <Group mt="xs" gap="md">
            {options.map((option, index) => (
              <Radio
                key={option.value}
                value={option.value}
                label={option.label}
                ref={index === 0 ? f.ref : undefined}
              />
            ))}
          </Group>
        </Radio.Group>
      )}
    />
  );
}

// A plain yes/no finding (false until ticked).
export function CheckField({ name, description, label }: BaseProps) {
  const field = useField(name);
  return (
    <Controller
      control={field.control}
      name={name}
      render={({ field: f }) => (
        <Checkbox
          id={fieldId(name)}
          label={label ?? field.label}
          description={description}
          error={field.error}
          checked={f.value === true}
          onChange={(event) => f.onChange(event.currentTarget.checked)}
          onBlur={f.onBlur}
          ref={f.ref}
          name={f.name}
        />
      )}
    />
  );
}
