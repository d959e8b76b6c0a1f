/**
 * The contract of billing's workflow ports, the records around the receivable (the core contract,
 * `contract.ts`, covers the receivable itself: accounts, holds, invoices, payments, credit notes, ledger):
 * rate cards, surcharges, quotes, disputes, documents, the accounting sync records and log, billing runs. Each job
 * operation is checked against the pure
 * predicate it must implement set-based (`isExpired`, `isDue`), within its limit, once.
 */
import { type Ids, LocalDate, Quantity, type Tenant, UnitOfWork } from "@erpkit/kernel"
import { expect } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Result } from "effect"
import * as AccountingSync from "../AccountingSync.ts"
import { AccountingSyncRepository } from "../AccountingSyncRepository.ts"
import * as BillingRun from "../BillingRun.ts"
import { BillingRunRepository } from "../BillingRunRepository.ts"
import * as ClientAccount from "../ClientAccount.ts"
import * as Dispute from "../Dispute.ts"
import { DisputeRepository } from "../DisputeRepository.ts"
import * as Document from "../Document.ts"
import { DocumentRepository } from "../DocumentRepository.ts"
import type {
  AccountingSyncId,
  AccountingSyncLogId,
  BillingRunId,
  ClientAccountId,
  DisputeId,
  DocumentId,
  InvoiceId,
  QuoteId,
  RateCardId,
  SurchargeId
} from "../Ids.ts"
import * as Invoice from "../Invoice.ts"
import type { Repositories } from "../layers.ts"
import * as Pricing from "../Pricing.ts"
import * as Quote from "../Quote.ts"
import { QuoteRepository } from "../QuoteRepository.ts"
import * as RateCard from "../RateCard.ts"
import { RateCardRepository, SurchargeRepository } from "../RateCardRepository.ts"
import * as Surcharge from "../Surcharge.ts"

const T0 = Date.UTC(2026, 0, 1)
const uuid = <A extends string>(): A => crypto.randomUUID() as A
const freshTenant = (): Tenant.Tenant => ({ organizationId: uuid(), workspaceId: uuid() })
const day = (iso: string) => LocalDate.unsafeMake(iso)

const account = (tenant: Tenant.Tenant) =>
  ClientAccount.open({
    id: uuid<ClientAccountId>(),
    tenant,
    customerId: uuid<Ids.CustomerId>(),
    currency: "KZT",
    now: T0
  })

const card = (tenant: Tenant.Tenant, fields: Partial<RateCard.Fields> = {}) =>
  Result.getOrThrow(
    RateCard.create(uuid<RateCardId>(), tenant, {
      name: "Standard 'weight' -- ;",
      serviceLevel: "Standard",
      zone: null,
      basis: "Weight",
      mode: "Graduated",
      currency: "KZT",
      tiers: [{ upTo: Quantity.fromMilli(100_500n), unitPriceMinor: 10_001n }, { upTo: null, unitPriceMinor: 8_000n }],
      minimumChargeMinor: 5n,
      validFrom: day("2026-01-01"),
      validTo: day("2026-12-31"),
      isActive: true,
      ...fields
    }, T0)
  )

const surcharge = (tenant: Tenant.Tenant, fields: Partial<Surcharge.Fields> = {}) =>
  Result.getOrThrow(
    Surcharge.create(uuid<SurchargeId>(), tenant, {
      name: "Fuel",
      kind: { _tag: "Percent", rate: { numerator: 1n, denominator: 8n } },
      currency: "KZT",
      serviceLevel: null,
      zone: "Almaty",
      validFrom: day("2026-01-01"),
      validTo: day("2026-12-31"),
      isActive: true,
      ...fields
    }, T0)
  )

