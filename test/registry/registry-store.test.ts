import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryStoreError } from '../../src/registry/registry-error.js';
import { RegistryStore, sha256, type RegistryChange, type StoredSubgraph } from '../../src/registry/registry-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgate-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2026-01-02T03:04:05.000Z');
const actor = { clientId: 'c4e8a2f0-7b3d-4e19-a6c5-8d2f0b9e3a20', objectId: 'o1', kind: 'app' as const };

function subgraph(name: string, sdl = `type Query { ${name.replace(/-/g, '')}: Int }`): StoredSubgraph {
  return {
    name,
    url: `http://127.0.0.1:9/${name}`,
    audience: `api://${name}`,
    token: 'exchange',
    sdl,
    sdlSha256: sha256(sdl),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: actor,
  };
}

const change = (name: string): RegistryChange => ({ action: 'create', subgraphs: [name], by: actor, forced: false });

async function storeWith(path: string, names: string[], history = 20): Promise<RegistryStore> {
  const store = new RegistryStore({ path, history, now: () => NOW });
  let { document } = await store.load();
  const subgraphs: StoredSubgraph[] = [];
  for (const name of names) {
    subgraphs.push(subgraph(name));
    document = store.next(document, change(name), subgraphs);
    await store.write(document);
  }
  return store;
}

describe('RegistryStore', () => {
  it('starts empty (version 0) when there is no file, and creates none until the first write', async () => {
    const path = join(dir, 'data', 'registry.json');
    const loaded = await new RegistryStore({ path, now: () => NOW }).load();
    expect(loaded).toEqual({ document: { version: 0, updatedAt: '2026-01-02T03:04:05.000Z', change: null, subgraphs: [], history: [] } });
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('numbers versions, keeps the previous ones (without SDL texts) newest first, trimmed to `history`', async () => {
    const path = join(dir, 'data', 'registry.json');
    await storeWith(path, ['a', 'b', 'c', 'd'], 2);
    const { document } = await new RegistryStore({ path, history: 2 }).load();
    expect(document.version).toBe(4);
    expect(document.change).toEqual(change('d'));
    expect(document.subgraphs.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(document.history.map((h) => [h.version, h.subgraphs.map((s) => s.name)])).toEqual([
      [3, ['a', 'b', 'c']],
      [2, ['a', 'b']],
    ]);
    expect(document.history.every((h) => h.subgraphs.every((s) => !('sdl' in s) && /^[0-9a-f]{64}$/.test(s.sdlSha256)))).toBe(true);
  });

  it('writes atomically: the file and its copy are whole and identical, private, with no temporary file left', async () => {
    const path = join(dir, 'registry.json');
    await storeWith(path, ['a', 'b']);
    const text = readFileSync(path, 'utf8');
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe(text);
    const file = JSON.parse(text) as { format: string; sha256: string; registry: { version: number } };
    expect(file).toMatchObject({ format: 'meshgate-registry/1', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), registry: { version: 2 } });
    expect(readdirSync(dir).sort()).toEqual(['registry.json', 'registry.json.bak']);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('serializes concurrent writes: the file is always one whole version', async () => {
    const path = join(dir, 'registry.json');
    const store = new RegistryStore({ path, now: () => NOW });
    const { document } = await store.load();
    const versions = ['a', 'b', 'c', 'd', 'e'].map((name) => store.next(document, change(name), [subgraph(name)]));
    await Promise.all(versions.map((v) => store.write(v)));
    const { document: read } = await new RegistryStore({ path }).load();
    expect(read.subgraphs.map((s) => s.name)).toEqual(['e']);
  });

  it('detects a damaged file and starts from the last good copy, saying so and keeping the damaged file', async () => {
    const path = join(dir, 'registry.json');
    await storeWith(path, ['a', 'b']);
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good.slice(0, good.length / 2));
    const loaded = await new RegistryStore({ path, now: () => NOW }).load();
    expect(loaded.recovered).toEqual({ reason: 'registry.json was damaged (not valid JSON)', version: 2, damagedCopy: join(dir, 'registry.json.damaged-2026-01-02T03-04-05-000Z') });
    expect(loaded.document.subgraphs.map((s) => s.name)).toEqual(['a', 'b']);
    expect(readFileSync(path, 'utf8')).toBe(good);
    expect(readFileSync(join(dir, 'registry.json.damaged-2026-01-02T03-04-05-000Z'), 'utf8')).toBe(good.slice(0, good.length / 2));
  });

  it('detects an edit that keeps the JSON valid (checksum), and an SDL that does not match its hash', async () => {
    const path = join(dir, 'registry.json');
    await storeWith(path, ['a']);
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, good.replace('"http://127.0.0.1:9/a"', '"http://evil.example/a"'));
    expect((await new RegistryStore({ path }).load()).recovered?.reason).toBe('registry.json was damaged (checksum mismatch: changed outside meshgate or damaged on disk)');
    // A consistent re-hash of the file with a swapped SDL is still caught by the SDL hash.
    const file = JSON.parse(good) as { sha256: string; registry: { subgraphs: { sdl: string }[] } };
    file.registry.subgraphs[0]!.sdl = 'type Query { x: Int }';
    file.sha256 = sha256(JSON.stringify(file.registry));
    writeFileSync(path, JSON.stringify(file));
    expect((await new RegistryStore({ path }).load()).recovered?.reason).toBe('registry.json was damaged (SDL of "a" does not match its hash)');
  });

  it('starts from the copy when the file is missing, and says so', async () => {
    const path = join(dir, 'registry.json');
    await storeWith(path, ['a']);
    rmSync(path);
    const loaded = await new RegistryStore({ path }).load();
    expect(loaded.recovered).toEqual({ reason: 'registry.json was missing', version: 1, damagedCopy: undefined });
    expect(existsSync(path)).toBe(true);
  });

  it('refuses with one line when no good version is left, rather than starting empty', async () => {
    const path = join(dir, 'registry.json');
    await storeWith(path, ['a']);
    writeFileSync(path, '{}');
    rmSync(`${path}.bak`);
    const load = new RegistryStore({ path }).load();
    await expect(load).rejects.toBeInstanceOf(RegistryStoreError);
    await expect(load).rejects.toThrow(
      `registry: ${path} is damaged (not a meshgate registry: format: Invalid input: expected "meshgate-registry/1") and no copy exists; restore it from a backup, or move both away to start with an empty registry`,
    );
  });

  it('reports a write it cannot do, leaving the previous version whole', async () => {
    const path = join(dir, 'registry.json');
    const store = await storeWith(path, ['a']);
    const before = readFileSync(path, 'utf8');
    const blocked = new RegistryStore({ path: join(dir, 'registry.json', 'nested.json') });
    const { document } = await store.load();
    await expect(blocked.write(store.next(document, change('b'), [subgraph('b')]))).rejects.toThrow(/^registry: cannot write .*nested\.json: (ENOTDIR|EEXIST)$/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
