/**
 * Billing beyond the core for the differential suite (issue 13): rate cards and surcharges, pricing,
 * quotes (acceptance on credit and with an upfront payment), disputes (approval issues a credit note,
 * X-04), documents, accounting sync (push through a deterministic fake accounting system, retry), usage
 * billing and the recurring run (through a usage source fed by the world), and the daily jobs.
 * Everything goes through the public commands; ids a step keeps come back from its result.
 */
import { Effect, Layer } from "effect"
import { Actor, type Ids, LocalDate, type Tenant } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import * as fc from "fast-check"
import {
  AccountingSyncRepository,
  AccountingSyncs,
  BillingError,
  BillingRunRepository,
  ClientAccounts,
  CreditNotes,
  Disputes,
  Documents,
  Invoices,
  Jobs,
  Quotes,
  RateCards,
  RecurringBilling
} from "@erpkit/billing"
import { type ManualClock, normalizedOutcome, platformRecords, type Step } from "./harness.ts"

export const texts = ["Freight 'A'", "'; DROP TABLE billing.quotes; --", "Қазақ тілі ✓ 🚚", "$$ $1 %s", "\"q\" \\ b"]

const validity = {
  current: { validFrom: "2025-06-01", validTo: "2027-12-31" },
  expiring: { validFrom: "2025-06-01", validTo: "2026-01-02" },
  expired: { validFrom: "2020-01-01", validTo: "2020-12-31" },
  future: { validFrom: "2030-01-01", validTo: "2030-12-31" },
  inverted: { validFrom: "2027-01-01", validTo: "2026-01-01" }
} as const
type Validity = keyof typeof validity

const tierSets = [
  [{ upTo: "100", unitPriceMinor: 10_000n }, { upTo: null, unitPriceMinor: 8_000n }],
  [{ upTo: null, unitPriceMinor: 5_000n }],
  // not ascending: refused
  [{ upTo: "10", unitPriceMinor: 1_000n }, { upTo: "5", unitPriceMinor: 900n }, { upTo: null, unitPriceMinor: 800n }]
] as const

const weights = ["1", "12.5", "150", "0.001"] as const
const periods = ["2025-11", "2025-12"] as const

export type Op =
  | {
    readonly _tag: "CreateCard"
    readonly level: 0 | 1
    readonly zone: 0 | 1 | 2
    readonly tiers: 0 | 1 | 2
    readonly validity: Validity
    readonly allUnits: boolean
    readonly minimum: boolean
  }
  | {
    readonly _tag: "UpdateCard"
    readonly card: number
    readonly change: "rename" | "tiers" | "deactivate" | "invert" | "expire"
  }
  | { readonly _tag: "DeleteCard"; readonly card: number }
  | {
    readonly _tag: "CreateSurcharge"
    readonly percent: boolean
    readonly zone: 0 | 1 | 2
    readonly validity: Validity
  }
  | {
    readonly _tag: "UpdateSurcharge"
    readonly surcharge: number
    readonly change: "rename" | "deactivate" | "invert"
  }
  | { readonly _tag: "DeleteSurcharge"; readonly surcharge: number }
  | { readonly _tag: "Price"; readonly weight: number; readonly level: 0 | 1 }
  | {
    readonly _tag: "CreateQuote"
    readonly account: number
    readonly weight: number
    readonly lines: 1 | 2
    readonly expiresInHours: number | null
    readonly text: number
  }
  | { readonly _tag: "SendQuote"; readonly quote: number }
  | { readonly _tag: "AcceptQuote"; readonly quote: number; readonly upfront: "none" | "exact" | "short" }
  | { readonly _tag: "OpenDispute"; readonly invoice: number; readonly line: number; readonly amount: bigint }
  | { readonly _tag: "ApproveDispute"; readonly dispute: number; readonly amount: bigint | null }
  | { readonly _tag: "RejectDispute"; readonly dispute: number }
  | { readonly _tag: "InvoiceDocument"; readonly invoice: number }
  | { readonly _tag: "BillOfLading"; readonly text: number; readonly lines: number; readonly customer: boolean }
  | { readonly _tag: "RunSync"; readonly mode: "ok" | "retryable" | "fatal"; readonly batch: number }
  | { readonly _tag: "RetrySync"; readonly sync: number }
  | { readonly _tag: "BillUsage"; readonly account: number; readonly period: 0 | 1; readonly weight: number }
  | { readonly _tag: "RecordRunFailure"; readonly account: number; readonly period: 0 | 1 }
  | {
    readonly _tag: "RunRecurring"
    readonly period: 0 | 1
    readonly accounts: ReadonlyArray<number>
    readonly junk: boolean
    readonly batch: number
  }
  | { readonly _tag: "Tick"; readonly hours: number }
  | { readonly _tag: "Forged"; readonly kind: "quote" | "dispute" | "card" | "surcharge" | "sync" | "invoice" }