const quote = (a: ClientAccount.ClientAccount, expiresAt: number, quoteNumber = `Q-${uuid().slice(0, 8)}`) => {
  const c = card(a.tenant)
  const request: Pricing.ServiceRequest = {
    serviceLevel: "Standard",
    zone: "Almaty",
    measures: [{ basis: "Weight", quantity: Quantity.fromMilli(150_500n) }]
  }
  const price = Result.getOrThrow(Pricing.price(request, "KZT", day("2026-03-10"), [c], [surcharge(a.tenant)]))
  return Result.getOrThrow(
    Quote.create({
      id: uuid<QuoteId>(),
      account: a,
      quoteNumber,
      priced: [{ input: { request }, price }],
      expiresAt,
      notes: null,
      defaultTaxRate: Invoice.defaultTaxRate,
      now: T0
    })
  )
}

const sentInvoice = (a: ClientAccount.ClientAccount) => {
  const draft = Result.getOrThrow(
    Invoice.create({
      id: uuid<InvoiceId>(),
      account: a,
      invoiceNumber: `INV-${uuid().slice(0, 8)}`,
      issueDate: day("2026-01-01"),
      dueDate: day("2026-01-31"),
      items: [{ description: "Freight", quantity: Quantity.fromUnits(1), unitPriceMinor: 1_000n }],
      depositAmountMinor: null,
      notes: null,
      defaultTaxRate: Invoice.defaultTaxRate,
      now: T0
    })
  ).invoice
  return Result.getOrThrow(Invoice.issue(draft, null, T0)).invoice
}

const dispute = (invoice: Invoice.Invoice) =>
  Result.getOrThrow(
    Dispute.open({
      id: uuid<DisputeId>(),
      invoice,
      lineIndex: 0,
      amountMinor: 100n,
      reason: "damaged",
      others: [],
      now: T0
    })
  )

const document = (tenant: Tenant.Tenant, sourceId: string, version: number) =>
  new Document.Document({
    id: uuid<DocumentId>(),
    tenant,
    kind: "BillOfLading",
    documentNumber: "BOL-1",
    sourceId,
    version,
    title: "Bill of Lading",
    contentType: "text/plain",
    body: "BILL OF LADING\n\"quoted\" ; DROP TABLE x;\n",
    data: { lines: [{ quantity: "2.5" }] },
    createdAt: T0
  })

const sync = (tenant: Tenant.Tenant, nextAttemptAt = T0, entityId: string = uuid()) =>
  new AccountingSync.AccountingSync({
    ...AccountingSync.enqueue(uuid<AccountingSyncId>(), tenant, "Invoice", entityId, T0),
    nextAttemptAt
  })

const logEntry = (s: AccountingSync.AccountingSync, attempt: number) =>
  new AccountingSync.AccountingSyncLogEntry({
    id: uuid<AccountingSyncLogId>(),
    tenant: s.tenant,
    syncId: s.id,
    entityType: s.entityType,
    entityId: s.entityId,
    attempt,
    outcome: "Failed",
    error: "HTTP 503",
    externalId: null,
    statusAfter: "Pending",
    nextAttemptAt: T0 + attempt,
    at: T0 + attempt
  })

const run = (a: ClientAccount.ClientAccount, period = "2026-01") =>
  Result.getOrThrow(
    BillingRun.failed(
      uuid<BillingRunId>(),
      null,
      { tenant: a.tenant, accountId: a.id, customerId: a.customerId, period },
      "no card",
      T0
    )
  )

const ports = Effect.gen(function*() {
  return {
    cards: yield* RateCardRepository,
    surcharges: yield* SurchargeRepository,
    quotes: yield* QuoteRepository,
    disputes: yield* DisputeRepository,
    documents: yield* DocumentRepository,
    syncs: yield* AccountingSyncRepository,
    runs: yield* BillingRunRepository
  }
})

const failureTag = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(
    Effect.exit(effect),
    (exit) =>
      Exit.isFailure(exit)
        ? Option.getOrUndefined(Option.map(Cause.findErrorOption(exit.cause), (e) => (e as { _tag?: string })._tag))
        : "success"
  )

/** Which workflow ports a test run covers; sections for the others are skipped. */
type On = (port: WorkflowPort) => boolean

