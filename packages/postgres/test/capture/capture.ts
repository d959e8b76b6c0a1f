/**
 * Row-change capture for the audit-completeness and junk tests (issue 13): a trigger, installed by the
 * test on every base table of the context and platform schemas (found in information_schema), records
 * each row write (table, op, to_jsonb(OLD), to_jsonb(NEW), txid) in `capture.changes` and draws one
 * value of the sequence `capture.writes`. Sequences are not transactional, so `capture.writes` also
 * counts writes that were rolled back: what the junk test needs ("no row written, even for a moment").
 * The function is SECURITY DEFINER (owned by the login) so the app role's writes are captured too.
 */
import { Effect } from "effect"
import { PgDatabase } from "../../src/Database.ts"
import * as SqlState from "../../src/SqlState.ts"

/** The schemas whose tables are watched: the contexts' (billing; identity and its auth tables) and the platform's. */
export const watchedSchemas = ["billing", "identity", "auth", "platform"] as const

export interface Change {
  readonly id: number
  readonly txid: string
  readonly tbl: string
  readonly op: "INSERT" | "UPDATE" | "DELETE"
  readonly old: Record<string, unknown> | null
  readonly new: Record<string, unknown> | null
}

const setup = [
  `CREATE SCHEMA IF NOT EXISTS capture`,
  `CREATE TABLE IF NOT EXISTS capture.changes (
    id bigserial PRIMARY KEY, txid bigint NOT NULL, tbl text NOT NULL, op text NOT NULL, old jsonb, new jsonb)`,
  `CREATE SEQUENCE IF NOT EXISTS capture.writes`,
  `CREATE OR REPLACE FUNCTION capture.record() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog AS $$
BEGIN
  PERFORM nextval('capture.writes');
  INSERT INTO capture.changes (txid, tbl, op, old, new)
  VALUES (txid_current(), TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END);
  RETURN NULL;
END $$`,
  `GRANT USAGE ON SCHEMA capture TO PUBLIC`,
  `GRANT EXECUTE ON FUNCTION capture.record() TO PUBLIC`,
  `SELECT nextval('capture.writes')`
]

/** Every base table of the watched schemas (information_schema: new tables are watched without a change here). */
export const watchedTables = Effect.gen(function*() {
  const db = yield* PgDatabase
  const rows = yield* SqlState.orDie(db.sql<{ name: string }>`
    SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema IN ${db.sql.in([...watchedSchemas])}
    ORDER BY 1`)
  return rows.map((r) => r.name)
})

/** Installs the capture table, the counter and one row trigger per watched table; returns the tables. */
export const installCapture = Effect.gen(function*() {
  const db = yield* PgDatabase
  for (const statement of setup) yield* SqlState.orDie(db.sql.unsafe(statement))
  const tables = yield* watchedTables
  for (const table of tables) {
    const [schema, name] = table.split(".")
    yield* SqlState.orDie(db.sql.unsafe(`DROP TRIGGER IF EXISTS zz_capture ON "${schema}"."${name}"`))
    yield* SqlState.orDie(
      db.sql.unsafe(`CREATE TRIGGER zz_capture AFTER INSERT OR UPDATE OR DELETE ON "${schema}"."${name}"
        FOR EACH ROW EXECUTE FUNCTION capture.record()`)
    )
  }
  return tables
})

/** Row writes attempted so far, committed or rolled back (the counter sequence's last value). */
export const writeCount = Effect.gen(function*() {
  const db = yield* PgDatabase
  const rows = yield* SqlState.orDie(db.sql<{ n: string }>`SELECT last_value::text AS n FROM capture.writes`)
  return Number(rows[0]!.n)
})

/** The id of the last captured change (committed ones only: a rolled-back change is not in the table). */
export const lastChangeId = Effect.gen(function*() {
  const db = yield* PgDatabase
  const rows = yield* SqlState.orDie(db.sql<{ n: string }>`SELECT coalesce(max(id), 0)::text AS n FROM capture.changes`)
  return Number(rows[0]!.n)
})

/** The committed changes with id in (after, upTo], oldest first. */
export const changesSince = (after: number) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const rows = yield* SqlState.orDie(
      db.sql<{ id: string; txid: string; tbl: string; op: Change["op"]; old: unknown; new: unknown }>`
      SELECT id::text AS id, txid::text AS txid, tbl, op, old, new FROM capture.changes WHERE id > ${after} ORDER BY id`
    )
    return rows.map((r): Change => ({
      id: Number(r.id),
      txid: r.txid,
      tbl: r.tbl,
      op: r.op,
      old: parseJson(r.old),
      new: parseJson(r.new)
    }))
  })

const parseJson = (value: unknown): Record<string, unknown> | null =>
  value === null || value === undefined
    ? null
    : typeof value === "string"
    ? JSON.parse(value)
    : (value as Record<string, unknown>)

/** The foreign keys between watched tables (pg_catalog), column names in key order. */
export const foreignKeys = Effect.gen(function*() {
  const db = yield* PgDatabase
  const rows = yield* SqlState.orDie(
    db.sql<{ tbl: string; cols: ReadonlyArray<string>; ref: string; refCols: ReadonlyArray<string> }>`
    SELECT n.nspname || '.' || t.relname AS tbl, rn.nspname || '.' || r.relname AS ref,
      (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
      (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS "refCols"
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
    WHERE c.contype = 'f' AND n.nspname IN ${db.sql.in([...watchedSchemas])}`
  )
  return rows.map((r) => ({ table: r.tbl, columns: [...r.cols], refTable: r.ref, refColumns: [...r.refCols] }))
})

/** The primary-key columns of every watched table, in key order. */
export const primaryKeys = Effect.gen(function*() {
  const db = yield* PgDatabase
  const rows = yield* SqlState.orDie(db.sql<{ tbl: string; cols: ReadonlyArray<string> }>`
    SELECT n.nspname || '.' || t.relname AS tbl,
      (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE c.contype = 'p' AND n.nspname IN ${db.sql.in([...watchedSchemas])}`)
  return new Map(rows.map((r) => [r.tbl, [...r.cols]]))
})
