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
 *   binding a second tenant is a defect (`CrossTenantTransaction`). See `database/TenantBinding.ts`.
 * - Whole transactions are retried on 40001 / 40P01 / 55P03 (and on a duplicate idempotency key or a
 *   `RetryUnitOfWork` defect): a typed `RetryTransaction`, retried on a bounded, jittered `Schedule`
 *   (`database/Retry.ts`); when the retries run out, a retryable `StorageUnavailable`.
 * - A lost connection (backend terminated, socket closed) is the kernel's typed `StorageUnavailable`:
 *   `not-applied` before COMMIT was sent, `unknown` once it was (`database/Outcome.ts`).
 * - Writes nobody waits for (`write`) are queued and sent together, as one statement of data-modifying
 *   CTEs, before the unit of work's next statement (any join: `transaction` / `inTenant`) or COMMIT;
 *   see `database/DeferredWrites.ts` and docs/performance.md.
 */
import { Cause, Context, Effect, Layer } from "effect"
import { Errors, Tenant } from "@erpkit/kernel"
import { SqlClient } from "effect/sql"
import * as SqlState from "./SqlState.ts"
import * as DeferredWrites from "./database/DeferredWrites.ts"
import { attemptCause } from "./database/Outcome.ts"
import { defaultRetryPolicy, retrying, type RetryPolicy, type RetryTransaction } from "./database/Retry.ts"
import * as TenantBinding from "./database/TenantBinding.ts"
import {
  CurrentIsolation,
  CurrentLockTimeout,
  CurrentTenant,
  CurrentTransaction,
  type Isolation,
  type OpenTransaction
} from "./database/Transaction.ts"

export type { DeferredWrite } from "./database/DeferredWrites.ts"
export { defaultRetryPolicy, retryDelay, retrySchedule, type RetryPolicy } from "./database/Retry.ts"
export { appRole, relayRole } from "./database/TenantBinding.ts"
export {
  CrossTenantTransaction,
  CurrentIsolation,
  CurrentLockTimeout,
  CurrentTenant,
  type Isolation
} from "./database/Transaction.ts"

export interface DatabaseOptions {
  readonly isolation?: Isolation
  /**
   * `lock_timeout` of every unit of work: a row lock not granted in time fails with 55P03, which is
   * retried like a deadlock. Omitted: the server's setting (by default, wait forever).
   */
  readonly lockTimeoutMillis?: number
  readonly retry?: Partial<RetryPolicy>
}

export class PgDatabase extends Context.Service<PgDatabase, {
  readonly sql: SqlClient.SqlClient
  /**
   * The unit of work: a new retried transaction, or the enclosing one. A new one may fail with
   * `StorageUnavailable` (connection lost, or retries exhausted). `UnitOfWork` is this.
   */
  readonly unitOfWork: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Errors.StorageUnavailable, R>
  /**
   * `unitOfWork` for code without an error channel for the store (ports, repositories): its
   * `StorageUnavailable` is a defect, which `Command.make` / `Command.query` report typed again.
   */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * `effect` inside the unit of work, with `tenant` bound for RLS (first thing in every repository
   * method). Outside a unit of work it runs in a transaction of its own (as `transaction`).
   */
  readonly inTenant: (tenant: Tenant.Tenant) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Which attempt of the current transaction this is (1 for the first), 0 outside a transaction. */
  readonly attempt: Effect.Effect<number>
  /** A separate transaction as the relay role (cross-tenant outbox access only); never joins. */
  readonly asRelay: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * `write` in `tenant`'s unit of work, deferred (see `DeferredWrite`) when a unit of work with that
   * tenant is open, else run at once. Saves round trips: consecutive writes travel as one statement.
   */
  readonly write: (tenant: Tenant.Tenant, write: DeferredWrites.DeferredWrite) => Effect.Effect<void>
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
  isolation === undefined || isolation === "read committed"
    ? undefined
    : `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`

const dieOnStorageFailure = <A, E, R>(
  effect: Effect.Effect<A, E | Errors.StorageUnavailable, R>
): Effect.Effect<A, E, R> =>
  Effect.catch(
    effect,
    (error) => (error instanceof Errors.StorageUnavailable ? Effect.die(error) : Effect.fail(error as E))
  )

/**
 * The transaction's failure with the body's own, when a failed ROLLBACK replaced it (see
 * `OpenTransaction.bodyFailure`).
 */
const withBodyFailure = <E>(cause: Cause.Cause<E>, body: Cause.Cause<unknown> | undefined): Cause.Cause<E> =>
  body === undefined || cause === body || cause.reasons.some((r) => body.reasons.includes(r))
    ? cause
    : Cause.combine(body as Cause.Cause<E>, cause)

/** One attempt of a new unit of work: BEGIN, bind, `effect`, the last deferred writes, COMMIT. */
const attemptWith =
  (sql: SqlClient.SqlClient, binding: TenantBinding.TenantBinding, options: DatabaseOptions, database: object) =>
  <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    attempt: number
  ): Effect.Effect<A, E | RetryTransaction | Errors.StorageUnavailable, R> =>
    Effect.gen(function*() {
      const tenant = yield* CurrentTenant
      const isolation = (yield* CurrentIsolation) ?? options.isolation
      const lockTimeout = (yield* CurrentLockTimeout) ?? options.lockTimeoutMillis
      const open: OpenTransaction = {
        database,
        tenant,
        attempt,
        multiTenant: tenant === undefined,
        pending: [],
        locked: new Set(),
        committing: false,
        bodyFailure: undefined
      }
      const body = binding.open(tenant, lockTimeout).pipe(
        Effect.andThen(effect.pipe(Effect.provideService(CurrentTransaction, open))),
        Effect.tap(() =>
          Effect.andThen(DeferredWrites.flush(sql, open.pending), Effect.sync(() => void (open.committing = true)))
        ),
        Effect.tapCause((cause) => Effect.sync(() => void (open.bodyFailure = cause)))
      )
      return yield* sql.withTransaction(body).pipe(
        Effect.provideService(SqlClient.BeginTransaction, beginStatement(isolation)),
        Effect.catchCause((cause) =>
          Effect.failCause(attemptCause(withBodyFailure(cause, open.bodyFailure), open.committing))
        )
      )
    })

