import { describe, expect, it } from 'vitest';
import { combine, explainDenial, isSatisfied, toAlternatives, type Grants, type Requirement } from '../../src/authz/requirement.js';

const grants = (...scopes: string[]): Grants => ({ authenticated: true, scopes: new Set(scopes) });
const anonymous: Grants = { authenticated: false, scopes: new Set() };
const rule = (...alternatives: string[][]): Requirement => ({ authenticated: true, scopes: [alternatives] });

describe('scope requirements (OR of ANDs, scp ∪ roles)', () => {
  const aAndBOrC = rule(['A', 'B'], ['C']);

  it.each([
    [['A', 'B'], true],
    [['C'], true],
    [['A'], false],
    [['B', 'X'], false],
    [['A', 'B', 'C'], true],
    [[], false],
  ])('(A and B) or C with %j is %s', (held, expected) => {
    expect(isSatisfied(aAndBOrC, grants(...held))).toBe(expected);
  });

  it('@authenticated holds for any verified caller and never for anonymous ones', () => {
    const authenticated: Requirement = { authenticated: true, scopes: [] };
    expect(isSatisfied(authenticated, grants())).toBe(true);
    expect(isSatisfied(authenticated, anonymous)).toBe(false);
    expect(explainDenial(authenticated, anonymous)).toEqual({ requiredScopes: [], missingScopes: [] });
  });

  it('anonymous callers hold no scopes', () => {
    expect(isSatisfied(rule(['A']), anonymous)).toBe(false);
    expect(explainDenial(rule(['A']), anonymous)).toEqual({ requiredScopes: [['A']], missingScopes: [['A']] });
  });

  it('combined rules must all hold, and are explained as one OR-of-ANDs list', () => {
    const both = combine(rule(['A'], ['B']), rule(['C']))!;
    expect(isSatisfied(both, grants('A'))).toBe(false);
    expect(isSatisfied(both, grants('B', 'C'))).toBe(true);
    expect(toAlternatives(both)).toEqual([['A', 'C'], ['B', 'C']]);
    expect(explainDenial(both, grants('C'))).toEqual({ requiredScopes: [['A', 'C'], ['B', 'C']], missingScopes: [['A'], ['B']] });
  });

  it('missing scopes name, per alternative, only what the caller lacks', () => {
    expect(explainDenial(rule(['A', 'B'], ['C']), grants('A'))).toEqual({
      requiredScopes: [['C'], ['A', 'B']],
      missingScopes: [['B'], ['C']],
    });
  });

  it('drops alternatives that contain another (they add nothing)', () => {
    expect(toAlternatives(rule(['A', 'B'], ['A']))).toEqual([['A']]);
  });
});
