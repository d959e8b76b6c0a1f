/**
 * Dispute commands (BIL-DSP-01, BIL-DSP-02, X-04). Lock order: invoice → dispute → client account.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, Command, type Errors, type Ids } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import { CreditNote } from "./CreditNote.ts"
import * as Dispute from "./Dispute.ts"
import { DisputeRepository } from "./DisputeRepository.ts"
import { DisputeId, InvoiceId } from "./Ids.ts"
import { audit, freshIds } from "./internal/command.ts"
import { creditNote } from "./internal/invoicing.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import { permissions } from "./Permissions.ts"
import { PositiveAmountInput, Text } from "./Values.ts"

export const OpenDisputeInput = Schema.Struct({
  invoiceId: InvoiceId,
  /** 0-based index of the line in the invoice's `lines`. */
  lineIndex: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 499 }))),
  /** > 0, in the invoice's currency; at most what the line's total leaves after its other disputes. */
  amountMinor: PositiveAmountInput,
  reason: Text(2000)
})

/** BIL-DSP-01: opens a dispute on a line of a Sent or Overdue invoice (the invoice is locked). */
export const openDispute = Command.make({
  name: "billing.openDispute",
  input: OpenDisputeInput,
  output: Dispute.Dispute,
  permission: permissions.disputeOpen,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoice = yield* (yield* InvoiceRepository).getForUpdate(context.tenant, input.invoiceId)
    const disputes = yield* DisputeRepository
    const others = yield* disputes.listByInvoice(context.tenant, invoice.id)
    const [id] = yield* freshIds(DisputeId, 1)
    const dispute = yield* Effect.fromResult(Dispute.open({ id: id!, invoice, ...input, others, now: context.now }))
    yield* disputes.insert(context.tenant, dispute)
    return {
      result: dispute,
      events: [
        BillingEvent.draft({
          _tag: "DisputeOpened",
          disputeId: dispute.id,
          invoiceId: dispute.invoiceId,
          lineIndex: dispute.lineIndex,
          amountMinor: dispute.amountMinor,
          currency: dispute.currency
        })
      ],
      changes: [audit(Dispute.Dispute, null, dispute)]
    }
  })
})

/** Reads the dispute unlocked to learn its invoice, then locks invoice and dispute in that order. */
const lockDispute = (tenant: Command.CommandContext["tenant"], id: DisputeId) =>
  Effect.gen(function*() {
    const disputes = yield* DisputeRepository
    const peek = yield* disputes.get(tenant, id)
    const invoice = yield* Effect.orDie((yield* InvoiceRepository).getForUpdate(tenant, peek.invoiceId))
    const dispute = yield* disputes.getForUpdate(tenant, id)
    return { invoice, dispute }
  })

export const ApproveDisputeInput = Schema.Struct({
  disputeId: DisputeId,
  /** Default: the disputed amount. At most it. */
  approvedMinor: Schema.optionalKey(PositiveAmountInput),
  note: Schema.optionalKey(Text(2000))
})

export const ResolvedDispute = Schema.Struct({
  dispute: Dispute.Dispute,
  invoice: Invoice.Invoice,
  creditNote: Schema.NullOr(CreditNote)
})

/**
 * BIL-DSP-02 + X-04: Open → Approved and, in the same unit of work, a credit note for the approved
 * amount through the credit-note rules (BIL-CN-01…03: the invoice must still be Sent or Overdue and
 * owe at least that much). A refused credit note leaves the dispute Open and writes nothing.
 */
export const approveDispute = Command.make({
  name: "billing.approveDispute",
  input: ApproveDisputeInput,
  output: ResolvedDispute,
  permission: permissions.disputeResolve,
  handler: Effect.fnUntraced(function*(input, context) {
    const { dispute, invoice } = yield* lockDispute(context.tenant, input.disputeId)
    const approvedMinor = input.approvedMinor ?? dispute.amountMinor
    // The state and amount checks first, so a resolved dispute is `Immutable` whatever the invoice says.
    yield* Effect.fromResult(Dispute.checkApprovable(dispute, approvedMinor))
    const credit = yield* creditNote(
      context,
      invoice,
      approvedMinor,
      `Dispute ${dispute.id}: ${dispute.reason}`.slice(0, 2000)
    )
    const approved = yield* Effect.fromResult(
      Dispute.approve(dispute, approvedMinor, credit.result.creditNote.id, input.note ?? null, context.now)
    )
    yield* Effect.orDie((yield* DisputeRepository).update(context.tenant, approved))
    return {
      result: { dispute: approved, invoice: credit.result.invoice, creditNote: credit.result.creditNote },
      events: [
        ...credit.events,
        BillingEvent.draft({
          _tag: "DisputeResolved",
          disputeId: approved.id,
          invoiceId: approved.invoiceId,
          status: "Approved",
          approvedMinor,
          creditNoteId: credit.result.creditNote.id
        })
      ],
      changes: [...credit.changes, audit(Dispute.Dispute, dispute, approved)]
    }
  })
})

export const RejectDisputeInput = Schema.Struct({ disputeId: DisputeId, note: Text(2000) })

/** BIL-DSP-02: Open → Rejected; nothing else changes. */
export const rejectDispute = Command.make({
  name: "billing.rejectDispute",
  input: RejectDisputeInput,
  output: ResolvedDispute,
  permission: permissions.disputeResolve,
  handler: Effect.fnUntraced(function*(input, context) {
    const { dispute, invoice } = yield* lockDispute(context.tenant, input.disputeId)
    const rejected = yield* Effect.fromResult(Dispute.reject(dispute, input.note, context.now))
    yield* Effect.orDie((yield* DisputeRepository).update(context.tenant, rejected))
    return {
      result: { dispute: rejected, invoice, creditNote: null },
      events: [
        BillingEvent.draft({
          _tag: "DisputeResolved",
          disputeId: rejected.id,
          invoiceId: rejected.invoiceId,
          status: "Rejected",
          approvedMinor: 0n,
          creditNoteId: null
        })
      ],
      changes: [audit(Dispute.Dispute, dispute, rejected)]
    }
  })
})

export const getDispute = Command.query({
  name: "billing.getDispute",
  input: Schema.Struct({ disputeId: DisputeId }),
  permission: permissions.disputeRead,
  handler: (input, context) => DisputeRepository.use((disputes) => disputes.get(context.tenant, input.disputeId))
})

export const listDisputes = Command.query({
  name: "billing.listDisputes",
  input: Schema.Struct({ invoiceId: InvoiceId }),
  permission: permissions.disputeRead,
  handler: (input, context) =>
    DisputeRepository.use((disputes) => disputes.listByInvoice(context.tenant, input.invoiceId))
})