const roundTrip = (on: On) => Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const a = account(tenant)
  if (on("RateCard")) {
    const c = card(tenant)
    yield* p.cards.insert(tenant, c)
    expect(yield* p.cards.get(tenant, c.id)).toEqual(c)
    expect(yield* p.cards.getForUpdate(tenant, c.id)).toEqual(c)
    expect(yield* p.cards.list(tenant)).toEqual([c])
  }
  if (on("Surcharge")) {
    const s = surcharge(tenant)
    yield* p.surcharges.insert(tenant, s)
    expect(yield* p.surcharges.get(tenant, s.id)).toEqual(s)
    expect(yield* p.surcharges.getForUpdate(tenant, s.id)).toEqual(s)
    expect(yield* p.surcharges.list(tenant)).toEqual([s])
  }
  if (on("Quote")) {
    const q = quote(a, T0 + 1000)
    yield* p.quotes.insert(tenant, q)
    expect(yield* p.quotes.get(tenant, q.id)).toEqual(q)
    expect(yield* p.quotes.getForUpdate(tenant, q.id)).toEqual(q)
    expect(yield* p.quotes.list(tenant, { accountId: a.id })).toEqual([q])
  }
  if (on("Dispute")) {
    const invoice = sentInvoice(a)
    const d = dispute(invoice)
    yield* p.disputes.insert(tenant, d)
    expect(yield* p.disputes.get(tenant, d.id)).toEqual(d)
    expect(yield* p.disputes.getForUpdate(tenant, d.id)).toEqual(d)
    expect(yield* p.disputes.listByInvoice(tenant, invoice.id)).toEqual([d])
  }
  if (on("Document")) {
    const doc = document(tenant, uuid(), 1)
    yield* p.documents.insert(tenant, doc)
    expect(yield* p.documents.get(tenant, doc.id)).toEqual(doc)
    expect(yield* p.documents.latest(tenant, "BillOfLading", doc.sourceId)).toEqual(Option.some(doc))
  }
  if (on("AccountingSync")) {
    const y = sync(tenant)
    const entry = logEntry(y, 1)
    expect((yield* p.syncs.enqueue(tenant, y)).inserted).toBe(true)
    yield* p.syncs.appendLog(tenant, [entry])
    expect(yield* p.syncs.get(tenant, y.id)).toEqual(y)
    expect(yield* p.syncs.getForUpdate(tenant, y.id)).toEqual(y)
    expect(yield* p.syncs.findByEntity(tenant, "Invoice", y.entityId)).toEqual(Option.some(y))
    expect(yield* p.syncs.log(tenant, y.id)).toEqual([entry])
  }
  if (on("BillingRun")) {
    const r = run(a)
    yield* p.runs.insert(tenant, r)
    expect(yield* p.runs.findForUpdate(tenant, a.id, "2026-01")).toEqual(Option.some(r))
    expect(yield* p.runs.list(tenant)).toEqual([r])
  }
})

const expectNotFound = (effects: ReadonlyArray<Effect.Effect<unknown, unknown>>) =>
  Effect.forEach(effects, (effect) => Effect.map(failureTag(effect), (tag) => expect(tag).toBe("NotFound")), {
    discard: true
  })

// TEN-01 in two parts. Each stores rows as tenant `a` (whose account is `acc`), then reads, changes and runs the
// jobs as tenant `b`, which must find nothing and change nothing of `a`'s.

