/**
 * @erpkit/identity/testing: contract suites for every identity port, fast-check arbitraries,
 * fixtures, command-level helpers, the TEN-01 isolation fixtures and a deterministic in-memory layer.
 */
import { Layer } from "effect"
/* oxlint-disable no-unused-vars -- declaration emit names these types */
import {
  type Actor,
  type AuditLog,
  type Idempotency,
  Ids,
  type MemoryStore,
  type Outbox,
  type UnitOfWork
} from "@erpkit/kernel"
/* oxlint-enable no-unused-vars */
import { layerStack } from "../layers.ts"
import { grants as identityGrants } from "../Permissions.ts"
import { SecureRandom } from "../SecureRandom.ts"

export * from "./contract.ts"
export * as Arbitraries from "./arbitraries.ts"
export * as Fixtures from "./fixtures.ts"
export {
  actorOf,
  freshBin,
  freshEmail,
  join,
  openTenant,
  outcome,
  register,
  registerVerified,
  userWithRole
} from "./fixtures.ts"
export * from "./isolation.ts"
export * from "./sessions.ts"
export * from "./takeover.ts"
export * from "./textFields.ts"

/**
 * Identity in memory with sequential ids and deterministic (NOT secure) randomness: every run of a
 * test sees the same ids, tokens and codes. Grants default to identity's own.
 */
export const layerTest = (options: { readonly grants?: Actor.Grants; readonly seed?: number } = {}) =>
  layerStack(
    options.grants ?? identityGrants,
    Ids.IdGenerator.layerSequential(options.seed ?? 0),
    SecureRandom.layerDeterministic((options.seed ?? 0) + 1)
  )

/** The ports on a fresh memory store: what the contract suites run against. */
export const layerPortsMemory = layerTest().pipe(Layer.orDie)
