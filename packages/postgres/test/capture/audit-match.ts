/**
 * Matches the rows one command changed (captured by `capture.ts`) with the audit entries it wrote
 * (TEN-07), one for one:
 *
 * - a row belongs to the entity of its `id` (an audit entry with that entity id), or, for a table
 *   the test declares parts of an aggregate (no audit entity of their own: invoice lines, quote lines,
 *   the invoice and sync histories), to the entity of the row a foreign key of the table points at
 *   (pg_catalog), which must have an audit entry of its own row change in the same command;
 * - per entity, the row changes and the entries are folded to one net change each (first old → last
 *   new): INSERT ↔ CREATE, DELETE ↔ DELETE, UPDATE ↔ UPDATE, and UPDATE ↔ DELETE for a soft delete
 *   (the row's `deleted_at` set, and the entry records the tombstone as its new values);
 * - every column whose camelCase name is a field of the entry's values holds the same value (after
 *   encoding: timestamptz ↔ epoch ms, bigint ↔ decimal string, numeric ↔ string), before and after;
 *   a changed column is in `changedFields`, and every changed field that names a column changed;
 *   every changed column is a field of the entry (or part of a structured one), so an entry of only
 *   some of the changed fields is reported;
 * - the entry's tenant is the row's (organization_id, workspace_id), its actor the caller, its command
 *   the command; all of it in one transaction.
 */
import { AuditLog } from "@erpkit/kernel"
import type { Change } from "./capture.ts"

/** Tables written by the pipeline itself, not entities of a context: never audited, by design. */
export const bookkeeping: Readonly<Record<string, string>> = {
  "platform.audit_log": "the audit log itself (what the rows are compared with)",
  "platform.outbox": "domain events of the command (the outbox, TEN-04): a record of the change, not an entity",
  "platform.outbox_deliveries": "relay bookkeeping: which handler delivered which event, attempts",
  "platform.idempotency_keys": "the request's idempotency record (the stored result of a command), not an entity"
}

export interface Entry {
  readonly entityType: string
  readonly entityId: string
  readonly action: "CREATE" | "UPDATE" | "DELETE"
  readonly oldValues: Record<string, unknown> | null
  readonly newValues: Record<string, unknown> | null
  readonly changedFields: ReadonlyArray<string>
  readonly actorId: string
  readonly organizationId: string
  readonly workspaceId: string
  readonly command: string
}

const entryOf = (row: Record<string, unknown>): Entry => ({
  entityType: row["entity_type"] as string,
  entityId: row["entity_id"] as string,
  action: row["action"] as Entry["action"],
  oldValues: row["old_values"] as Entry["oldValues"],
  newValues: row["new_values"] as Entry["newValues"],
  changedFields: row["changed_fields"] as ReadonlyArray<string>,
  actorId: row["actor_id"] as string,
  organizationId: row["organization_id"] as string,
  workspaceId: row["workspace_id"] as string,
  command: row["command"] as string
})

/** A foreign key of a watched table: `columns` of `table` reference `refColumns` of `refTable`. */
export interface ForeignKey {
  readonly table: string
  readonly columns: ReadonlyArray<string>
  readonly refTable: string
  readonly refColumns: ReadonlyArray<string>
}

export const camel = (column: string): string => column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:\d{2})?)$/
const decimal = /^-?\d+(\.\d+)?$/

/** One spelling per value: instants as epoch ms, numbers and decimal strings as their number's text. */
export const canonical = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value)
  if (typeof value === "string") {
    if (isoInstant.test(value)) return String(Date.parse(value))
    if (decimal.test(value)) return String(Number(value))
    return value
  }
  if (Array.isArray(value)) return value.map(canonical)
  if (typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value as object).sort()) {
      out[camel(k)] = canonical((value as Record<string, unknown>)[k])
    }
    return out
  }
  return value
}

export const sameValue = (a: unknown, b: unknown): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))

/**
 * A tagged union is stored as its tag in the column named after the field (its other fields in columns of their own).
 */
const isTagged = (v: unknown): v is { readonly _tag: string } =>
  v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { _tag?: unknown })._tag === "string"

/** A column's value against the audit field of the same name. */
export const columnMatches = (column: unknown, field: unknown): boolean =>
  sameValue(column, field) || (typeof column === "string" && isTagged(field) && field._tag === column)

