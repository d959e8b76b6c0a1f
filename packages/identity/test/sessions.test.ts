/** Session rules AUTH-10 … AUTH-15 and the session events of AUTH-18. */
import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { Actor, MemoryStore, Outbox } from "@erpkit/kernel"
import {
  Access,
  IdentityConfig,
  SecureRandom,
  Session,
  SessionRepository,
  Sessions,
  Verifications
} from "@erpkit/identity"
import { expectSessionCleanup, layerTest } from "@erpkit/identity/testing"
import { actorOf, openTenant, outcome, register, snapshot, userWithRole } from "./helpers.ts"

const hour = 60 * 60 * 1000

layer(layerTest())("sessions", (it) => {
  it.effect("AUTH-10 tokens are unique, unguessable (256 bits) and stored only as a SHA-256 hash", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const created = yield* Effect.forEach(
        [1, 2, 3],
        () => Sessions.createSession(Actor.system(tenant), { userId: user.id })
      )
      const tokens = created.map((c) => c.token)
      assert.strictEqual(new Set(tokens).size, 3)
      for (const t of tokens) assert.match(t, /^[0-9a-f]{64}$/)
      const stored = yield* MemoryStore.MemoryStore.use((s) => s.table<Session.Session>("auth.sessions").all)
      assert.isFalse(
        stored.some((row) => tokens.some((t) => JSON.stringify(row).includes(t))),
        "no plain token at rest"
      )
      assert.isTrue(
        Option.isNone(yield* SessionRepository.use((r) => r.findByTokenHash(tokens[0]!))),
        "the plain token is not the key"
      )
      const byHash = yield* Effect.flatMap(
        SecureRandom.sha256Hex(tokens[0]!),
        (h) => SessionRepository.use((r) => r.findByTokenHash(h))
      )
      assert.deepStrictEqual(Option.map(byHash, (s) => s.id), Option.some(created[0]!.session.id))
    }))

  it.effect("AUTH-10 with an idempotency key no plain token or code is kept; a replay is a Conflict, no secret", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const system = Actor.system(tenant)
      const { token } = yield* Sessions.createSession(system, { userId: user.id }, { idempotencyKey: "login-1" })
      const { code } = yield* Verifications.issueVerificationCode(
        system,
        { email: user.email, type: "password_reset" },
        { idempotencyKey: "code-1" }
      )
      // every identity and platform table: sessions, codes, outbox, audit log, idempotency records
      const everything = yield* snapshot
      assert.isFalse(everything.includes(token), "no plain token at rest, idempotency records included")
      assert.isFalse(everything.includes(`"${code}"`), "no plain code at rest, idempotency records included")
      assert.strictEqual(
        yield* outcome(Sessions.createSession(system, { userId: user.id }, { idempotencyKey: "login-1" })),
        "ReplayWithheld"
      )
      assert.strictEqual(
        yield* outcome(
          Verifications.issueVerificationCode(
            system,
            { email: user.email, type: "password_reset" },
            { idempotencyKey: "code-1" }
          )
        ),
        "ReplayWithheld"
      )
      // the replay wrote nothing: still one session
      assert.strictEqual((yield* Sessions.listSessions(system, { userId: user.id })).length, 1)
    }))

  it.effect("AUTH-10 a token hash clash is a Conflict and the session is not stored", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const { session } = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      const stored = Option.getOrThrow(yield* SessionRepository.use((r) => r.findById(session.id)))
      const copy = { ...stored, id: "0f000000-0000-7000-8000-000000000001" as Session.SessionId }
      assert.strictEqual(yield* outcome(SessionRepository.use((r) => r.insert(copy))), "Conflict")
      assert.isTrue(Option.isNone(yield* SessionRepository.use((r) => r.findById(copy.id))))
    }))

  it.effect("AUTH-11 a session references an existing user", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const before = yield* snapshot
      const ghost = "0f000000-0000-7000-8000-0000000000ff"
      assert.strictEqual(yield* outcome(Sessions.createSession(Actor.system(tenant), { userId: ghost })), "NotFound")
      assert.strictEqual(yield* snapshot, before)
    }))

  it.effect("AUTH-12 expires_at must be in the future when the session is created", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(10 * hour)
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const before = yield* snapshot
      // 10 h + 0.5 ms is in the future but not an Instant: stored timestamps are whole milliseconds
      for (const expiresAt of [10 * hour, 10 * hour - 1, 0, 10 * hour + 0.5]) {
        assert.strictEqual(
          yield* outcome(Sessions.createSession(Actor.system(tenant), { userId: user.id, expiresAt })),
          "ValidationError"
        )
      }
      assert.strictEqual(yield* snapshot, before)
      const ok = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id, expiresAt: 10 * hour + 1 })
      assert.strictEqual(ok.session.expiresAt, 10 * hour + 1)
    }))

  it.effect("AUTH-12 a fractional session lifetime still expires on a whole millisecond", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(10 * hour)
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const config = { ...(yield* IdentityConfig), sessionTtlMillis: hour + 0.4 }
      const { session } = yield* Effect.provideService(
        Sessions.createSession(Actor.system(tenant), { userId: user.id }),
        IdentityConfig,
        config
      )
      assert.strictEqual(session.expiresAt, 11 * hour)
    }))

  it.effect("AUTH-13 id, token, user, created_at and expires_at are immutable; ip_address, user_agent may change", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const self = actorOf(user, tenant)
      const { session, token } = yield* Sessions.createSession(Actor.system(tenant), {
        userId: user.id,
        ipAddress: "1.1.1.1"
      })
      const stored = Option.getOrThrow(yield* SessionRepository.use((r) => r.findById(session.id)))
      for (const changes of [
        { expiresAt: session.expiresAt + hour },
        { token: "x" },
        { userId: user.id },
        { createdAt: 0 },
        { id: session.id },
        { tenant }
      ]) {
        assert.strictEqual(
          yield* outcome(Sessions.updateSession(self, { sessionId: session.id, changes })),
          "Immutable",
          JSON.stringify(changes)
        )
      }
      assert.strictEqual(
        yield* outcome(Sessions.updateSession(self, { sessionId: session.id, changes: { color: "red" } })),
        "ValidationError"
      )
      assert.deepStrictEqual(yield* SessionRepository.use((r) => r.findById(session.id)), Option.some(stored))
      const updated = yield* Sessions.updateSession(self, {
        sessionId: session.id,
        changes: { ipAddress: "2.2.2.2", userAgent: "Firefox" }
      })
      assert.deepStrictEqual(
        updated,
        new Session.SessionView({ ...session, ipAddress: "2.2.2.2", userAgent: "Firefox" })
      )
      const after = Option.getOrThrow(yield* SessionRepository.use((r) => r.findById(session.id)))
      assert.deepStrictEqual(
        new Session.Session({ ...after, ipAddress: stored.ipAddress, userAgent: stored.userAgent }),
        stored
      )
      assert.strictEqual(
        (yield* Sessions.authenticate(Access.anonymous(tenant), { token })).session.ipAddress,
        "2.2.2.2"
      )
    }))

  it.effect("AUTH-14 a session can be deleted manually (logout, or revoked by its user or an admin)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const { actor: admin } = yield* userWithRole(tenant, "Admin")
      const { actor: peer } = yield* userWithRole(tenant, "employee")
      const first = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      const who = yield* Sessions.authenticate(Access.anonymous(tenant), { token: first.token })
      assert.deepStrictEqual(who.actor, { userId: user.id, roles: ["employee"], tenant })
      assert.deepStrictEqual(yield* Sessions.logout(Access.anonymous(tenant), { token: first.token }), {
        deleted: true
      })
      assert.strictEqual(
        yield* outcome(Sessions.authenticate(Access.anonymous(tenant), { token: first.token })),
        "SessionInvalid"
      )
      assert.deepStrictEqual(yield* Sessions.logout(Access.anonymous(tenant), { token: first.token }), {
        deleted: false
      })
      const second = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      assert.strictEqual(yield* outcome(Sessions.revokeSession(peer, { sessionId: second.session.id })), "Forbidden")
      yield* Sessions.revokeSession(admin, { sessionId: second.session.id })
      const third = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      yield* Sessions.revokeSession(actorOf(user, tenant), { sessionId: third.session.id })
      assert.deepStrictEqual(yield* SessionRepository.use((r) => r.listByUser(user.id)), [])
    }))

  it.effect("AUTH-15 the cleanup job deletes every session whose expires_at is past (TestClock)", () =>
    expectSessionCleanup)

  it.effect("AUTH-18 session created and deleted are published as events without the token", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const { session, token } = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      yield* Sessions.logout(Access.anonymous(tenant), { token })
      const events = yield* Outbox.Outbox.use((o) => o.list(tenant, { aggregateId: session.id }))
      assert.deepStrictEqual(events.map((e) => e.type), ["identity.SessionCreated", "identity.SessionDeleted"])
      assert.isFalse(JSON.stringify(events).includes(token))
    }))

  it.effect("AUTH-11 a user of another organization cannot get a session in this tenant", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const other = yield* openTenant()
      const { user } = yield* register(other)
      assert.strictEqual(yield* outcome(Sessions.createSession(Actor.system(tenant), { userId: user.id })), "NotFound")
    }))
})
