/**
 * Credit holds: two-phase credit (like TigerBeetle's pending transfers). `reserveCredit` runs the
 * credit check and opens a Pending hold, raising the account's `holdsMinor`; the hold is later
 *
 *   Posted   issuing an invoice against it consumes it (the invoice debit is posted),
 *   Voided   released by a user,
 *   Expired  released by the `expireCreditHolds` job once `expiresAt` has passed.
 *
 * Each exit lowers `holdsMinor` by the hold's amount; a resolved hold never changes again.
 */
import { type Errors, Money, StateMachine, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { CreditHoldExpired } from "./BillingError.ts"
import { ClientAccountId, CreditHoldId, InvoiceId } from "./Ids.ts"
import { assertMutable, move } from "./internal/machine.ts"
import { Instant } from "./Values.ts"

export const CreditHoldStatus = Schema.Literals(["Pending", "Posted", "Voided", "Expired"])
export type CreditHoldStatus = typeof CreditHoldStatus.Type

export const machine = StateMachine.make<CreditHoldStatus>({
  name: "CreditHold",
  states: ["Pending", "Posted", "Voided", "Expired"],
  initial: [{ state: "Pending", label: "reserveCredit" }],
  terminal: ["Posted", "Voided", "Expired"],
  transitions: [
    { from: "Pending", to: "Posted", label: "issueInvoice (holdId)" },
    { from: "Pending", to: "Voided", label: "voidCreditHold" },
    { from: "Pending", to: "Expired", label: "expireCreditHolds job" }
  ]
})

export class CreditHold extends Schema.Class<CreditHold>("CreditHold")({
  id: CreditHoldId,
  tenant: Tenant.Tenant,
  accountId: ClientAccountId,
  amountMinor: Money.PositiveMinorUnits,
  status: CreditHoldStatus,
  /** What the credit is reserved for (an order, a shipment), free text. */
  reference: Schema.NullOr(Schema.String),
  /** UTC epoch ms; from then on the hold counts as expired. */
  expiresAt: Instant,
  /** The invoice that consumed it (Posted only). */
  invoiceId: Schema.NullOr(InvoiceId),
  createdAt: Instant,
  resolvedAt: Schema.NullOr(Instant)
}) {}

export const make = (
  props: {
    readonly id: CreditHoldId
    readonly tenant: Tenant.Tenant
    readonly accountId: ClientAccountId
    readonly amountMinor: bigint
    readonly reference: string | null
    readonly holdTimeoutSeconds: number
    readonly now: number
  }
): CreditHold =>
  new CreditHold({
    id: props.id,
    tenant: props.tenant,
    accountId: props.accountId,
    amountMinor: props.amountMinor,
    status: "Pending",
    reference: props.reference,
    expiresAt: props.now + props.holdTimeoutSeconds * 1000,
    invoiceId: null,
    createdAt: props.now,
    resolvedAt: null
  })

/** The job's predicate: a Pending hold whose `expiresAt` is at or before `now`. */
export const isExpired = (hold: CreditHold, now: number): boolean => hold.status === "Pending" && hold.expiresAt <= now

type StateError = Errors.Immutable | Errors.InvalidTransition

const resolve = (
  hold: CreditHold,
  to: CreditHoldStatus,
  now: number,
  invoiceId: InvoiceId | null
): Result.Result<CreditHold, StateError> =>
  Result.map(
    move(machine, hold.id, hold.status, to),
    (status) => new CreditHold({ ...hold, status, resolvedAt: now, invoiceId })
  )

/** Consumed by an invoice; an expired hold can no longer be posted. */
export const post = (
  hold: CreditHold,
  invoiceId: InvoiceId,
  now: number
): Result.Result<CreditHold, Errors.Immutable | Errors.InvalidTransition | CreditHoldExpired> =>
  Result.gen(function*() {
    yield* assertMutable(machine, hold.id, hold.status)
    if (hold.expiresAt <= now) {
      return yield* Result.fail(new CreditHoldExpired({ holdId: hold.id, expiresAt: hold.expiresAt }))
    }
    return yield* resolve(hold, "Posted", now, invoiceId)
  })

export const void_ = (hold: CreditHold, now: number): Result.Result<CreditHold, StateError> =>
  resolve(hold, "Voided", now, null)

export const expire = (hold: CreditHold, now: number): Result.Result<CreditHold, StateError> =>
  resolve(hold, "Expired", now, null)
