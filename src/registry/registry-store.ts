import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { registrationSchema, type Registration } from './registration.js';
import { RegistryStoreError } from './registry-error.js';

/** Who made a change (never a token: the ids the audit trail needs). */
export interface Actor {
  readonly clientId: string;
  readonly objectId: string;
  readonly kind: 'person' | 'app';
}

/** A registration as stored: with the last good SDL, so a restart serves what was validated. */
export interface StoredSubgraph extends Registration {
  readonly sdl: string;
  readonly sdlSha256: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** null for changes made by the gateway itself (an SDL refresh). */
  readonly updatedBy: Actor | null;
}

/** What produced a version. */
export interface RegistryChange {
  readonly action: 'create' | 'update' | 'remove' | 'refresh';
  readonly subgraphs: readonly string[];
  readonly by: Actor | null;
  /** Breaking changes or weakened rules accepted with `?force=true`. */
  readonly forced: boolean;
}

/** A previous version, kept in the history without the SDL texts (their hashes identify them). */
export interface RegistryHistoryEntry {
  readonly version: number;
  readonly updatedAt: string;
  readonly change: RegistryChange | null;
  readonly subgraphs: readonly Omit<StoredSubgraph, 'sdl'>[];
}

/** The registry: a numbered version, its subgraphs, and the versions before it. */
export interface RegistryDocument {
  readonly version: number;
  readonly updatedAt: string;
  readonly change: RegistryChange | null;
  readonly subgraphs: readonly StoredSubgraph[];
  readonly history: readonly RegistryHistoryEntry[];
}

/** How the store was found at start. */
export interface LoadedRegistry {
  readonly document: RegistryDocument;
  /** Set when the main file was damaged or missing and the last good copy was used instead. */
  readonly recovered?: { readonly reason: string; readonly version: number; readonly damagedCopy: string | undefined };
}

/** Options of `RegistryStore`. */
export interface RegistryStoreOptions {
  /** The JSON file; a copy is kept next to it as `<path>.bak`. */
  readonly path: string;
  /** Previous versions kept. Default 20. */
  readonly history?: number;
  readonly now?: () => number;
}

const FORMAT = 'meshgate-registry/1';
const MAX_STORE_BYTES = 64 * 1024 * 1024;

const actorSchema = z.strictObject({ clientId: z.string(), objectId: z.string(), kind: z.enum(['person', 'app']) });
const changeSchema = z.strictObject({
  action: z.enum(['create', 'update', 'remove', 'refresh']),
  subgraphs: z.array(z.string()),
  by: actorSchema.nullable(),
  forced: z.boolean(),
});
const storedFields = {
  sdlSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: actorSchema.nullable(),
};
const storedSubgraphSchema = registrationSchema.extend({ sdl: z.string().min(1), ...storedFields });
const historySubgraphSchema = registrationSchema.extend(storedFields);
const documentSchema = z.strictObject({
  version: z.number().int().min(0),
  updatedAt: z.string(),
  change: changeSchema.nullable(),
  subgraphs: z.array(storedSubgraphSchema),
  history: z.array(
    z.strictObject({ version: z.number().int().min(0), updatedAt: z.string(), change: changeSchema.nullable(), subgraphs: z.array(historySubgraphSchema) }),
  ),
});
const fileSchema = z.strictObject({ format: z.literal(FORMAT), sha256: z.string(), registry: documentSchema });

/**
 * The registry's JSON file. Every write is atomic (a temporary file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old or the new version, never half of one. The file
 * carries a SHA-256 of its content: damage on disk (or an edit by hand) is detected at start.
 * The same content is mirrored to `<path>.bak`; when the main file is damaged or missing the
 * gateway starts from that copy and says so, and when both are unusable it refuses to start
 * rather than serve an empty registry.
 *
 * Writes are serialized here; callers serialize read-modify-write themselves (the registry does,
 * so that two concurrent registrations never lose one another).
 *
 * @example
 * const store = new RegistryStore({ path: './data/registry.json' });
 * const { document } = await store.load();
 * await store.write(store.next(document, change, subgraphs));
 */
