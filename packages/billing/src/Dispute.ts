/**
 * Disputes (BIL-DSP-01, BIL-DSP-02, X-04): a client contests part of one invoice line.
 *
 *   opened     only while the invoice is Sent or Overdue (`InvoiceNotDisputable`), on an existing line
 *              (`InvoiceLineNotFound`), for 1 … the line's total minus what its other open or approved
 *              disputes already claim (`DisputeExceedsLine`)
 *   Open → Approved   approveDispute: a credit note for the approved amount (≤ disputed) is issued in
 *                     the same unit of work, under the credit-note rules (BIL-CN-01…03)
 *   Open → Rejected   rejectDispute
 *
 * Approved and Rejected are terminal: a resolved dispute never changes (`Immutable`).
 */
import { Currency, type Errors, Invariants, Money, StateMachine, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import {
  ApprovalExceedsDispute,
  DisputeExceedsLine,
  InvoiceLineNotFound,
  InvoiceNotDisputable
} from "./BillingError.ts"
import { ClientAccountId, CreditNoteId, DisputeId, InvoiceId } from "./Ids.ts"
import { move } from "./internal/machine.ts"
import type { Invoice } from "./Invoice.ts"
import { Instant } from "./Values.ts"

export const DisputeStatus = Schema.Literals(["Open", "Approved", "Rejected"])
export type DisputeStatus = typeof DisputeStatus.Type

export const machine = StateMachine.make<DisputeStatus>({
  name: "Dispute",
  states: ["Open", "Approved", "Rejected"],
  initial: [{ state: "Open", label: "openDispute (Sent or Overdue invoice)" }],
  terminal: ["Approved", "Rejected"],
  transitions: [
    { from: "Open", to: "Approved", label: "approveDispute (issues the credit note)" },
    { from: "Open", to: "Rejected", label: "rejectDispute" }
  ]
})

export class Dispute extends Schema.Class<Dispute>("Dispute")({
  id: DisputeId,
  tenant: Tenant.Tenant,
  invoiceId: InvoiceId,
  accountId: ClientAccountId,
  /** 0-based index of the disputed line in `invoice.lines`. */
  lineIndex: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  /** Disputed amount, in the invoice's currency; at most the line's total. */
  amountMinor: Money.PositiveMinorUnits,
  currency: Currency.Currency,
  reason: Schema.String,
  status: DisputeStatus,
  /** The amount credited on approval (≤ amountMinor); null until approved. */
  approvedMinor: Schema.NullOr(Money.PositiveMinorUnits),
  creditNoteId: Schema.NullOr(CreditNoteId),
  resolutionNote: Schema.NullOr(Schema.String),
  createdAt: Instant,
  resolvedAt: Schema.NullOr(Instant)
}) {}

/** What a dispute still claims on its line: open ones their amount, approved ones what was approved. */
export const claimedMinor = (d: Dispute): bigint =>
  d.status === "Open" ? d.amountMinor : d.status === "Approved" ? (d.approvedMinor ?? 0n) : 0n

export interface OpenProps {
  readonly id: DisputeId
  readonly invoice: Invoice
  readonly lineIndex: number
  readonly amountMinor: bigint
  readonly reason: string
  /** The invoice's other disputes (any status). */
  readonly others: ReadonlyArray<Dispute>
  readonly now: number
}

/** BIL-DSP-01. */
export const open = (
  p: OpenProps
): Result.Result<Dispute, InvoiceNotDisputable | InvoiceLineNotFound | DisputeExceedsLine> => {
  const { invoice } = p
  if (invoice.status !== "Sent" && invoice.status !== "Overdue") {
    return Result.fail(new InvoiceNotDisputable({ invoiceId: invoice.id, status: invoice.status }))
  }
  const line = invoice.lines[p.lineIndex]
  if (line === undefined) {
    return Result.fail(
      new InvoiceLineNotFound({ invoiceId: invoice.id, lineIndex: p.lineIndex, lineCount: invoice.lines.length })
    )
  }
  const already = p.others.filter((d) => d.lineIndex === p.lineIndex).reduce((s, d) => s + claimedMinor(d), 0n)
  if (already + p.amountMinor > line.totalMinor) {
    return Result.fail(
      new DisputeExceedsLine({
        invoiceId: invoice.id,
        lineIndex: p.lineIndex,
        lineTotalMinor: line.totalMinor,
        alreadyDisputedMinor: already,
        amountMinor: p.amountMinor
      })
    )
  }
  return Result.succeed(
    new Dispute({
      id: p.id,
      tenant: invoice.tenant,
      invoiceId: invoice.id,
      accountId: invoice.accountId,
      lineIndex: p.lineIndex,
      amountMinor: p.amountMinor,
      currency: invoice.currency,
      reason: p.reason,
      status: "Open",
      approvedMinor: null,
      creditNoteId: null,
      resolutionNote: null,
      createdAt: p.now,
      resolvedAt: null
    })
  )
}

type StateError = Errors.Immutable | Errors.InvalidTransition

/** Could the dispute be approved for `approvedMinor`? Checked before the credit note is built. */
export const checkApprovable = (
  d: Dispute,
  approvedMinor: bigint
): Result.Result<void, StateError | ApprovalExceedsDispute> =>
  Result.flatMap(
    move(machine, d.id, d.status, "Approved"),
    () =>
      approvedMinor < 1n || approvedMinor > d.amountMinor
        ? Result.fail(new ApprovalExceedsDispute({ disputeId: d.id, disputedMinor: d.amountMinor, approvedMinor }))
        : Result.succeed(undefined)
  )

/** Open → Approved for `approvedMinor` (1 … disputed), with the credit note that pays it out. */
export const approve = (
  d: Dispute,
  approvedMinor: bigint,
  creditNoteId: CreditNoteId,
  note: string | null,
  now: number
): Result.Result<Dispute, StateError | ApprovalExceedsDispute> =>
  Result.map(
    checkApprovable(d, approvedMinor),
    () => new Dispute({ ...d, status: "Approved", approvedMinor, creditNoteId, resolutionNote: note, resolvedAt: now })
  )

/** Open → Rejected. */
export const reject = (d: Dispute, note: string, now: number): Result.Result<Dispute, StateError> =>
  Result.map(
    move(machine, d.id, d.status, "Rejected"),
    (status) => new Dispute({ ...d, status, resolutionNote: note, resolvedAt: now })
  )

/** Named invariants, checked in tests. */
export const invariants: ReadonlyArray<Invariants.Invariant<Dispute>> = [
  [
    "Approved has its credit note and amount",
    (d) => (d.status === "Approved") === (d.creditNoteId !== null && d.approvedMinor !== null)
  ],
  ["approved ≤ disputed", (d) => d.approvedMinor === null || d.approvedMinor <= d.amountMinor],
  ["resolved has resolvedAt", (d) => (d.status === "Open") === (d.resolvedAt === null)]
]

export const brokenInvariants = (d: Dispute): ReadonlyArray<string> => Invariants.broken(invariants, d)