/** Net change of one entity's rows or entries: the first old values, the last new values. */
interface NetRow {
  readonly table: string
  readonly op: "INSERT" | "UPDATE" | "DELETE"
  readonly old: Record<string, unknown> | null
  readonly new: Record<string, unknown> | null
}

const netRow = (changes: ReadonlyArray<Change>): NetRow => {
  const first = changes[0]!
  const last = changes[changes.length - 1]!
  const op = first.op === "INSERT" ? "INSERT" : last.op === "DELETE" ? "DELETE" : "UPDATE"
  return { table: first.tbl, op, old: first.old, new: last.new }
}

const netEntry = (entries: ReadonlyArray<Entry>): Entry => {
  const first = entries[0]!
  const last = entries[entries.length - 1]!
  const action = first.action === "CREATE" ? "CREATE" : entries.some((e) => e.action === "DELETE") ? "DELETE" : "UPDATE"
  const changedFields = [...new Set(entries.flatMap((e) => e.changedFields))].sort()
  return { ...last, action, oldValues: first.oldValues, changedFields }
}

/** The row was soft-deleted: its `deleted_at` went from null to a time (the row stays as a tombstone). */
const tombstoned = (row: NetRow): boolean =>
  row.op === "UPDATE" && row.old?.["deleted_at"] === null && row.new?.["deleted_at"] !== null &&
  row.new?.["deleted_at"] !== undefined

/**
 * A soft delete is UPDATE ↔ DELETE, one convention for every context (the kernel's `AuditLog.change`,
 * identity's and billing's soft deletes): the row became a tombstone (its `deleted_at` set) and the
 * entry records that tombstone as its new values. A DELETE entry without new values is a hard delete.
 */
const opMatches = (row: NetRow, entry: Entry): boolean =>
  (row.op === "INSERT" && entry.action === "CREATE") ||
  (row.op === "DELETE" && entry.action === "DELETE") ||
  (row.op === "UPDATE" && entry.action === "UPDATE") ||
  (row.op === "UPDATE" && entry.action === "DELETE" && entry.newValues !== null && tombstoned(row))

export interface Coverage {
  /** table → columns compared with an audit field at least once. */
  readonly compared: Map<string, Set<string>>
  /** table → every column seen. */
  readonly seen: Map<string, Set<string>>
}

export const emptyCoverage = (): Coverage => ({ compared: new Map(), seen: new Map() })

const note = (map: Map<string, Set<string>>, table: string, column: string) => {
  let set = map.get(table)
  if (!set) map.set(table, set = new Set())
  set.add(column)
}

/** The problems of one entity's net row change against its net audit entry. */
const compareValues = (row: NetRow, entry: Entry, coverage: Coverage): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const where = `${row.table} ${entry.entityType} ${entry.entityId}`
  if (!opMatches(row, entry)) problems.push(`${where}: row ${row.op} but audit ${entry.action}`)
  const pairs: ReadonlyArray<readonly [Record<string, unknown> | null, Record<string, unknown> | null, string]> = [
    [row.old, entry.oldValues, "old"],
    [row.new, entry.newValues, "new"]
  ]
  for (const [values, audited, side] of pairs) {
    if (values === null || audited === null) continue
    for (const column of Object.keys(values)) {
      note(coverage.seen, row.table, column)
      const field = camel(column)
      if (!Object.hasOwn(audited, field)) continue
      note(coverage.compared, row.table, column)
      if (!columnMatches(values[column], audited[field])) {
        problems.push(
          `${where}: ${side} ${column} = ${JSON.stringify(values[column])} but audit ${field} = ${
            JSON.stringify(audited[field])
          }`
        )
      }
    }
  }
  if (row.op === "UPDATE" && entry.newValues !== null && row.old !== null && row.new !== null) {
    problems.push(...compareChangedFields(row, entry, where))
  }
  return problems
}

