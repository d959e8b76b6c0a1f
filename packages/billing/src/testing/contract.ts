/**
 * The contract every implementation of billing's ports must meet. Run it against the memory layer
 * (billing's own tests do), PGlite and a real server (the Postgres adapter's tests), or a custom
 * adapter:
 *
 *   billingContractSuite("postgres", PgBilling.layer.pipe(Layer.provideMerge(PgPlatform.layer)))
 *
 * The layer is built once per suite; every test works in fresh random tenants, so a persistent
 * database may be reused across runs.
 */
import { Errors, type Ids, LocalDate, Quantity, type Tenant, UnitOfWork } from "@erpkit/kernel"
import { expect, layer } from "@effect/vitest"
import { Cause, Effect, Exit, type Layer, Option, Result } from "effect"
import * as ClientAccount from "../ClientAccount.ts"
import { type WorkflowPort, workflowContractTests } from "./contractWorkflow.ts"
import { ClientAccountRepository } from "../ClientAccountRepository.ts"
import * as CreditHold from "../CreditHold.ts"
import { CreditHoldRepository } from "../CreditHoldRepository.ts"
import { CreditNote } from "../CreditNote.ts"
import { CreditNoteRepository } from "../CreditNoteRepository.ts"
import type { ClientAccountId, CreditHoldId, CreditNoteId, InvoiceEventId, InvoiceId, PaymentId } from "../Ids.ts"
import * as Invoice from "../Invoice.ts"
import { InvoiceEvent } from "../InvoiceEvent.ts"
import { InvoiceRepository } from "../InvoiceRepository.ts"
import type { Repositories } from "../layers.ts"
import * as Ledger from "../Ledger.ts"
import { LedgerRepository } from "../LedgerRepository.ts"
import * as Payment from "../Payment.ts"
import { PaymentRepository } from "../PaymentRepository.ts"

const T0 = Date.UTC(2026, 0, 1)
const uuid = <A extends string>(): A => crypto.randomUUID() as A
const freshTenant = (): Tenant.Tenant => ({ organizationId: uuid(), workspaceId: uuid() })
const day = (iso: string) => LocalDate.unsafeMake(iso)

const newAccount = (tenant: Tenant.Tenant, customerId: Ids.CustomerId = uuid()) =>
  ClientAccount.open({ id: uuid<ClientAccountId>(), tenant, customerId, currency: "KZT", now: T0 })

const line: Invoice.LineInput = {
  description: "Freight Almaty → Astana",
  quantity: Quantity.fromMilli(2_500n),
  unitPriceMinor: 1_000_001n,
  discount: { _tag: "Percent", rate: { numerator: 1n, denominator: 10n } },
  taxRate: Invoice.defaultTaxRate,
  priceIncludesVat: false
}

type Stage = "Draft" | "Sent" | "Overdue" | "Paid" | "Void" | "Deleted"

/** An invoice in `stage`, brought there by the domain's own transitions (so it meets every invariant). */
const newInvoice = (
  account: ClientAccount.ClientAccount,
  stage: Stage,
  dates: { readonly issueDate?: string; readonly dueDate?: string; readonly invoiceNumber?: string } = {}
): Invoice.Invoice => {
  let invoice = Result.getOrThrow(
    Invoice.create({
      id: uuid<InvoiceId>(),
      account,
      invoiceNumber: dates.invoiceNumber ?? `INV-${uuid().slice(0, 8)}`,
      issueDate: day(dates.issueDate ?? "2026-01-01"),
      dueDate: day(dates.dueDate ?? "2026-01-31"),
      items: [line],
      defaultTaxRate: Invoice.defaultTaxRate,
      depositAmountMinor: 1_000n,
      notes: null,
      now: T0
    })
  ).invoice
  if (stage === "Draft") return invoice
  if (stage === "Deleted") return Result.getOrThrow(Invoice.softDelete(invoice, T0))
  if (stage === "Void") return Result.getOrThrow(Invoice.void_(invoice, "cancelled", T0)).invoice
  invoice = Result.getOrThrow(Invoice.issue(invoice, null, T0)).invoice
  if (stage === "Overdue") return Result.getOrThrow(Invoice.markOverdue(invoice, T0)).invoice
  if (stage === "Paid") return Result.getOrThrow(Invoice.applyPayment(invoice, invoice.totalMinor, {}, T0)).invoice
  return invoice
}