const index = fc.nat({ max: 7 })
const w = <A>(weight: number, arbitrary: fc.Arbitrary<A>) => ({ weight, arbitrary })
const tag = <T extends string>(t: T) => fc.constant(t)
const validityArb = fc.constantFrom<Validity>(
  "current",
  "current",
  "current",
  "expiring",
  "expired",
  "future",
  "inverted"
)

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(
    2,
    fc.record({
      _tag: tag("CreateCard"),
      level: fc.constantFrom(0 as const, 1 as const),
      zone: fc.constantFrom(0 as const, 1 as const, 2 as const),
      tiers: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const),
      validity: validityArb,
      allUnits: fc.boolean(),
      minimum: fc.boolean()
    })
  ),
  w(
    1,
    fc.record({
      _tag: tag("UpdateCard"),
      card: index,
      change: fc.constantFrom(
        "rename" as const,
        "tiers" as const,
        "deactivate" as const,
        "invert" as const,
        "expire" as const
      )
    })
  ),
  w(1, fc.record({ _tag: tag("DeleteCard"), card: index })),
  w(
    1,
    fc.record({
      _tag: tag("CreateSurcharge"),
      percent: fc.boolean(),
      zone: fc.constantFrom(0 as const, 1 as const, 2 as const),
      validity: validityArb
    })
  ),
  w(
    1,
    fc.record({
      _tag: tag("UpdateSurcharge"),
      surcharge: index,
      change: fc.constantFrom("rename" as const, "deactivate" as const, "invert" as const)
    })
  ),
  w(1, fc.record({ _tag: tag("DeleteSurcharge"), surcharge: index })),
  w(
    1,
    fc.record({
      _tag: tag("Price"),
      weight: fc.nat({ max: weights.length - 1 }),
      level: fc.constantFrom(0 as const, 1 as const)
    })
  ),
  w(
    4,
    fc.record({
      _tag: tag("CreateQuote"),
      account: index,
      weight: fc.nat({ max: weights.length - 1 }),
      lines: fc.constantFrom(1 as const, 2 as const),
      expiresInHours: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
      text: fc.nat({ max: texts.length - 1 })
    })
  ),
  w(3, fc.record({ _tag: tag("SendQuote"), quote: index })),
  w(
    3,
    fc.record({
      _tag: tag("AcceptQuote"),
      quote: index,
      upfront: fc.constantFrom("none" as const, "exact" as const, "exact" as const, "short" as const)
    })
  ),
  w(
    3,
    fc.record({
      _tag: tag("OpenDispute"),
      invoice: index,
      line: fc.nat({ max: 2 }),
      amount: fc.constantFrom(100n, 5_000n, 99_000_000n)
    })
  ),
  w(
    2,
    fc.record({ _tag: tag("ApproveDispute"), dispute: index, amount: fc.constantFrom(null, null, 50n, 99_000_000n) })
  ),
  w(1, fc.record({ _tag: tag("RejectDispute"), dispute: index })),
  w(1, fc.record({ _tag: tag("InvoiceDocument"), invoice: index })),
  w(
    1,
    fc.record({
      _tag: tag("BillOfLading"),
      text: fc.nat({ max: texts.length - 1 }),
      lines: fc.integer({ min: 0, max: 3 }),
      customer: fc.boolean()
    })
  ),
  w(
    2,
    fc.record({
      _tag: tag("RunSync"),
      mode: fc.constantFrom("ok" as const, "ok" as const, "retryable" as const, "fatal" as const),
      batch: fc.integer({ min: 1, max: 4 })
    })
  ),
  w(1, fc.record({ _tag: tag("RetrySync"), sync: index })),
  w(
    2,
    fc.record({
      _tag: tag("BillUsage"),
      account: index,
      period: fc.constantFrom(0 as const, 1 as const),
      weight: fc.nat({ max: weights.length - 1 })
    })
  ),
  w(1, fc.record({ _tag: tag("RecordRunFailure"), account: index, period: fc.constantFrom(0 as const, 1 as const) })),
  w(
    1,
    fc.record({
      _tag: tag("RunRecurring"),
      period: fc.constantFrom(0 as const, 1 as const),
      accounts: fc.uniqueArray(fc.nat({ max: 3 }), { maxLength: 4 }),
      junk: fc.boolean(),
      batch: fc.integer({ min: 1, max: 3 })
    })
  ),
  w(2, fc.record({ _tag: tag("Tick"), hours: fc.integer({ min: 1, max: 24 * 20 }) })),
  w(
    1,
    fc.record({
      _tag: tag("Forged"),
      kind: fc.constantFrom(
        "quote" as const,
        "dispute" as const,
        "card" as const,
        "surcharge" as const,
        "sync" as const,
        "invoice" as const
      )
    })
  )
)

