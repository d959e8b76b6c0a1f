/**
 * Issue 10 (TEN-01, AUTH-02): no organization changes another organization's users or roles.
 *
 * 1. The reported takeover, step by step, on the memory store: every attempt by B on A's admin is a
 *    typed refusal and A's rows hash the same before and after (Postgres runs the same check in
 *    postgres/test/identity-takeover.test.ts).
 * 2. A property over random sequences of cross-tenant hires, role assignments, profile and e-mail
 *    changes, bans, status changes, deletions and member removals by the admins of random
 *    organizations (some users having joined other organizations first): after each command by
 *    organization X, everything another organization Y owns (its home users' records and accounts, its
 *    memberships, employees and sessions) is unchanged, and Y still has an administrator.
 */
import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, ManagedRuntime } from "effect"
import * as fc from "fast-check"
import { type Actor, MemoryStore } from "@erpkit/kernel"
import { Accounts, Employees, Memberships, type Membership, type User, Users } from "@erpkit/identity"
import {
  type AdministeredOrganization,
  administeredOrganization,
  expectTakeoverRefused,
  layerTest
} from "@erpkit/identity/testing"
import { join, registerVerified } from "./helpers.ts"

interface Rows {
  readonly users: ReadonlyArray<User.User>
  readonly memberships: ReadonlyArray<Membership.Membership>
  readonly employees: ReadonlyArray<{ readonly organizationId: string; readonly userId: string }>
  readonly sessions: ReadonlyArray<{ readonly userId: string; readonly tenant: { readonly organizationId: string } }>
  readonly accounts: ReadonlyArray<{ readonly userId: string }>
  readonly codes: ReadonlyArray<{ readonly userId: string | null }>
}

const rows: Effect.Effect<Rows, never, MemoryStore.MemoryStore> = Effect.gen(function*() {
  const store = yield* MemoryStore.MemoryStore
  const all = <A>(table: string): Effect.Effect<ReadonlyArray<A>> => store.table<A>(table).all
  return {
    users: yield* all<User.User>("auth.users"),
    memberships: yield* all<Membership.Membership>("identity.memberships"),
    employees: yield* all<Rows["employees"][number]>("identity.employees"),
    sessions: yield* all<Rows["sessions"][number]>("auth.sessions"),
    accounts: yield* all<Rows["accounts"][number]>("auth.accounts"),
    codes: yield* all<Rows["codes"][number]>("auth.email_verifications")
  }
})

const sortedJson = (values: ReadonlyArray<unknown>): string =>
  JSON.stringify(values.map((v) => JSON.stringify(v)).sort())

/** Everything organization `org` owns: its home users (records, accounts, codes), memberships, employees, sessions. */
const ownedBy = (org: string, r: Rows): string => {
  const people = new Set<string>(r.users.filter((u) => u.organizationId === org).map((u) => u.id))
  return sortedJson([
    ...r.users.filter((u) => people.has(u.id)),
    ...r.accounts.filter((a) => people.has(a.userId)),
    ...r.codes.filter((c) => c.userId !== null && people.has(c.userId)),
    ...r.memberships.filter((m) => m.organizationId === org),
    ...r.employees.filter((e) => e.organizationId === org),
    ...r.sessions.filter((s) => s.tenant.organizationId === org)
  ])
}

const adminsOf = (org: string, r: Rows): number =>
  r.memberships.filter((m) => m.organizationId === org && m.role === "Admin").length

layer(layerTest())("issue 10: cross-tenant takeover", (it) => {
  it.effect("TEN-01 AUTH-02 B cannot hire, rename, re-mail, re-role, ban, suspend, link, reset, delete A's admin", () =>
    expectTakeoverRefused((a) => Effect.map(rows, (r) => ownedBy(a.tenant.organizationId, r))))
})

type Op = {
  readonly kind:
    | "hire"
    | "updateProfile"
    | "changeEmail"
    | "ban"
    | "suspend"
    | "delete"
    | "removeMember"
    | "linkAccount"
  readonly by: number
  readonly target: number
} | { readonly kind: "assignRole"; readonly by: number; readonly target: number; readonly role: Actor.Role }

