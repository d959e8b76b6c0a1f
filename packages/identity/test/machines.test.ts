/**
 * Model-based walk of every identity state machine: each edge is accepted by the pure transition,
 * each non-edge is refused with `InvalidTransition`, and the exported `machines` list is complete.
 */
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { StateMachine } from "@erpkit/kernel"
import { Employee, Invitation, machines, Organization, User, Workspace } from "@erpkit/identity"
import { Fixtures } from "@erpkit/identity/testing"

const f = Fixtures.makeFixtures("machines")
const tenant = f.tenant()
const userId = f.uuid() as User.User["id"]

interface Walker {
  readonly machine: StateMachine.StateMachine<string>
  /** Builds a record in `from` and applies the pure transition to `to`. */
  readonly apply: (from: string, to: string) => Result.Result<unknown, { readonly _tag: string }>
  /** The state a transitioned record is in. */
  readonly stateOf: (record: unknown) => string
}

const status = (r: unknown) => (r as { status: string }).status

/** For each machine: how to put a record in a state, and its pure transition. */
const walkers: ReadonlyArray<Walker> = [
  {
    machine: User.statusMachine,
    apply: (from: string, to: string) =>
      User.setStatus(
        Fixtures.user(f, tenant.organizationId, { status: from as User.UserStatus }),
        to as User.UserStatus,
        5
      ),
    stateOf: status
  },
  {
    machine: User.registrationMachine,
    apply: (from: string, to: string) =>
      User.advanceRegistration(
        Fixtures.user(f, tenant.organizationId, {
          registrationStatus: from as User.RegistrationStatus,
          status: "active"
        }),
        to as User.RegistrationStatus,
        5
      ),
    stateOf: (r) => (r as { registrationStatus: string }).registrationStatus
  },
  {
    machine: Organization.statusMachine,
    apply: (from: string, to: string) =>
      Organization.setStatus(
        Fixtures.organization(f, tenant, { status: from as Organization.OrganizationStatus }),
        to as Organization.OrganizationStatus,
        5
      ),
    stateOf: status
  },
  {
    machine: Workspace.statusMachine,
    apply: (from: string, to: string) =>
      Workspace.setStatus(
        Fixtures.workspace(tenant, userId, { status: from as Workspace.WorkspaceStatus }),
        to as Workspace.WorkspaceStatus,
        5
      ),
    stateOf: status
  },
  {
    machine: Employee.statusMachine,
    apply: (from: string, to: string) =>
      Employee.setStatus(
        Fixtures.employee(f, userId, tenant, { status: from as Employee.EmployeeStatus }),
        to as Employee.EmployeeStatus,
        5
      ),
    stateOf: status
  },
  {
    machine: Invitation.statusMachine,
    apply: (from: string, to: string) =>
      Invitation.transition(
        Fixtures.invitation(f, tenant, "x@example.kz", { status: from as Invitation.InvitationStatus }),
        to as Invitation.InvitationStatus,
        5
      ),
    stateOf: status
  }
]

describe("state machines", () => {
  it("every machine of the context is exported for docs and walked here", () => {
    assert.deepStrictEqual(machines.map((m) => m.name).sort(), walkers.map((w) => w.machine.name).sort())
  })

  for (const { machine, apply, stateOf } of walkers) {
    const rule = machine.name === "UserStatus" || machine.name === "RegistrationStatus" ? "AUTH-19 " : ""
    it(`${rule}${machine.name}: every edge is accepted, every other pair is InvalidTransition`, () => {
      for (const t of machine.transitions) {
        const result = apply(t.from, t.to)
        assert.isTrue(Result.isSuccess(result), `${t.from} → ${t.to}`)
        if (Result.isSuccess(result)) assert.strictEqual(stateOf(result.success), t.to)
      }
      for (const [from, to] of StateMachine.nonTransitions(machine)) {
        const result = apply(from, to)
        assert.isTrue(
          Result.isFailure(result) && result.failure._tag === "InvalidTransition",
          `${from} → ${to} must be refused`
        )
      }
    })
  }

  it("AUTH-19 user transitions keep every user invariant", () => {
    for (const t of User.statusMachine.transitions) {
      const result = User.setStatus(Fixtures.user(f, tenant.organizationId, { status: t.from }), t.to, 9)
      assert.isTrue(Result.isSuccess(result), `${t.from} → ${t.to} is an edge`)
      if (Result.isSuccess(result)) assert.deepStrictEqual(User.brokenInvariants(result.success), [])
    }
    for (const t of User.registrationMachine.transitions) {
      const user = Fixtures.user(f, tenant.organizationId, {
        status: "active",
        emailVerified: true,
        registrationStatus: t.from
      })
      const result = User.advanceRegistration(user, t.to, 9)
      assert.isTrue(Result.isSuccess(result), `${t.from} → ${t.to} is an edge`)
      if (Result.isSuccess(result)) assert.deepStrictEqual(User.brokenInvariants(result.success), [])
    }
    // the check can fail: a banned user without a reason breaks AUTH-08
    assert.deepStrictEqual(User.brokenInvariants(Fixtures.user(f, tenant.organizationId, { banned: true })), [
      "AUTH-08 banned ⇒ non-empty reason"
    ])
  })
})
