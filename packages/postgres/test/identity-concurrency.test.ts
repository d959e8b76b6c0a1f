/**
 * Identity under concurrency on Postgres. On the server (a pool of 12 connections) the commands really
 * race; on PGlite (one connection) they serialize, and the same assertions must hold.
 *
 * - AUTH-03: concurrent registrations of case and Unicode variants of one address: exactly one wins,
 *   every other gets the typed `EmailTaken` from the unique e-mail key, one row exists.
 * - AUTH-20: a code consumed concurrently is used exactly once.
 * - Optimistic concurrency: two concurrent updates of one user read the same version; one writes.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Actor } from "@erpkit/kernel"
import { Access, Users, Verifications } from "@erpkit/identity"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { shared, stackLayer } from "./identity/harness.ts"
import { freshEmail, openTenant, register, userWithRole } from "./identity/helpers.ts"
import { targets } from "./targets.ts"

/** Spellings of one address that `Email.keyOf` maps to the same key (case, NFC/NFD, spaces). */
const variants = (
  local: string
) => [
  `${local}josé@example.kz`,
  `${local.toUpperCase()}JOSÉ@EXAMPLE.KZ`,
  `${local}jose\u0301@example.kz`,
  `${local.toUpperCase()}JOSE\u0301@Example.KZ`,
  `  ${local}José@example.kz `,
  `${local}JoSé@eXample.kz`,
  `${local}JOSE\u0301@example.kz`,
  `${local}josé@EXAMPLE.kz`
]

const tags = <A, E extends { readonly _tag: string }>(exits: ReadonlyArray<Exit.Exit<A, E>>) =>
  exits.map((
    exit
  ) => (Exit.isSuccess(exit)
    ? "Success"
    : exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error._tag : r._tag)).join(","))
  )

for (const target of targets("identity-concurrency.test.ts")) {
  describe(target.name, () => {
    layer(shared(stackLayer(target)), { excludeTestServices: true, timeout: "120 seconds" })(
      "identity concurrency on Postgres",
      (it) => {
        it.effect("AUTH-03 concurrent registrations of case/Unicode variants: one wins, others get EmailTaken", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const tenant = yield* openTenant()
            for (let round = 0; round < 5; round++) {
              // unique per round, file and run without a clock: the fixtures' counter and run suffix
              const local = `${freshEmail(`r${round}x`).split("@")[0]!}.`
              const exits = yield* Effect.all(
                variants(local).map((email) =>
                  Effect.exit(Users.register(Access.anonymous(tenant), { email, name: "José" }))
                ),
                { concurrency: "unbounded" }
              )
              const outcomes = tags(exits)
              assert.strictEqual(
                outcomes.filter((t) => t === "Success").length,
                1,
                `round ${round}: ${outcomes.join(" ")}`
              )
              assert.strictEqual(
                outcomes.filter((t) => t === "EmailTaken").length,
                variants(local).length - 1,
                outcomes.join(" ")
              )
              for (const exit of exits) {
                if (Exit.isFailure(exit)) {
                  const error = exit.cause.reasons[0]
                  assert.include(
                    error?._tag === "Fail" ? (error.error as { message?: string }).message ?? "" : "",
                    "already registered"
                  )
                }
              }
              const key = `${local}josé@example.kz`.normalize("NFC")
              const rows = yield* db.transaction(
                SqlState.orDie(
                  db.sql<{ n: number }>`SELECT count(*)::int AS n FROM auth.users WHERE email_key = ${key}`
                )
              )
              assert.strictEqual(rows[0]!.n, 1)
            }
          }))

        it.effect("AUTH-20 a code consumed by concurrent requests is used exactly once", () =>
          Effect.gen(function*() {
            const tenant = yield* openTenant()
            const { user } = yield* register(tenant)
            const issued = yield* Verifications.issueVerificationCode(Actor.system(tenant), {
              email: user.email,
              type: "password_reset"
            })
            const exits = yield* Effect.all(
              Array.from(
                { length: 6 },
                () =>
                  Effect.exit(
                    Verifications.consumeVerificationCode(Access.anonymous(tenant), {
                      email: user.email,
                      type: "password_reset",
                      code: issued.code
                    })
                  )
              ),
              { concurrency: "unbounded" }
            )
            const outcomes = tags(exits)
            assert.strictEqual(outcomes.filter((t) => t === "Success").length, 1, outcomes.join(" "))
            assert.strictEqual(outcomes.filter((t) => t === "VerificationFailed").length, 5, outcomes.join(" "))
          }))

        it.effect("optimistic concurrency: of concurrent updates of one version, one writes, others StaleVersion", () =>
          Effect.gen(function*() {
            const tenant = yield* openTenant()
            const { actor: admin } = yield* userWithRole(tenant, "admin")
            const { user } = yield* register(tenant)
            const exits = yield* Effect.all(
              Array.from(
                { length: 6 },
                (_, i) => Effect.exit(Users.updateProfile(admin, { userId: user.id, name: `Name ${i}` }))
              ),
              { concurrency: "unbounded" }
            )
            const outcomes = tags(exits)
            const wins = outcomes.filter((t) => t === "Success").length
            console.log(
              `[identity concurrency] ${target.name}: concurrent updateProfile outcomes ${outcomes.join(" ")}`
            )
            assert.isAtLeast(wins, 1, outcomes.join(" "))
            assert.strictEqual(wins + outcomes.filter((t) => t === "StaleVersion").length, 6, outcomes.join(" "))
            const stored = yield* Users.getUser(admin, { userId: user.id })
            assert.strictEqual(stored.version, 1 + wins, "every successful write is one version, none lost")
          }))
      }
    )
  })
}
