// The patient's questionnaire, a public page opened from the invitation mail (/questionnaire/:token): no sign-in.
// The saved progress prefills it and it resumes at the first instrument not yet complete; answers are saved as the
// patient goes (debounced, on each step, and when the page is left), then sent. A thank-you page follows, never a
// score. An unknown, used or expired link shows the one "no longer valid" page.
import { Loader } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { LinkInvalid, PublicFailure, PublicFrame, TooManyAttempts } from '../features/questionnaire/public-pages.js';
import {
  loadQuestionnaire,
  PublicError,
  saveAnswers,
  submitAnswers,
} from '../features/questionnaire/questionnaire-api.js';
import { QuestionnaireSteps, type SubmitRefusal, ThankYou } from '../features/questionnaire/QuestionnaireSteps.js';
import { isProblemBody } from '../logic/problem.js';
import {
  answersBody,
  createAutosave,
  instrumentsInProblem,
  type ItemValue,
  prefillAnswers,
  type QuestionItem,
  type QuestionnaireAnswers,
  type QuestionnaireView,
  resumeStep,
  retryAfterWords,
  type SaveState,
  withAnswer,
} from '../logic/questionnaire.js';

// Saved once the patient pauses this long.
const SAVE_DELAY_MS = 1500;

const refusalOf = (error: unknown): PublicError =>
  error instanceof PublicError ? error : new PublicError('error', 0, undefined, null);

function Refused({ error }: { error: PublicError }) {
  if (error.refusal === 'link_invalid') return <LinkInvalid />;
  if (error.refusal === 'throttled') return <TooManyAttempts retryAfter={retryAfterWords(error.retryAfter)} />;
  if (error.refusal === 'network')
    return (
      <PublicFailure
        title="The questionnaire could not be opened"
        message="The connection failed. Check that you are online and open the link again."
      />
    );
  return (
    <PublicFailure
      title="The questionnaire could not be opened"
      message="Something went wrong on our side. Please try again later."
    />
  );
}

export function QuestionnairePage() {
  const { token = '' } = useParams();
  const loaded = useQuery({
    queryKey: ['questionnaire', token],
    queryFn: ({ signal }) => loadQuestionnaire(token, signal),
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });

  if (loaded.isPending)
    return (
      <PublicFrame title="Hip questionnaire">
        <Loader aria-label="Loading the questionnaire" />
      </PublicFrame>
    );
  if (loaded.isError) return <Refused error={refusalOf(loaded.error)} />;
  return <Questionnaire token={token} view={loaded.data} />;
}

function Questionnaire({ token, view }: { token: string; view: QuestionnaireView }) {
  const initial = useMemo(() => prefillAnswers(view.instruments, view.answers), [view]);
  const [answers, setAnswers] = useState<QuestionnaireAnswers>(initial);
  const latest = useRef(initial);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  // A save refused because the link stopped working (it expired meanwhile, or was answered from another device).
  const [gone, setGone] = useState<PublicError | null>(null);

  const autosave = useMemo(
    () =>
      createAutosave<QuestionnaireAnswers>({
        delayMs: SAVE_DELAY_MS,
        save: (value) => saveAnswers(token, answersBody(view.instruments, value).answers),
        onState: (state) => {
          setSaveState(state);
          if (state.kind === 'failed' && state.error instanceof PublicError && state.error.refusal === 'link_invalid')
            setGone(state.error);
        },
      }),
    [token, view],
  );

  // Leaving the page (closing the tab, switching away) saves what is not saved yet.
  useEffect(() => {
    const leave = () => {
      if (document.visibilityState === 'hidden') void autosave.flush();
    };
    document.addEventListener('visibilitychange', leave);
    window.addEventListener('pagehide', leave);
    return () => {
      document.removeEventListener('visibilitychange', leave);
      window.removeEventListener('pagehide', leave);
      // Leaving for another page of the app: what is unsaved is saved (not stopped: StrictMode remounts).
      void autosave.flush();
    };
  }, [autosave]);

  const submit = useMutation({
    mutationFn: async () => {
      // The submit carries every answer: no save may run beside it (after it, the link is used).
      await autosave.discard();
      await submitAnswers(token, answersBody(view.instruments, latest.current).answers);
      autosave.stop();
    },
  });

  const onAnswer = (item: QuestionItem, value: ItemValue) => {
    const next = withAnswer(latest.current, item, value);
    latest.current = next;
    setAnswers(next);
    autosave.change(next);
  };

  if (submit.isSuccess)
    return (
      <PublicFrame title="Thank you">
        <ThankYou />
      </PublicFrame>
    );
  if (gone) return <Refused error={gone} />;
  const failure = submit.error ? refusalOf(submit.error) : null;
  if (failure?.refusal === 'link_invalid') return <Refused error={failure} />;
  const refusal: SubmitRefusal | null =
    failure?.refusal === 'validation'
      ? {
          instruments: instrumentsInProblem(failure.body),
          messages: isProblemBody(failure.body) ? (failure.body.errors ?? []).map((e) => e.message) : [],
        }
      : null;
  const submitError =
    failure && failure.refusal !== 'validation'
      ? failure.refusal === 'throttled'
        ? [
            'Too many attempts; try again later.',
            retryAfterWords(failure.retryAfter),
            'Your answers are kept on this page.',
          ]
            .filter(Boolean)
            .join(' ')
        : failure.refusal === 'network'
          ? 'The connection failed. Your answers are kept on this page; check that you are online and send them again.'
          : 'Something went wrong on our side. Your answers are kept; please try again in a moment.'
      : null;

  if (!view.instruments.length)
    return (
      <PublicFailure
        title="Nothing to answer"
        message="There are no questions for you at the moment. Please contact your clinic if you expected some."
      />
    );

  return (
    <PublicFrame title="Hip questionnaire">
      <QuestionnaireSteps
        view={view}
        answers={answers}
        onAnswer={onAnswer}
        initialStep={resumeStep(view.instruments, initial)}
        onStepChange={() => void autosave.flush()}
        saveState={saveState}
        onSubmit={() => submit.mutate()}
        submitting={submit.isPending}
        submitRefusal={refusal}
        submitError={submitError}
      />
    </PublicFrame>
  );
}
