/**
 * `PgDatabase`: the SQL client plus the transaction discipline every Postgres repository relies on.
 *
 * - One transaction per unit of work; nested calls join it (no savepoints).
 * - Every transaction starts with `SET LOCAL ROLE erpkit_app` (a NOLOGIN role without BYPASSRLS), so
 *   row-level security holds even when the pool logs in as a superuser or as the tables' owner.
 * - The tenant is bound per transaction with `set_config('erpkit.organization_id', …, true)` (+
 *   workspace), read by the RLS policies. It is bound up front from the kernel's `Tenant.CurrentTenant`
 *   (which `Command.make` provides around its unit of work), else by the first repository statement
 *   (`inTenant(tenant)`, which every repository method starts with). One transaction serves one tenant:
 *   binding a second tenant is a defect (`CrossTenantTransaction`).
 * - Whole transactions are retried on 40001 / 40P01 / 55P03 (and on a duplicate idempotency key),
 *   bounded, with jittered exponential backoff (see `SqlState` and `RetryPolicy`).
 * - Writes nobody waits for (`write`) are queued and sent together, as one statement of data-modifying
 *   CTEs, before the unit of work's next statement (any join: `transaction` / `inTenant`) or COMMIT;
 *   see `DeferredWrite` and docs/performance.md.
 */
import { Context, Duration, Effect, Exit, Layer, Random, Schema } from "effect"
import { Tenant } from "@erpkit/kernel"
import { SqlClient } from "effect/sql"
import type { Statement } from "effect/sql/Statement"
import { isRetryableCause } from "./SqlState.ts"
import * as SqlState from "./SqlState.ts"

/** The role every unit of work runs as (created by the platform migration). */
export const appRole = "erpkit_app"
/** The role the outbox relay runs as: it sees every tenant's outbox rows and nothing else. */
export const relayRole = "erpkit_relay"

export type Isolation = "read committed" | "repeatable read" | "serializable"

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, baseDelayMillis: 5, maxDelayMillis: 1_000 }

export interface DatabaseOptions {
  readonly isolation?: Isolation
  /**
   * `lock_timeout` of every unit of work: a row lock not granted in time fails with 55P03, which is
   * retried like a deadlock. Omitted: the server's setting (by default, wait forever).
   */
  readonly lockTimeoutMillis?: number
  readonly retry?: Partial<RetryPolicy>
}

/**
 * The tenant of the current command (the kernel's reference: `Command.make` provides it around its unit
 * of work, `UnitOfWork.transactionFor(tenant, …)` for jobs), bound when the transaction opens.
 */
export const CurrentTenant = Tenant.CurrentTenant

/** Overrides `lockTimeoutMillis` for the transactions started inside. */
export const CurrentLockTimeout = Context.Reference<number | undefined>("@erpkit/postgres/CurrentLockTimeout", {
  defaultValue: () => undefined
})

/** Overrides the isolation level of the transactions started inside (e.g. one serializable command). */
export const CurrentIsolation = Context.Reference<Isolation | undefined>("@erpkit/postgres/CurrentIsolation", {
  defaultValue: () => undefined
})

interface OpenTransaction {
  readonly database: object
  tenant: Tenant.Tenant | undefined
  readonly attempt: number
  /** Opened without a tenant (a job sweeping several tenants): nested `transactionFor` may switch. */
  readonly multiTenant: boolean
  /** Writes deferred by `write`, sent as ONE statement before the next statement of the unit of work or COMMIT. */
  readonly pending: Array<DeferredWrite>
  /** Rows this transaction holds a row lock on (`lock`), e.g. `billing.invoices/<id>`. */
  readonly locked: Set<string>
}

/**
 * A write whose result nobody waits for: one INSERT or UPDATE (no WITH of its own) whose every error is
 * a defect. `PgDatabase.write` queues it; the queue goes to the server as ONE statement (a
 * data-modifying CTE per write) right before the next statement of the unit of work, or before
 * COMMIT. All writes of one flush see the same snapshot, so a write to a table that already has a
 * queued write flushes the queue first (`tables`).
 */
export interface DeferredWrite {
  /** Tables the statement writes or reads. */
  readonly tables: ReadonlyArray<string>
  readonly statement: Statement<any>
  /** When set, the statement ends with RETURNING and must return exactly `rows` rows, else the unit of work dies with `error()`. */
  readonly expect?: { readonly rows: number; readonly error: () => unknown }
}

const CurrentTransaction = Context.Reference<OpenTransaction | undefined>("@erpkit/postgres/CurrentTransaction", {
  defaultValue: () => undefined
})

/** A unit of work was asked to serve two tenants; RLS would hide one of them, so this is a bug. */
export class CrossTenantTransaction extends Schema.TaggedError<CrossTenantTransaction>()("CrossTenantTransaction", {
  bound: Schema.String,
  requested: Schema.String
}) {
  override get message(): string {
    return `transaction bound to tenant ${this.bound} cannot serve tenant ${this.requested}`
  }
}

