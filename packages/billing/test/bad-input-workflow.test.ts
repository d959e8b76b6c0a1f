/**
 * Bad input for the workflow commands: junk in any field, junk as the whole input or the actor, gives
 * a ValidationError and changes no table; well-typed but wrong input gives the typed domain error and
 * changes no table either.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { AccountingSyncs, Disputes, Documents, Jobs, Quotes, RateCards, RecurringBilling } from "../src/index.ts"
import {
  fakeAccountingSystem,
  fakeUsageSource,
  financeManager,
  openAccount,
  pricingAnalyst,
  rateCard,
  request,
  sentInvoice,
  system
} from "../src/testing/index.ts"
import {
  type AnyCommand,
  assertJunkRefused,
  assertUnstorableTextRefused,
  assertValidInputs,
  call,
  type Case,
  notObjects,
  refused
} from "./junk.ts"
import { type Real, withReal } from "./world.ts"

const accounting = fakeAccountingSystem()
const usage = fakeUsageSource()
const withFakes = (command: AnyCommand): AnyCommand => (actor, input) =>
  call(command, actor, input).pipe(Effect.provide(accounting.layer), Effect.provide(usage.layer))

const shipment = {
  shipmentId: "0e000000-0000-7000-8000-000000000042",
  shipmentNumber: "SHP-1",
  shipper: { name: "A", address: "Almaty" },
  consignee: { name: "B", address: "Astana" },
  carrier: "C",
  trackingNumber: "T-1",
  shipDate: "2026-03-10",
  lines: [{ description: "Slab", quantity: "2.5", unit: "pcs", weightKg: "10" }],
  notes: "n"
}

/** One of everything, and one valid input per workflow command, run by the given actor. */
const prepare = (real: Real) =>
  real.runtime.runPromise(Effect.gen(function*() {
    yield* TestClock.setTime(Date.parse("2026-03-10T06:00:00Z"))
    const card = yield* rateCard()
    const fuel = yield* RateCards.createSurcharge(pricingAnalyst(), {
      name: "Fuel",
      kind: { _tag: "Percent", rate: "10%" },
      currency: "KZT",
      validFrom: "2026-01-01",
      validTo: "2026-12-31"
    })
    const account = yield* openAccount({ creditLimitMinor: 100_000_000n })
    const quote = yield* Quotes.createQuote(financeManager(), {
      accountId: account.id,
      quoteNumber: "Q-BAD-0",
      lines: [{ request: request("1") }]
    })
    yield* Quotes.sendQuote(financeManager(), { quoteId: quote.id })
    const draftQuote = yield* Quotes.createQuote(financeManager(), {
      accountId: account.id,
      quoteNumber: "Q-BAD-1",
      lines: [{ request: request("1") }]
    })
    const invoice = yield* sentInvoice(account.id, 100_000n)
    const dispute = yield* Disputes.openDispute(financeManager(), {
      invoiceId: invoice.id,
      lineIndex: 0,
      amountMinor: 10n,
      reason: "r"
    })
    const tiers = [{ upTo: "100", unitPriceMinor: 10_000n }, { upTo: null, unitPriceMinor: 8_000n }]
    const pa = pricingAnalyst()
    const fm = financeManager()
    const cases: ReadonlyArray<Case> = [
      ["createRateCard", RateCards.createRateCard, {
        name: "n",
        serviceLevel: "Express",
        zone: null,
        basis: "Volume",
        mode: "AllUnits",
        currency: "KZT",
        tiers,
        minimumChargeMinor: 5n,
        validFrom: "2026-01-01",
        validTo: "2026-12-31",
        isActive: true
      }, pa],
      ["updateRateCard", RateCards.updateRateCard, {
        rateCardId: card.id,
        name: "m",
        serviceLevel: "Express",
        tiers,
        validTo: "2026-11-30",
        isActive: true
      }, pa],
      ["deleteRateCard", RateCards.deleteRateCard, { rateCardId: card.id }, pa],
      ["createSurcharge", RateCards.createSurcharge, {
        name: "n",
        kind: { _tag: "Fixed", amountMinor: 5n },
        currency: "KZT",
        serviceLevel: null,
        zone: null,
        validFrom: "2026-01-01",
        validTo: "2026-12-31"
      }, pa],
      ["updateSurcharge", RateCards.updateSurcharge, {
        surchargeId: fuel.id,
        name: "m",
        kind: { _tag: "Percent", rate: "5%" },
        validFrom: "2026-02-01"
      }, pa],
      ["deleteSurcharge", RateCards.deleteSurcharge, { surchargeId: fuel.id }, pa],
      ["createQuote", Quotes.createQuote, {
        accountId: account.id,
        quoteNumber: "Q-BAD-2",
        lines: [{ description: "d", request: request("2.5"), taxRate: "12%" }],
        notes: "n"
      }, fm],
      ["sendQuote", Quotes.sendQuote, { quoteId: draftQuote.id }, fm],
      ["acceptQuote", Quotes.acceptQuote, {
        quoteId: quote.id,
        invoiceNumber: "INV-Q-BAD",
        dueDate: "2026-04-30",
        payment: { amountMinor: quote.totalMinor, currency: "KZT", method: "CARD", reference: "r" }
      }, fm],
      ["openDispute", Disputes.openDispute, { invoiceId: invoice.id, lineIndex: 0, amountMinor: 5n, reason: "r" }, fm],
      ["approveDispute", Disputes.approveDispute, { disputeId: dispute.id, approvedMinor: 5n, note: "n" }, fm],
      ["rejectDispute", Disputes.rejectDispute, { disputeId: dispute.id, note: "n" }, fm],
      ["generateInvoiceDocument", Documents.generateInvoiceDocument, { invoiceId: invoice.id }, fm],
      ["createBillOfLading", Documents.createBillOfLading, shipment, system()],
      ["retryAccountingSync", AccountingSyncs.retryAccountingSync, { syncId: dispute.id }, fm],
      ["deactivateExpiredRates", Jobs.deactivateExpiredRates, { batchSizeMax: 5 }, system()],
      ["expireQuotes", Jobs.expireQuotes, { batchSizeMax: 5 }, system()],
      [
        "runAccountingSync",
        withFakes(AccountingSyncs.runAccountingSync),
        { batchSizeMax: 5, leaseSeconds: 60 },
        system()
      ],
      [
        "runRecurringBilling",
        withFakes(RecurringBilling.runRecurringBilling),
        { period: "2026-02", batchSizeMax: 5 },
        system()
      ],
      ["billUsage", RecurringBilling.billUsage, {
        customerId: account.customerId,
        period: "2026-02",
        items: [{ description: "d", request: request("1") }]
      }, system()],
      ["recordBillingRunFailure", RecurringBilling.recordBillingRunFailure, {
        customerId: account.customerId,
        period: "2026-01",
        error: "e"
      }, system()],
      ["recordAccountingSyncAttempt", AccountingSyncs.recordAccountingSyncAttempt, {
        syncId: dispute.id,
        claimedAttempts: 0,
        outcome: { _tag: "Succeeded", externalId: "X-1" }
      }, system()],
      ["recordAccountingSyncFailure", AccountingSyncs.recordAccountingSyncAttempt, {
        syncId: dispute.id,
        claimedAttempts: 0,
        outcome: { _tag: "Failed", reason: "r", retryable: true }
      }, system()],
      ["claimAccountingSyncs", AccountingSyncs.claimAccountingSyncs, { batchSizeMax: 5, leaseSeconds: 60 }, system()]
    ]
    // commands with their nullable texts set (`null` is valid there, so these stay out of the any-junk cases,
    // where null is junk), and the queries
    const nullableTexts: ReadonlyArray<Case> = [
      ["createRateCard (zone)", RateCards.createRateCard, {
        name: "n",
        serviceLevel: "Express",
        zone: "Almaty",
        basis: "Volume",
        currency: "KZT",
        tiers,
        validFrom: "2026-01-01",
        validTo: "2026-12-31"
      }, pa],
      ["updateRateCard (zone)", RateCards.updateRateCard, { rateCardId: card.id, zone: "Almaty" }, pa],
      ["createSurcharge (level, zone)", RateCards.createSurcharge, {
        name: "n",
        kind: { _tag: "Fixed", amountMinor: 5n },
        currency: "KZT",
        serviceLevel: "Express",
        zone: "Almaty",
        validFrom: "2026-01-01",
        validTo: "2026-12-31"
      }, pa],
      ["updateSurcharge (level, zone)", RateCards.updateSurcharge, {
        surchargeId: fuel.id,
        serviceLevel: "Express",
        zone: "Almaty"
      }, pa]
    ]
    const textCases: ReadonlyArray<Case> = [
      ...nullableTexts,
      [
        "priceService",
        RateCards.priceService,
        { request: request("1"), currency: "KZT", pricingDate: "2026-03-10" },
        pa
      ],
      ["getRateCard", RateCards.getRateCard, { rateCardId: card.id }, pa],
      ["listRateCards", RateCards.listRateCards, { currency: "KZT", usableOn: "2026-03-10", limit: 5 }, pa],
      ["getSurcharge", RateCards.getSurcharge, { surchargeId: fuel.id }, pa],
      ["listSurcharges", RateCards.listSurcharges, { currency: "KZT", usableOn: "2026-03-10", limit: 5 }, pa],
      ["getQuote", Quotes.getQuote, { quoteId: quote.id }, fm],
      ["listQuotes", Quotes.listQuotes, { accountId: account.id, status: "Sent", limit: 5 }, fm],
      ["getDispute", Disputes.getDispute, { disputeId: dispute.id }, fm],
      ["listDisputes", Disputes.listDisputes, { invoiceId: invoice.id }, fm],
      ["listDocuments", Documents.listDocuments, { kind: "Invoice", sourceId: invoice.id }, fm],
      ["findAccountingSync", AccountingSyncs.findAccountingSync, { entityType: "Invoice", entityId: invoice.id }, fm],
      ["listAccountingSyncs", AccountingSyncs.listAccountingSyncs, { status: "Pending", limit: 5 }, fm],
      ["listBillingRuns", RecurringBilling.listBillingRuns, { period: "2026-02", status: "Invoiced", limit: 5 }, fm]
    ]
    return { cases, textCases, account, quote, invoice, dispute, card }
  }))