/** Rate cards, surcharges and quotes: hidden from `b`, and `b`'s expiry jobs leave `a`'s expired ones alone. */
const tenantScopingOfPricing = (on: On, a: Tenant.Tenant, b: Tenant.Tenant, acc: ClientAccount.ClientAccount) =>
  Effect.gen(function*() {
    const p = yield* ports
    if (on("RateCard")) {
      const c = card(a, { validTo: day("2026-01-31") })
      yield* p.cards.insert(a, c)
      yield* expectNotFound([
        p.cards.get(b, c.id),
        p.cards.getForUpdate(b, c.id),
        p.cards.update(b, new RateCard.RateCard({ ...c, tenant: b }))
      ])
      expect(yield* p.cards.list(b)).toEqual([])
      expect(yield* p.cards.deactivateExpired(b, day("2027-01-01"), T0, 100)).toEqual([])
      expect((yield* p.cards.get(a, c.id)).isActive).toBe(true)
    }
    if (on("Surcharge")) {
      const s = surcharge(a, { validTo: day("2026-01-31") })
      yield* p.surcharges.insert(a, s)
      yield* expectNotFound([
        p.surcharges.get(b, s.id),
        p.surcharges.getForUpdate(b, s.id),
        p.surcharges.update(b, new Surcharge.Surcharge({ ...s, tenant: b }))
      ])
      expect(yield* p.surcharges.list(b)).toEqual([])
      expect(yield* p.surcharges.deactivateExpired(b, day("2027-01-01"), T0, 100)).toEqual([])
      expect((yield* p.surcharges.get(a, s.id)).isActive).toBe(true)
    }
    if (on("Quote")) {
      const q = quote(acc, T0 + 1)
      yield* p.quotes.insert(a, q)
      yield* expectNotFound([
        p.quotes.get(b, q.id),
        p.quotes.getForUpdate(b, q.id),
        p.quotes.update(b, new Quote.Quote({ ...q, tenant: b }))
      ])
      expect(yield* p.quotes.list(b)).toEqual([])
      expect(yield* p.quotes.expire(b, T0 + 10, 100)).toEqual([])
      expect((yield* p.quotes.get(a, q.id)).status).toBe("Draft")
    }
  })

/** Disputes, documents, accounting syncs, billing runs: hidden from `b`; `b`'s sync claim skips `a`'s due sync. */
const tenantScopingOfRecords = (on: On, a: Tenant.Tenant, b: Tenant.Tenant, acc: ClientAccount.ClientAccount) =>
  Effect.gen(function*() {
    const p = yield* ports
    if (on("Dispute")) {
      const d = dispute(sentInvoice(acc))
      yield* p.disputes.insert(a, d)
      yield* expectNotFound([
        p.disputes.get(b, d.id),
        p.disputes.getForUpdate(b, d.id),
        p.disputes.update(b, new Dispute.Dispute({ ...d, tenant: b }))
      ])
      expect(yield* p.disputes.listByInvoice(b, d.invoiceId)).toEqual([])
    }
    if (on("Document")) {
      const doc = document(a, uuid(), 1)
      yield* p.documents.insert(a, doc)
      yield* expectNotFound([p.documents.get(b, doc.id)])
      expect(yield* p.documents.latest(b, "BillOfLading", doc.sourceId)).toEqual(Option.none())
      expect(yield* p.documents.listBySource(b, "BillOfLading", doc.sourceId)).toEqual([])
    }
    if (on("AccountingSync")) {
      const y = sync(a)
      yield* p.syncs.enqueue(a, y)
      yield* expectNotFound([
        p.syncs.get(b, y.id),
        p.syncs.getForUpdate(b, y.id),
        p.syncs.update(b, new AccountingSync.AccountingSync({ ...y, tenant: b }))
      ])
      expect(yield* p.syncs.findByEntity(b, "Invoice", y.entityId)).toEqual(Option.none())
      expect(yield* p.syncs.list(b)).toEqual([])
      expect(yield* p.syncs.log(b, y.id)).toEqual([])
      expect(yield* p.syncs.claimDue(b, T0 + 10, T0 + 100, 100)).toEqual([])
      expect((yield* p.syncs.get(a, y.id)).nextAttemptAt).toBe(T0)
    }
    if (on("BillingRun")) {
      yield* p.runs.insert(a, run(acc))
      expect(yield* p.runs.findForUpdate(b, acc.id, "2026-01")).toEqual(Option.none())
      expect(yield* p.runs.list(b)).toEqual([])
    }
  })

const tenantScoping = (on: On) => Effect.gen(function*() {
  const a = freshTenant()
  const b = freshTenant()
  const acc = account(a)
  yield* tenantScopingOfPricing(on, a, b, acc)
  yield* tenantScopingOfRecords(on, a, b, acc)
})

