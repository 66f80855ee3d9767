// Administration of users (admin only; the API refuses everyone else with 403, shown as a page in words): the
// list, a form to create a user, and changes of role and deactivation/reactivation, where the API's last-admin
// rule comes back in words (logic/users.ts).
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import { FormFieldsContext, formFields, OptionSelect, TextField } from '../features/case-form/controls';
import { FormNotices } from '../features/case-form/form-notices';
import type { FieldErrors, ProblemView } from '../logic/problem.js';
import { answer, Refused, viewOf } from '../logic/refusal.js';
import {
  checkUserForm,
  createUserRequest,
  emptyUserForm,
  PASSWORD_MIN_LENGTH,
  ROLE_OPTIONS,
  roleWords,
  updateUserRequest,
  USER_FORM_FIELDS,
  type UserChange,
  userChangeRefusal,
  userFieldLabel,
  type UserFormValues,
  type UserResponse,
  type UserRole,
  userStateWords,
} from '../logic/users.js';

const PAGE_SIZE = 100;
const REQUIRED = new Set<string>(USER_FORM_FIELDS);

export function UsersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<{ user: UserResponse; kind: UserChange['kind'] } | null>(null);

  const users = useInfiniteQuery({
    queryKey: ['users'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      answer(
        api.GET('/api/v1/users', {
          params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // A 403 will not change on a retry.
    retry: (count, error) => !(error instanceof Refused && error.view.kind === 'forbidden') && count < 2,
  });

  if (users.isError && viewOf(users.error).kind === 'forbidden') {
    return <NotAllowed role={session?.user.role} message={viewOf(users.error).message} />;
  }

  const list = users.data?.pages.flatMap((page) => page.items) ?? [];
  const done = (message: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: ['users'] });
  };

  return (
    <Stack gap="lg" maw={1100}>
      <Title order={1} size="h2">
        Users
      </Title>
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

      <Stack gap="sm" component="section" aria-labelledby="users-list-title">
        <Title order={2} size="h3" id="users-list-title">
          All users
        </Title>
        {users.isPending && (
          <Group>
            <Loader size="sm" aria-label="Loading the users" />
            <Text>Loading the users…</Text>
          </Group>
        )}
        {users.isError && (
          <Alert color="red" title="The users could not be loaded" role="alert">
            {viewOf(users.error).message}
            <Group mt="sm">
              <Button size="xs" variant="default" onClick={() => void users.refetch()}>
                Try again
              </Button>
            </Group>
          </Alert>
        )}
        {users.data && (
          <Table.ScrollContainer minWidth={900}>
            <Table striped withTableBorder aria-label="Users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Display name</Table.Th>
                  <Table.Th scope="col">Email</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Changes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((user) => (
                  <Table.Tr key={user.id} data-user-id={user.id}>
                    <Table.Td>
                      {user.displayName}
                      {user.id === session?.user.id && (
                        <Text span c="dimmed" size="sm">
                          {' '}
                          (you)
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{user.email}</Table.Td>
                    <Table.Td>{roleWords(user.role)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge color={user.active ? 'green' : 'gray'} variant="light" tt="none">
                        {userStateWords(user)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`Change role of ${user.displayName}`}
                          onClick={() => setPending({ user, kind: 'role' })}
                        >
                          Change role
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          color={user.active ? 'red' : undefined}
                          aria-label={`${user.active ? 'Deactivate' : 'Reactivate'} ${user.displayName}`}
                          onClick={() => setPending({ user, kind: user.active ? 'deactivate' : 'reactivate' })}
                        >
                          {user.active ? 'Deactivate' : 'Reactivate'}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {users.hasNextPage && (
          <Group>
            <Button variant="default" loading={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
              Show more users
            </Button>
          </Group>
        )}
      </Stack>

      <CreateUserForm onCreated={(user) => done(createdWords(user))} />

      {pending && (
        <ChangeUserModal
          key={`${pending.user.id}-${pending.kind}`}
          user={pending.user}
          kind={pending.kind}
          onClose={() => setPending(null)}
          onDone={(message) => {
            setPending(null);
            done(message);
          }}
        />
      )}
    </Stack>
  );
}

const createdWords = (user: UserResponse) =>
  `${user.displayName} (${user.email}) was created with the role ${roleWords(user.role)}. ` +
  'They sign in with this email and the initial password you gave.';

function NotAllowed({ role, message }: { role?: UserRole; message: string }) {
  return (
    <Stack maw={720}>
      <Title order={1} size="h2">
        Not allowed
      </Title>
      <Text>
        Only administrators manage the registry’s users
        {role ? `; you are signed in with the role ${roleWords(role)}` : ''}.
      </Text>
      <Text c="dimmed" size="sm">
        The registry said: {message}
      </Text>
      <Anchor component={Link} to="/cases">
        Go to the cases
      </Anchor>
    </Stack>
  );
}

// A password is not kept as a draft in sessionStorage: this short form starts empty after a reload.
function CreateUserForm({ onCreated }: { onCreated: (user: UserResponse) => void }) {
  const form = useForm<UserFormValues>({ defaultValues: emptyUserForm() });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<ProblemView | null>(null);

  const create = useMutation({
    mutationFn: (values: UserFormValues) =>
      answer(api.POST('/api/v1/users', { body: createUserRequest(values) }), USER_FORM_FIELDS),
    onSuccess: (user) => {
      setRefusal(null);
      setErrors({});
      form.reset(emptyUserForm());
      onCreated(user);
    },
    onError: (error) => {
      const view = viewOf(error);
      setRefusal(view);
      setErrors(view.fieldErrors);
    },
  });

  const submit = form.handleSubmit((values) => {
    const checked = checkUserForm(values);
    setErrors(checked);
    setRefusal(null);
    if (Object.keys(checked).length === 0) create.mutate(values);
  });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="create-user-title">
      <form onSubmit={submit} noValidate>
        <FormFieldsContext.Provider
          value={formFields({ control: form.control, errors, required: REQUIRED, labelOf: userFieldLabel })}
        >
          <Stack gap="sm" maw={520}>
            <Title order={2} size="h3" id="create-user-title">
              Create a user
            </Title>
            <FormNotices
              record="user"
              draftRestored={false}
              errors={errors}
              serverMessage={refusal && refusal.kind !== 'validation' ? refusal.message : undefined}
              serverOtherErrors={refusal?.otherErrors}
              labelOf={userFieldLabel}
            />
            <OptionSelect name="role" options={ROLE_OPTIONS} clearable={false} />
            <TextField name="displayName" maxLength={200} description="As the registry shows it, e.g. Dr J. Surgeon" />
            <TextField name="email" maxLength={254} description="The user signs in with it" />
            <Controller
              control={form.control}
              name="password"
              render={({ field }) => (
                <PasswordInput
                  id="case-password"
                  label={userFieldLabel('password')}
                  description={`At least ${PASSWORD_MIN_LENGTH} characters; give it to the user yourself`}
                  withAsterisk
                  autoComplete="new-password"
                  error={errors.password}
                  value={field.value}
                  onChange={(event) => field.onChange(event.currentTarget.value)}
                  onBlur={field.onBlur}
                  ref={field.ref}
                  name={field.name}
                />
              )}
            />
            <Group>
              <Button type="submit" loading={create.isPending}>
                Create the user
              </Button>
            </Group>
          </Stack>
        </FormFieldsContext.Provider>
      </form>
    </Paper>
  );
}

const MODAL_TITLES: Record<UserChange['kind'], (name: string) => string> = {
  role: (name) => `Change the role of ${name}`,
  deactivate: (name) => `Deactivate ${name}?`,
  reactivate: (name) => `Reactivate ${name}?`,
};

function ChangeUserModal({
  user,
  kind,
  onClose,
  onDone,
}: {
  user: UserResponse;
  kind: UserChange['kind'];
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [role, setRole] = useState<UserRole>(user.role);
  const change: UserChange = kind === 'role' ? { kind, role } : { kind };
  const save = useMutation({
    mutationFn: () =>
      answer(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: updateUserRequest(change) })),
    onSuccess: (updated) =>
      onDone(
        kind === 'role'
          ? `The role of ${updated.displayName} is now ${roleWords(updated.role)}.`
          : kind === 'deactivate'
            ? `${updated.displayName} was deactivated: they can no longer sign in, and their API tokens stopped working.`
            : `${updated.displayName} was reactivated and can sign in again.`,
      ),
  });

  return (
    // lockScroll off: Mantine's scroll lock writes an inline <style>, which the Content-Security-Policy refuses.
    <Modal
      opened
      onClose={onClose}
      title={MODAL_TITLES[kind](user.displayName)}
      lockScroll={false}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack gap="sm">
        {kind === 'role' && (
          <Select
            label="New role"
            data={ROLE_OPTIONS}
            value={role}
            allowDeselect={false}
            onChange={(value) => value && setRole(value as UserRole)}
          />
        )}
        {kind === 'deactivate' && (
          <Text>
            {user.displayName} will no longer be able to sign in, and their API tokens stop working at once. Their
            records stay in the registry; you can reactivate them later.
          </Text>
        )}
        {kind === 'reactivate' && <Text>{user.displayName} will be able to sign in again.</Text>}
        {save.isError && (
          <Alert color="red" title="The change was not made" role="alert">
            {userChangeRefusal(user, change, viewOf(save.error))}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color={kind === 'deactivate' ? 'red' : undefined}
            loading={save.isPending}
            disabled={kind === 'role' && role === user.role}
            onClick={() => save.mutate()}
          >
            {kind === 'role' ? 'Save the role' : kind === 'deactivate' ? 'Deactivate' : 'Reactivate'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