const newHold = (account: ClientAccount.ClientAccount, amountMinor: bigint, expiresInSeconds: number) =>
  CreditHold.make({
    id: uuid<CreditHoldId>(),
    tenant: account.tenant,
    accountId: account.id,
    amountMinor,
    reference: "order 42",
    holdTimeoutSeconds: expiresInSeconds,
    now: T0
  })

const newPayment = (invoice: Invoice.Invoice) =>
  new Payment.Payment({
    id: uuid<PaymentId>(),
    tenant: invoice.tenant,
    invoiceId: invoice.id,
    accountId: invoice.accountId,
    customerId: invoice.customerId,
    amountMinor: 12_345n,
    currency: "USD",
    exchangeRate: { numerator: 450123456n, denominator: 1_000_000n },
    baseAmountMinor: 5_556_774n,
    baseCurrency: "KZT",
    method: "BANK_TRANSFER",
    status: "Pending",
    fromWallet: false,
    paymentDate: day("2026-01-05"),
    reference: "wire 77",
    createdAt: T0,
    updatedAt: T0,
    completedAt: null
  })

const newCreditNote = (invoice: Invoice.Invoice) =>
  new CreditNote({
    id: uuid<CreditNoteId>(),
    tenant: invoice.tenant,
    invoiceId: invoice.id,
    accountId: invoice.accountId,
    amountMinor: 100n,
    currency: invoice.currency,
    reason: "damaged pallet",
    createdAt: T0
  })

const newEvent = (invoice: Invoice.Invoice, type: InvoiceEvent["type"], at: number) =>
  new InvoiceEvent({
    id: uuid<InvoiceEventId>(),
    tenant: invoice.tenant,
    invoiceId: invoice.id,
    type,
    data: { baseAmountMinor: "100", nested: { ok: true } },
    triggeredBy: null,
    triggeredBySystem: "test",
    at
  })

const ports = Effect.gen(function*() {
  return {
    accounts: yield* ClientAccountRepository,
    ledger: yield* LedgerRepository,
    holds: yield* CreditHoldRepository,
    invoices: yield* InvoiceRepository,
    payments: yield* PaymentRepository,
    creditNotes: yield* CreditNoteRepository
  }
})

/** The ports, a fresh tenant and a client account stored in it: where most cases start. */
const storedAccount = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const account = newAccount(tenant)
  yield* p.accounts.insert(tenant, account)
  return { p, tenant, account }
})

const expectNotFound = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    expect(
      Exit.isFailure(exit) &&
        Cause.findErrorOption(exit.cause).pipe(
          Option.map((e) => e instanceof Errors.NotFound),
          Option.getOrElse(() => false)
        )
    ).toBe(true)
  })

