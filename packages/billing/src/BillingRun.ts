/**
 * Recurring billing: one billing run per client account and period ("2026-01"), unique
 * (tenant, account, period), so an account is invoiced for a period exactly once however often the
 * monthly job runs. A run that could not invoice (no rate card, no credit, bad usage data) is recorded
 * as Failed with the reason; the next run of the job tries it again.
 *
 *   Invoiced                 the invoice was created and issued (terminal)
 *   Failed → Invoiced        a later run succeeded
 *   Failed → Failed          a later run failed again (attempts + 1)
 */
import { type Errors, Ids, LocalDate, StateMachine, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { BillingRunId, ClientAccountId, InvoiceId } from "./Ids.ts"
import { move } from "./internal/machine.ts"
import { Instant } from "./Values.ts"

const periodPattern = /^\d{4}-(0[1-9]|1[0-2])$/

/** A calendar month, "YYYY-MM". */
export const BillingPeriod = Schema.String.pipe(
  Schema.check(Schema.isPattern(periodPattern, { message: "must be a month YYYY-MM" }))
)

export const firstDay = (period: string): LocalDate.LocalDate => LocalDate.unsafeMake(`${period}-01`)

export const lastDay = (period: string): LocalDate.LocalDate => {
  const [y, m] = period.split("-").map(Number) as [number, number]
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`
  return LocalDate.addDays(firstDay(next), -1)
}

/** The month before the one `date` is in: what the monthly job bills by default. */
export const previousPeriod = (date: LocalDate.LocalDate): string =>
  LocalDate.addDays(firstDay(date.slice(0, 7)), -1).slice(0, 7)

export const BillingRunStatus = Schema.Literals(["Invoiced", "Failed"])
export type BillingRunStatus = typeof BillingRunStatus.Type

export const machine = StateMachine.make<BillingRunStatus>({
  name: "BillingRun",
  states: ["Invoiced", "Failed"],
  initial: [
    { state: "Invoiced", label: "runRecurringBilling (invoice issued)" },
    { state: "Failed", label: "runRecurringBilling (refused)" }
  ],
  terminal: ["Invoiced"],
  transitions: [
    { from: "Failed", to: "Invoiced", label: "runRecurringBilling (retry succeeded)" },
    { from: "Failed", to: "Failed", label: "runRecurringBilling (retry refused)" }
  ]
})

export class BillingRun extends Schema.Class<BillingRun>("BillingRun")({
  id: BillingRunId,
  tenant: Tenant.Tenant,
  accountId: ClientAccountId,
  customerId: Ids.CustomerId,
  period: BillingPeriod,
  status: BillingRunStatus,
  invoiceId: Schema.NullOr(InvoiceId),
  /** Why the last attempt failed (error tag and message). */
  error: Schema.NullOr(Schema.String),
  attempts: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  createdAt: Instant,
  updatedAt: Instant
}) {}

type StateError = Errors.Immutable | Errors.InvalidTransition

export interface RunKey {
  readonly tenant: Tenant.Tenant
  readonly accountId: ClientAccountId
  readonly customerId: Ids.CustomerId
  readonly period: string
}

export const invoiced = (
  id: BillingRunId,
  previous: BillingRun | null,
  props: RunKey,
  invoiceId: InvoiceId,
  now: number
): Result.Result<BillingRun, StateError> => {
  if (previous === null) {
    return Result.succeed(
      new BillingRun({
        id,
        ...props,
        status: "Invoiced",
        invoiceId,
        error: null,
        attempts: 1,
        createdAt: now,
        updatedAt: now
      })
    )
  }
  return Result.map(
    move(machine, previous.id, previous.status, "Invoiced"),
    (status) =>
      new BillingRun({ ...previous, status, invoiceId, error: null, attempts: previous.attempts + 1, updatedAt: now })
  )
}

export const failed = (
  id: BillingRunId,
  previous: BillingRun | null,
  props: RunKey,
  error: string,
  now: number
): Result.Result<BillingRun, StateError> => {
  if (previous === null) {
    return Result.succeed(
      new BillingRun({
        id,
        ...props,
        status: "Failed",
        invoiceId: null,
        error,
        attempts: 1,
        createdAt: now,
        updatedAt: now
      })
    )
  }
  return Result.map(
    move(machine, previous.id, previous.status, "Failed"),
    (status) => new BillingRun({ ...previous, status, error, attempts: previous.attempts + 1, updatedAt: now })
  )
}