describe("bad input (workflow commands)", () => {
  it(
    "any workflow command fed junk (a field, its whole input, its actor) is a ValidationError, no table changed",
    () =>
      withReal(async (real) => {
        const { cases } = await prepare(real)
        // the valid inputs really are valid (retryAccountingSync excepted: its id is a dispute's, so NotFound)
        await assertValidInputs(prepare, cases.map(([name]) => name), [
          "retryAccountingSync",
          "recordAccountingSyncAttempt",
          "recordAccountingSyncFailure"
        ])
        await assertJunkRefused(real, cases, {
          fields: 250,
          whole: 150,
          actor: 80,
          allOptional: [
            "deactivateExpiredRates",
            "expireQuotes",
            "runAccountingSync",
            "runRecurringBilling",
            "claimAccountingSyncs"
          ]
        })
      }),
    120_000
  )

  it(
    "issue 13: NUL or a lone surrogate in any text field of any workflow command or query: ValidationError, no change",
    () =>
      withReal(async (real) => {
        const { cases, textCases } = await prepare(real)
        await assertValidInputs(
          async (probe) => ({ cases: (await prepare(probe)).textCases }),
          textCases.map(([name]) => name)
        )
        const tried = await assertUnstorableTextRefused(real, [...cases, ...textCases])
        expect(tried).toEqual(
          expect.arrayContaining([
            "createRateCard: name",
            "createRateCard: serviceLevel",
            "createRateCard (zone): zone",
            "updateRateCard: name",
            "updateRateCard: serviceLevel",
            "updateRateCard (zone): zone",
            "createSurcharge: name",
            "createSurcharge (level, zone): serviceLevel",
            "createSurcharge (level, zone): zone",
            "updateSurcharge: name",
            "updateSurcharge (level, zone): serviceLevel",
            "updateSurcharge (level, zone): zone",
            "createQuote: quoteNumber",
            "createQuote: notes",
            "createQuote: lines.0.description",
            "createQuote: lines.0.request.serviceLevel",
            "createQuote: lines.0.request.zone",
            "acceptQuote: invoiceNumber",
            "acceptQuote: payment.reference",
            "openDispute: reason",
            "approveDispute: note",
            "rejectDispute: note",
            "createBillOfLading: shipmentNumber",
            "createBillOfLading: shipper.name",
            "createBillOfLading: shipper.address",
            "createBillOfLading: consignee.name",
            "createBillOfLading: consignee.address",
            "createBillOfLading: carrier",
            "createBillOfLading: trackingNumber",
            "createBillOfLading: lines.0.description",
            "createBillOfLading: lines.0.unit",
            "createBillOfLading: notes",
            "billUsage: items.0.description",
            "billUsage: items.0.request.serviceLevel",
            "recordBillingRunFailure: error",
            "recordAccountingSyncAttempt: outcome.externalId",
            "recordAccountingSyncFailure: outcome.reason",
            "priceService: request.serviceLevel",
            "priceService: request.zone",
            "listDocuments: sourceId",
            "findAccountingSync: entityId"
          ])
        )
      }),
    120_000
  )

  it(
    "issue 13: workflow commands and queries whose every field is optional still refuse an input that is not an object",
    () =>
      withReal(async (real) => {
        const { cases, textCases } = await prepare(real)
        const allOptional = [
          "deactivateExpiredRates",
          "expireQuotes",
          "runAccountingSync",
          "runRecurringBilling",
          "claimAccountingSyncs",
          "listRateCards",
          "listSurcharges",
          "listQuotes",
          "listAccountingSyncs",
          "listBillingRuns"
        ]
        const targets = [...cases, ...textCases].filter(([name]) => allOptional.includes(name))
        expect(targets.map(([name]) => name).sort()).toEqual([...allOptional].sort())
        for (const [, command, , actor] of targets) {
          for (const junk of notObjects) await refused(real, command, actor, junk, "ValidationError")
        }
      }),
    120_000
  )

  it(
    "well-typed but wrong workflow inputs give typed domain errors and change no table",
    () =>
      withReal(async (real) => {
        const { account, card, invoice, quote } = await prepare(real)
        const pa = pricingAnalyst()
        const fm = financeManager()
        const missing = "0e000000-0000-7000-8000-0000000000ff"
        const cardInput = {
          name: "n",
          serviceLevel: "S",
          basis: "Weight",
          currency: "KZT",
          tiers: [{ upTo: null, unitPriceMinor: 1n }]
        }
        await real.runtime.runPromise(TestClock.setTime(Date.parse("2026-03-10T06:00:00Z")))
        await refused(real, RateCards.createRateCard, pa, {
          ...cardInput,
          validFrom: "2026-02-01",
          validTo: "2026-01-31"
        }, "ValidityRangeInverted")
        await refused(real, RateCards.createRateCard, pa, {
          ...cardInput,
          validFrom: "2026-01-01",
          validTo: "2026-12-31",
          tiers: [{ upTo: "5", unitPriceMinor: 1n }]
        }, "ValidationError")
        await refused(real, RateCards.createRateCard, pa, {
          ...cardInput,
          validFrom: "2026-01-01",
          validTo: "2026-12-31",
          tiers: [
            { upTo: "5", unitPriceMinor: 1n },
            { upTo: "5", unitPriceMinor: 1n },
            { upTo: null, unitPriceMinor: 1n }
          ]
        }, "ValidationError")
        await refused(
          real,
          RateCards.updateRateCard,
          pa,
          { rateCardId: card.id, validFrom: "2027-01-01" },
          "ValidityRangeInverted"
        )
        await refused(real, RateCards.updateRateCard, pa, { rateCardId: missing, name: "x" }, "NotFound")
        await refused(real, RateCards.createSurcharge, pa, {
          name: "n",
          kind: { _tag: "Percent", rate: "101%" },
          currency: "KZT",
          validFrom: "2026-01-01",
          validTo: "2026-12-31"
        }, "ValidationError")
        await refused(real, Quotes.createQuote, fm, {
          accountId: missing,
          quoteNumber: "Q-X",
          lines: [{ request: request("1") }]
        }, "NotFound")
        await real.runtime.runPromise(
          rateCard({ serviceLevel: "Huge", tiers: [{ upTo: null, unitPriceMinor: 10n ** 15n }] })
        )
        await refused(real, Quotes.createQuote, fm, {
          accountId: account.id,
          quoteNumber: "Q-X",
          lines: [{ request: { ...request("9999999.999"), serviceLevel: "Huge" } }]
        }, "AmountOutOfRange")
        await refused(real, Quotes.createQuote, fm, {
          accountId: account.id,
          quoteNumber: "Q-X",
          lines: [{ request: { ...request("1"), serviceLevel: "Express" } }]
        }, "NoApplicableRateCard")
        await refused(real, Quotes.createQuote, fm, {
          accountId: account.id,
          quoteNumber: "Q-X",
          lines: [{
            request: {
              ...request("1"),
              measures: [{ basis: "Weight", quantity: "1" }, { basis: "Weight", quantity: "2" }]
            }
          }]
        }, "ValidationError")
        await refused(
          real,
          Quotes.acceptQuote,
          fm,
          { quoteId: quote.id, invoiceNumber: invoice.invoiceNumber },
          "InvoiceNumberTaken"
        )
        await refused(real, Quotes.acceptQuote, fm, { quoteId: missing, invoiceNumber: "INV-NEW" }, "NotFound")
        await refused(real, Disputes.openDispute, fm, {
          invoiceId: invoice.id,
          lineIndex: 0,
          amountMinor: 10n ** 15n,
          reason: "r"
        }, "DisputeExceedsLine")
        await refused(real, Disputes.openDispute, fm, {
          invoiceId: invoice.id,
          lineIndex: 7,
          amountMinor: 1n,
          reason: "r"
        }, "InvoiceLineNotFound")
        await refused(real, Disputes.openDispute, fm, {
          invoiceId: missing,
          lineIndex: 0,
          amountMinor: 1n,
          reason: "r"
        }, "NotFound")
        await refused(real, Disputes.approveDispute, fm, { disputeId: missing }, "NotFound")
        await refused(real, Documents.generateInvoiceDocument, fm, { invoiceId: missing }, "NotFound")
        await refused(real, RecurringBilling.billUsage, system(), {
          customerId: missing,
          period: "2026-02",
          items: [{ request: request("1") }]
        }, "NotFound")
        await refused(real, RecurringBilling.billUsage, system(), {
          customerId: account.customerId,
          period: "2026-13",
          items: [{ request: request("1") }]
        }, "ValidationError")
      }),
    120_000
  )
})