const roundTrip = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const invoice = newInvoice(account, "Sent")
  yield* p.invoices.insert(tenant, invoice)
  const hold = newHold(account, 500n, 60)
  yield* p.holds.insert(tenant, hold)
  const payment = newPayment(invoice)
  yield* p.payments.insert(tenant, payment)
  const note = newCreditNote(invoice)
  yield* p.creditNotes.insert(tenant, note)
  const posted = Ledger.post(account, [Ledger.invoiceDebit(invoice.id, invoice.totalMinor)], [uuid()], T0)
  yield* p.ledger.append(tenant, posted.transactions)
  const event = newEvent(invoice, "sent", T0)
  yield* p.invoices.appendEvents(tenant, [event])
  expect(yield* p.accounts.get(tenant, account.id)).toEqual(account)
  expect(yield* p.accounts.getForUpdate(tenant, account.id)).toEqual(account)
  expect(yield* p.accounts.findByCustomer(tenant, account.customerId)).toEqual(Option.some(account))
  expect(yield* p.invoices.get(tenant, invoice.id)).toEqual(invoice)
  expect(yield* p.invoices.getForUpdate(tenant, invoice.id)).toEqual(invoice)
  expect(yield* p.invoices.findByNumber(tenant, invoice.invoiceNumber)).toEqual(Option.some(invoice))
  expect(yield* p.invoices.list(tenant, { accountId: account.id })).toEqual([invoice])
  expect(yield* p.holds.get(tenant, hold.id)).toEqual(hold)
  expect(yield* p.holds.getForUpdate(tenant, hold.id)).toEqual(hold)
  expect(yield* p.payments.get(tenant, payment.id)).toEqual(payment)
  expect(yield* p.payments.getForUpdate(tenant, payment.id)).toEqual(payment)
  expect(yield* p.payments.listByInvoice(tenant, invoice.id)).toEqual([payment])
  expect(yield* p.creditNotes.get(tenant, note.id)).toEqual(note)
  expect(yield* p.creditNotes.listByInvoice(tenant, invoice.id)).toEqual([note])
  expect(yield* p.ledger.list(tenant, account.id)).toEqual(posted.transactions)
  expect(yield* p.invoices.events(tenant, invoice.id)).toEqual([event])
})

const tenantScoping = Effect.gen(function*() {
  const { p, tenant: a, account } = yield* storedAccount
  const b = freshTenant()
  const invoice = newInvoice(account, "Sent", { dueDate: "2026-01-02" })
  yield* p.invoices.insert(a, invoice)
  const hold = newHold(account, 500n, 1)
  yield* p.holds.insert(a, hold)
  const payment = newPayment(invoice)
  yield* p.payments.insert(a, payment)
  yield* p.creditNotes.insert(a, newCreditNote(invoice))
  yield* p.ledger.append(a, Ledger.post(account, [Ledger.invoiceDebit(invoice.id, 1n)], [uuid()], T0).transactions)
  yield* p.invoices.appendEvents(a, [newEvent(invoice, "created", T0)])
  yield* expectNotFound(p.accounts.get(b, account.id))
  yield* expectNotFound(p.accounts.getForUpdate(b, account.id))
  yield* expectNotFound(p.accounts.update(b, account))
  yield* expectNotFound(p.accounts.update(b, new ClientAccount.ClientAccount({ ...account, tenant: b })))
  yield* expectNotFound(p.invoices.get(b, invoice.id))
  yield* expectNotFound(p.invoices.getForUpdate(b, invoice.id))
  yield* expectNotFound(p.invoices.update(b, new Invoice.Invoice({ ...invoice, tenant: b })))
  yield* expectNotFound(p.holds.get(b, hold.id))
  yield* expectNotFound(p.holds.getForUpdate(b, hold.id))
  yield* expectNotFound(p.holds.update(b, new CreditHold.CreditHold({ ...hold, tenant: b })))
  yield* expectNotFound(p.payments.get(b, payment.id))
  yield* expectNotFound(p.payments.getForUpdate(b, payment.id))
  yield* expectNotFound(p.payments.update(b, new Payment.Payment({ ...payment, tenant: b })))
  expect(yield* p.accounts.findByCustomer(b, account.customerId)).toEqual(Option.none())
  expect(yield* p.invoices.findByNumber(b, invoice.invoiceNumber)).toEqual(Option.none())
  expect(yield* p.invoices.list(b)).toEqual([])
  expect(yield* p.invoices.events(b, invoice.id)).toEqual([])
  expect(yield* p.payments.listByInvoice(b, invoice.id)).toEqual([])
  expect(yield* p.creditNotes.listByInvoice(b, invoice.id)).toEqual([])
  expect(yield* p.ledger.list(b, account.id)).toEqual([])
  expect(yield* p.invoices.markOverdue(b, day("2026-12-31"), T0, 100)).toEqual([])
  expect(yield* p.invoices.claimReminders(b, day("2026-12-31"), T0, 100)).toEqual([])
  expect(yield* p.holds.expire(b, T0 + 86_400_000, 100)).toEqual({ holds: [], accounts: [] })
  // tenant A still sees its own rows untouched
  expect((yield* p.invoices.get(a, invoice.id)).status).toBe("Sent")
  expect((yield* p.holds.get(a, hold.id)).status).toBe("Pending")
})

