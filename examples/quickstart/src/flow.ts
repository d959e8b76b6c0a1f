/**
 * The billing flow both examples run: on memory here, on Postgres in examples/logistics-app.
 * It needs the billing ports, the kernel platform services and a TestClock (the clock is moved to
 * show the overdue job), and prints what happens.
 */
import { ClientAccounts, CreditNotes, Invoices, Jobs, type Ledger, Payments } from "@erpkit/billing"
import { Actor, type Ids, LocalDate, Money, type Tenant } from "@erpkit/kernel"
import { Console, Effect } from "effect"
import { TestClock } from "effect/testing"

const kzt = (minor: bigint) => Money.format(Money.make(minor, "KZT"))

/** 21 Nov 2026, 09:00 in Almaty (04:00 UTC): the day the flow starts. */
export const startOfFlow = Date.UTC(2026, 10, 21, 4, 0)

export const runBillingFlow = (tenant: Tenant.Tenant) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(startOfFlow)
    const user = (role: Actor.Role, n: number): Actor.Actor => ({
      userId: `0e000000-0000-7000-8000-00000000000${n}` as Ids.UserId,
      roles: [role],
      tenant
    })
    const accountsManager = user("Accounts Manager", 1)
    const finance = user("Finance Manager", 2)
    const salesRep = user("Sales Rep", 3)
    const customerId = "0f000000-0000-7000-8000-000000000001" as Ids.CustomerId

    // A client account on credit: 1 000 000.00 KZT, approved.
    const opened = yield* ClientAccounts.openAccount(accountsManager, { customerId, currency: "KZT" })
    const account = yield* ClientAccounts.setCreditTerms(accountsManager, {
      accountId: opened.id,
      creditLimitMinor: 1_000_000_00n,
      isCreditApproved: true
    })
    yield* Console.log(`account ${account.id}: limit ${kzt(account.creditLimitMinor)}`)

    // Reserve credit for a shipment, then invoice it against the hold.
    const hold = yield* ClientAccounts.reserveCredit(salesRep, {
      accountId: account.id,
      amountMinor: 300_000_00n,
      reference: "shipment SH-1"
    })
    yield* Console.log(`hold ${kzt(hold.amountMinor)} until ${new globalThis.Date(hold.expiresAt).toISOString()}`)
    const draft = yield* Invoices.createInvoice(salesRep, {
      accountId: account.id,
      invoiceNumber: "INV-2026-001",
      issueDate: "2026-11-21",
      dueDate: "2026-12-21",
      items: [
        { description: "Line haul Almaty → Astana", quantity: "1", unitPriceMinor: 180_000_00n },
        {
          description: "Pallet handling",
          quantity: "12.5",
          unit: "pallet",
          unitPriceMinor: 4_000_00n,
          discount: { _tag: "Percent", rate: "10%" }
        }
      ]
    })
    const invoice = yield* Invoices.issueInvoice(finance, { invoiceId: draft.id, holdId: hold.id })
    yield* Console.log(
      `invoice ${invoice.invoiceNumber}: subtotal ${kzt(invoice.subtotalMinor)}, tax ${
        kzt(invoice.taxMinor)
      }, discount ${kzt(invoice.discountMinor)}, total ${kzt(invoice.totalMinor)} (${invoice.status})`
    )

    // A partial payment, a credit note, then the rest.
    const partial = yield* Payments.recordPayment(finance, {
      invoiceId: invoice.id,
      amountMinor: 100_000_00n,
      currency: "KZT",
      method: "BANK_TRANSFER"
    })
    const credited = yield* CreditNotes.issueCreditNote(finance, {
      invoiceId: invoice.id,
      amountMinor: 5_000_00n,
      reason: "late pickup"
    })
    const outstanding = credited.invoice.totalMinor - credited.invoice.amountPaidMinor -
      credited.invoice.amountCreditedMinor
    const paid = yield* Payments.recordPayment(finance, {
      invoiceId: invoice.id,
      amountMinor: outstanding,
      currency: "KZT",
      method: "CARD"
    })
    yield* Console.log(
      `paid ${kzt(partial.payment.amountMinor)} + credit note ${kzt(credited.creditNote.amountMinor)} + ${
        kzt(outstanding)
      } → ${paid.invoice.status}`
    )

    // Another invoice falls due; a week later the overdue job (run as the system) marks it.
    const second = yield* Invoices.createInvoice(salesRep, {
      accountId: account.id,
      invoiceNumber: "INV-2026-002",
      issueDate: "2026-11-21",
      dueDate: "2026-11-25",
      items: [{
        description: "Storage, November",
        quantity: "30",
        unit: "pallet-day",
        unitPriceMinor: 500_00n,
        priceIncludesVat: true
      }]
    })
    yield* Invoices.issueInvoice(finance, { invoiceId: second.id })
    yield* TestClock.adjust("7 days")
    const overdue = yield* Jobs.markOverdueInvoices(Actor.system(tenant), {})
    const today = LocalDate.atInstant(startOfFlow + 7 * 86_400_000, "Asia/Almaty")
    yield* Console.log(
      `${today}: markOverdueInvoices → ${overdue.invoices.map((i) => `${i.invoiceNumber} ${i.status}`).join(", ")}`
    )

    const ledger = yield* ClientAccounts.accountStatement(finance, { accountId: account.id })
    yield* Console.log(formatLedger(ledger))
    const final = yield* ClientAccounts.getAccount(finance, { accountId: account.id })
    yield* Console.log(
      `balance ${kzt(final.balanceMinor)}, holds ${kzt(final.holdsMinor)}, available credit ${
        kzt(final.creditLimitMinor - final.balanceMinor - final.holdsMinor)
      }`
    )
    return { ledger, account: final }
  })

export const formatLedger = (ledger: ReadonlyArray<Ledger.AccountTransaction>): string => {
  const rows = ledger.map((t) =>
    `${String(t.sequence).padStart(3)}  ${t.kind.padEnd(18)} ${kzt(t.amountMinor).padStart(18)} ${
      kzt(t.runningBalanceMinor).padStart(18)
    }`
  )
  return ["seq  kind                            amount    running balance", ...rows].join("\n")
}
