// The frame of the patient's public pages (the questionnaire and unsubscribing): no sign-in, no Shell; one column
// for a phone, a header and a <main> landmark. And the plain pages every refused link shows.
import { Alert, Box, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function PublicFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      {/* React 19 puts it in <head>. */}
      <title>{title}</title>
      <Box component="header" px="md" py="sm" bg="gray.1">
        <Box maw={640} mx="auto">
          <Text fw={700}>Hip questionnaire</Text>
          <Text size="sm">From the clinic that did your hip operation, for the ILR Registry</Text>
        </Box>
      </Box>
      <Box component="main" maw={640} mx="auto" px="md" py="lg">
        {children}
      </Box>
    </>
  );
}

// The same page for an unknown, used or expired link: the patient cannot tell which, and need not.
export function LinkInvalid() {
  return (
    <PublicFrame title="This link is no longer valid">
      <Stack>
        <Title order={1}>This link is no longer valid</Title>
        <Text>
          The link may have been used already, or its time has run out. If you think you should be able to answer, or
          you want a new link, please contact the clinic that did your hip operation.
        </Text>
      </Stack>
    </PublicFrame>
  );
}

export function TooManyAttempts({ retryAfter }: { retryAfter?: string | null }) {
  return (
    <PublicFrame title="Too many attempts">
      <Stack>
        <Title order={1}>Too many attempts; try again later</Title>
        <Text>{retryAfter ?? 'Please wait a while before you open the link again.'}</Text>
      </Stack>
    </PublicFrame>
  );
}

// Anything else (the server or the connection failed): try again, nothing is lost that was saved.
export function PublicFailure({ title, message }: { title: string; message: string }) {
  return (
    <PublicFrame title={title}>
      <Stack>
        <Title order={1}>{title}</Title>
        <Alert color="red" title="Something went wrong" role="alert">
          {message}
        </Alert>
      </Stack>
    </PublicFrame>
  );
}