const updates = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const account = newAccount(tenant)
  yield* expectNotFound(p.accounts.update(tenant, account))
  yield* p.accounts.insert(tenant, account)
  const changed = ClientAccount.update(account, { creditLimitMinor: 9_000n, isCreditApproved: true }, T0 + 1)
  yield* p.accounts.update(tenant, changed)
  expect(yield* p.accounts.get(tenant, account.id)).toEqual(changed)
  const invoice = newInvoice(account, "Draft")
  yield* expectNotFound(p.invoices.update(tenant, invoice))
  const hold = newHold(account, 10n, 60)
  yield* expectNotFound(p.holds.update(tenant, hold))
  yield* expectNotFound(p.payments.update(tenant, newPayment(invoice)))
})

const lockedReadModifyWrite = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const uow = yield* UnitOfWork.UnitOfWork
  const workers = 8
  yield* Effect.forEach(Array.from({ length: workers }, (_, i) => i), (i) =>
    uow.transaction(Effect.gen(function*() {
      const locked = yield* p.accounts.getForUpdate(tenant, account.id)
      yield* Effect.yieldNow
      yield* p.accounts.update(tenant, ClientAccount.update(locked, { holdsMinor: locked.holdsMinor + 1n }, T0 + i))
    })), { concurrency: "unbounded", discard: true })
  expect((yield* p.accounts.get(tenant, account.id)).holdsMinor).toBe(BigInt(workers))
})

/**
 * getForUpdateWithAccount: the invoice with its own account, both locked (concurrent units of work that
 * pay through it lose no update of either); another tenant's or a deleted invoice is NotFound.
 */
const invoiceWithAccount = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const uow = yield* UnitOfWork.UnitOfWork
  const other = newAccount(tenant)
  yield* p.accounts.insert(tenant, other)
  const invoice = newInvoice(account, "Sent")
  yield* p.invoices.insert(tenant, invoice)
  yield* p.invoices.insert(tenant, newInvoice(other, "Sent"))
  expect(yield* p.invoices.getForUpdateWithAccount(tenant, invoice.id)).toEqual({ invoice, account })
  const workers = 8
  // even workers go through the invoice, odd ones lock the account alone: the account lock must hold for both
  yield* Effect.forEach(Array.from({ length: workers }, (_, i) => i), (i) =>
    uow.transaction(Effect.gen(function*() {
      if (i % 2 === 1) {
        const alone = yield* p.accounts.getForUpdate(tenant, account.id)
        yield* Effect.yieldNow
        return yield* p.accounts.update(
          tenant,
          ClientAccount.update(alone, { holdsMinor: alone.holdsMinor + 1n }, T0 + i)
        )
      }
      const locked = yield* p.invoices.getForUpdateWithAccount(tenant, invoice.id)
      yield* Effect.yieldNow
      yield* p.invoices.update(
        tenant,
        new Invoice.Invoice({ ...locked.invoice, notes: `${locked.invoice.notes ?? ""}x`, updatedAt: T0 + i })
      )
      yield* p.accounts.update(
        tenant,
        ClientAccount.update(locked.account, { holdsMinor: locked.account.holdsMinor + 1n }, T0 + i)
      )
    })), { concurrency: "unbounded", discard: true })
  const after = yield* p.invoices.getForUpdateWithAccount(tenant, invoice.id)
  expect([after.invoice.notes, after.account.holdsMinor]).toEqual(["x".repeat(workers / 2), BigInt(workers)])
  yield* expectNotFound(p.invoices.getForUpdateWithAccount(freshTenant(), invoice.id))
  const draft = newInvoice(account, "Draft")
  yield* p.invoices.insert(tenant, draft)
  yield* p.invoices.update(tenant, Result.getOrThrow(Invoice.softDelete(draft, T0 + 1)))
  yield* expectNotFound(p.invoices.getForUpdateWithAccount(tenant, draft.id))
})