/**
 * `PgDatabase.asRelay`: always a transaction of its own as the relay role (cross-tenant outbox access
 * only), neither retried nor joined, so it needs nothing of `make`'s unit-of-work state; inside a unit
 * of work it is a defect.
 */
const asRelayWith =
  (sql: SqlClient.SqlClient, binding: TenantBinding.TenantBinding) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(
      CurrentTransaction,
      (open) =>
        open !== undefined
          ? Effect.die(new Error("PgDatabase.asRelay cannot run inside a unit of work"))
          : sql.withTransaction(Effect.andThen(binding.bindAs(TenantBinding.relayRole, undefined), effect)).pipe(
            SqlState.orDie
          ) as Effect.Effect<A, E, R>
    )

const make = (sql: SqlClient.SqlClient, options: DatabaseOptions): PgDatabase["Service"] => {
  const identity = {}
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry }
  const binding = TenantBinding.make(sql)
  const attempt = attemptWith(sql, binding, options, identity)
  const ours = (open: OpenTransaction | undefined): open is OpenTransaction => open?.database === identity

  /**
   * Joining checks the caller's `CurrentTenant` against the bound one (binding it if none is yet). In a
   * transaction opened without a tenant (a job), a nested unit for a tenant switches to it for its
   * duration instead, so one job can record its work in each tenant atomically.
   */
  const join = <A, E, R>(open: OpenTransaction, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.andThen(
      DeferredWrites.flush(sql, open.pending),
      Effect.flatMap(CurrentTenant, (tenant) => {
        if (tenant === undefined) return effect
        return open.multiTenant
          ? binding.switchTenant(open, tenant, effect)
          : Effect.andThen(binding.bind(open, tenant), effect)
      })
    )

  const unitOfWork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.StorageUnavailable, R> =>
    Effect.flatMap(
      CurrentTransaction,
      (open) => (ours(open) ? join(open, effect) : retrying(policy, (n) => attempt(effect, n)))
    )

  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(
      CurrentTransaction,
      (open) => (ours(open) ? join(open, effect) : dieOnStorageFailure(unitOfWork(effect)))
    )

  const inTenant = (tenant: Tenant.Tenant) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    transaction(Effect.flatMap(CurrentTransaction, (open) => Effect.andThen(binding.bind(open!, tenant), effect)))

  const deferrable = (open: OpenTransaction | undefined, tenant: Tenant.Tenant): open is OpenTransaction =>
    ours(open) && !open.multiTenant && open.tenant !== undefined && Tenant.sameTenant(open.tenant, tenant)

  /** Not wrapped in `transaction`/`inTenant` (joining flushes): callers call it directly. */
  const write = (tenant: Tenant.Tenant, w: DeferredWrites.DeferredWrite): Effect.Effect<void> =>
    Effect.flatMap(CurrentTransaction, (open) => {
      if (!deferrable(open, tenant)) return inTenant(tenant)(DeferredWrites.runChecked(w))
      const first = DeferredWrites.overlaps(open.pending, w) ? DeferredWrites.flush(sql, open.pending) : Effect.void
      return Effect.andThen(first, Effect.sync(() => void open.pending.push(w)))
    })

  return {
    sql,
    unitOfWork,
    transaction,
    inTenant,
    attempt: Effect.map(CurrentTransaction, (open) => (ours(open) ? open.attempt : 0)),
    asRelay: asRelayWith(sql, binding),
    write,
    defers: (tenant) => Effect.map(CurrentTransaction, (open) => deferrable(open, tenant)),
    lock: (key) =>
      Effect.flatMap(CurrentTransaction, (open) => Effect.sync(() => void (ours(open) && open.locked.add(key)))),
    holds: (key) => Effect.map(CurrentTransaction, (open) => ours(open) && open.locked.has(key))
  }
}
