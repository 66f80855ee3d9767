// Item-by-item controls of the PROM instruments, bound by field path through FormFieldsContext like the case
// form's controls: a radio group per item with the instrument's answer words, and a 0–100 number per VAS item.
import { Group, NumberInput, Radio, Stack } from '@mantine/core';
import { useContext } from 'react';
import { Controller } from 'react-hook-form';
import { fieldId, FormFieldsContext } from '../case-form/controls.js';

function useItem(name: string) {
  const context = useContext(FormFieldsContext);
  if (!context) throw new Error('PROM controls are used inside a FormFieldsContext');
  return { control: context.control, error: context.errors[name] };
}

export interface ChoiceOption {
  value: string | number;
  label: string;
}

// One answer of a list; the stored value keeps its type (a code, a number or 'na'). `vertical` for long answers.
export function ChoiceField({
  name,
  label,
  description,
  options,
  vertical = false,
}: {
  name: string;
  label: string;
  description?: string;
  options: readonly ChoiceOption[];
  vertical?: boolean;
}) {
  const item = useItem(name);
  const byKey = new Map(options.map((o) => [String(o.value), o.value]));
  const Layout = vertical ? Stack : Group;
  return (
    <Controller
      control={item.control}
      name={name}
      render={({ field }) => (
        <Radio.Group
          id={fieldId(name)}
          label={label}
          description={description}
          error={item.error}
          value={field.value === null || field.value === undefined ? null : String(field.value)}
          onChange={(value) => field.onChange(byKey.has(value) ? byKey.get(value) : null)}
        >
          <Layout mt="xs" gap="sm">
            {options.map((option, index) => (
              <Radio
                key={String(option.value)}
                value={String(option.value)}
                label={option.label}
                ref={index === 0 ? field.ref : undefined}
              />
            ))}
          </Layout>
        </Radio.Group>
      )}
    />
  );
}

// A 0–100 answer (iHOT-12 items, the EQ-5D-5L VAS), typed: the anchors say what the ends mean.
export function ScaleField({ name, label, at0, at100 }: { name: string; label: string; at0: string; at100: string }) {
  const item = useItem(name);
  return (
    <Controller
      control={item.control}
      name={name}
      render={({ field }) => (
        <NumberInput
          id={fieldId(name)}
          label={label}
          description={`0 = ${at0}; 100 = ${at100}`}
          error={item.error}
          min={0}
          max={100}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          maw={420}
          value={(field.value as number | null) ?? ''}
          onChange={(value) => field.onChange(value === '' || value === null ? null : Number(value))}
          onBlur={field.onBlur}
          ref={field.ref}
          name={field.name}
        />
      )}
    />
  );
}