/** The ids a run has created (equal in both environments: ids are per-operation sequential). */
export class World {
  readonly accounts: Array<{ readonly id: string; readonly customerId: Ids.CustomerId }> = []
  readonly cards: Array<string> = []
  readonly surcharges: Array<string> = []
  readonly quotes: Array<string> = []
  readonly invoices: Array<string> = []
  readonly disputes: Array<string> = []
  readonly shipments: Array<string> = []
  readonly syncs: Array<string> = []
  /** Syncs the last attempt left GaveUp (what a retry can requeue). */
  readonly gaveUp: Array<string> = []
  /** What the usage source reports per period (set by RunRecurring before it runs). */
  readonly usage = new Map<string, ReadonlyArray<unknown>>()
  /** How the accounting system answers the current step. */
  accountingMode: "ok" | "retryable" | "fatal" = "ok"
  private counter = 0
  readonly user: Actor.Actor
  readonly system: Actor.Actor
  readonly tenant: Tenant.Tenant
  readonly prefix: string
  readonly clock: ManualClock
  constructor(tenant: Tenant.Tenant, prefix: string, clock: ManualClock) {
    this.tenant = tenant
    this.prefix = prefix
    this.clock = clock
    this.user = actor(["Finance Manager", "Pricing Analyst", "Sales Manager", "Accounts Manager"], tenant)
    this.system = Actor.system(tenant)
  }
  /** A fresh id of this run, outside the id generator's numbers. */
  uuid(kind: string): string {
    return `${this.prefix}-${kind}-7000-8000-${(++this.counter).toString(16).padStart(12, "0")}`
  }
  forged(): string {
    return `${this.prefix}-ffff-7000-8000-000000000001`
  }
}

const pick = <A>(xs: ReadonlyArray<A>, i: number): A | undefined => (xs.length === 0 ? undefined : xs[i % xs.length])
const none = () => {}
const request = (weight: number, level: 0 | 1 = 0) => ({
  serviceLevel: level === 0 ? "Standard" : "Express",
  zone: "Almaty",
  measures: [{ basis: "Weight" as const, quantity: weights[weight % weights.length]! }]
})
const zoneOf = (z: 0 | 1 | 2) => (z === 0 ? null : z === 1 ? "Almaty" : "Astana")
const today = (world: World) => LocalDate.atInstant(world.clock.millis, "Asia/Almaty")

/** The host ports (accounting system, usage source), answering from the world: the same in both environments. */
export const hostPorts = (world: World) =>
  Layer.merge(
    Layer.succeed(AccountingSyncRepository.AccountingSystem, {
      push: (record) =>
        world.accountingMode === "ok"
          ? Effect.succeed({ externalId: `EXT-${record.entityType}-${record.entityId.slice(-6)}` })
          : Effect.fail(
            new BillingError.AccountingSystemError({
              reason: `down (${world.accountingMode})`,
              retryable: world.accountingMode === "retryable"
            })
          )
    }),
    Layer.succeed(BillingRunRepository.UsageSource, {
      usage: (_tenant, period, page) =>
        Effect.sync(() => {
          const idOf = (u: unknown) => String((u as { customerId?: unknown }).customerId ?? "")
          const all = [...(world.usage.get(period.period) ?? [])].sort((
            a,
            b
          ) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))
          return all.filter((u) => page.after === null || idOf(u) > page.after).slice(0, page.limit)
        })
    })
  )

