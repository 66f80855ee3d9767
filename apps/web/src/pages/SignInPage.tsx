import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Navigate, useSearchParams } from 'react-router';
import { api, errorText, fieldErrorsOf, unwrap } from '../api/client';
import { lastEndReason, signIn, useSession } from '../auth/session';

interface Credentials {
  email: string;
  password: string;
}

// Only a path of this app (never another origin) is a place to come back to.
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/cases';
}

export function SignInPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const { register, handleSubmit, formState } = useForm<Credentials>({ defaultValues: { email: '', password: '' } });
  const login = useMutation({
    mutationFn: async (body: Credentials) => unwrap(await api.POST('/api/v1/auth/login', { body })),
    onSuccess: (data) => signIn(data.accessToken, data.user, data.expiresIn),
  });
  if (session) return <Navigate to={next} replace />;
  const serverFields = fieldErrorsOf(login.error);
  const expired = lastEndReason() === 'expired';

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <main>
          <form noValidate onSubmit={handleSubmit((values) => login.mutate(values))}>
            <Stack>
              <Title order={1} size="h2">
                Sign in to the ILR Registry
              </Title>
              {expired && !login.isError && (
                <Alert color="yellow" title="Session ended">
                  Your session has expired. Sign in again to continue where you were.
                </Alert>
              )}
              {login.isError && (
                <Alert color="red" title="Sign-in failed" role="alert">
                  {errorText(login.error)}
                </Alert>
              )}
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                error={formState.errors.email?.message ?? serverFields.email}
                {...register('email', { required: 'Enter your email address' })}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                error={formState.errors.password?.message ?? serverFields.password}
                {...register('password', { required: 'Enter your password' })}
              />
              <Button type="submit" loading={login.isPending}>
                Sign in
              </Button>
            </Stack>
          </form>
        </main>
      </Paper>
    </Center>
  );
}
