/**
 * The cross-tenant takeover of issue 10, as a check any adapter runs: organization B tries to take
 * over the administrator of organization A, first without A's admin's consent, then after A's admin
 * accepted B's invitation (so B employs them). Every attempt on the user record is refused with a
 * typed error and A's rows are unchanged; B may only manage its own membership of the user, which
 * changes nothing in A. `rowsOfA` is the adapter's hash of A's rows (users, memberships, sessions,
 * accounts, codes of A's people), read outside any unit of work.
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import * as Access from "../Access.ts"
import * as Accounts from "../Accounts.ts"
import * as Employees from "../Employees.ts"
import * as Invitations from "../Invitations.ts"
import * as Memberships from "../Memberships.ts"
import type * as Organizations from "../Organizations.ts"
import * as Sessions from "../Sessions.ts"
import type { User } from "../User.ts"
import * as Users from "../Users.ts"
import * as Verifications from "../Verifications.ts"
import { type CommandServicesOf, type Failure, freshEmail, openTenant, outcome, registerVerified } from "./fixtures.ts"

export type TakeoverServices = CommandServicesOf<
  | typeof Users
  | typeof Sessions
  | typeof Accounts
  | typeof Employees
  | typeof Memberships
  | typeof Invitations
  | typeof Verifications
  | typeof Organizations
>

/** An organization set up through the public commands: its admin registered, verified and signed in. */
export interface AdministeredOrganization {
  readonly tenant: Tenant.Tenant
  readonly admin: User
  /** The admin's actor, as `Sessions.authenticate` gives it for their session. */
  readonly actor: Actor.Actor
  readonly token: string
}

/** Opens an organization whose first user becomes its `Admin` (the host's onboarding, as the system actor). */
export const administeredOrganization: Effect.Effect<AdministeredOrganization, Failure, TakeoverServices> = Effect.gen(
  function*() {
    const tenant = yield* openTenant()
    const admin = yield* registerVerified(tenant, freshEmail("admin"))
    yield* Memberships.assignRole(Actor.system(tenant), { userId: admin.id, role: "Admin" })
    const { token } = yield* Sessions.createSession(Actor.system(tenant), { userId: admin.id })
    const { actor } = yield* Sessions.authenticate(Access.anonymous(tenant), { token })
    return { tenant, admin, actor, token }
  }
)

/** What B's admin tries against `target` (A's admin), by name. */
const attempts = (
  b: AdministeredOrganization,
  target: User
): Record<string, Effect.Effect<unknown, Failure, TakeoverServices>> => {
  const userId = target.id
  return {
    updateProfile: Users.updateProfile(b.actor, { userId, name: "Owned by B" }),
    changeEmail: Users.changeEmail(b.actor, { userId, email: freshEmail("b-chose") }),
    requestEmailChange: Users.requestEmailChange(b.actor, { userId, email: freshEmail("b-chose") }),
    banUser: Users.banUser(b.actor, { userId, reason: "taken over" }),
    setUserStatus: Users.setUserStatus(b.actor, { userId, status: "suspended" }),
    deleteUser: Users.deleteUser(b.actor, { userId }),
    linkAccount: Accounts.linkAccount(b.actor, { userId, providerId: "github", accountId: `b-${userId}` }),
    passwordResetCode: Verifications.issueVerificationCode(b.actor, { email: target.email, type: "password_reset" })
  }
}

/** Every attempt refused with `expected` (a typed error), and A's rows unchanged after each one. */
const expectAllRefused = <R>(
  b: AdministeredOrganization,
  a: AdministeredOrganization,
  expected: Readonly<Record<string, string>>,
  rowsOfA: Effect.Effect<string, never, R>
) =>
  Effect.gen(function*() {
    for (const [name, attempt] of Object.entries(attempts(b, a.admin))) {
      const before = yield* rowsOfA
      assert.strictEqual(yield* outcome(attempt), expected[name] ?? "Forbidden", name)
      assert.strictEqual(yield* rowsOfA, before, `${name} changed A's rows`)
    }
  })

/**
 * Issue 10 on any adapter. Before consent B cannot even see A's admin (`NotFound`); after A's admin
 * joins B, B sees them but every write to the user record is `Forbidden`, and B's role assignment
 * applies in B only: A's admin still authenticates into A as `Admin`.
 */
export const expectTakeoverRefused = <R>(
  rowsOfA: (a: AdministeredOrganization) => Effect.Effect<string, never, R>
): Effect.Effect<void, Failure, TakeoverServices | R> =>
  Effect.gen(function*() {
    const a = yield* administeredOrganization
    const b = yield* administeredOrganization
    const startA = yield* rowsOfA(a)
    assert.strictEqual(
      yield* outcome(Employees.hireEmployee(b.actor, { userId: a.admin.id })),
      "NotFound",
      "hire without consent"
    )
    assert.strictEqual(
      yield* outcome(
        Memberships.assignRole(b.actor, { userId: a.admin.id, role: "customer", customerId: crmCustomer })
      ),
      "NotFound"
    )
    yield* expectAllRefused(b, a, notVisible, rowsOfA(a))
    assert.strictEqual(yield* rowsOfA(a), startA, "nothing changed in A before consent")

    // A's admin accepts B's invitation: B may now employ them and manage its membership of them.
    const invitation = yield* Invitations.inviteMember(b.actor, { email: a.admin.email, role: "staff" })
    yield* Invitations.acceptInvitation(Access.invitee(a.admin.id, b.tenant), { invitationId: invitation.id })
    yield* Employees.hireEmployee(b.actor, { userId: a.admin.id })
    const inB = yield* Memberships.assignRole(b.actor, {
      userId: a.admin.id,
      role: "customer",
      customerId: crmCustomer
    })
    assert.strictEqual(inB.organizationId, b.tenant.organizationId, "B's role assignment is B's membership")
    const afterJoin = yield* rowsOfA(a)
    yield* expectAllRefused(b, a, employedByB, rowsOfA(a))
    assert.strictEqual(yield* rowsOfA(a), afterJoin, "nothing changed in A after consent either")

    const again = yield* Sessions.authenticate(Access.anonymous(a.tenant), { token: a.token })
    assert.deepStrictEqual(
      again.actor,
      { userId: a.admin.id, roles: ["Admin"], tenant: a.tenant },
      "A's admin is still A's Admin"
    )
    assert.strictEqual(again.user.email, a.admin.email)
    assert.isFalse(again.user.banned)
  })

const crmCustomer = "0e000000-0000-7000-8000-0000000000b1"

/** Before consent: the user is not visible to B at all; the code request names an existing address. */
const notVisible: Readonly<Record<string, string>> = {
  updateProfile: "NotFound",
  changeEmail: "NotFound",
  requestEmailChange: "NotFound",
  banUser: "NotFound",
  setUserStatus: "NotFound",
  deleteUser: "NotFound",
  linkAccount: "NotFound",
  passwordResetCode: "Forbidden"
}

/** After consent: visible to B, every write to the user record is B's lack of authority over it. */
const employedByB: Readonly<Record<string, string>> = {}