const deactivateMatchesPredicate = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const today = day("2026-03-10")
  const cards = [
    card(tenant, { validTo: day("2026-03-09") }),
    card(tenant, { validTo: day("2026-02-01") }),
    card(tenant, { validTo: day("2026-03-10") }),
    card(tenant, { validFrom: day("2026-04-01") }),
    card(tenant, { validTo: day("2026-01-01"), isActive: false }),
    RateCard.remove(card(tenant, { validTo: day("2026-01-01") }), T0)
  ]
  const surcharges = [
    surcharge(tenant, { validTo: day("2026-03-09") }),
    surcharge(tenant),
    surcharge(tenant, { validTo: day("2026-01-01"), isActive: false })
  ]
  yield* Effect.forEach(cards, (c) => p.cards.insert(tenant, c), { discard: true })
  yield* Effect.forEach(surcharges, (s) => p.surcharges.insert(tenant, s), { discard: true })
  const expected = cards.filter((c) => RateCard.isExpired(c, today)).map((c) => c.id).sort()
  expect(expected.length).toBe(2)
  const first = yield* p.cards.deactivateExpired(tenant, today, T0 + 5, 1)
  expect(first.map((c) => c.after.id)).toEqual([cards[1]!.id]) // earliest validTo first
  const rest = yield* p.cards.deactivateExpired(tenant, today, T0 + 5, 100)
  expect([...first, ...rest].map((c) => c.after.id).sort()).toEqual(expected)
  for (const { after: c, before } of [...first, ...rest]) {
    expect(before).toEqual(cards.find((x) => x.id === c.id)) // the row as it was: its audit entry's old values
    const expectedRow = RateCard.deactivate(before, T0 + 5)
    expect(c).toEqual(expectedRow)
    expect(yield* p.cards.get(tenant, c.id)).toEqual(expectedRow)
  }
  expect(yield* p.cards.deactivateExpired(tenant, today, T0 + 6, 100)).toEqual([])
  const deactivated = yield* p.surcharges.deactivateExpired(tenant, today, T0 + 5, 100)
  expect(deactivated).toEqual([{ before: surcharges[0]!, after: Surcharge.deactivate(surcharges[0]!, T0 + 5) }])
  expect(yield* p.surcharges.deactivateExpired(tenant, today, T0 + 6, 100)).toEqual([])
  // usable-on filter and soft delete in lists
  expect((yield* p.cards.list(tenant, { usableOn: today })).map((c) => c.id)).toEqual([cards[2]!.id])
  expect((yield* p.cards.list(tenant)).length).toBe(5)
})

const expireQuotesMatchesPredicate = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const a = account(tenant)
  const now = T0 + 10_000
  const draft = quote(a, T0 + 5_000)
  const sent = Result.getOrThrow(Quote.send(quote(a, T0 + 9_000), T0))
  const atNow = quote(a, now)
  const later = quote(a, now + 1)
  const accepted = Result.getOrThrow(
    Quote.accept(Result.getOrThrow(Quote.send(quote(a, T0 + 2_000), T0)), uuid<InvoiceId>(), false, T0 + 1)
  )
  const all = [draft, sent, atNow, later, accepted]
  yield* Effect.forEach(all, (q) => p.quotes.insert(tenant, q), { discard: true })
  const expected = all.filter((q) => Quote.isExpired(q, now)).map((q) => q.id).sort()
  expect(expected.length).toBe(3)
  const first = yield* p.quotes.expire(tenant, now, 2)
  expect(first.map((q) => q.after.id)).toEqual([draft.id, sent.id]) // earliest expiry first
  const rest = yield* p.quotes.expire(tenant, now, 100)
  expect([...first, ...rest].map((q) => q.after.id).sort()).toEqual(expected)
  for (const { after: q, before } of [...first, ...rest]) {
    expect(before).toEqual(all.find((x) => x.id === q.id))
    const expectedRow = Result.getOrThrow(Quote.expire(before, now))
    expect(q).toEqual(expectedRow)
    expect(yield* p.quotes.get(tenant, q.id)).toEqual(expectedRow)
  }
  expect(yield* p.quotes.expire(tenant, now, 100)).toEqual([])
})