const compareChangedFields = (row: NetRow, entry: Entry, where: string): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const audited = { ...entry.oldValues, ...entry.newValues }
  const changedColumns = Object.keys(row.new!).filter((c) => !sameValue(row.old![c], row.new![c]))
  for (const column of changedColumns) {
    if (Object.hasOwn(audited, camel(column)) && !entry.changedFields.includes(camel(column))) {
      problems.push(
        `${where}: column ${column} changed but ${camel(column)} is not in changedFields ${
          JSON.stringify(entry.changedFields)
        }`
      )
    }
  }
  // every changed column is in the entry (old and new values): an entry of only some fields hides a change
  for (const column of changedColumns) {
    if (!Object.hasOwn(audited, camel(column)) && !spansStructured(column, audited)) {
      problems.push(`${where}: column ${column} changed but the entry has no ${camel(column)}`)
    }
  }
  const columnsByField = new Map(Object.keys(row.new!).map((c) => [camel(c), c]))
  for (const field of entry.changedFields) {
    const column = columnsByField.get(field)
    // a structured field (a tagged union, an object) spans several columns: its own column may stay
    if (column !== undefined && !changedColumns.includes(column) && !isTagged(audited[field])) {
      problems.push(`${where}: changedFields has ${field} but column ${column} did not change`)
    }
  }
  return problems
}

/**
 * A column that stores part of a structured field (a tagged union or an object spread over columns
 * named after the field or one of its keys, e.g. a surcharge's `kind: { _tag: "Percent", rate }` in
 * `rate` and `rate_denominator`): the entry holds it in that field.
 */
