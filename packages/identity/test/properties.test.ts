/**
 * Property tests: e-mail uniqueness under any sequence of registrations, e-mail changes and
 * deletions (case and Unicode variants included), and the department tree staying acyclic under
 * any sequence of moves. Each run starts from an empty store; fast-check prints the seed on failure.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, type Layer } from "effect"
import * as fc from "fast-check"
import type { Actor, Tenant } from "@erpkit/kernel"
import {
  Access,
  Department,
  DepartmentRepository,
  Departments,
  UserRepository,
  Users,
  type User
} from "@erpkit/identity"
import { Arbitraries, layerTest } from "@erpkit/identity/testing"
import { openTenant, userWithRole } from "./helpers.ts"

type Services = Layer.Success<ReturnType<typeof layerTest>>

/** Runs one property case on a fresh in-memory identity. */
const run = <A, E>(program: Effect.Effect<A, E, Services>): Promise<A> =>
  Effect.runPromise(Effect.provide(program, layerTest()))

type EmailOp = { readonly kind: "register"; readonly v: Arbitraries.EmailVariant } | {
  readonly kind: "change"
  readonly who: number
  readonly v: Arbitraries.EmailVariant
} | { readonly kind: "delete"; readonly who: number }

const emailOp: fc.Arbitrary<EmailOp> = fc.oneof(
  { weight: 3, arbitrary: Arbitraries.emailVariant.map((v) => ({ kind: "register" as const, v })) },
  {
    weight: 3,
    arbitrary: fc.record({ who: fc.nat(), v: Arbitraries.emailVariant }).map(({ who, v }) => ({
      kind: "change" as const,
      who,
      v
    }))
  },
  { weight: 1, arbitrary: fc.nat().map((who) => ({ kind: "delete" as const, who })) }
)

/** Applies one op to the commands and to the model (userId → base); returns whether they agree. */
const step = (tenant: Tenant.Tenant, admin: Actor.Actor, model: Map<string, number>, op: EmailOp) =>
  Effect.gen(function*() {
    const live = [...model.keys()]
    if (op.kind === "register") {
      const exit = yield* Effect.exit(Users.register(Access.anonymous(tenant), { email: op.v.email, name: "P" }))
      const expectOk = ![...model.values()].includes(op.v.base)
      if (Exit.isSuccess(exit)) model.set(exit.value.user.id, op.v.base)
      return Exit.isSuccess(exit) === expectOk
    }
    if (live.length === 0) return true
    const who = live[op.who % live.length]! as User.User["id"]
    if (op.kind === "delete") {
      yield* Users.deleteUser(admin, { userId: who })
      model.delete(who)
      return true
    }
    const exit = yield* Effect.exit(Users.changeEmail(admin, { userId: who, email: op.v.email }))
    const expectOk = ![...model.entries()].some(([id, base]) => id !== who && base === op.v.base)
    if (Exit.isSuccess(exit)) model.set(who, op.v.base)
    return Exit.isSuccess(exit) === expectOk
  })

describe("properties", () => {
  it("AUTH-03 AUTH-06 e-mail stays unique (case, Unicode, whitespace variants) under any sequence", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(emailOp, { minLength: 1, maxLength: 25 }), (ops) =>
        run(Effect.gen(function*() {
          const tenant = yield* openTenant()
          const { actor: admin } = yield* userWithRole(tenant, "admin")
          const model = new Map<string, number>()
          for (const op of ops) {
            if (!(yield* step(tenant, admin, model, op))) return false
          }
          const users = (yield* UserRepository.use((r) => r.listByOrganization(tenant.organizationId))).filter((u) =>
            model.has(u.id)
          )
          const keys = users.map((u) => u.emailKey)
          return users.length === model.size && new Set(keys).size === keys.length
        }))),
      { numRuns: 150 }
    )
  })

  it("TEN-04 the department tree stays acyclic under any sequence of moves and matches a reference model", async () => {
    const moves = fc.array(fc.record({ dept: fc.nat(), parent: fc.option(fc.nat(), { nil: null }) }), {
      minLength: 1,
      maxLength: 30
    })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), moves, (count, ops) =>
        run(Effect.gen(function*() {
          const tenant = yield* openTenant()
          const { actor } = yield* userWithRole(tenant, "admin")
          const ids = yield* Effect.forEach(
            Array.from({ length: count }, (_, i) => i),
            (i) => Effect.map(Departments.createDepartment(actor, { name: `D${i}`, code: `D${i}` }), (d) => d.id)
          )
          const model = new Map<string, string | null>(ids.map((id) => [id, null]))
          for (const op of ops) {
            const dept = ids[op.dept % count]!
            const parent = op.parent === null ? null : ids[op.parent % count]!
            const cycle = reaches(model, parent, dept)
            const exit = yield* Effect.exit(Departments.moveDepartment(actor, { departmentId: dept, parentId: parent }))
            if (Exit.isSuccess(exit) === cycle) return false
            if (!cycle) model.set(dept, parent)
            const stored = yield* DepartmentRepository.use((r) => r.parents(tenant))
            if (!Department.isAcyclic(stored)) return false
            if (JSON.stringify([...stored.entries()].sort()) !== JSON.stringify([...model.entries()].sort())) {
              return false
            }
          }
          return true
        }))),
      { numRuns: 150 }
    )
  })

  it("TEN-04 the pure cycle check agrees with a brute-force walk on arbitrary parent maps", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.option(fc.nat(), { nil: null }), { minLength: 7, maxLength: 7 }),
        fc.nat(),
        fc.option(fc.nat(), { nil: null }),
        (n, raw, d, p) => {
          const ids = Array.from({ length: n }, (_, i) => `d${i}`)
          // Build a forest (parents only point to lower indices), so the starting map is acyclic.
          const parents = new Map<string, string | null>(
            ids.map((id, i) => [id, i === 0 || raw[i] === null ? null : ids[raw[i]! % i]!])
          )
          const dept = ids[d % n]! as Department.DepartmentId
          const parent = p === null ? null : (ids[p % n]! as Department.DepartmentId)
          expect(Department.wouldCycle(parents, dept, parent)).toBe(reaches(parents, parent, dept))
        }
      ),
      { numRuns: 500 }
    )
  })
})

/** Reference: does walking up from `from` reach `target`? (A node reaches itself.) */
const reaches = (parents: ReadonlyMap<string, string | null>, from: string | null, target: string): boolean => {
  const seen = new Set<string>()
  for (let at = from; at !== null; at = parents.get(at) ?? null) {
    if (at === target) return true
    if (seen.has(at)) return false
    seen.add(at)
  }
  return false
}