const organizations = 3
const roles: ReadonlyArray<Actor.Role> = ["Admin", "employee", "Finance Manager", "staff"]
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      "hire",
      "updateProfile",
      "changeEmail",
      "ban",
      "suspend",
      "delete",
      "removeMember",
      "linkAccount"
    ),
    by: fc.nat(organizations - 1),
    target: fc.nat(2 * organizations - 1)
  }),
  fc.record({
    kind: fc.constant("assignRole"),
    by: fc.nat(organizations - 1),
    target: fc.nat(2 * organizations - 1),
    role: fc.constantFrom(...roles)
  })
)

type AnyCommand = Effect.Effect<unknown, { readonly _tag: string }, Layer.Success<ReturnType<typeof layerTest>>>

const command = (o: Op, actor: Actor.Actor, userId: User.User["id"], n: number): AnyCommand => {
  switch (o.kind) {
    case "hire":
      return Employees.hireEmployee(actor, { userId })
    case "updateProfile":
      return Users.updateProfile(actor, { userId, name: `Renamed ${n}` })
    case "changeEmail":
      return Users.changeEmail(actor, { userId, email: `changed${n}.${userId.slice(-8)}@example.kz` })
    case "ban":
      return Users.banUser(actor, { userId, reason: "property" })
    case "suspend":
      return Users.setUserStatus(actor, { userId, status: "suspended" })
    case "delete":
      return Users.deleteUser(actor, { userId })
    case "removeMember":
      return Memberships.removeMember(actor, { userId })
    case "linkAccount":
      return Accounts.linkAccount(actor, { userId, providerId: "github", accountId: `p${n}-${userId}` })
    case "assignRole":
      return Memberships.assignRole(actor, { userId, role: o.role })
  }
}

describe("issue 10: property", () => {
  const runtime = ManagedRuntime.make(layerTest())
  afterAll(() => runtime.dispose())
  const counts = { applied: 0, refused: 0, crossTenantApplied: 0 }

  it(
    "TEN-01 AUTH-02 whatever admins of other organizations do, what an organization owns changes only by its own hand",
    async () => {
      const property = fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(2 * organizations - 1), fc.nat(organizations - 1), fc.constantFrom(...roles)), {
          maxLength: 6
        }),
        fc.array(op, { minLength: 1, maxLength: 12 }),
        (joins, ops) =>
          runtime.runPromise(Effect.gen(function*() {
            const orgs: Array<AdministeredOrganization> = []
            for (let i = 0; i < organizations; i++) orgs.push(yield* administeredOrganization)
            const people: Array<User.User> = orgs.map((o) => o.admin)
            for (const o of orgs) people.push(yield* registerVerified(o.tenant))
            for (const [who, into, role] of joins) {
              if (people[who]!.organizationId !== orgs[into]!.tenant.organizationId) {
                yield* Effect.exit(join(orgs[into]!.tenant, people[who]!, role))
              }
            }
            for (const [n, o] of ops.entries()) {
              const by = orgs[o.by]!
              const before = yield* rows
              const exit = yield* Effect.exit(command(o, by.actor, people[o.target]!.id, n))
              const after = yield* rows
              counts[Exit.isSuccess(exit) ? "applied" : "refused"]++
              if (Exit.isSuccess(exit) && people[o.target]!.organizationId !== by.tenant.organizationId) {
                counts.crossTenantApplied++
              }
              for (const other of orgs.filter((x) => x !== by)) {
                const id = other.tenant.organizationId
                assert.strictEqual(
                  ownedBy(id, after),
                  ownedBy(id, before),
                  `${o.kind} by org ${o.by} changed what org ${orgs.indexOf(other)} owns`
                )
                if (adminsOf(id, before) > 0) {
                  assert.isAtLeast(
                    adminsOf(id, after),
                    1,
                    `org ${orgs.indexOf(other)} lost its last admin to org ${o.by}`
                  )
                }
              }
            }
          }))
      )
      const report = await fc.check(property, { numRuns: 60 })
      assert.isFalse(report.failed, fc.defaultReportMessage(report) ?? "")
      // Not vacuous: commands both succeeded and were refused, and some succeeded on another organization's users (on
      // their membership here).
      console.log(`[issue 10 property] ${JSON.stringify(counts)}`)
      assert.isAbove(counts.applied, 50)
      assert.isAbove(counts.refused, 50)
      assert.isAbove(counts.crossTenantApplied, 5)
    },
    120_000
  )
})
