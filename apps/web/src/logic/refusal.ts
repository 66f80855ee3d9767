// openapi-fetch's `{ data, error, response }` as the data, or a thrown Refused holding the refusal in words
// (logic/problem.ts); a request that never got an answer is a network failure (status 0).
import { describeProblem, type ProblemView } from './problem.js';

export class Refused extends Error {
  constructor(readonly view: ProblemView) {
    super(view.message);
  }
}

export async function answer<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  formFields?: readonly string[],
): Promise<T> {
  let result;
  try {
    result = await request;
  } catch {
    throw new Refused(describeProblem(0, undefined));
  }
  if (!result.response.ok || (result.data === undefined && result.response.status !== 204))
    throw new Refused(describeProblem(result.response.status, result.error, formFields ? { formFields } : {}));
  return result.data as T;
}

// Any error a query or mutation ended with, in words.
export const viewOf = (error: unknown): ProblemView =>
  error instanceof Refused ? error.view : describeProblem(0, undefined);
