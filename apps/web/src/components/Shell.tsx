import { AppShell, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterNavLink, Outlet } from 'react-router';
import { endSession, useSession } from '../auth/session';
import { USER_ROLE_LABELS } from '../labels';

type Role = NonNullable<ReturnType<typeof useSession>>['user']['role'];

// The pages each role works in (API.md § roles); the API refuses the rest whatever the menu shows.
const NAV: Array<{ to: string; label: string; roles: readonly Role[]; end?: boolean }> = [
  { to: '/work-lists', label: 'Work lists', roles: ['registry_staff', 'admin'] },
  { to: '/cases', label: 'My cases', roles: ['surgeon'], end: true },
  { to: '/cases', label: 'Cases', roles: ['registry_staff', 'admin'], end: true },
  { to: '/cases/new', label: 'New case', roles: ['surgeon', 'registry_staff', 'admin'] },
  { to: '/outcomes', label: 'My outcomes', roles: ['surgeon'] },
  { to: '/review', label: 'Quality review', roles: ['quality_reviewer', 'admin'] },
  { to: '/exports', label: 'Exports', roles: ['registry_staff', 'admin'] },
  { to: '/imports', label: 'Imports', roles: ['registry_staff', 'admin'] },
  { to: '/admin/users', label: 'Users', roles: ['admin'] },
  { to: '/tokens', label: 'API tokens', roles: ['surgeon', 'registry_staff', 'quality_reviewer', 'admin'] },
];

export const navFor = (role: Role) => NAV.filter((item) => item.roles.includes(role));

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
        {session &&
          navFor(session.user.role).map((item) => (
            <NavLink key={item.to} component={RouterNavLink} to={item.to} end={item.end} label={item.label} />
          ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
