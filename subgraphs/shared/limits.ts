import { badUserInput } from './errors.js';

/** The most items one list field returns. */
export const MAX_FIRST = 100;
/** The most keys one merge lookup (`_xByIds`) takes: the gateway batches well below this. */
export const MAX_IDS = 1000;
/** Paging deeper than this is a scan, not a page. */
export const MAX_OFFSET = 100_000;

/** Checks a `first` argument: 0..MAX_FIRST. */
export function checkFirst(first: number, argument = 'first'): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) {
    throw badUserInput(`${argument} must be between 0 and ${MAX_FIRST}`);
  }
  return first;
}

/** Checks an `offset` argument: 0..MAX_OFFSET. */
export function checkOffset(offset: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw badUserInput(`offset must be between 0 and ${MAX_OFFSET}`);
  }
  return offset;
}

/** Checks an `ids` argument of a merge lookup: at most MAX_IDS keys. */
export function checkIds(ids: readonly string[]): readonly string[] {
  if (ids.length > MAX_IDS) throw badUserInput(`ids takes at most ${MAX_IDS} ids`);
  return ids;
}