/** Rate cards, surcharges and the pricing query. */
const rateStep = (world: World, op: Op): Step | undefined => {
  const u = world.user
  switch (op._tag) {
    case "CreateCard":
      return {
        effect: RateCards.createRateCard(u, {
          name: `${op.level === 0 ? "Standard" : "Express"} ${op.validity}`,
          serviceLevel: op.level === 0 ? "Standard" : "Express",
          zone: zoneOf(op.zone),
          basis: "Weight",
          currency: "KZT",
          tiers: tierSets[op.tiers] as never,
          ...validity[op.validity],
          ...(op.allUnits ? { mode: "AllUnits" as const } : {}),
          ...(op.minimum ? { minimumChargeMinor: 150_000n } : {})
        }),
        record: (c: { id: string }) => world.cards.push(c.id)
      }
    case "UpdateCard": {
      const card = pick(world.cards, op.card)
      if (card === undefined) return undefined
      const patch = op.change === "rename" ?
        { name: texts[op.card % texts.length]! }
        : op.change === "tiers" ?
        { tiers: tierSets[1] as never }
        : op.change === "deactivate" ?
        { isActive: false }
        : op.change === "invert" ?
        { validTo: "2020-01-01" }
        : { validTo: LocalDate.addDays(today(world), 1) }
      return { effect: RateCards.updateRateCard(u, { rateCardId: card, ...patch }), record: none }
    }
    case "DeleteCard": {
      const card = pick(world.cards, op.card)
      return card === undefined
        ? undefined
        : { effect: RateCards.deleteRateCard(u, { rateCardId: card }), record: none }
    }
    case "CreateSurcharge":
      return {
        effect: RateCards.createSurcharge(u, {
          name: op.percent ? "Fuel" : "Remote",
          kind: op.percent ? { _tag: "Percent", rate: "12.5%" } : { _tag: "Fixed", amountMinor: 2_500n },
          currency: "KZT",
          ...(op.zone === 0 ? {} : { zone: zoneOf(op.zone) }),
          ...validity[op.validity]
        }),
        record: (s: { id: string }) => world.surcharges.push(s.id)
      }
    case "UpdateSurcharge": {
      const s = pick(world.surcharges, op.surcharge)
      if (s === undefined) return undefined
      const patch = op.change === "rename"
        ? { name: texts[op.surcharge % texts.length]! }
        : op.change === "deactivate"
        ? { isActive: false }
        : { validTo: "2020-01-01" }
      return { effect: RateCards.updateSurcharge(u, { surchargeId: s, ...patch }), record: none }
    }
    case "DeleteSurcharge": {
      const s = pick(world.surcharges, op.surcharge)
      return s === undefined ? undefined : { effect: RateCards.deleteSurcharge(u, { surchargeId: s }), record: none }
    }
    case "Price":
      return {
        effect: RateCards.priceService(u, { request: request(op.weight, op.level), currency: "KZT" }),
        record: none
      }
    default:
      return undefined
  }
}

/** Quotes: create, send, accept (on credit, or paid upfront with the exact total or short of it). */
const quoteStep = (world: World, op: Op): Step | undefined => {
  const u = world.user
  switch (op._tag) {
    case "CreateQuote": {
      const account = pick(world.accounts, op.account)
      if (account === undefined) return undefined
      const line = { description: texts[op.text]!, request: request(op.weight) }
      const lines = op.lines === 1 ? [line] : [line, { request: request(op.weight + 1), taxRate: "0%" }]
      return {
        effect: Quotes.createQuote(u, {
          accountId: account.id,
          quoteNumber: `Q-${world.quotes.length + 1}`,
          lines,
          ...(op.expiresInHours === null ? {} : { expiresAt: world.clock.millis + op.expiresInHours * 3_600_000 }),
          notes: texts[op.text]!
        }),
        record: (q: { id: string }) => world.quotes.push(q.id)
      }
    }
    case "SendQuote": {
      const quote = pick(world.quotes, op.quote)
      return quote === undefined ? undefined : { effect: Quotes.sendQuote(u, { quoteId: quote }), record: none }
    }
    case "AcceptQuote": {
      const quote = pick(world.quotes, op.quote)
      if (quote === undefined) return undefined
      const number = `INV-Q-${world.invoices.length + 1}`
      return {
        effect: Effect.flatMap(
          Quotes.getQuote(u, { quoteId: quote }),
          (q) =>
            Quotes.acceptQuote(u, {
              quoteId: quote,
              invoiceNumber: number,
              ...(op.upfront === "none" ?
                {} :
                {
                  payment: {
                    amountMinor: op.upfront === "exact" ? q.totalMinor : q.totalMinor - 1n || 1n,
                    currency: "KZT",
                    method: "CARD",
                    reference: texts[1]!
                  }
                })
            })
        ),
        record: (r: { invoice: { id: string } }) => world.invoices.push(r.invoice.id)
      }
    }
    default:
      return undefined
  }
}

