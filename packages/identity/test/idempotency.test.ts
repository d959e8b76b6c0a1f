/**
 * Idempotency keys through identity commands: the same key and input returns the first result (the
 * output schemas round-trip through JSON), other input under the key is `IdempotencyKeyReused`. Commands whose
 * result holds a one-time secret (registration code, session token) keep no result: a replay is
 * `ReplayWithheld`, and writes nothing.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Actor } from "@erpkit/kernel"
import { Access, Departments, Organizations, Settings, Users } from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import { freshBin, freshEmail, openTenant, outcome, snapshot, userWithRole } from "./helpers.ts"

layer(layerTest())("idempotency", (it) => {
  it.effect("a retried command with the same key returns the first result, writes once; secret-bearing: refused", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const input = { email: freshEmail(), name: "Ana" }
      yield* Users.register(Access.anonymous(tenant), input, { idempotencyKey: "reg-1" })
      const users = yield* snapshot
      assert.strictEqual(
        yield* outcome(Users.register(Access.anonymous(tenant), input, { idempotencyKey: "reg-1" })),
        "ReplayWithheld"
      )
      assert.strictEqual(yield* snapshot, users, "a refused replay writes nothing")
      assert.strictEqual(
        yield* outcome(
          Users.register(Access.anonymous(tenant), { ...input, name: "Other" }, { idempotencyKey: "reg-1" })
        ),
        "IdempotencyKeyReused"
      )
      const setting = {
        key: "ui.layout",
        scope: "organization",
        dataType: "json",
        value: { columns: [1, 2], dense: true }
      } as const
      const s1 = yield* Settings.defineSetting(actor, setting, { idempotencyKey: "set-1" })
      assert.deepStrictEqual(yield* Settings.defineSetting(actor, setting, { idempotencyKey: "set-1" }), s1)
      const d1 = yield* Departments.createDepartment(actor, { name: "Ops" }, { idempotencyKey: "dep-1" })
      assert.deepStrictEqual(
        yield* Departments.createDepartment(actor, { name: "Ops" }, { idempotencyKey: "dep-1" }),
        d1
      )
      assert.strictEqual((yield* Departments.listDepartments(actor, {})).length, 1)
      const org = { name: "Client", bin: freshBin(), kind: "customer" } as const
      const o1 = yield* Organizations.createOrganization(Actor.system(tenant), org, { idempotencyKey: "org-1" })
      assert.deepStrictEqual(
        yield* Organizations.createOrganization(Actor.system(tenant), org, { idempotencyKey: "org-1" }),
        o1
      )
    }))
})
