/**
 * Credit note commands (BIL-CN-01…03, BIL-INV-08). Lock order: invoice → client account.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, Command, type Errors, type Ids } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import { CreditNote } from "./CreditNote.ts"
import { CreditNoteRepository } from "./CreditNoteRepository.ts"
import { InvoiceId } from "./Ids.ts"
import { creditNote } from "./internal/invoicing.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
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
  handler: Effect.fnUntraced(function*(input, context) {
    const before = yield* (yield* InvoiceRepository).getForUpdate(context.tenant, input.invoiceId)
    return yield* creditNote(context, before, input.amountMinor, input.reason)
  })
})

export const listCreditNotes = Command.query({
  name: "billing.listCreditNotes",
  input: Schema.Struct({ invoiceId: InvoiceId }),
  permission: permissions.invoiceRead,
  handler: (input, context) => CreditNoteRepository.use((notes) => notes.listByInvoice(context.tenant, input.invoiceId))
})