/** Disputes (approval issues a credit note, X-04) and documents. */
const disputeStep = (world: World, op: Op): Step | undefined => {
  const u = world.user
  switch (op._tag) {
    case "OpenDispute": {
      const invoice = pick(world.invoices, op.invoice)
      return invoice === undefined ?
        undefined :
        {
          effect: Disputes.openDispute(u, {
            invoiceId: invoice,
            lineIndex: op.line,
            amountMinor: op.amount,
            reason: texts[op.line % texts.length]!
          }),
          record: (d: { id: string }) => world.disputes.push(d.id)
        }
    }
    case "ApproveDispute": {
      const dispute = pick(world.disputes, op.dispute)
      return dispute === undefined ?
        undefined :
        {
          effect: Disputes.approveDispute(u, {
            disputeId: dispute,
            ...(op.amount === null ? {} : { approvedMinor: op.amount }),
            note: texts[0]!
          }),
          record: none
        }
    }
    case "RejectDispute": {
      const dispute = pick(world.disputes, op.dispute)
      return dispute === undefined
        ? undefined
        : { effect: Disputes.rejectDispute(u, { disputeId: dispute, note: texts[2]! }), record: none }
    }
    case "InvoiceDocument": {
      const invoice = pick(world.invoices, op.invoice)
      return invoice === undefined
        ? undefined
        : { effect: Documents.generateInvoiceDocument(u, { invoiceId: invoice }), record: none }
    }
    case "BillOfLading": {
      const shipmentId = world.uuid("5b1d")
      const customer = pick(world.accounts, op.text)
      const lines = Array.from({ length: op.lines }, (_, n) => ({
        description: texts[(op.text + n) % texts.length]!,
        quantity: `${n + 1}`,
        ...(n % 2 === 0 ? { weightKg: "12.5" } : {})
      }))
      return {
        effect: Documents.createBillOfLading(
          u,
          {
            shipmentId,
            shipmentNumber: `S-${world.shipments.length + 1}`,
            ...(op.customer && customer !== undefined ? { customerId: customer.customerId } : {}),
            shipper: { name: texts[op.text]!, address: "Almaty\nAbay 1" },
            consignee: { name: "B", address: "Astana" },
            shipDate: today(world),
            lines
          } as never
        ),
        record: () => world.shipments.push(shipmentId)
      }
    }
    default:
      return undefined
  }
}

/** Accounting sync, usage billing and the recurring run. */
const syncStep = (world: World, op: Op): Step | undefined => {
  switch (op._tag) {
    case "RunSync":
      return {
        effect: Effect.suspend(() => {
          world.accountingMode = op.mode
          return AccountingSyncs.runAccountingSync(world.system, { batchSizeMax: op.batch })
        }),
        record: (r: { attempts: ReadonlyArray<{ syncId: string; status: string }> }) => {
          for (const a of r.attempts) {
            if (!world.syncs.includes(a.syncId)) world.syncs.push(a.syncId)
            if (a.status === "GaveUp" && !world.gaveUp.includes(a.syncId)) world.gaveUp.push(a.syncId)
          }
        }
      }
    case "RetrySync": {
      // mostly a sync that gave up (requeued), sometimes any (a Pending or Succeeded one is refused)
      const sync = op.sync % 4 === 3
        ? pick(world.syncs, op.sync)
        : pick(world.gaveUp, op.sync) ?? pick(world.syncs, op.sync)
      return sync === undefined
        ? undefined
        : { effect: AccountingSyncs.retryAccountingSync(world.user, { syncId: sync }), record: none }
    }
    case "BillUsage": {
      const account = pick(world.accounts, op.account)
      return account === undefined ?
        undefined :
        {
          effect: RecurringBilling.billUsage(world.user, {
            customerId: account.customerId,
            period: periods[op.period],
            items: [{ request: request(op.weight) }]
          }),
          record: (r: { invoice: { id: string } | null }) => r.invoice !== null && world.invoices.push(r.invoice.id)
        }
    }
    case "RecordRunFailure": {
      const account = pick(world.accounts, op.account)
      return account === undefined ?
        undefined :
        {
          effect: RecurringBilling.recordBillingRunFailure(world.user, {
            customerId: account.customerId,
            period: periods[op.period],
            error: texts[1]!
          }),
          record: none
        }
    }
    case "RunRecurring": {
      const usage: Array<unknown> = op.accounts.flatMap((i) => {
        const account = world.accounts[i]
        return account === undefined ? [] : [{ customerId: account.customerId, items: [{ request: request(i) }] }]
      })
      if (op.junk) {
        usage.push(
          { customerId: world.uuid("0c0c"), items: [{ request: request(0) }] },
          { customerId: "not-an-id", items: "junk" }
        )
      }
      world.usage.set(periods[op.period], usage)
      return {
        effect: RecurringBilling.runRecurringBilling(world.system, {
          period: periods[op.period],
          batchSizeMax: op.batch
        }),
        record: (r: { outcomes: ReadonlyArray<{ invoiceId: string | null; outcome: string }> }) => {
          for (const o of r.outcomes) {
            if (o.outcome === "Invoiced" && o.invoiceId !== null) world.invoices.push(o.invoiceId)
          }
        }
      }
    }
    default:
      return undefined
  }
}