export class RegistryStore {
  readonly path: string;
  readonly #backup: string;
  readonly #history: number;
  readonly #now: () => number;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: RegistryStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('RegistryStore: path must be a non-empty string');
    const history = options.history ?? 20;
    if (!Number.isInteger(history) || history < 0) throw new TypeError('RegistryStore: history must be an integer >= 0');
    this.path = options.path;
    this.#backup = `${options.path}.bak`;
    this.#history = history;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Reads the registry. Missing files give an empty registry (version 0); a damaged main file
   * falls back to the copy (`recovered` says why) and is kept aside as `<path>.damaged-<time>`.
   * Throws `RegistryStoreError` (one line) when no good version exists.
   */
  async load(): Promise<LoadedRegistry> {
    const main = await this.#read(this.path);
    if (main.document) return { document: main.document };
    const backup = await this.#read(this.#backup);
    if (main.missing && backup.missing) return { document: this.#empty() };
    if (!backup.document) {
      const why = main.missing ? 'is missing' : `is damaged (${main.problem})`;
      const copy = backup.missing ? 'no copy exists' : `its copy ${basename(this.#backup)} is damaged too (${backup.problem})`;
      throw new RegistryStoreError(`registry: ${this.path} ${why} and ${copy}; restore it from a backup, or move both away to start with an empty registry`);
    }
    let damagedCopy: string | undefined;
    if (!main.missing) {
      damagedCopy = `${this.path}.damaged-${new Date(this.#now()).toISOString().replace(/[:.]/g, '-')}`;
      try {
        await rename(this.path, damagedCopy);
      } catch (error) {
        throw new RegistryStoreError(`registry: ${this.path} is damaged (${main.problem}) and cannot be moved aside: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    // Rewrites the main file from the copy, so the next start is clean and the evidence is kept.
    await this.write(backup.document);
    const reason = main.missing ? `${basename(this.path)} was missing` : `${basename(this.path)} was damaged (${main.problem})`;
    return { document: backup.document, recovered: { reason, version: backup.document.version, damagedCopy } };
  }

  /** The next version: `subgraphs` as the new content, the current version pushed on the history. */
  next(current: RegistryDocument, change: RegistryChange, subgraphs: readonly StoredSubgraph[]): RegistryDocument {
    const previous: RegistryHistoryEntry = {
      version: current.version,
      updatedAt: current.updatedAt,
      change: current.change,
      subgraphs: current.subgraphs.map(({ sdl: _sdl, ...rest }) => rest),
    };
    const history = this.#history === 0 ? [] : [previous, ...current.history].slice(0, this.#history);
    return { version: current.version + 1, updatedAt: new Date(this.#now()).toISOString(), change, subgraphs: [...subgraphs], history };
  }

  /** Writes a version atomically to the main file and its copy. Throws `RegistryStoreError`. */
  write(document: RegistryDocument): Promise<void> {
    const run = this.#writing.then(async () => {
      const text = serialize(document);
      await mkdir(dirname(this.path), { recursive: true });
      await atomicWrite(this.path, text);
      await atomicWrite(this.#backup, text);
    });
    this.#writing = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      throw error instanceof RegistryStoreError ? error : new RegistryStoreError(`registry: cannot write ${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    });
  }

  #empty(): RegistryDocument {
    return { version: 0, updatedAt: new Date(this.#now()).toISOString(), change: null, subgraphs: [], history: [] };
  }

  async #read(path: string): Promise<{ document?: RegistryDocument; missing?: boolean; problem?: string }> {
    let text: string;
    try {
      const handle = await open(path, 'r');
      try {
        const { size } = await handle.stat();
        if (size > MAX_STORE_BYTES) return { problem: `larger than ${MAX_STORE_BYTES} bytes` };
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
      return { problem: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { problem: text.trim() === '' ? 'empty file' : 'not valid JSON' };
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { problem: `not a meshgate registry: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}` };
    }
    // Hashed as read (key order of the file), not as zod rebuilt it.
    if (parsed.data.sha256 !== checksum((raw as { registry: RegistryDocument }).registry)) return { problem: 'checksum mismatch: changed outside meshgate or damaged on disk' };
    for (const subgraph of parsed.data.registry.subgraphs) {
      if (sha256(subgraph.sdl) !== subgraph.sdlSha256) return { problem: `SDL of "${subgraph.name}" does not match its hash` };
    }
    return { document: parsed.data.registry as RegistryDocument };
  }
}

/** SHA-256 (hex) of a text: identifies an SDL version. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function checksum(document: RegistryDocument): string {
  return sha256(JSON.stringify(document));
}

function serialize(document: RegistryDocument): string {
  // Re-parsed before hashing so the hash covers exactly what `load` will see.
  const normalized = JSON.parse(JSON.stringify(document)) as RegistryDocument;
  return `${JSON.stringify({ format: FORMAT, sha256: checksum(normalized), registry: normalized }, null, 2)}\n`;
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory: nothing to do there. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}
