/**
 * Shared plumbing of the in-memory reference repositories: tenant-scoped rows in kernel `MemoryStore`
 * tables. Keys are `<tenant>/<id>`, so a row of another tenant is simply not found.
 */
import { Errors, type MemoryStore, Tenant } from "@erpkit/kernel"
import { Effect, Option } from "effect"

/** Table names (the Postgres adapter's tables are `billing.<name>` too). */
export const tables = {
  clientAccounts: "billing.client_accounts",
  accountTransactions: "billing.account_transactions",
  creditHolds: "billing.credit_holds",
  invoices: "billing.invoices",
  invoiceEvents: "billing.invoice_events",
  payments: "billing.payments",
  creditNotes: "billing.credit_notes",
  rateCards: "billing.rate_cards",
  surcharges: "billing.surcharges",
  quotes: "billing.quotes",
  disputes: "billing.disputes",
  documents: "billing.documents",
  accountingSyncs: "billing.accounting_syncs",
  accountingSyncLog: "billing.accounting_sync_log",
  billingRuns: "billing.billing_runs"
} as const

export const rowKey = (tenant: Tenant.Tenant, id: string): string => `${Tenant.key(tenant)}/${id}`

interface Row {
  readonly id: string
  readonly tenant: Tenant.Tenant
}

export const tenantTable = <V extends Row>(
  store: MemoryStore.MemoryStore["Service"],
  name: string,
  entity: string,
  /** Rows hidden from reads (soft-deleted). */
  live: (row: V) => boolean = () => true
) => {
  const table = store.table<V>(name)
  const notFound = (id: string) => new Errors.NotFound({ entity, id })
  const get = (tenant: Tenant.Tenant, id: string): Effect.Effect<V, Errors.NotFound> =>
    Effect.flatMap(
      table.get(rowKey(tenant, id)),
      (found) => Option.isSome(found) && live(found.value) ? Effect.succeed(found.value) : Effect.fail(notFound(id))
    )
  const find = (tenant: Tenant.Tenant, predicate: (row: V) => boolean) =>
    table.find((row) => Tenant.sameTenant(row.tenant, tenant) && live(row) && predicate(row))
  const insert = (tenant: Tenant.Tenant, row: V): Effect.Effect<void> =>
    Tenant.sameTenant(row.tenant, tenant)
      ? store.transaction(
        Effect.flatMap(table.get(rowKey(tenant, row.id)), (existing) =>
          Option.isSome(existing)
            ? Effect.die(new Error(`${entity} ${row.id} already exists`))
            : table.put(rowKey(tenant, row.id), row))
      )
      : Effect.die(new Error(`${entity} ${row.id} belongs to another tenant than the one given`))
  const update = (tenant: Tenant.Tenant, row: V): Effect.Effect<void, Errors.NotFound> =>
    Tenant.sameTenant(row.tenant, tenant)
      ? store.transaction(Effect.flatMap(get(tenant, row.id), () => table.put(rowKey(tenant, row.id), row)))
      : Effect.fail(notFound(row.id))
  return { table, get, find, insert, update, transaction: store.transaction }
}

/** Sorts by a key, then by id, so list and job results are deterministic. */
export const sortBy = <V extends Row>(rows: ReadonlyArray<V>, key: (row: V) => string | number): Array<V> =>
  [...rows].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  })

/** Bound of every list without an explicit limit. */
export const defaultListLimit = 1_000