export class PgDatabase extends Context.Service<PgDatabase, {
  readonly sql: SqlClient.SqlClient
  /** The unit of work: a new retried transaction, or the enclosing one. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** `effect` inside the unit of work, with `tenant` bound for RLS (first thing in every repository method). */
  readonly inTenant: (tenant: Tenant.Tenant) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Which attempt of the current transaction this is (1 for the first), 0 outside a transaction. */
  readonly attempt: Effect.Effect<number>
  /** A separate transaction as the relay role (cross-tenant outbox access only); never joins. */
  readonly asRelay: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * `write` in `tenant`'s unit of work, deferred (see `DeferredWrite`) when a unit of work with that
   * tenant is open, else run at once. Saves round trips: consecutive writes travel as one statement.
   */
  readonly write: (tenant: Tenant.Tenant, write: DeferredWrite) => Effect.Effect<void>
  /** Whether `write(tenant, …)` here would be deferred (a unit of work bound to `tenant` is open). */
  readonly defers: (tenant: Tenant.Tenant) => Effect.Effect<boolean>
  /** Records that the current transaction holds a row lock on `key` (after a `FOR [NO KEY] UPDATE` read). */
  readonly lock: (key: string) => Effect.Effect<void>
  /** Whether the current transaction holds the row lock `key` (so the row exists and no one else changes it). */
  readonly holds: (key: string) => Effect.Effect<boolean>
}>()("@erpkit/postgres/PgDatabase") {
  static readonly layer = (options: DatabaseOptions = {}) =>
    Layer.effect(PgDatabase, Effect.map(SqlClient.SqlClient, (sql) => make(sql, options)))
}

const beginStatement = (isolation: Isolation | undefined): string | undefined =>
  isolation === undefined || isolation === "read committed" ? undefined : `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`

/** Equal jitter: half the exponential delay fixed, half random (from effect's `Random`). */
export const retryDelay = (policy: RetryPolicy, attempt: number): Effect.Effect<Duration.Duration> => {
  const exponential = Math.min(policy.maxDelayMillis, policy.baseDelayMillis * 2 ** Math.max(0, attempt - 1))
  return Effect.map(Random.nextBetween(exponential / 2, exponential), (millis) => Duration.millis(millis))
}