const invoiceNumberUnique = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const other = freshTenant()
  const first = newInvoice(account, "Draft", { invoiceNumber: "INV-2026-001" })
  yield* p.invoices.insert(tenant, first)
  const clash = yield* Effect.flip(
    p.invoices.insert(tenant, newInvoice(account, "Draft", { invoiceNumber: "INV-2026-001" }))
  )
  expect(clash._tag).toBe("InvoiceNumberTaken")
  expect(clash.invoiceNumber).toBe("INV-2026-001")
  // another tenant may use the same number
  const otherAccount = newAccount(other)
  yield* p.accounts.insert(other, otherAccount)
  yield* p.invoices.insert(other, newInvoice(otherAccount, "Draft", { invoiceNumber: "INV-2026-001" }))
  // a soft-deleted invoice is hidden and frees its number
  yield* p.invoices.update(tenant, Result.getOrThrow(Invoice.softDelete(first, T0 + 1)))
  yield* expectNotFound(p.invoices.get(tenant, first.id))
  expect(yield* p.invoices.findByNumber(tenant, "INV-2026-001")).toEqual(Option.none())
  const reused = newInvoice(account, "Draft", { invoiceNumber: "INV-2026-001" })
  yield* p.invoices.insert(tenant, reused)
  expect(yield* p.invoices.list(tenant)).toEqual([reused])
})

const accountPerCustomer = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const error = yield* Effect.flip(p.accounts.insert(tenant, newAccount(tenant, account.customerId)))
  expect(error._tag).toBe("AccountAlreadyExists")
  const other = freshTenant()
  yield* p.accounts.insert(other, newAccount(other, account.customerId))
})

/** A fresh tenant and account with one invoice per (stage, due date), all inserted. */
const invoicesIn = (cases: ReadonlyArray<readonly [Stage, string]>) =>
  Effect.gen(function*() {
    const p = yield* ports
    const tenant = freshTenant()
    const account = newAccount(tenant)
    yield* p.accounts.insert(tenant, account)
    const all = cases.map(([stage, dueDate]) => newInvoice(account, stage, { dueDate }))
    yield* Effect.forEach(all, (i) => p.invoices.insert(tenant, i), { discard: true })
    return { p, tenant, all }
  })

const markOverdueMatchesPredicate = Effect.gen(function*() {
  const today = day("2026-02-10")
  const { all, p, tenant } = yield* invoicesIn([
    ["Sent", "2026-02-09"],
    ["Sent", "2026-01-15"],
    ["Sent", "2026-02-10"],
    ["Sent", "2026-03-01"],
    ["Draft", "2026-01-20"],
    ["Paid", "2026-01-20"],
    ["Void", "2026-01-20"],
    ["Overdue", "2026-01-20"],
    ["Deleted", "2026-01-20"]
  ])
  const expected = all.filter((i) => Invoice.isOverdue(i, today)).map((i) => i.id).sort()
  expect(expected.length).toBe(2)
  const firstBatch = yield* p.invoices.markOverdue(tenant, today, T0 + 5, 1)
  expect(firstBatch.length).toBe(1)
  const rest = yield* p.invoices.markOverdue(tenant, today, T0 + 5, 100)
  expect([...firstBatch, ...rest].map((i) => i.after.id).sort()).toEqual(expected)
  for (const { after: i, before } of [...firstBatch, ...rest]) {
    expect(before).toEqual(all.find((x) => x.id === i.id)) // the row as it was: its audit entry's old values
    const expectedRow = Result.getOrThrow(Invoice.markOverdue(before, T0 + 5)).invoice
    expect(i).toEqual(expectedRow)
    expect(yield* p.invoices.get(tenant, i.id)).toEqual(expectedRow)
  }
  expect(yield* p.invoices.markOverdue(tenant, today, T0 + 6, 100)).toEqual([])
})

