/**
 * Every context module in one Postgres layer, as a host wires it: identity and billing together (the
 * type of the layer is the union of both modules' services), their schemas migrated in order, and a
 * flow across both: identity opens a tenant, billing opens an account in it.
 */
import { describe, expect, layer } from "@effect/vitest"
import { ClientAccounts, grants as billingGrants } from "@erpkit/billing"
import { grants as identityGrants, Organization, Organizations, Roles, SecureRandom } from "@erpkit/identity"
import { Actor, Ids, type Tenant } from "@erpkit/kernel"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { billingModule } from "../src/billing/index.ts"
import { identityModule } from "../src/identity/index.ts"
import * as Postgres from "../src/Postgres.ts"
import { targets } from "./targets.ts"

const modules = [identityModule, billingModule] as const
const grants = Actor.mergeGrants(identityGrants, billingGrants)

/** A 12-digit BIN with a valid check digit (identity refuses others). */
const validBin = (): string => {
  for (;;) {
    const body = String(Math.floor(Math.random() * 1e11)).padStart(11, "0")
    const digit = Organization.binCheckDigit(`${body}0`)
    if (digit !== undefined) return `${body}${digit}`
  }
}

for (const target of targets("modules.test.ts")) {
  describe(target.name, () => {
    const live = Layer.mergeAll(Roles.layerAuthorization(grants), SecureRandom.SecureRandom.layerLive).pipe(
      Layer.provideMerge(Layer.merge(target.layer({ modules, grants }), Ids.IdGenerator.layerUuidV7))
    )
    layer(live, { excludeTestServices: true, timeout: "120 seconds" })("identity + billing in one layer", (it) => {
      it.effect("migrates platform, identity and billing, in that order", () =>
        Effect.gen(function*() {
          const sets = Postgres.migrationSets(modules).map((s) => s.schema)
          expect(sets).toEqual(["platform", "identity", "billing"])
          const sql = yield* SqlClient.SqlClient
          const schemas = yield* sql<{ name: string }>`
            SELECT nspname AS name FROM pg_namespace WHERE nspname IN ('platform', 'identity', 'auth', 'billing') ORDER BY 1`
          expect(schemas.map((s) => s.name)).toEqual(["auth", "billing", "identity", "platform"])
          expect(yield* Postgres.migrate(modules)).toEqual([])
        }))

      it.effect("identity opens a tenant; billing opens a client account in it", () =>
        Effect.gen(function*() {
          const root: Tenant.Tenant = {
            organizationId: "01000000-0000-7000-8000-0000000000aa" as Ids.OrganizationId,
            workspaceId: "01000000-0000-7000-8000-0000000000ab" as Ids.WorkspaceId
          }
          const opened = yield* Organizations.createOrganization(Actor.system(root), { name: "Host Co", bin: validBin(), kind: "internal" })
          const tenant: Tenant.Tenant = { organizationId: opened.organization.id, workspaceId: opened.workspace.id }
          const manager: Actor.Actor = { userId: "0e000000-0000-7000-8000-000000000001" as Ids.UserId, roles: ["Accounts Manager"], tenant }
          const account = yield* ClientAccounts.openAccount(manager, {
            customerId: "0f000000-0000-7000-8000-000000000001" as Ids.CustomerId,
            currency: "KZT"
          })
          const read = yield* ClientAccounts.getAccount(manager, { accountId: account.id })
          expect(read.id).toBe(account.id)
          expect(read.currency).toBe("KZT")
        }))
    })
  })
}
