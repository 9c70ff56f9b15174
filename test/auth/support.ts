import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Every } from '../../src/auth/issuer-keys.js';

/** A clock the test moves by hand. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** A scheduler the test drives: `tick()` runs every task registered and not yet stopped. */
export interface ManualScheduler {
  readonly every: Every;
  /** Interval of each registration, in order. */
  readonly intervals: number[];
  /** How many tasks are registered and not stopped. */
  readonly active: number;
  tick(): void;
}

export function manualScheduler(): ManualScheduler {
  const tasks = new Set<() => void>();
  const intervals: number[] = [];
  return {
    intervals,
    get active() {
      return tasks.size;
    },
    every: (intervalMs, task) => {
      intervals.push(intervalMs);
      const entry = () => task();
      tasks.add(entry);
      return () => void tasks.delete(entry);
    },
    tick: () => {
      for (const task of [...tasks]) task();
    },
  };
}

/** An RSA key pair with a kid, as an attacker or a test issuer holds it. */
export interface TestKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function rsaKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { kty: 'RSA', n: jwk.n!, e: jwk.e!, kid, use: 'sig' } };
}

/** The public JWK of a 1024-bit RSA key (jose refuses to make one; an issuer could still publish it). */
export function weakRsaJwk(kid: string): JWK {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', n: n!, e: e!, kid, use: 'sig' };
}

/** Signs `claims` with `key` under an RS256 header (plus `header`, which may override kid). */
export function signWith(key: TestKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }).sign(key.privateKey);
}

/** What a test HTTP server answers: a status and a JSON (or raw text) body. */
export type Answer = { status?: number; body?: unknown; raw?: string; headers?: Record<string, string> };

/**
 * A small HTTP server standing in for the outside world (an issuer's discovery and JWKS
 * endpoints, or an attacker's `jku` server). Each path answers what `answer` says; every
 * request is counted.
 */
export interface TestServer {
  readonly url: string;
  /** Paths requested, in order. */
  readonly requests: string[];
  answer: (path: string, request: IncomingMessage) => Answer | Promise<Answer>;
  count(path: string): number;
  close(): Promise<void>;
}

export async function startTestServer(answer: TestServer['answer'] = () => ({ status: 404, body: { error: 'not_found' } })): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer();
  const state: TestServer = {
    url: '',
    requests,
    answer,
    count: (path) => requests.filter((p) => p === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(path);
    Promise.resolve(state.answer(path, request)).then(
      (a) => send(response, a),
      () => send(response, { status: 500, body: { error: 'test server failed' } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function send(response: ServerResponse, answer: Answer): void {
  const text = answer.raw ?? JSON.stringify(answer.body ?? {});
  response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
  response.end(text);
}

/** A JWKS document of the public halves of `keys`, plus any raw entries. */
export function jwksOf(keys: readonly TestKey[], extra: readonly Record<string, unknown>[] = []): { keys: unknown[] } {
  return { keys: [...keys.map((k) => k.publicJwk), ...extra] };
}

/** A random GUID-looking kid, like a made-up one in an attack. */
export function randomKid(): string {
  return crypto.randomUUID();
}
