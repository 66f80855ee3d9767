// The signed-in user's personal API tokens (every role): create one (its value shown once, with a copy button),
// list them, revoke one after a confirmation.
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { api } from '../api/client';
import { FormFieldsContext, formFields, NumberField, TextField } from '../features/case-form/controls';
import { FormNotices } from '../features/case-form/form-notices';
import type { FieldErrors, ProblemView } from '../logic/problem.js';
import { answer, viewOf } from '../logic/refusal.js';
import {
  checkTokenForm,
  createTokenRequest,
  type CreatedTokenResponse,
  emptyTokenForm,
  EXPIRY_DAYS_MAX,
  EXPIRY_DAYS_MIN,
  lastUsedWords,
  TOKEN_FORM_FIELDS,
  TOKEN_NAME_MAX,
  tokenFieldLabel,
  type TokenFormValues,
  type TokenResponse,
  tokenState,
  tokenStateWords,
} from '../logic/tokens.js';
import { instantWords } from '../logic/visit-labels.js';

const REQUIRED = new Set<string>(TOKEN_FORM_FIELDS);
const STATE_COLOURS = { active: 'green', revoked: 'gray', expired: 'gray' } as const;

export function TokensPage() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<CreatedTokenResponse | null>(null);
  const [revoking, setRevoking] = useState<TokenResponse | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: ({ signal }) => answer(api.GET('/api/v1/auth/tokens', { signal })),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const now = new Date();

  return (
    <Stack gap="lg" maw={1100}>
      <Title order={1} size="h2">
        API tokens
      </Title>
      <Text>
        A personal API token lets a script use the registry’s API as you, with your role, until it expires or you revoke
        it. Send it as <Code>Authorization: Bearer &lt;token&gt;</Code>.
      </Text>
      {notice && (
        <Alert
          color="blue"
          title="Done"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setNotice(null)}
        >
          {notice}
        </Alert>
      )}

      {created ? (
        <NewToken token={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateTokenForm
          onCreated={(token) => {
            setNotice(null);
            setCreated(token);
            refresh();
          }}
        />
      )}

      <Stack gap="sm" component="section" aria-labelledby="tokens-list-title">
        <Title order={2} size="h3" id="tokens-list-title">
          Your tokens
        </Title>
        {tokens.isPending && (
          <Group>
            <Loader size="sm" aria-label="Loading your tokens" />
            <Text>Loading your tokens…</Text>
          </Group>
        )}
        {tokens.isError && (
          <Alert color="red" title="Your tokens could not be loaded" role="alert">
            {viewOf(tokens.error).message}
            <Group mt="sm">
              <Button size="xs" variant="default" onClick={() => void tokens.refetch()}>
                Try again
              </Button>
            </Group>
          </Alert>
        )}
        {tokens.data && tokens.data.items.length === 0 && <Text>You have no API tokens.</Text>}
        {tokens.data && tokens.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={900}>
            <Table striped withTableBorder aria-label="Your API tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">Revoke</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.items.map((token) => (
                  <Table.Tr key={token.id} data-token-id={token.id}>
                    <Table.Td>{token.name}</Table.Td>
                    <Table.Td>{instantWords(token.createdAt)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge color={STATE_COLOURS[tokenState(token, now)]} variant="light" tt="none">
                        {tokenStateWords(token, now)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{lastUsedWords(token)}</Table.Td>
                    <Table.Td>
                      {tokenState(token, now) === 'active' ? (
                        <Button
                          size="xs"
                          variant="default"
                          color="red"
                          aria-label={`Revoke ${token.name}`}
                          onClick={() => setRevoking(token)}
                        >
                          Revoke
                        </Button>
                      ) : (
                        <Text size="sm" c="dimmed">
                          No longer works
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>

      {revoking && (
        <RevokeModal
          key={revoking.id}
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setNotice(`The token “${revoking.name}” was revoked: the API refuses it from now on.`);
            setRevoking(null);
            refresh();
          }}
        />
      )}
    </Stack>
  );
}

// Shown once: the API keeps only the token's hash, and this page forgets it on "Done" or on leaving.
function NewToken({ token, onDone }: { token: CreatedTokenResponse; onDone: () => void }) {
  return (
    <Alert color="yellow" title={`Your new token “${token.name}”`} role="status">
      <Stack gap="sm">
        <Text size="sm" fw={700}>
          Copy it now: it will not be shown again. The registry keeps only a fingerprint of it, so a lost token cannot
          be recovered — revoke it and create another.
        </Text>
        <Code block data-testid="new-token" aria-label="The new token">
          {token.token}
        </Code>
        <Text size="sm">It works until {instantWords(token.expiresAt)}.</Text>
        <Group>
          <CopyButton value={token.token}>
            {({ copied, copy }) => (
              <Button color={copied ? 'teal' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy the token'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" onClick={onDone}>
            Done, hide the token
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

// No draft kept: two short fields, and the form starts again after each token.
function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedTokenResponse) => void }) {
  const form = useForm<TokenFormValues>({ defaultValues: emptyTokenForm() });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<ProblemView | null>(null);

  const create = useMutation({
    mutationFn: (values: TokenFormValues) =>
      answer(api.POST('/api/v1/auth/tokens', { body: createTokenRequest(values) }), TOKEN_FORM_FIELDS),
    onSuccess: (token) => {
      setRefusal(null);
      setErrors({});
      onCreated(token);
    },
    onError: (error) => {
      const view = viewOf(error);
      setRefusal(view);
      setErrors(view.fieldErrors);
    },
  });

  const submit = form.handleSubmit((values) => {
    const checked = checkTokenForm(values);
    setErrors(checked);
    setRefusal(null);
    if (Object.keys(checked).length === 0) create.mutate(values);
  });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="create-token-title">
      <form onSubmit={submit} noValidate>
        <FormFieldsContext.Provider
          value={formFields({ control: form.control, errors, required: REQUIRED, labelOf: tokenFieldLabel })}
        >
          <Stack gap="sm" maw={520}>
            <Title order={2} size="h3" id="create-token-title">
              Create a token
            </Title>
            <FormNotices
              record="token"
              draftRestored={false}
              errors={errors}
              serverMessage={refusal && refusal.kind !== 'validation' ? refusal.message : undefined}
              serverOtherErrors={refusal?.otherErrors}
              labelOf={tokenFieldLabel}
            />
            <TextField
              name="name"
              maxLength={TOKEN_NAME_MAX}
              description="What will use it, e.g. nightly export script"
            />
            <NumberField
              name="expiresInDays"
              min={EXPIRY_DAYS_MIN}
              max={EXPIRY_DAYS_MAX}
              description={`From ${EXPIRY_DAYS_MIN} to ${EXPIRY_DAYS_MAX} days`}
            />
            <Group>
              <Button type="submit" loading={create.isPending}>
                Create the token
              </Button>
            </Group>
          </Stack>
        </FormFieldsContext.Provider>
      </form>
    </Paper>
  );
}

function RevokeModal({
  token,
  onClose,
  onRevoked,
}: {
  token: TokenResponse;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const revoke = useMutation({
    mutationFn: () => answer(api.DELETE('/api/v1/auth/tokens/{id}', { params: { path: { id: token.id } } })),
    onSuccess: onRevoked,
  });
  return (
    // lockScroll off: Mantine's scroll lock writes an inline <style>, which the Content-Security-Policy refuses.
    <Modal
      opened
      onClose={onClose}
      title={`Revoke the token “${token.name}”?`}
      lockScroll={false}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack gap="sm">
        <Text>Anything that uses this token is refused from now on. This cannot be undone.</Text>
        {revoke.isError && (
          <Alert color="red" title="The token was not revoked" role="alert">
            {viewOf(revoke.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate()}>
            Revoke the token
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