const spansStructured = (column: string, audited: Record<string, unknown>): boolean =>
  Object.entries(audited).some(([field, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value) &&
    [field, ...Object.keys(value)].some((name) => camel(column).startsWith(name))
  )

export interface StepReport {
  readonly rowChanges: number
  readonly entries: number
  readonly problems: ReadonlyArray<string>
  /** table → entity type, for tables whose rows matched entries by their own id. */
  readonly ownTypes: ReadonlyArray<readonly [string, string]>
  /** tables whose rows matched as parts of another table's entity. */
  readonly partTables: ReadonlyArray<string>
}

/**
 * The entity ids a row may have in the audit log: its `id`, else its primary key's values joined with
 * "/" (in key order or reversed: memberships are `organization/user`, role overrides `organization/role`).
 */
export const rowKeys = (
  values: Record<string, unknown>,
  primaryKey: ReadonlyArray<string> | undefined
): ReadonlyArray<string> => {
  if (typeof values["id"] === "string") return [values["id"]]
  if (primaryKey === undefined) return []
  const parts = primaryKey.map((c) => String(values[c]))
  return [parts.join("/"), [...parts].reverse().join("/")]
}

export interface Expected {
  readonly command: string
  readonly actorId: string
  /** The caller's tenant: every entry is written in it. */
  readonly tenant: { readonly organizationId: string; readonly workspaceId: string }
  /**
   * The tables whose rows are parts of another table's entity (matched through a foreign key); any other row needs an
   * entry of its own.
   */
  readonly parts: ReadonlySet<string>
  /** Primary-key columns per table. */
  readonly primaryKeys: ReadonlyMap<string, ReadonlyArray<string>>
  /**
   * Entity types that exist without a row (defaults) and are stored as override rows: any row
   * operation is an UPDATE of the entity.
   */
  readonly overrides: ReadonlySet<string>
}

/** Splits one command's captured changes into entries and row changes, and matches them. */
export const matchStep = (
  changes: ReadonlyArray<Change>,
  foreignKeys: ReadonlyArray<ForeignKey>,
  expected: Expected,
  coverage: Coverage
): StepReport => {
  const entries = changes.filter((c) => c.tbl === "platform.audit_log" && c.op === "INSERT").map((c) => entryOf(c.new!))
  const rows = changes.filter((c) => !Object.hasOwn(bookkeeping, c.tbl))
  const problems: Array<string> = []
  const txids = new Set(changes.map((c) => c.txid))
  if (txids.size > 1) problems.push(`${expected.command}: changes in ${txids.size} transactions`)
  for (const e of entries) {
    if (e.command !== expected.command) {
      problems.push(`entry ${e.entityType} ${e.entityId}: command ${e.command}, expected ${expected.command}`)
    }
    if (e.actorId !== expected.actorId) {
      problems.push(`entry ${e.entityType} ${e.entityId}: actor ${e.actorId}, expected ${expected.actorId}`)
    }
    if (e.organizationId !== expected.tenant.organizationId || e.workspaceId !== expected.tenant.workspaceId) {
      problems.push(
        `entry ${e.entityType} ${e.entityId}: tenant ${e.organizationId}/${e.workspaceId}, expected the caller's`
      )
    }
    const recomputed = AuditLog.changedFields(e.oldValues as never, e.newValues as never)
    if (JSON.stringify(recomputed) !== JSON.stringify(e.changedFields)) {
      problems.push(
        `entry ${e.entityType} ${e.entityId}: changedFields ${JSON.stringify(e.changedFields)} ≠ diff ${
          JSON.stringify(recomputed)
        }`
      )
    }
  }
  const { own, parts, unmatched } = assign(
    rows,
    entries,
    foreignKeys.filter((fk) => expected.parts.has(fk.table)),
    expected.primaryKeys
  )
  for (const c of unmatched) {
    problems.push(`${c.tbl} ${c.op} ${JSON.stringify(c.new ?? c.old).slice(0, 300)}: no audit entry`)
  }
  const byEntity = groupBy(entries, (e) => e.entityId)
  const ownTypes: Array<readonly [string, string]> = []
  for (const [entityId, entityEntries] of byEntity) {
    const entry = netEntry(entityEntries)
    const rowChanges = own.get(entityId)
    if (rowChanges === undefined) {
      problems.push(
        `audit ${entry.entityType} ${entityId} ${entry.action}: no row change${
          parts.has(entityId) ? " (only rows of its parts)" : ""
        }`
      )
      continue
    }
    if (entityEntries.length > rowChanges.length) {
      problems.push(
        `audit ${entry.entityType} ${entityId}: ${entityEntries.length} entries for ${rowChanges.length} row changes`
      )
    }
    const row = netRow(rowChanges)
    ownTypes.push([row.table, entry.entityType])
    const asEntity = expected.overrides.has(entry.entityType) && entry.action === "UPDATE"
      ? { ...row, op: "UPDATE" as const }
      : row
    problems.push(...compareValues(asEntity, entry, coverage), ...compareTenant(row, entry))
  }
  return {
    rowChanges: rows.length,
    entries: entries.length,
    problems,
    ownTypes,
    partTables: [...new Set([...parts.values()].flat())]
  }
}

const compareTenant = (row: NetRow, entry: Entry): ReadonlyArray<string> => {
  const values = row.new ?? row.old!
  const problems: Array<string> = []
  for (
    const [column, expected] of [
      ["organization_id", entry.organizationId],
      ["workspace_id", entry.workspaceId]
    ] as const
  ) {
    if (Object.hasOwn(values, column) && values[column] !== null && values[column] !== expected) {
      problems.push(`${row.table} ${entry.entityId}: ${column} ${String(values[column])} but audit tenant ${expected}`)
    }
  }
  return problems
}

/** Rows to entities: by own id, else as a part through a foreign key to an audited entity; the rest unmatched. */
const assign = (
  rows: ReadonlyArray<Change>,
  entries: ReadonlyArray<Entry>,
  foreignKeys: ReadonlyArray<ForeignKey>,
  primaryKeys: ReadonlyMap<string, ReadonlyArray<string>>
) => {
  const audited = new Set(entries.map((e) => e.entityId))
  const own = new Map<string, Array<Change>>()
  const parts = new Map<string, Array<string>>()
  const unmatched: Array<Change> = []
  for (const c of rows) {
    const values = (c.new ?? c.old)!
    const id = rowKeys(values, primaryKeys.get(c.tbl)).find((k) => audited.has(k))
    if (id !== undefined) {
      own.set(id, [...(own.get(id) ?? []), c])
      continue
    }
    const parent = foreignKeys.filter((fk) => fk.table === c.tbl && fk.refColumns.includes("id")).map((fk) =>
      values[fk.columns[fk.refColumns.indexOf("id")]!]
    ).find((ref) => typeof ref === "string" && audited.has(ref)) as string | undefined
    if (parent !== undefined) parts.set(parent, [...(parts.get(parent) ?? []), c.tbl])
    else unmatched.push(c)
  }
  return { own, parts, unmatched }
}

const groupBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Map<string, Array<A>> => {
  const map = new Map<string, Array<A>>()
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item])
  return map
}
