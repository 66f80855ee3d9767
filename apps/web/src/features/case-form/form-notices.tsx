// The two notices every form of the registry shows above its fields: a draft brought back from this session, and
// why the record was not saved (the server's message, the fields in error by name, errors on no field).
import { Alert, List, Text } from '@mantine/core';
import type { FieldErrors } from '../../logic/problem.js';
import { fieldLabel } from '../../logic/labels.js';

export interface FormNoticesProps {
  // What the form saves, as the notices name it: "case", "follow-up", "complication".
  record: string;
  draftRestored: boolean;
  errors: FieldErrors;
  serverMessage?: string;
  serverOtherErrors?: string[];
  labelOf?: (path: string) => string;
}

export function FormNotices({
  record,
  draftRestored,
  errors,
  serverMessage,
  serverOtherErrors = [],
  labelOf = fieldLabel,
}: FormNoticesProps) {
  const fields = Object.keys(errors);
  return (
    <>
      {draftRestored && (
        <Alert color="blue" title="Draft restored">
          What you typed earlier in this session is back. Save the {record}, or discard the draft to start again.
        </Alert>
      )}
      {(serverMessage || fields.length > 0 || serverOtherErrors.length > 0) && (
        <Alert color="red" title={`The ${record} was not saved`} role="alert">
          {serverMessage && <Text size="sm">{serverMessage}</Text>}
          {fields.length > 0 && (
            <Text size="sm">
              {fields.length === 1 ? 'One field needs' : `${fields.length} fields need`} attention:{' '}
              {fields.map(labelOf).join('; ')}.
            </Text>
          )}
          {serverOtherErrors.length > 0 && (
            <List size="sm">
              {serverOtherErrors.map((message) => (
                <List.Item key={message}>{message}</List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
    </>
  );
}
