/**
 * The state of one open unit of work (`OpenTransaction`), the fiber reference that carries it, and the
 * references a caller sets to shape the transactions it starts (tenant, isolation, lock timeout).
 */
import { type Cause, Context, Schema } from "effect"
import { Tenant } from "@erpkit/kernel"
import type { DeferredWrite } from "./DeferredWrites.ts"

export type Isolation = "read committed" | "repeatable read" | "serializable"

/**
 * The tenant of the current command (the kernel's reference: `Command.make` provides it around its unit
 * of work, `UnitOfWork.runFor(tenant, …)` for jobs), bound when the transaction opens.
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

export interface OpenTransaction {
  /** The `PgDatabase` instance that opened it: another instance's transaction is not joined. */
  readonly database: object
  tenant: Tenant.Tenant | undefined
  readonly attempt: number
  /** Opened without a tenant (a job sweeping several tenants): nested `transactionFor` may switch. */
  readonly multiTenant: boolean
  /** Writes deferred by `write`, sent as ONE statement before the next statement of the unit of work or COMMIT. */
  readonly pending: Array<DeferredWrite>
  /** Rows this transaction holds a row lock on (`lock`), e.g. `billing.invoices/<id>`. */
  readonly locked: Set<string>
  /**
   * Set once the body and its last deferred writes succeeded, right before COMMIT is sent: a connection
   * lost from then on leaves the outcome unknown (`StorageUnavailable.outcome`).
   */
  committing: boolean
  /**
   * How the body failed, kept because a ROLLBACK that fails (the connection is gone) replaces the
   * body's failure in the transaction's exit: the domain's refusal must not be lost with it.
   */
  bodyFailure: Cause.Cause<unknown> | undefined
}

export const CurrentTransaction = Context.Reference<OpenTransaction | undefined>(
  "@erpkit/postgres/CurrentTransaction",
  { defaultValue: () => undefined }
)

/** A unit of work was asked to serve two tenants; RLS would hide one of them, so this is a bug. */
export class CrossTenantTransaction extends Schema.TaggedError<CrossTenantTransaction>()("CrossTenantTransaction", {
  bound: Schema.String,
  requested: Schema.String
}) {
  override get message(): string {
    return `transaction bound to tenant ${this.bound} cannot serve tenant ${this.requested}`
  }
}
