import { AppShell, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterNavLink, Outlet } from 'react-router';
import { endSession, useSession } from '../auth/session';
import { USER_ROLE_LABELS } from '../labels';

// The frame of every signed-in page: who is signed in, sign-out, and the pages there are.
export function Shell() {
  const session = useSession();
  const queryClient = useQueryClient();
  const signOut = () => {
    endSession('signed-out');
    queryClient.clear();
    // RequireSession (App.tsx) now sends the user to the sign-in page.
  };
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={2} size="h4">
            ILR Registry
          </Title>
          {session && (
            <Group gap="sm">
              <Text size="sm" data-testid="signed-in-user">
                {session.user.displayName} · {USER_ROLE_LABELS[session.user.role] ?? session.user.role}
              </Text>
              <Button variant="default" size="xs" onClick={signOut}>
                Sign out
              </Button>
            </Group>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <NavLink component={RouterNavLink} to="/cases" end label="My cases" />
        <NavLink component={RouterNavLink} to="/cases/new" label="New case" />
        <NavLink component={RouterNavLink} to="/outcomes" label="My outcomes" />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