const claimRemindersMatchesPredicate = Effect.gen(function*() {
  const today = day("2026-02-10")
  const { all, p, tenant } = yield* invoicesIn([
    ["Sent", "2026-02-17"],
    ["Sent", "2026-02-12"],
    ["Sent", "2026-02-10"],
    ["Sent", "2026-02-01"],
    ["Overdue", "2026-02-01"],
    ["Sent", "2026-03-30"],
    ["Paid", "2026-02-10"],
    ["Draft", "2026-02-10"],
    ["Void", "2026-02-01"]
  ])
  const expected = all.flatMap((i) => {
    const kind = Invoice.reminderDue(i, today)
    return kind === undefined ? [] : [`${i.id}:${kind}`]
  }).sort()
  expect(expected.length).toBe(5)
  const claimed = yield* p.invoices.claimReminders(tenant, today, T0 + 7, 100)
  expect(claimed.map((c) => `${c.invoice.id}:${c.reminder}`).sort()).toEqual(expected)
  for (const c of claimed) {
    expect(c.before).toEqual(all.find((x) => x.id === c.invoice.id))
    const expectedRow = Invoice.recordReminder(c.before, c.reminder, T0 + 7).invoice
    expect(c.invoice).toEqual(expectedRow)
    expect(yield* p.invoices.get(tenant, c.invoice.id)).toEqual(expectedRow)
  }
  expect(yield* p.invoices.claimReminders(tenant, today, T0 + 8, 100)).toEqual([])
})

const expireMatchesPredicate = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const first = ClientAccount.update(newAccount(tenant), {
    holdsMinor: 700n,
    creditLimitMinor: 10_000n,
    isCreditApproved: true
  }, T0)
  const second = ClientAccount.update(newAccount(tenant), {
    holdsMinor: 50n,
    creditLimitMinor: 10_000n,
    isCreditApproved: true
  }, T0)
  yield* p.accounts.insert(tenant, first)
  yield* p.accounts.insert(tenant, second)
  const holds = [
    newHold(first, 100n, 10),
    newHold(first, 200n, 20),
    newHold(first, 400n, 3600),
    newHold(second, 50n, 5)
  ]
  yield* Effect.forEach(holds, (h) => p.holds.insert(tenant, h), { discard: true })
  const voided = Result.getOrThrow(CreditHold.void_(newHold(second, 1n, 1), T0))
  yield* p.holds.insert(tenant, voided)
  const now = T0 + 30_000
  const expected = [...holds, voided].filter((h) => CreditHold.isExpired(h, now)).map((h) => h.id).sort()
  expect(expected.length).toBe(3)
  const { accounts, holds: changed } = yield* p.holds.expire(tenant, now, 100)
  const expired = changed.map((h) => h.after)
  expect(expired.map((h) => h.id).sort()).toEqual(expected)
  expect(changed.map((h) => h.before)).toEqual(expired.map((h) => holds.find((x) => x.id === h.id)))
  // the released accounts, before and after (the job's ClientAccount entries)
  expect(accounts.map((a) => [a.before, a.after.holdsMinor]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))))
    .toEqual([[second, 0n], [first, 400n]])
  for (const a of accounts) expect(yield* p.accounts.get(tenant, a.after.id)).toEqual(a.after)
  for (const h of expired) {
    const expectedRow = Result.getOrThrow(CreditHold.expire(holds.find((x) => x.id === h.id)!, now))
    expect(h).toEqual(expectedRow)
    expect(yield* p.holds.get(tenant, h.id)).toEqual(expectedRow)
  }
  expect((yield* p.accounts.get(tenant, first.id)).holdsMinor).toBe(400n)
  expect((yield* p.accounts.get(tenant, second.id)).holdsMinor).toBe(0n)
  expect(yield* p.holds.expire(tenant, now, 100)).toEqual({ holds: [], accounts: [] })
})

