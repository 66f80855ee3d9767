// The public questionnaire routes through the typed client (no session: the link's token is the only credential).
// A refusal is thrown as a PublicError: what it means for the patient (logic/questionnaire.ts publicRefusal), with
// the problem body and Retry-After of a 429.
import { api } from '../../api/client';
import {
  type DraftAnswersBody,
  publicRefusal,
  type PublicRefusal,
  type QuestionnaireAnswers,
  type QuestionnaireView,
  type SubmitAnswersBody,
} from '../../logic/questionnaire.js';

export class PublicError extends Error {
  constructor(
    readonly refusal: PublicRefusal,
    readonly status: number,
    readonly body: unknown,
    readonly retryAfter: string | null,
  ) {
    super(`The questionnaire request was refused (${status})`);
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

async function answer<T>(request: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await request;
  } catch {
    throw new PublicError('network', 0, undefined, null);
  }
  const { response } = result;
  if (!response.ok || result.error !== undefined)
    throw new PublicError(
      publicRefusal(response.status, result.error),
      response.status,
      result.error,
      response.headers.get('retry-after'),
    );
  return result.data as T;
}

export const loadQuestionnaire = (token: string, signal?: AbortSignal): Promise<QuestionnaireView> =>
  answer(api.GET('/api/v1/questionnaire/{token}', { params: { path: { token } }, signal, cache: 'no-store' }));

// Progress; `keepalive` lets a save started as the page is being closed finish (the body is a few hundred bytes).
export async function saveAnswers(token: string, answers: QuestionnaireAnswers): Promise<void> {
  await answer(
    api.PUT('/api/v1/questionnaire/{token}/answers', {
      params: { path: { token } },
      // The page's answers are the draft's shape; an mHHS answer is typed as a code string here.
      body: { answers } as DraftAnswersBody,
      keepalive: true,
    }),
  );
}

// Sent once the page's check (logic/questionnaire.ts incompleteInstruments) finds every instrument complete enough;
// the server checks again (400 too_few_answers).
export async function submitAnswers(token: string, answers: QuestionnaireAnswers): Promise<void> {
  await answer(
    api.POST('/api/v1/questionnaire/{token}/submit', {
      params: { path: { token } },
      body: { answers } as SubmitAnswersBody,
    }),
  );
}

export async function unsubscribe(token: string): Promise<void> {
  await answer(api.POST('/api/v1/questionnaire/unsubscribe', { body: { token } }));
}
