/**
 * Test fixtures: the memory layer with deterministic ids, actors per billing role, a snapshot of
 * every table, and short flows (an approved account, an issued invoice) built from the real commands.
 */
// `Errors` is imported as a type so declaration emit can name the kernel errors the flows infer.
/* oxlint-disable no-unused-vars -- declaration emit names these types */
import {
  Actor,
  type Command,
  type Errors,
  Ids,
  layerMemory as kernelLayerMemory,
  MemoryStore,
  type Tenant
} from "@erpkit/kernel"
/* oxlint-enable no-unused-vars */
import { actor, tenantA } from "@erpkit/kernel/testing"
import { Effect, Layer } from "effect"
import type * as RateCard from "../RateCard.ts"
import * as ClientAccounts from "../ClientAccounts.ts"
import { tables } from "../internal/memory.ts"
import * as Invoices from "../Invoices.ts"
import * as RateCards from "../RateCards.ts"
import { layerMemory as billingLayerMemory, type Repositories } from "../layers.ts"
import { grants } from "../Permissions.ts"

/**
 * Billing's ports and the kernel platform in memory, sequential ids (`seed` separates generators),
 * billing's grants: the test stack (`layerTest` in every context's `testing`).
 */
export const layerTest = (
  seed = 0,
  withGrants: Actor.Grants = grants
): Layer.Layer<Repositories | Command.CommandServices | MemoryStore.MemoryStore> =>
  billingLayerMemory.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        kernelLayerMemory,
        Ids.IdGenerator.layerSequential(seed),
        Actor.Authorization.layerStatic(withGrants)
      )
    )
  )

/** Every table a billing command may write, billing's and the platform's. */
export const tableNames: ReadonlyArray<string> = [
  ...Object.values(tables),
  `${tables.documents}#version`,
  "platform.outbox",
  "platform.audit_log",
  "platform.idempotency_keys"
]

/** The committed content of every table, as JSON text per table (rows sorted), for before/after comparisons. */
export const snapshot: Effect.Effect<Record<string, string>, never, MemoryStore.MemoryStore> = Effect.gen(function*() {
  const store = yield* MemoryStore.MemoryStore
  const result: Record<string, string> = {}
  for (const name of tableNames) {
    const rows = yield* store.table<unknown>(name).all
    result[name] = JSON.stringify(
      rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).sort()
    )
  }
  return result
})

export const financeManager = (tenant: Tenant.Tenant = tenantA) => actor(["Finance Manager"], tenant)
export const accountsManager = (tenant: Tenant.Tenant = tenantA) => actor(["Accounts Manager"], tenant)
export const salesManager = (tenant: Tenant.Tenant = tenantA) => actor(["Sales Manager"], tenant)
export const customerUser = (tenant: Tenant.Tenant = tenantA) => actor(["customer"], tenant)
export const system = (tenant: Tenant.Tenant = tenantA) => Actor.system(tenant)
export const pricingAnalyst = (tenant: Tenant.Tenant = tenantA) => actor(["Pricing Analyst"], tenant)

let customerCounter = 0
/** A fresh customer id (UUIDv7-shaped, distinct per call). */
export const customerId = (): Ids.CustomerId =>
  `0d000000-0000-7000-8000-${(++customerCounter).toString(16).padStart(12, "0")}` as Ids.CustomerId

/** Opens an account for a fresh customer with the given credit terms. */
export const openAccount = (
  options: {
    readonly creditLimitMinor?: bigint
    readonly approved?: boolean
    readonly currency?: "KZT" | "USD"
    readonly tenant?: Tenant.Tenant
  } = {}
) =>
  Effect.gen(function*() {
    const fm = financeManager(options.tenant)
    const account = yield* ClientAccounts.openAccount(fm, {
      customerId: customerId(),
      currency: options.currency ?? "KZT"
    })
    if (options.creditLimitMinor === undefined && options.approved === undefined) return account
    return yield* ClientAccounts.setCreditTerms(fm, {
      accountId: account.id,
      creditLimitMinor: options.creditLimitMinor ?? 0n,
      isCreditApproved: options.approved ?? true
    })
  })

let invoiceCounter = 0
/** A unique invoice number. */
export const invoiceNumber = () => `INV-T-${++invoiceCounter}`

/** A one-line draft of `unitPriceMinor` × 1 with 12 % VAT added (total = price × 1.12, half-up). */
export const draftInvoice = (
  accountId: string,
  unitPriceMinor: bigint,
  options: {
    readonly issueDate?: string
    readonly dueDate?: string
    readonly tenant?: Tenant.Tenant
    readonly taxRate?: string
  } = {}
) =>
  Invoices.createInvoice(financeManager(options.tenant), {
    accountId,
    invoiceNumber: invoiceNumber(),
    issueDate: options.issueDate ?? "2026-01-01",
    dueDate: options.dueDate ?? "2026-01-31",
    items: [{
      description: "Freight",
      quantity: "1",
      unitPriceMinor,
      ...(options.taxRate === undefined ? {} : { taxRate: options.taxRate })
    }]
  })

/** A draft issued (Sent) on an approved account. */
export const sentInvoice = (
  accountId: string,
  unitPriceMinor: bigint,
  options: Parameters<typeof draftInvoice>[2] = {}
) =>
  Effect.flatMap(
    draftInvoice(accountId, unitPriceMinor, options),
    (draft) => Invoices.issueInvoice(financeManager(options.tenant), { invoiceId: draft.id })
  )

/**
 * A rate card for `serviceLevel` and `basis` (default: Standard, Weight, every zone, KZT, valid all of
 * 2026, Graduated 0–100 at 100.00/unit then 80.00/unit), created by a Pricing Analyst.
 */
export const rateCard = (overrides: Record<string, unknown> = {}, tenant: Tenant.Tenant = tenantA) =>
  RateCards.createRateCard(pricingAnalyst(tenant), {
    name: "Standard by weight",
    serviceLevel: "Standard",
    basis: "Weight",
    currency: "KZT",
    tiers: [{ upTo: "100", unitPriceMinor: 10_000n }, { upTo: null, unitPriceMinor: 8_000n }],
    validFrom: "2026-01-01",
    validTo: "2026-12-31",
    ...overrides
  })

/** A service request of `weightKg` (and optional other measures) for Standard in zone Almaty. */
export const request = (
  weightKg: string,
  other: ReadonlyArray<{ readonly basis: RateCard.PricingBasis; readonly quantity: string }> = []
) => ({
  serviceLevel: "Standard",
  zone: "Almaty",
  measures: [{ basis: "Weight" as const, quantity: weightKg }, ...other]
})
