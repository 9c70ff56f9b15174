import { isDeepStrictEqual } from 'node:util';

/** A GraphQL answer as received: the raw body (load runs compare against it) and its data. */
export interface Answer {
  readonly text: string;
  readonly data: unknown;
}

export class WrongAnswerError extends Error {
  constructor(what: string, detail: string) {
    super(`${what}: ${detail}`);
    this.name = 'WrongAnswerError';
  }
}

/**
 * POSTs `query` to `url` and checks that the answer is HTTP 200, has no `errors`, and that
 * its `data` deep-equals `expected`. Throws `WrongAnswerError` naming `what` otherwise: a
 * benchmark of wrong answers would be meaningless.
 */
export async function checkAnswer(what: string, url: string, query: string, expected: unknown, headers: Readonly<Record<string, string>> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  let body: { data?: unknown; errors?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new WrongAnswerError(what, `HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (response.status !== 200 || body.errors !== undefined) {
    throw new WrongAnswerError(what, `HTTP ${response.status}, errors: ${JSON.stringify(body.errors ?? null).slice(0, 400)}`);
  }
  if (!isDeepStrictEqual(body.data, expected)) {
    throw new WrongAnswerError(what, `data differs from the expected answer: ${JSON.stringify(body.data).slice(0, 400)}`);
  }
  return { text, data: body.data };
}
