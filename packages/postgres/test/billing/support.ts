/**
 * Helpers of the billing tests: billing on a Postgres target (the platform, the billing module,
 * billing's grants). Billing ports that are not on Postgres yet (rate cards, surcharges, quotes,
 * disputes, documents, billing runs) come from billing's memory layer so the type `Repositories` is
 * complete; the core ports under test are the Postgres ones (they override the memory ones, and the
 * tests check rows with raw SQL).
 */
import { Layer } from "effect"
import { type Actor, type Ids, MemoryStore } from "@erpkit/kernel"
import { grants, layerMemory, type Repositories } from "@erpkit/billing"
import { billingModule } from "../../src/billing/index.ts"
import type { PlatformServices } from "../../src/Postgres.ts"
import type { Target } from "../targets.ts"

export type BillingServices = Repositories | PlatformServices | Ids.IdGenerator | Actor.Authorization

/** Billing on `target`; `extra` layers (e.g. sequential ids) override the target's. */
export const billingLayer = (target: Target, options: { readonly grants?: Actor.Grants } = {}): Layer.Layer<BillingServices> =>
  Layer.merge(
    layerMemory.pipe(Layer.provide(MemoryStore.MemoryStore.layer)),
    target.layer({ modules: [billingModule], grants: options.grants ?? grants })
  )
