const REGULAR = ['application/graphql-response+json', 'application/json'] as const;

/** A media type of a single JSON GraphQL response. */
export type RegularMediaType = (typeof REGULAR)[number];

/**
 * The media type yoga answers a single (non-streamed) result with, for an `Accept` header:
 * the same rules as its result processors (graphql-yoga `getMediaTypesForRequestInOrder` and
 * `useResultProcessors`): types the client listed first win, `*` matches either part, a
 * charset other than utf-8 is skipped, and for a wildcard `application/json` wins. Undefined
 * when no JSON type is acceptable (yoga then answers 406 or a stream; the lane leaves it to yoga).
 */
export function regularMediaType(accept: string | undefined): RegularMediaType | undefined {
  // Clients send the same few headers over and over: remember the answer for short ones.
  if (accept === undefined || accept.length > 256) return negotiate(accept);
  let known = answers.get(accept);
  if (known === undefined) {
    known = negotiate(accept) ?? null;
    if (answers.size >= 64) answers.clear();
    answers.set(accept, known);
  }
  return known ?? undefined;
}

const answers = new Map<string, RegularMediaType | null>();

function negotiate(accept: string | undefined): RegularMediaType | undefined {
  const listed = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  // Read from the last listed to the first, so that the first listed that matches wins.
  let chosen: RegularMediaType | undefined;
  for (let i = listed.length - 1; i >= 0; i--) {
    const [mediaType, ...params] = (listed[i] as string).split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8' || mediaType === undefined) continue;
    for (const candidate of REGULAR) if (matches(candidate, mediaType)) chosen = candidate;
  }
  return chosen;
}

/** A listed type matches a candidate exactly or through its own `*` parts. */
function matches(candidate: string, listed: string): boolean {
  const [type, subtype] = candidate.split('/');
  const [listedType, listedSubtype] = listed.split('/');
  return (listedType === '*' || listedType === type) && (listedSubtype === '*' || listedSubtype === subtype);
}
