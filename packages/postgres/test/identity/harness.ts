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
 * Everything identity's commands need on `target`, as a host wires it: the platform with
 * `identityModule`, tenant-aware authorization over identity's default grants (it replaces the
 * target's static one), UUIDv7 ids and the platform CSPRNG.
 */
export const stackLayer = (target: Target, grants: Actor.Grants = identityGrants) =>
  Layer.mergeAll(Roles.layerAuthorization(grants), SecureRandom.SecureRandom.layerLive).pipe(
    Layer.provideMerge(Layer.merge(target.layer({ modules: [identityModule], grants }), Ids.IdGenerator.layerUuidV7))
  )

/** Every identity, auth and platform table: what a snapshot covers. */
export const snapshotTables = [
  "auth.users",
  "auth.sessions",
  "auth.accounts",
  "auth.email_verifications",
  "identity.organizations",
  "identity.workspaces",
  "identity.employees",
  "identity.memberships",
  "identity.invitations",
  "identity.departments",
  "identity.settings",
  "identity.role_permissions",
  "platform.outbox",
  "platform.audit_log",
  "platform.idempotency_keys"
] as const