/** Time passes, then every daily job runs as the system (small batches: the order of claims shows). */
const tick = (world: World, hours: number): Step => ({
  effect: Effect.gen(function*() {
    world.clock.millis += hours * 3_600_000
    const s = world.system
    return {
      overdue: yield* Jobs.markOverdueInvoices(s, { batchSizeMax: 2 }),
      reminders: yield* Jobs.sendInvoiceReminders(s, { batchSizeMax: 2 }),
      holds: yield* Jobs.expireCreditHolds(s, { batchSizeMax: 2 }),
      rates: yield* Jobs.deactivateExpiredRates(s, { batchSizeMax: 1 }),
      quotes: yield* Jobs.expireQuotes(s, { batchSizeMax: 1 })
    }
  }),
  record: none
})

const forged = (world: World, kind: Extract<Op, { _tag: "Forged" }>["kind"]): Step => {
  const id = world.forged()
  const u = world.user
  const effect = kind === "quote" ?
    Quotes.sendQuote(u, { quoteId: id })
    : kind === "dispute" ?
    Disputes.approveDispute(u, { disputeId: id })
    : kind === "card" ?
    RateCards.deleteRateCard(u, { rateCardId: id })
    : kind === "surcharge" ?
    RateCards.updateSurcharge(u, { surchargeId: id, isActive: false })
    : kind === "sync" ?
    AccountingSyncs.retryAccountingSync(u, { syncId: id })
    : Disputes.openDispute(u, { invoiceId: id, lineIndex: 0, amountMinor: 1n, reason: "x" })
  return { effect, record: none }
}

/** The step of `op` in `world`, or undefined when it has nothing to act on yet. */
export const opStep = (world: World, op: Op): Step | undefined => {
  world.accountingMode = "ok"
  switch (op._tag) {
    case "Tick":
      return tick(world, op.hours)
    case "Forged":
      return forged(world, op.kind)
    default:
      return rateStep(world, op) ?? quoteStep(world, op) ?? disputeStep(world, op) ?? syncStep(world, op)
  }
}

/** Opens `n` approved KZT accounts (one with a small limit) for fresh customers. */
export const openAccounts = (world: World): Array<{ readonly kind: string; readonly step: Step }> =>
  [100_000_000n, 100_000_000n, 20_000n, 100_000_000n].map((limit, n) => {
    const customerId = world.uuid("cccc") as Ids.CustomerId
    return {
      kind: "OpenAccount",
      step: {
        effect: Effect.flatMap(
          ClientAccounts.openAccount(world.user, { customerId, currency: "KZT" }),
          (a) =>
            ClientAccounts.setCreditTerms(world.user, {
              accountId: a.id,
              creditLimitMinor: limit,
              isCreditApproved: n !== 3
            })
        ),
        record: (a: { id: string }) => world.accounts.push({ id: a.id, customerId })
      }
    }
  })

