const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a configured duration into milliseconds: a number is seconds; a string is a number
 * followed by `ms`, `s`, `m` or `h` ("500ms", "60s", "5m", "1h"). Returns undefined when the
 * value is not a duration, so the caller can name the key in its error.
 *
 * @example parseDuration('5m') // 300000
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}