const make = (sql: SqlClient.SqlClient, options: DatabaseOptions): PgDatabase["Service"] => {
  const identity = {}
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry }

  const bindStatement = (role: string, tenant: Tenant.Tenant | undefined) =>
    SqlState.orDie(sql`SELECT set_config('role', ${role}, true), set_config('erpkit.organization_id', ${tenant?.organizationId ?? ""}, true), set_config('erpkit.workspace_id', ${tenant?.workspaceId ?? ""}, true)`)

  /** The opening statement of a unit of work: role, tenant and (when set) lock_timeout in ONE round trip. */
  const openStatement = (tenant: Tenant.Tenant | undefined, lockTimeout: number | undefined) =>
    lockTimeout === undefined
      ? bindStatement(appRole, tenant)
      : SqlState.orDie(sql`SELECT set_config('role', ${appRole}, true), set_config('erpkit.organization_id', ${tenant?.organizationId ?? ""}, true), set_config('erpkit.workspace_id', ${tenant?.workspaceId ?? ""}, true), set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeout))}ms`}, true)`)

  const once = <A, E, R>(effect: Effect.Effect<A, E, R>, attempt: number) =>
    Effect.gen(function*() {
      const tenant = yield* CurrentTenant
      const isolation = (yield* CurrentIsolation) ?? options.isolation
      const lockTimeout = (yield* CurrentLockTimeout) ?? options.lockTimeoutMillis
      const open: OpenTransaction = {
        database: identity, tenant, attempt, multiTenant: tenant === undefined, pending: [], locked: new Set()
      }
      const body = openStatement(tenant, lockTimeout).pipe(
        Effect.andThen(effect.pipe(Effect.provideService(CurrentTransaction, open))),
        Effect.tap(() => flush(open))
      )
      return yield* sql.withTransaction(body).pipe(
        Effect.provideService(SqlClient.BeginTransaction, beginStatement(isolation)),
        SqlState.orDie
      )
    }) as Effect.Effect<A, E, R>

  const retrying = <A, E, R>(effect: Effect.Effect<A, E, R>, attempt: number): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.exit(once(effect, attempt)), (exit) => {
      if (Exit.isFailure(exit) && attempt < policy.maxAttempts && isRetryableCause(exit.cause)) {
        return Effect.andThen(Effect.flatMap(retryDelay(policy, attempt), Effect.sleep), retrying(effect, attempt + 1))
      }
      return exit
    })

  /**
   * Joining checks the caller's `CurrentTenant` against the bound one (binding it if none is yet). In a
   * transaction opened without a tenant (a job), a nested unit for a tenant switches to it for its
   * duration instead, so one job can record its work in each tenant atomically.
   */
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(CurrentTransaction, (open) => {
      if (open?.database !== identity) return retrying(effect, 1)
      return Effect.andThen(flush(open), Effect.flatMap(CurrentTenant, (tenant) => {
        if (tenant === undefined) return effect
        return open.multiTenant ? switchTenant(open, tenant, effect) : Effect.andThen(bind(open, tenant), effect)
      }))
    })

  /** Runs `effect` with `tenant` bound, then restores the job's binding; after a failure, forces a rebind. */
  const switchTenant = <A, E, R>(open: OpenTransaction, tenant: Tenant.Tenant, effect: Effect.Effect<A, E, R>) => {
    const previous = open.tenant
    if (previous !== undefined && Tenant.sameTenant(previous, tenant)) return effect
    return Effect.suspend(() => {
      open.tenant = tenant
      return bindStatement(appRole, tenant).pipe(
        Effect.andThen(effect),
        Effect.tap(() => Effect.andThen(Effect.sync(() => void (open.tenant = previous)), bindStatement(appRole, previous))),
        // the binding in the database is unknown after a failure: the next use binds again
        Effect.onError(() => Effect.sync(() => void (open.tenant = undefined)))
      )
    })
  }

  const bind = (open: OpenTransaction, tenant: Tenant.Tenant): Effect.Effect<void> => {
    if (open.tenant === undefined) {
      open.tenant = tenant
      return Effect.asVoid(bindStatement(appRole, tenant))
    }
    return Tenant.sameTenant(open.tenant, tenant)
      ? Effect.void
      : Effect.die(new CrossTenantTransaction({ bound: Tenant.key(open.tenant), requested: Tenant.key(tenant) }))
  }

  const inTenant = (tenant: Tenant.Tenant) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    transaction(Effect.flatMap(CurrentTransaction, (open) => Effect.andThen(bind(open!, tenant), effect)))

  /** Sends the queued writes as ONE statement (a data-modifying CTE each) and checks their row counts. */
  const flush = (open: OpenTransaction): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (open.pending.length === 0) return Effect.void
      const writes = open.pending.splice(0)
      if (writes.length === 1) return runChecked(writes[0]!)
      const checked = writes.flatMap((w, i) => (w.expect === undefined ? [] : [i]))
      const ctes = writes.map((w, i) => sql`${sql.literal(`w${i}`)} AS (${w.statement})`)
      const counts = checked.length === 0
        ? sql`1 AS none`
        : sql.join(", ", false)(checked.map((i) => sql.literal(`(SELECT count(*) FROM w${i})::int AS w${i}`)))
      return Effect.flatMap(
        SqlState.orDie(sql<Record<string, number>>`WITH ${sql.join(", ", false)(ctes)} SELECT ${counts}`),
        (rows) => Effect.forEach(checked, (i) => expectRows(writes[i]!, rows[0]?.[`w${i}`] ?? 0), { discard: true })
      )
    })

  const expectRows = (write: DeferredWrite, rows: number): Effect.Effect<void> =>
    write.expect === undefined || write.expect.rows === rows ? Effect.void : Effect.die(write.expect.error())

  const runChecked = (write: DeferredWrite): Effect.Effect<void> =>
    Effect.flatMap(SqlState.orDie(write.statement), (rows) => expectRows(write, rows.length))

  const deferrable = (open: OpenTransaction | undefined, tenant: Tenant.Tenant): open is OpenTransaction =>
    open?.database === identity && !open.multiTenant && open.tenant !== undefined && Tenant.sameTenant(open.tenant, tenant)

  /** Not wrapped in `transaction`/`inTenant` (joining flushes): callers call it directly. */
  const write = (tenant: Tenant.Tenant, w: DeferredWrite): Effect.Effect<void> =>
    Effect.flatMap(CurrentTransaction, (open) => {
      if (!deferrable(open, tenant)) return inTenant(tenant)(runChecked(w))
      const overlaps = open.pending.some((p) => p.tables.some((t) => w.tables.includes(t)))
      return Effect.andThen(overlaps ? flush(open) : Effect.void, Effect.sync(() => void open.pending.push(w)))
    })

  const lock = (key: string): Effect.Effect<void> =>
    Effect.flatMap(CurrentTransaction, (open) => Effect.sync(() => void (open?.database === identity && open.locked.add(key))))

  const holds = (key: string): Effect.Effect<boolean> =>
    Effect.map(CurrentTransaction, (open) => open?.database === identity && open.locked.has(key))

  const asRelay = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(CurrentTransaction, (open) =>
      open !== undefined
        ? Effect.die(new Error("PgDatabase.asRelay cannot run inside a unit of work"))
        : sql.withTransaction(Effect.andThen(bindStatement(relayRole, undefined), effect)).pipe(SqlState.orDie) as Effect.Effect<A, E, R>
    )

  return {
    sql,
    transaction,
    inTenant,
    attempt: Effect.map(CurrentTransaction, (open) => (open?.database === identity ? open.attempt : 0)),
    asRelay,
    write,
    defers: (tenant) => Effect.map(CurrentTransaction, (open) => deferrable(open, tenant)),
    lock,
    holds
  }
}
