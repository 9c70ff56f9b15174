import Database from 'better-sqlite3';

/** A value SQLite binds as a parameter. */
export type SqlValue = string | number | bigint | null;

/**
 * Positional parameters (`?`), where an array binds as JSON text for
 * `IN (SELECT value FROM json_each(?))`, or named ones (`@name`).
 */
export type SqlParams = readonly (SqlValue | readonly SqlValue[])[] | Readonly<Record<string, SqlValue>>;

/**
 * An in-memory SQLite database owned by one subgraph instance, with a count of the
 * statements it ran: tests read the count to prove that DataLoader batched a lookup into one
 * query. Statements are prepared once per SQL text and reused.
 *
 * @example
 * const store = new SqlStore('CREATE TABLE t (id TEXT PRIMARY KEY)');
 * store.seed((db) => db.prepare('INSERT INTO t VALUES (?)').run('a'));
 * store.all<{ id: string }>('SELECT id FROM t WHERE id IN (SELECT value FROM json_each(?))', ['a']);
 */
export class SqlStore {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #queries = 0;

  constructor(schemaSql: string) {
    this.#db = new Database(':memory:');
    this.#db.pragma('foreign_keys = ON');
    this.#db.exec(schemaSql);
  }

  /** Statements run through `all`/`get` so far (seeding is not counted). */
  get queries(): number {
    return this.#queries;
  }

  /** Fills the database in one transaction. */
  seed(fill: (db: Database.Database) => void): void {
    this.#db.transaction(() => fill(this.#db))();
  }

  /** All rows. */
  all<T>(sql: string, params: SqlParams = []): T[] {
    this.#queries++;
    return this.#prepare(sql).all(...bind(params)) as T[];
  }

  /** The first row, if any. */
  get<T>(sql: string, params: SqlParams = []): T | undefined {
    this.#queries++;
    return this.#prepare(sql).get(...bind(params)) as T | undefined;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

// One statement for any number of keys: a JSON array parameter instead of `IN (?, ?, ...)`.
function bind(params: SqlParams): unknown[] {
  if (!Array.isArray(params)) return [params];
  return params.map((value: SqlValue | readonly SqlValue[]) => (Array.isArray(value) ? JSON.stringify(value) : value));
}