const claimDueMatchesPredicate = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const now = T0 + 10_000
  const synced = Result.getOrThrow(AccountingSync.succeeded(sync(tenant), "EXT", T0))
  const gaveUp = Result.getOrThrow(
    AccountingSync.failed(sync(tenant), "no", false, T0, AccountingSync.defaultRetryPolicy)
  )
  const all = [sync(tenant, T0 + 3), sync(tenant, T0 + 1), sync(tenant, now), sync(tenant, now + 1), synced, gaveUp]
  yield* Effect.forEach(all, (s) => p.syncs.enqueue(tenant, s), { discard: true })
  // enqueueing the same entity again keeps the first row
  const again = yield* p.syncs.enqueue(tenant, sync(tenant, T0, all[0]!.entityId))
  expect([again.inserted, again.sync]).toEqual([false, all[0]])
  const expected = all.filter((s) => AccountingSync.isDue(s, now)).map((s) => s.id).sort()
  expect(expected.length).toBe(3)
  const first = yield* p.syncs.claimDue(tenant, now, now + 300_000, 1)
  expect(first).toEqual([{ before: all[1]!, after: AccountingSync.lease(all[1]!, now + 300_000, now) }])
  const only = yield* p.syncs.claimDue(tenant, now, now + 300_000, 100, all[2]!.id)
  expect(only.map((s) => s.after.id)).toEqual([all[2]!.id])
  const rest = yield* p.syncs.claimDue(tenant, now, now + 300_000, 100)
  expect([...first, ...only, ...rest].map((s) => s.after.id).sort()).toEqual(expected)
  expect(rest.map((s) => s.before)).toEqual(rest.map((s) => all.find((x) => x.id === s.after.id)))
  expect(yield* p.syncs.get(tenant, all[0]!.id)).toEqual(AccountingSync.lease(all[0]!, now + 300_000, now))
  // leased rows are not claimed again until the lease ends
  expect((yield* p.syncs.claimDue(tenant, now + 299_999, now + 600_000, 100)).map((s) => s.after)).toEqual(
    [all[3]!].map((s) => AccountingSync.lease(s, now + 600_000, now + 299_999))
  )
  expect((yield* p.syncs.claimDue(tenant, now + 300_000, now + 600_000, 100)).length).toBe(3)
  expect((yield* p.syncs.list(tenant, { status: "Pending" })).length).toBe(4)
  // the log keeps append order
  const entries = [3, 1, 2].map((n) => logEntry(all[0]!, n))
  yield* p.syncs.appendLog(tenant, entries.slice(0, 1))
  yield* p.syncs.appendLog(tenant, entries.slice(1))
  expect(yield* p.syncs.log(tenant, all[0]!.id)).toEqual(entries)
})

const quoteNumbersUnique = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const other = freshTenant()
  const a = account(tenant)
  yield* p.quotes.insert(tenant, quote(a, T0 + 1, "Q-SAME"))
  expect(yield* failureTag(p.quotes.insert(tenant, quote(a, T0 + 1, "Q-SAME")))).toBe("QuoteNumberTaken")
  yield* p.quotes.insert(other, quote(account(other), T0 + 1, "Q-SAME"))
})

const documentVersionsUnique = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const sourceId = uuid()
  yield* p.documents.insert(tenant, document(tenant, sourceId, 1))
  expect(yield* failureTag(p.documents.insert(tenant, document(tenant, sourceId, 1)))).toBe("DocumentExists")
  const v2 = document(tenant, sourceId, 2)
  yield* p.documents.insert(tenant, v2)
  expect(yield* p.documents.latest(tenant, "BillOfLading", sourceId)).toEqual(Option.some(v2))
  expect((yield* p.documents.listBySource(tenant, "BillOfLading", sourceId)).map((d) => d.version)).toEqual([1, 2])
})

