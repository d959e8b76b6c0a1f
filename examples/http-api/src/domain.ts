/**
 * The domain stack the API runs on: identity and billing on Postgres (PGlite in memory by default,
 * the server in DATABASE_URL when set), the merged role grants, ids, secure randomness and the
 * example's password store.
 */
import { grants as billingGrants } from "@erpkit/billing"
import { grants as identityGrants, Roles, SecureRandom } from "@erpkit/identity"
import { Actor, Ids } from "@erpkit/kernel"
import { billingModule, identityModule, Postgres } from "@erpkit/postgres"
import { Layer } from "effect"
import * as Credentials from "./Credentials.ts"

/** Identity's and billing's role → permission tables, merged. */
export const grants = Actor.mergeGrants(identityGrants, billingGrants)

/** Both context modules, migrated in order. */
export const modules = [identityModule, billingModule] as const

/** Everything above the database: authorization, ids, randomness, passwords, the root tenant. */
const services = Layer.mergeAll(Roles.layerAuthorization(grants), SecureRandom.SecureRandom.layerLive).pipe(
  Layer.merge(Credentials.layerMemory),
  Layer.merge(Credentials.layerTenantDirectory),
  Layer.merge(Layer.succeed(Credentials.RootTenant, Credentials.rootTenant))
)

/** The domain over a given database layer (tests pass their own). */
export const layerOver = <ROut, E>(database: Layer.Layer<ROut, E>) =>
  services.pipe(Layer.provideMerge(Layer.merge(database, Ids.IdGenerator.layerUuidV7)))

/** The domain on DATABASE_URL, else PGlite in memory. */
export const layerFromEnv = () => layerOver(Postgres.layerFromEnv({ modules }))