const failedUnitOfWorkLeavesNothing = Effect.gen(function*() {
  const p = yield* ports
  const uow = yield* UnitOfWork.UnitOfWork
  const tenant = freshTenant()
  const kept = newAccount(tenant)
  yield* p.accounts.insert(tenant, kept)
  const account = newAccount(tenant)
  const invoice = newInvoice(account, "Sent")
  const hold = newHold(account, 5n, 60)
  const payment = newPayment(invoice)
  const note = newCreditNote(invoice)
  const exit = yield* Effect.exit(uow.transaction(Effect.gen(function*() {
    yield* p.accounts.insert(tenant, account)
    yield* p.accounts.update(tenant, ClientAccount.update(kept, { creditLimitMinor: 1n }, T0 + 1))
    yield* p.invoices.insert(tenant, invoice)
    yield* p.invoices.appendEvents(tenant, [newEvent(invoice, "created", T0)])
    yield* p.holds.insert(tenant, hold)
    yield* p.payments.insert(tenant, payment)
    yield* p.creditNotes.insert(tenant, note)
    yield* p.ledger.append(
      tenant,
      Ledger.post(account, [Ledger.invoiceDebit(invoice.id, 1n)], [uuid()], T0).transactions
    )
    return yield* Effect.fail("boom" as const)
  })))
  expect(Exit.isFailure(exit)).toBe(true)
  expect(yield* p.accounts.get(tenant, kept.id)).toEqual(kept)
  yield* expectNotFound(p.accounts.get(tenant, account.id))
  yield* expectNotFound(p.invoices.get(tenant, invoice.id))
  yield* expectNotFound(p.holds.get(tenant, hold.id))
  yield* expectNotFound(p.payments.get(tenant, payment.id))
  yield* expectNotFound(p.creditNotes.get(tenant, note.id))
  expect(yield* p.invoices.events(tenant, invoice.id)).toEqual([])
  expect(yield* p.ledger.list(tenant, account.id)).toEqual([])
  // the invoice number was not taken either
  yield* p.accounts.insert(tenant, account)
  yield* p.invoices.insert(tenant, invoice)
})

const ledgerOrder = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const invoiceId = uuid<InvoiceId>()
  const posted = Ledger.post(
    account,
    [
      Ledger.invoiceDebit(invoiceId, 1_000n),
      Ledger.paymentCredit(uuid(), invoiceId, 400n, false),
      Ledger.walletTopUp(uuid(), 50n),
      Ledger.creditNoteCredit(uuid(), invoiceId, 100n)
    ],
    [uuid(), uuid(), uuid(), uuid()],
    T0
  )
  yield* p.ledger.append(tenant, [posted.transactions[2]!, posted.transactions[0]!])
  yield* p.ledger.append(tenant, [posted.transactions[3]!, posted.transactions[1]!])
  const listed = yield* p.ledger.list(tenant, account.id)
  expect(listed).toEqual(posted.transactions)
  expect(Ledger.chainsTo(posted.account, listed)).toBe(true)
  expect(yield* p.ledger.list(tenant, account.id, { afterSequence: 1, limit: 2 })).toEqual(
    posted.transactions.slice(1, 3)
  )
  const duplicate = new Ledger.AccountTransaction({ ...posted.transactions[0]!, id: uuid() })
  const exit = yield* Effect.exit(p.ledger.append(tenant, [duplicate]))
  expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
  expect(yield* p.ledger.list(tenant, account.id)).toEqual(posted.transactions)
})

