import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, type MeshgateConfig } from './config-schema.js';
import { interpolateEnv } from './interpolate-env.js';

/**
 * Validates a configuration object (already parsed from YAML or built in code) and applies the
 * defaults. Throws a `ConfigError` whose message is one line naming the key and the problem.
 *
 * @example parseConfig({ auth: {...}, subgraphs: [...] }, process.env)
 */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): MeshgateConfig {
  const interpolated = interpolateEnv(raw ?? {}, env);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(formatIssue(result.error.issues[0]));
  return result.data;
}

/** Reads a YAML (or JSON) configuration file; see `parseConfig`. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): MeshgateConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigError(`${path}: not valid YAML${where}`);
  }
  return parseConfig(raw, env);
}

function formatIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'config: invalid';
  const path = issue.path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    '',
  );
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
  return `config: ${path || '(root)'}: ${message}`;
}