const billingRunsUnique = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const a = account(tenant)
  yield* p.runs.insert(tenant, run(a))
  expect(yield* failureTag(p.runs.insert(tenant, run(a)))).toBe("BillingRunExists")
  yield* p.runs.insert(tenant, run(a, "2026-02"))
  // a run row is updated in place
  const failed = Option.getOrThrow(yield* p.runs.findForUpdate(tenant, a.id, "2026-01"))
  const invoiced = Result.getOrThrow(
    BillingRun.invoiced(uuid<BillingRunId>(), failed, failed, uuid<InvoiceId>(), T0 + 1)
  )
  yield* p.runs.update(tenant, invoiced)
  expect(yield* p.runs.findForUpdate(tenant, a.id, "2026-01")).toEqual(Option.some(invoiced))
  expect((yield* p.runs.list(tenant, { status: "Invoiced" })).map((r) => r.id)).toEqual([failed.id])
  expect((yield* p.runs.list(tenant, { period: "2026-02" })).map((r) => r.period)).toEqual(["2026-02"])
})

const softDeleteHides = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const c = card(tenant)
  const s = surcharge(tenant)
  yield* p.cards.insert(tenant, c)
  yield* p.surcharges.insert(tenant, s)
  yield* p.cards.update(tenant, RateCard.remove(c, T0 + 1))
  yield* p.surcharges.update(tenant, Surcharge.remove(s, T0 + 1))
  expect(yield* failureTag(p.cards.get(tenant, c.id))).toBe("NotFound")
  expect(yield* failureTag(p.surcharges.get(tenant, s.id))).toBe("NotFound")
  expect(yield* p.cards.list(tenant)).toEqual([])
  expect(yield* p.cards.deactivateExpired(tenant, day("2027-06-01"), T0, 10)).toEqual([])
})

/**
 * `insert` (a new entity's sync): visible in its own unit of work and after; a second sync for the entity is a defect.
 */
const insertNewSync = Effect.gen(function*() {
  const p = yield* ports
  const tenant = freshTenant()
  const y = sync(tenant)
  const seen = yield* UnitOfWork.transactionFor(
    tenant,
    Effect.gen(function*() {
      yield* p.syncs.insert(tenant, y)
      return yield* p.syncs.findByEntity(tenant, y.entityType, y.entityId)
    })
  )
  expect(seen).toEqual(Option.some(y))
  expect(yield* p.syncs.get(tenant, y.id)).toEqual(y)
  const second = sync(tenant, T0, y.entityId)
  const exit = yield* Effect.exit(UnitOfWork.transactionFor(tenant, p.syncs.insert(tenant, second)))
  expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
  yield* expectNotFound([p.syncs.get(tenant, second.id)])
  expect(yield* p.syncs.list(tenant)).toEqual([y])
})

const rollback = (on: On) => Effect.gen(function*() {
  const p = yield* ports
  const uow = yield* UnitOfWork.UnitOfWork
  const tenant = freshTenant()
  const a = account(tenant)
  const c = card(tenant)
  const s = surcharge(tenant)
  const q = quote(a, T0 + 1)
  const d = dispute(sentInvoice(a))
  const doc = document(tenant, uuid(), 1)
  const y = sync(tenant)
  const r = run(a)
  const exit = yield* Effect.exit(uow.transaction(Effect.gen(function*() {
    if (on("RateCard")) yield* p.cards.insert(tenant, c)
    if (on("Surcharge")) yield* p.surcharges.insert(tenant, s)
    if (on("Quote")) yield* p.quotes.insert(tenant, q)
    if (on("Dispute")) yield* p.disputes.insert(tenant, d)
    if (on("Document")) yield* p.documents.insert(tenant, doc)
    if (on("AccountingSync")) {
      yield* p.syncs.insert(tenant, y)
      yield* p.syncs.appendLog(tenant, [logEntry(y, 1)])
    }
    if (on("BillingRun")) yield* p.runs.insert(tenant, r)
    return yield* Effect.fail("boom" as const)
  })))
  expect(Exit.isFailure(exit)).toBe(true)
  // nothing is there, and nothing unique was taken either
  if (on("RateCard")) {
    yield* expectNotFound([p.cards.get(tenant, c.id)])
    yield* p.cards.insert(tenant, c)
  }
  if (on("Surcharge")) {
    yield* expectNotFound([p.surcharges.get(tenant, s.id)])
    yield* p.surcharges.insert(tenant, s)
  }
  if (on("Quote")) {
    yield* expectNotFound([p.quotes.get(tenant, q.id)])
    yield* p.quotes.insert(tenant, q)
  }
  if (on("Dispute")) yield* expectNotFound([p.disputes.get(tenant, d.id)])
  if (on("Document")) {
    yield* expectNotFound([p.documents.get(tenant, doc.id)])
    yield* p.documents.insert(tenant, doc)
  }
  if (on("AccountingSync")) {
    yield* expectNotFound([p.syncs.get(tenant, y.id)])
    expect(yield* p.syncs.log(tenant, y.id)).toEqual([])
    expect((yield* p.syncs.enqueue(tenant, y)).inserted).toBe(true)
  }
  if (on("BillingRun")) {
    expect(yield* p.runs.findForUpdate(tenant, a.id, "2026-01")).toEqual(Option.none())
    yield* p.runs.insert(tenant, r)
  }
})

