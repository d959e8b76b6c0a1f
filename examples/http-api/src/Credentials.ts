/**
 * Passwords, which erpkit does not store: the host checks credentials itself and then asks identity
 * for a session (`Sessions.createSession` as the system actor). This example keeps scrypt hashes in
 * memory; a real host keeps them in its own table or uses its auth library (better-auth, an IdP).
 */
import type { Ids, Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option, Ref } from "effect"
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"

/** The tenant the host's own operations run in (creating organizations, looking up sessions). */
export class RootTenant extends Context.Service<RootTenant, Tenant.Tenant>()("example/RootTenant") {}

/** The platform tenant of this example (any fixed pair of ids the host owns). */
export const rootTenant: Tenant.Tenant = {
  organizationId: "01000000-0000-7000-8000-0000000000f1" as Ids.OrganizationId,
  workspaceId: "01000000-0000-7000-8000-0000000000f2" as Ids.WorkspaceId
}

/** What the host knows about a login: the user and the tenant of their home organization. */
export interface Login {
  readonly userId: Ids.UserId
  readonly tenant: Tenant.Tenant
}

/** The host's password store. */
export class Credentials extends Context.Service<Credentials, {
  /** Saves the password of a new login; `false` if the e-mail already has one. */
  readonly save: (email: string, password: string, login: Login) => Effect.Effect<boolean>
  /** The login whose password matches, if any (the same answer for unknown e-mail and wrong password). */
  readonly check: (email: string, password: string) => Effect.Effect<Option.Option<Login>>
  /** The login of an e-mail, for public commands that must run in the user's tenant. */
  readonly find: (email: string) => Effect.Effect<Option.Option<Login>>
}>()("example/Credentials") {}

const emailKey = (email: string) => email.trim().toLowerCase()

const hash = (password: string, salt: Buffer) =>
  Effect.callback<Buffer>((resume) => {
    scrypt(password, salt, 32, (error, key) => resume(error ? Effect.die(error) : Effect.succeed(key)))
  })

/** Scrypt hashes in a map: lost on restart, enough for an example. */
export const layerMemory = Layer.sync(Credentials, () => {
  const store = new Map<string, { readonly salt: Buffer; readonly key: Buffer; readonly login: Login }>()
  return {
    save: (email, password, login) =>
      Effect.gen(function*() {
        if (store.has(emailKey(email))) return false
        const salt = randomBytes(16)
        store.set(emailKey(email), { salt, key: yield* hash(password, salt), login })
        return true
      }),
    check: (email, password) =>
      Effect.gen(function*() {
        const entry = store.get(emailKey(email))
        // hash even for an unknown e-mail, so the timing does not tell which e-mails exist
        const key = yield* hash(password, entry?.salt ?? randomBytes(16))
        return entry !== undefined && timingSafeEqual(key, entry.key) ? Option.some(entry.login) : Option.none()
      }),
    find: (email) => Effect.sync(() => Option.fromNullishOr(store.get(emailKey(email))?.login))
  }
})

/**
 * The tenants the host serves, for the scheduled jobs (billing's sweeps run per tenant). Sign-up adds
 * each new organization's tenant. In memory here; a real host lists its tenants from its own records.
 */
export class TenantDirectory extends Context.Service<
  TenantDirectory,
  {
    readonly add: (tenant: Tenant.Tenant) => Effect.Effect<void>
    readonly all: Effect.Effect<ReadonlyArray<Tenant.Tenant>>
  }
>()("example/TenantDirectory") {}

/** `TenantDirectory` in memory. */
export const layerTenantDirectory = Layer.effect(
  TenantDirectory,
  Effect.gen(function*() {
    const ref = yield* Ref.make<ReadonlyArray<Tenant.Tenant>>([])
    return {
      add: (tenant) =>
        Ref.update(ref, (all) => all.some((t) => t.workspaceId === tenant.workspaceId) ? all : [...all, tenant]),
      all: Ref.get(ref)
    }
  })
)
