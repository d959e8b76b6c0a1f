/**
 * Helpers of the billing tests: billing on a Postgres target (the platform, the billing module with
 * every billing port, billing's grants).
 */
import type { Layer } from "effect"
import type { Actor, Ids } from "@erpkit/kernel"
import { grants, type Repositories } from "@erpkit/billing"
import { billingModule } from "../../src/billing/index.ts"
import type { PlatformServices } from "../../src/Postgres.ts"
import type { Target } from "../targets.ts"

export type BillingServices = Repositories | PlatformServices | Ids.IdGenerator | Actor.Authorization

/** Billing on `target`; `extra` layers (e.g. sequential ids) override the target's. */
export const billingLayer = (
  target: Target,
  options: { readonly grants?: Actor.Grants } = {}
): Layer.Layer<BillingServices> => target.layer({ modules: [billingModule], grants: options.grants ?? grants })
