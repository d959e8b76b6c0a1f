/**
 * AUTH-15 on any adapter: the session cleanup job on a TestClock. Shared by the memory and the
 * Postgres tests, so both check the same boundary (expired means `expiresAt <= now`), the same
 * events and the same scoping across tenants.
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { Actor, Outbox } from "@erpkit/kernel"
import * as Access from "../Access.ts"
import { SessionRepository } from "../SessionRepository.ts"
import * as Sessions from "../Sessions.ts"
import type * as Organizations from "../Organizations.ts"
import type * as Users from "../Users.ts"
import { type CommandServicesOf, type Failure, openTenant, outcome, register } from "./fixtures.ts"

const hour = 60 * 60 * 1000

/**
 * What the scenario needs: the commands' services, the session port and the outbox (the TestClock is found at run
 * time).
 */
export type SessionCleanupServices =
  | CommandServicesOf<typeof Sessions | typeof Users | typeof Organizations>
  | SessionRepository
  | Outbox.Outbox

/**
 * Sessions of two tenants expire before, exactly at and after the clock: one run of the job deletes
 * every expired one (each tenant's with its own `SessionDeleted` event, reason "expired"), keeps the
 * live one, deletes nothing when run again, and takes the last one once it expires. The clock starts
 * at 100 h; the caller provides the TestClock.
 */
export const expectSessionCleanup: Effect.Effect<void, Failure, SessionCleanupServices> = Effect.gen(function*() {
  yield* TestClock.setTime(100 * hour)
  const tenant = yield* openTenant()
  const other = yield* openTenant()
  const { user } = yield* register(tenant)
  const { user: stranger } = yield* register(other)
  const system = Actor.system(tenant)
  const short = yield* Sessions.createSession(system, { userId: user.id, expiresAt: 101 * hour })
  const edge = yield* Sessions.createSession(system, { userId: user.id, expiresAt: 101 * hour + 30 * 60_000 })
  const elsewhere = yield* Sessions.createSession(Actor.system(other), { userId: stranger.id, expiresAt: 101 * hour })
  const long = yield* Sessions.createSession(system, { userId: user.id, expiresAt: 103 * hour })
  yield* TestClock.adjust("90 minutes")
  assert.strictEqual(
    yield* outcome(Sessions.authenticate(Access.anonymous(tenant), { token: short.token })),
    "SessionInvalid",
    "expired before the job ran"
  )
  const run = yield* Sessions.deleteExpiredSessions
  assert.isAtLeast(run.deleted, 3)
  const mine = (yield* SessionRepository.use((r) => r.listByUser(user.id))).map((s) => s.id)
  assert.deepStrictEqual(mine, [long.session.id], "the one expiring exactly now is gone, the live one stays")
  assert.deepStrictEqual(yield* SessionRepository.use((r) => r.listByUser(stranger.id)), [])
  for (const [owner, session] of [[tenant, edge], [other, elsewhere]] as const) {
    const events = yield* Outbox.Outbox.use((o) => o.list(owner, { aggregateId: session.session.id }))
    assert.deepStrictEqual(events.map((e) => e.type), ["identity.SessionCreated", "identity.SessionDeleted"])
    assert.strictEqual((events[1]!.payload as { reason: string }).reason, "expired")
  }
  assert.strictEqual((yield* Sessions.deleteExpiredSessions).deleted, 0, "idempotent")
  yield* TestClock.adjust("2 hours")
  assert.strictEqual((yield* Sessions.deleteExpiredSessions).deleted, 1)
  assert.deepStrictEqual(yield* SessionRepository.use((r) => r.listByUser(user.id)), [])
})
