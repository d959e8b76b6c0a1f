/**
 * Identity on Postgres for the tests: the platform + `identityModule` on each target, built once per
 * test file and shared by its suites (the contract suites only add rows with ids of their own).
 */
import { afterAll } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import { type Actor, Ids } from "@erpkit/kernel"
import { grants as identityGrants, Roles, SecureRandom } from "@erpkit/identity"
import { identityModule } from "../../src/identity/index.ts"
import type { Target } from "../targets.ts"

/** `layer`, built on first use and released after the file's tests; every user shares one instance. */
export const shared = <A, E>(layer: Layer.Layer<A, E>): Layer.Layer<A, E> => {
  let runtime: ManagedRuntime.ManagedRuntime<A, E> | undefined
  afterAll(() => runtime?.dispose())
  return Layer.effectContext(Effect.suspend(() => (runtime ??= ManagedRuntime.make(layer)).contextEffect))
}

/** The platform and the identity repositories on `target`. */
export const portsLayer = (target: Target) => target.layer({ modules: [identityModule] })

/**
 * Everything identity's commands need on `target`: repositories, kernel ports, tenant-aware
 * authorization over identity's default grants, deterministic ids and randomness.
 */
export const stackLayer = (target: Target, grants: Actor.Grants = identityGrants) =>
  Layer.mergeAll(Roles.layerAuthorization(grants), SecureRandom.layerDeterministic(7)).pipe(
    Layer.provideMerge(Layer.merge(target.layer({ modules: [identityModule], grants }), Ids.IdGenerator.layerUuidV7))
  )