const eventLogOrder = Effect.gen(function*() {
  const { p, tenant, account } = yield* storedAccount
  const invoice = newInvoice(account, "Sent")
  yield* p.invoices.insert(tenant, invoice)
  const entries = (["created", "sent", "viewed", "viewed", "payment_partial"] as const).map((type, i) =>
    newEvent(invoice, type, T0 + 10 - i)
  )
  yield* p.invoices.appendEvents(tenant, entries.slice(0, 2))
  yield* p.invoices.appendEvents(tenant, entries.slice(2))
  expect(yield* p.invoices.events(tenant, invoice.id)).toEqual(entries)
})

/**
 * The core contract, one entry per test: what any adapter of billing's core ports must satisfy (the workflow ports:
 * `workflowContractTests`).
 */
export const contractTests: ReadonlyArray<
  readonly [title: string, test: Effect.Effect<void, unknown, Repositories | UnitOfWork.UnitOfWork>]
> = [
  ["stores and returns every record unchanged (values round-trip exactly)", roundTrip],
  ["TEN-01 scopes every operation by tenant: another tenant's rows are NotFound and never listed", tenantScoping],
  ["updates replace the row; updating a missing row is NotFound", updates],
  ["getForUpdate serializes read-modify-write: concurrent units of work lose no update", lockedReadModifyWrite],
  [
    "getForUpdateWithAccount locks an invoice with its account: concurrent units of work lose no update of either",
    invoiceWithAccount
  ],
  ["BIL-INV-10 invoice numbers are unique per tenant among live invoices (InvoiceNumberTaken)", invoiceNumberUnique],
  ["a customer has one client account per tenant (AccountAlreadyExists)", accountPerCustomer],
  [
    "BIL-INV-07 markOverdue changes exactly the invoices Invoice.isOverdue selects, within the limit, once",
    markOverdueMatchesPredicate
  ],
  [
    "BIL-INV-14 claimReminders claims exactly what Invoice.reminderDue names, each reminder once",
    claimRemindersMatchesPredicate
  ],
  [
    "BIL-CA-02 expire ends exactly the holds CreditHold.isExpired selects and releases their accounts' holds",
    expireMatchesPredicate
  ],
  ["a failed unit of work leaves nothing behind", failedUnitOfWorkLeavesNothing],
  ["BIL-AT-03 the ledger lists one account in sequence order, pages, and refuses a duplicate sequence", ledgerOrder],
  ["BIL-INV-13 the invoice event log keeps entries in append order", eventLogOrder]
]

/**
 * Registers the contract tests for `layerUnderTest` (every billing port plus the kernel `UnitOfWork`)
 * in one `describe`, sharing one instance of the layer: the core ports always, and the workflow ports
 * listed in `workflow` (rate cards, surcharges, quotes, disputes, documents, accounting syncs, billing
 * runs; `workflowPorts` for all of them). An adapter lists what it implements; ports it still takes from
 * billing's memory layer are left out, since they cannot share its unit of work.
 */
export const billingContractSuite = <E>(
  name: string,
  layerUnderTest: Layer.Layer<Repositories | UnitOfWork.UnitOfWork, E>,
  options: { readonly workflow?: ReadonlyArray<WorkflowPort> } = {}
): void => {
  const workflow = options.workflow ?? []
  const tests = workflow.length === 0 ? contractTests : [...contractTests, ...workflowContractTests(workflow)]
  layer(layerUnderTest, { timeout: "120 seconds" })(`billing ports contract: ${name}`, (it) => {
    for (const [title, test] of tests) it.effect(title, () => test)
  })
}
