// Stopping questionnaire emails, from the link in every invitation (/questionnaire/unsubscribe/:token): a public page.
// Nothing happens on opening it (mail scanners follow links); the patient confirms with the button. An invalid link
// shows the same "no longer valid" page as the questionnaire.
import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { LinkInvalid, PublicFrame, TooManyAttempts } from '../features/questionnaire/public-pages.js';
import { PublicError, unsubscribe } from '../features/questionnaire/questionnaire-api.js';
import { retryAfterWords } from '../logic/questionnaire.js';

export function UnsubscribePage() {
  const { token = '' } = useParams();
  const stop = useMutation({ mutationFn: () => unsubscribe(token) });
  const refusal = stop.error instanceof PublicError ? stop.error : null;

  if (refusal?.refusal === 'link_invalid') return <LinkInvalid />;
  if (refusal?.refusal === 'throttled') return <TooManyAttempts retryAfter={retryAfterWords(refusal.retryAfter)} />;
  if (stop.isSuccess)
    return (
      <PublicFrame title="Questionnaire emails stopped">
        <Stack>
          <Title order={1}>You will get no more questionnaire emails</Title>
          <Text>
            We have noted that you do not want questionnaires about your hip operation by email. Your care does not
            change. If you change your mind, please tell the clinic that did your operation.
          </Text>
        </Stack>
      </PublicFrame>
    );

  return (
    <PublicFrame title="Stop questionnaire emails">
      <Stack>
        <Title order={1}>Stop questionnaire emails?</Title>
        <Text>
          After your hip operation, the clinic sends you a short questionnaire by email at a few times (from 6 weeks to
          5 years after it), to follow how your hip is doing. Answering is your choice.
        </Text>
        <Text>
          If you do not want these emails any more, press the button below. Your care does not change, and the clinic
          can still ask you at your visits.
        </Text>
        {stop.isError && (
          <Alert color="red" title="That did not work" role="alert">
            {refusal?.refusal === 'network'
              ? 'The connection failed. Check that you are online and try again.'
              : 'Something went wrong on our side. Please try again later.'}
          </Alert>
        )}
        <div>
          <Button size="lg" onClick={() => stop.mutate()} loading={stop.isPending}>
            Stop questionnaire emails
          </Button>
        </div>
      </Stack>
    </PublicFrame>
  );
}
