/**
 * The sample data is anchored at a fixed date rather than "now", so that the same seed gives
 * the same data on every day: "the last two years" of orders means the two years before this.
 */
export const DATA_AS_OF: number = Date.UTC(2026, 10, 1);

export const DAY_MS = 86_400_000;

/** `2026-11-01` */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2026-11-01T09:30:00Z` (whole seconds) */
export function isoTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
