/** A JSON response built with the server's own Fetch API (yoga's `fetchAPI`). */
export function jsonResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new fetchAPI.Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The body of an error answered outside GraphQL execution, in GraphQL's error shape. */
export function errorBody(message: string, code: string): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}
