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

/** The run's seed (ERPKIT_TEST_SEED, default 20261206): the BIN, the ids and the randomness derive from it. */
const seed = Number(process.env["ERPKIT_TEST_SEED"] ?? 20_261_206)
const because = (what: string) => `${what} (seed ${seed}; rerun with ERPKIT_TEST_SEED=${seed})`

/**
 * A 12-digit BIN with a valid check digit (identity refuses others), the same for the same seed: the
 * first body from the seed on that has a check digit. Each target has a database of its own, so one
 * BIN per run never collides.
 */
const validBin = (): string => {
  for (let n = 0;; n++) {
    const body = String((seed * 1_000 + n) % 100_000_000_000).padStart(11, "0")
    const digit = Organization.binCheckDigit(`${body}0`)
    if (digit !== undefined) return `${body}${digit}`
  }
}

for (const target of targets("modules.test.ts")) {
  describe(target.name, () => {
    // sequential ids and deterministic randomness from the seed (they replace the target's UUIDv7 ids)
    const live = Layer.mergeAll(Roles.layerAuthorization(grants), SecureRandom.SecureRandom.layerDeterministic(seed))
      .pipe(Layer.provideMerge(Layer.merge(target.layer({ modules, grants }), Ids.IdGenerator.layerSequential(seed))))
    layer(live, { excludeTestServices: true, timeout: "120 seconds" })("identity + billing in one layer", (it) => {
      it.effect("migrates platform, identity and billing, in that order", () =>
        Effect.gen(function*() {
          const sets = Postgres.migrationSets(modules).map((s) => s.schema)
          expect(sets).toEqual(["platform", "identity", "billing"])
          const sql = yield* SqlClient.SqlClient
          const schemas = yield* sql<{ name: string }>`
            SELECT nspname AS name FROM pg_namespace WHERE nspname IN ('platform', 'identity', 'auth', 'billing')
              ORDER BY 1`
          expect(schemas.map((s) => s.name)).toEqual(["auth", "billing", "identity", "platform"])
          expect(yield* Postgres.migrate(modules)).toEqual([])
        }))

      it.effect("identity opens a tenant; billing opens a client account in it", () =>
        Effect.gen(function*() {
          const root: Tenant.Tenant = {
            organizationId: "01000000-0000-7000-8000-0000000000aa" as Ids.OrganizationId,
            workspaceId: "01000000-0000-7000-8000-0000000000ab" as Ids.WorkspaceId
          }
          const bin = validBin()
          const opened = yield* Organizations.createOrganization(Actor.system(root), {
            name: "Host Co",
            bin,
            kind: "internal"
          })
          expect(opened.organization.bin, because("the seeded BIN")).toBe(bin)
          const tenant: Tenant.Tenant = { organizationId: opened.organization.id, workspaceId: opened.workspace.id }
          const manager: Actor.Actor = {
            userId: "0e000000-0000-7000-8000-000000000001" as Ids.UserId,
            roles: ["Accounts Manager"],
            tenant
          }
          const account = yield* ClientAccounts.openAccount(manager, {
            customerId: "0f000000-0000-7000-8000-000000000001" as Ids.CustomerId,
            currency: "KZT"
          })
          const read = yield* ClientAccounts.getAccount(manager, { accountId: account.id })
          expect(read.id, because("the account read back")).toBe(account.id)
          expect(read.currency).toBe("KZT")
        }))
    })
  })
}
