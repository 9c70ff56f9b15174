import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino censors in every log line. Tokens, secrets and assertions must never reach a
 * log, even when an object that holds one is logged by mistake.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'subject_token',
  '*.subject_token',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'secret',
  '*.secret',
  'assertion',
  '*.assertion',
  'client_assertion',
  '*.client_assertion',
  'refresh_token',
  '*.refresh_token',
];

/**
 * The gateway's JSON logger with redaction on. `destination` defaults to stdout.
 *
 * @example createLogger('info').info({ subgraph: 'orders' }, 'composed')
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'meshgate' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