/** A fixed prefix after the accounts, so every run reaches the main paths (the random part follows). */
export const opening: ReadonlyArray<Op> = [
  { _tag: "CreateCard", level: 0, zone: 0, tiers: 0, validity: "current", allUnits: false, minimum: false },
  { _tag: "CreateSurcharge", percent: true, zone: 1, validity: "current" },
  { _tag: "CreateQuote", account: 0, weight: 1, lines: 2, expiresInHours: null, text: 1 },
  { _tag: "SendQuote", quote: 0 },
  { _tag: "AcceptQuote", quote: 0, upfront: "exact" },
  { _tag: "CreateQuote", account: 1, weight: 2, lines: 1, expiresInHours: 48, text: 2 },
  { _tag: "SendQuote", quote: 1 },
  { _tag: "AcceptQuote", quote: 1, upfront: "none" },
  { _tag: "OpenDispute", invoice: 1, line: 0, amount: 5_000n },
  { _tag: "ApproveDispute", dispute: 0, amount: null },
  { _tag: "InvoiceDocument", invoice: 1 },
  { _tag: "RunSync", mode: "ok", batch: 2 },
  { _tag: "RunRecurring", period: 1, accounts: [0, 2], junk: true, batch: 3 },
  // one of every other kind, so every run reaches each command whatever the seed draws
  { _tag: "OpenDispute", invoice: 1, line: 0, amount: 100n },
  { _tag: "RejectDispute", dispute: 1 },
  { _tag: "UpdateCard", card: 0, change: "rename" },
  { _tag: "UpdateSurcharge", surcharge: 0, change: "rename" },
  { _tag: "Price", weight: 1, level: 0 },
  { _tag: "BillOfLading", text: 2, lines: 2, customer: true },
  { _tag: "RunSync", mode: "fatal", batch: 1 },
  { _tag: "RetrySync", sync: 0 },
  { _tag: "BillUsage", account: 1, period: 0, weight: 0 },
  { _tag: "RecordRunFailure", account: 3, period: 0 },
  { _tag: "CreateSurcharge", percent: false, zone: 0, validity: "current" },
  { _tag: "DeleteSurcharge", surcharge: 1 },
  { _tag: "CreateCard", level: 1, zone: 2, tiers: 1, validity: "current", allUnits: true, minimum: true },
  { _tag: "DeleteCard", card: 1 },
  { _tag: "Tick", hours: 30 },
  { _tag: "Forged", kind: "quote" }
]

/** Everything the run created, read through the public queries (errors included: a NotFound must agree too). */
export const readWorld = (world: World): Effect.Effect<unknown, never, any> =>
  Effect.gen(function*() {
    const u = world.user
    const one = (effect: Effect.Effect<unknown, unknown, any>) => Effect.map(Effect.exit(effect), normalizedOutcome)
    const each = <A>(ids: ReadonlyArray<A>, f: (id: A) => Effect.Effect<unknown, unknown, any>) =>
      Effect.forEach(ids, (id) => one(f(id)))
    return {
      cards: yield* one(RateCards.listRateCards(u, {})),
      surcharges: yield* one(RateCards.listSurcharges(u, {})),
      quotes: yield* one(Quotes.listQuotes(u, {})),
      accounts: yield* each(world.accounts, (a) => ClientAccounts.getAccount(u, { accountId: a.id })),
      invoices: yield* each(world.invoices, (id) => Invoices.getInvoice(u, { invoiceId: id })),
      invoiceEvents: yield* each(world.invoices, (id) => Invoices.invoiceEvents(u, { invoiceId: id })),
      creditNotes: yield* each(world.invoices, (id) => CreditNotes.listCreditNotes(u, { invoiceId: id })),
      disputes: yield* each(world.invoices, (id) => Disputes.listDisputes(u, { invoiceId: id })),
      invoiceDocuments: yield* each(
        world.invoices,
        (id) => Documents.listDocuments(u, { kind: "Invoice", sourceId: id })
      ),
      bills: yield* each(world.shipments, (id) => Documents.listDocuments(u, { kind: "BillOfLading", sourceId: id })),
      syncs: yield* one(AccountingSyncs.listAccountingSyncs(u, {})),
      syncLogs: yield* each(world.syncs, (id) => AccountingSyncs.accountingSyncLog(u, { syncId: id })),
      runs: yield* one(RecurringBilling.listBillingRuns(u, {})),
      platform: yield* platformRecords(world.tenant, [u.userId, world.system.userId])
    }
  })
