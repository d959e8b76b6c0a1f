/**
 * TEN-01: every identity command and query is scoped to the actor's tenant. An admin of tenant A
 * who sends ids of tenant B (forged or leaked) gets `NotFound` and changes nothing; lists never
 * show B's records; workspace-scoped records stay inside their workspace.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Access, Sessions } from "@erpkit/identity"
import {
  expectForgedAttemptsRefused,
  expectListsScoped,
  expectWorkspaceScoping,
  layerTest,
  populatedTenant as populated
} from "@erpkit/identity/testing"
import { snapshot } from "./helpers.ts"

layer(layerTest())("TEN-01 tenant isolation", (it) => {
  it.effect("TEN-01 forged ids of another tenant give NotFound through every identity command and write nothing", () =>
    expectForgedAttemptsRefused(snapshot))

  it.effect("TEN-01 lists and reads never show another tenant's records", () => expectListsScoped)

  it.effect("TEN-01 employees and departments stay inside their workspace", () => expectWorkspaceScoping)

  it.effect("TEN-01 a session token authenticates only into the tenant it was opened for", () =>
    Effect.gen(function*() {
      const a = yield* populated
      const who = yield* Sessions.authenticate(Access.anonymous(a.tenant), { token: a.session.token })
      assert.deepStrictEqual(who.session.tenant, a.tenant)
    }))
})