/** The workflow ports; an adapter may implement some of them first and run the contract for those. */
export type WorkflowPort = "RateCard" | "Surcharge" | "Quote" | "Dispute" | "Document" | "AccountingSync" | "BillingRun"
export const workflowPorts: ReadonlyArray<WorkflowPort> = [
  "RateCard",
  "Surcharge",
  "Quote",
  "Dispute",
  "Document",
  "AccountingSync",
  "BillingRun"
]

type Test = Effect.Effect<void, unknown, Repositories | UnitOfWork.UnitOfWork>

/**
 * The workflow contract for `only` (default: every workflow port), one entry per test. Tests that span
 * ports skip the sections of ports not listed, so an adapter that keeps some ports elsewhere (in
 * memory, say) is not held to a unit of work it does not share.
 */
export const workflowContractTests = (
  only: ReadonlyArray<WorkflowPort> = workflowPorts
): ReadonlyArray<readonly [title: string, test: Test]> => {
  const on: On = (port) => only.includes(port)
  const all: ReadonlyArray<readonly [ReadonlyArray<WorkflowPort>, string, Test]> = [
    [workflowPorts, "workflow records round-trip exactly", roundTrip(on)],
    [workflowPorts, "TEN-01 every workflow port scopes by tenant; jobs never touch another tenant", tenantScoping(on)],
    [
      ["RateCard", "Surcharge"],
      "BIL-RC-03 deactivateExpired changes exactly what isExpired selects (cards, surcharges), within the limit, once",
      deactivateMatchesPredicate
    ],
    [["RateCard", "Surcharge"], "a soft-deleted rate card or surcharge is hidden and never swept", softDeleteHides],
    [
      ["Quote"],
      "BIL-QUO-02 quotes.expire changes exactly what Quote.isExpired selects, within the limit, once",
      expireQuotesMatchesPredicate
    ],
    [["Quote"], "quote numbers are unique per tenant (QuoteNumberTaken)", quoteNumbersUnique],
    [
      ["AccountingSync"],
      "X-07 claimDue leases exactly what AccountingSync.isDue selects, within limit; enqueue idempotent; log ordered",
      claimDueMatchesPredicate
    ],
    [
      ["AccountingSync"],
      "X-07 insert adds a new entity's sync, seen in its unit of work; a second sync for the entity is a defect",
      insertNewSync
    ],
    [
      ["Document"],
      "X-05 document versions are unique per (kind, source) (DocumentExists); latest is the highest",
      documentVersionsUnique
    ],
    [
      ["BillingRun"],
      "X-06 a billing run is unique per (account, period) (BillingRunExists) and updated in place",
      billingRunsUnique
    ],
    [workflowPorts, "a failed unit of work leaves no workflow row behind", rollback(on)]
  ]
  return all.filter(([ports]) => ports.some(on)).map(([, title, test]) => [title, test] as const)
}
