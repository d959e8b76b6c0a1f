/**
 * Credit note commands (BIL-CN-01…03, BIL-INV-08). Lock order: invoice → client account.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
import { type Actor, Command, type Errors, type Ids } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { CreditNote } from "./CreditNote.ts"
import { CreditNoteRepository } from "./CreditNoteRepository.ts"
import { CreditNoteId, InvoiceId } from "./Ids.ts"
import { audit, freshIds, savePosted, transactionIds } from "./internal/command.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import * as Ledger from "./Ledger.ts"
import { permissions } from "./Permissions.ts"
import { PositiveAmountInput, Text } from "./Values.ts"

export const IssueCreditNoteInput = Schema.Struct({
  invoiceId: InvoiceId,
  /** BIL-CN-01: > 0, in the invoice's currency; BIL-CN-02: at most its amount outstanding. */
  amountMinor: PositiveAmountInput,
  reason: Text(2000)
})

export const CreditNoteWithInvoice = Schema.Struct({ creditNote: CreditNote, invoice: Invoice.Invoice })

/** Issues and applies a credit note: the invoice's amount outstanding falls and the ledger posts a credit. */
export const issueCreditNote = Command.make({
  name: "billing.issueCreditNote",
  input: IssueCreditNoteInput,
  output: CreditNoteWithInvoice,
  permission: permissions.creditNoteIssue,
  handler: Effect.fn("billing.issueCreditNote")(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const before = yield* invoices.getForUpdate(context.tenant, input.invoiceId)
    const credited = yield* Effect.fromResult(Invoice.applyCredit(before, input.amountMinor, context.now))
    const accountBefore = yield* Effect.orDie((yield* ClientAccountRepository).getForUpdate(context.tenant, before.accountId))
    const [id] = yield* freshIds(CreditNoteId, 1)
    const creditNote = new CreditNote({
      id: id!,
      tenant: context.tenant,
      invoiceId: before.id,
      accountId: before.accountId,
      amountMinor: input.amountMinor,
      currency: before.currency,
      reason: input.reason,
      createdAt: context.now
    })
    const posted = Ledger.post(accountBefore, [Ledger.creditNoteCredit(creditNote.id, before.id, input.amountMinor)], yield* transactionIds(1), context.now)
    yield* Effect.orDie(invoices.update(context.tenant, credited.invoice))
    yield* (yield* CreditNoteRepository).insert(context.tenant, creditNote)
    const accountChanges = yield* savePosted(context, accountBefore, posted)
    const i = credited.invoice
    return {
      result: { creditNote, invoice: i },
      events: [
        BillingEvent.draft({
          _tag: "CreditNoteIssued", creditNoteId: creditNote.id, invoiceId: i.id, accountId: i.accountId,
          amountMinor: creditNote.amountMinor, currency: creditNote.currency
        }),
        ...BillingEvent.paidIfSettled(before, i)
      ],
      changes: [audit(CreditNote, null, creditNote), audit(Invoice.Invoice, before, i), ...accountChanges]
    }
  })
})

export const listCreditNotes = Command.query({
  name: "billing.listCreditNotes",
  input: Schema.Struct({ invoiceId: InvoiceId }),
  permission: permissions.invoiceRead,
  handler: (input, context) => CreditNoteRepository.use((notes) => notes.listByInvoice(context.tenant, input.invoiceId))
})
