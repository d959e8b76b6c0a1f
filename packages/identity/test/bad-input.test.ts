/**
 * Bad input: every identity command and query fed arbitrary junk (as input, and as the actor) fails
 * with a typed error, never a defect, and a failed command writes nothing; every text field of every
 * command refuses text PostgreSQL cannot store (NUL, a lone surrogate) with a `ValidationError`.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, type Layer, ManagedRuntime } from "effect"
import * as fc from "fast-check"
import { type Actor, Command } from "@erpkit/kernel"
import {
  Accounts,
  Audit,
  Departments,
  Employees,
  Invitations,
  Memberships,
  Organizations,
  Roles,
  Sessions,
  Settings,
  Users,
  Verifications,
  Workspaces
} from "@erpkit/identity"
import { Arbitraries, expectTextRefused, layerTest, textFieldCases } from "@erpkit/identity/testing"
import { openTenant, snapshot, userWithRole } from "./helpers.ts"

type Services = Layer.Success<ReturnType<typeof layerTest>>
/** Any command or query: the test calls it with unchecked values (`Command.untyped`). */
type AnyCommand = Command.AnyCommand | Command.AnyQuery

const typedErrors = new Set([
  "ValidationError",
  "Forbidden",
  "NotFound",
  "Conflict",
  "ReplayWithheld",
  "StaleVersion",
  "EmailTaken",
  "InvalidTransition",
  "Immutable",
  "VerificationFailed",
  "SessionInvalid",
  "LoginRefused",
  "DepartmentCycle",
  "InvitationClosed",
  "EmailNotVerified",
  "HomeMembership",
  "BinTaken",
  "DepartmentCodeTaken",
  "EmployeeNumberTaken",
  "AlreadyEmployed",
  "AlreadyMember",
  "SettingKeyTaken",
  "AccountLinked",
  "DepartmentHasChildren",
  "UserStillMember",
  "WorkspaceInUse"
])

const commands: Record<string, AnyCommand> = {
  register: Users.register,
  verifyEmail: Users.verifyEmail,
  updateProfile: Users.updateProfile,
  changeEmail: Users.changeEmail,
  requestEmailChange: Users.requestEmailChange,
  confirmEmailChange: Users.confirmEmailChange,
  assignRole: Memberships.assignRole,
  removeMember: Memberships.removeMember,
  getMembership: Memberships.getMembership,
  listMembers: Memberships.listMembers,
  inviteMember: Invitations.inviteMember,
  acceptInvitation: Invitations.acceptInvitation,
  declineInvitation: Invitations.declineInvitation,
  revokeInvitation: Invitations.revokeInvitation,
  listInvitations: Invitations.listInvitations,
  banUser: Users.banUser,
  unbanUser: Users.unbanUser,
  setUserStatus: Users.setUserStatus,
  advanceRegistration: Users.advanceRegistration,
  deleteUser: Users.deleteUser,
  getUser: Users.getUser,
  listUsers: Users.listUsers,
  createSession: Sessions.createSession,
  authenticate: Sessions.authenticate,
  updateSession: Sessions.updateSession,
  logout: Sessions.logout,
  revokeSession: Sessions.revokeSession,
  listSessions: Sessions.listSessions,
  linkAccount: Accounts.linkAccount,
  unlinkAccount: Accounts.unlinkAccount,
  listAccounts: Accounts.listAccounts,
  issueVerificationCode: Verifications.issueVerificationCode,
  consumeVerificationCode: Verifications.consumeVerificationCode,
  createOrganization: Organizations.createOrganization,
  getOrganization: Organizations.getOrganization,
  updateOrganization: Organizations.updateOrganization,
  setOrganizationStatus: Organizations.setOrganizationStatus,
  deleteOrganization: Organizations.deleteOrganization,
  createWorkspace: Workspaces.createWorkspace,
  renameWorkspace: Workspaces.renameWorkspace,
  setWorkspaceStatus: Workspaces.setWorkspaceStatus,
  deleteWorkspace: Workspaces.deleteWorkspace,
  getWorkspace: Workspaces.getWorkspace,
  listWorkspaces: Workspaces.listWorkspaces,
  listEmployees: Employees.listEmployees,
  listDepartments: Departments.listDepartments,
  hireEmployee: Employees.hireEmployee,
  updateEmployee: Employees.updateEmployee,
  setEmployeeStatus: Employees.setEmployeeStatus,
  removeEmployee: Employees.removeEmployee,
  getEmployee: Employees.getEmployee,
  createDepartment: Departments.createDepartment,
  updateDepartment: Departments.updateDepartment,
  moveDepartment: Departments.moveDepartment,
  deleteDepartment: Departments.deleteDepartment,
  getDepartment: Departments.getDepartment,
  defineSetting: Settings.defineSetting,
  updateSetting: Settings.updateSetting,
  deleteSetting: Settings.deleteSetting,
  getSetting: Settings.getSetting,
  listSettings: Settings.listSettings,
  setRolePermissions: Roles.setRolePermissions,
  resetRolePermissions: Roles.resetRolePermissions,
  rolePermissions: Roles.rolePermissions,
  auditByEntity: Audit.auditByEntity,
  auditByActor: Audit.auditByActor
}

/** A success, or a failure made only of typed errors (no defect, no interruption). */
const typed = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isSuccess(exit) ||
  (exit.cause.reasons.length > 0 &&
    exit.cause.reasons.every((r) =>
      Cause.isFailReason(r) && typedErrors.has((r.error as { _tag?: string })._tag ?? "")
    ))

/** One store for the whole run: a failure must leave it unchanged, so runs cannot disturb each other. */
const runtime = ManagedRuntime.make(layerTest())
afterAll(() => runtime.dispose())

describe("bad input", () => {
  it("every command and query answers junk with a typed error and writes nothing", async () => {
    const tenant = await runtime.runPromise(openTenant())
    const { actor: admin } = await runtime.runPromise(userWithRole(tenant, "Admin"))
    const actors: ReadonlyArray<unknown> = [admin, { ...admin, roles: ["system"] } satisfies Actor.Actor]
    for (const [name, command] of Object.entries(commands)) {
      const property = fc.asyncProperty(
        fc.oneof(fc.constantFrom(...actors), Arbitraries.junk),
        Arbitraries.junk,
        (actor, input) =>
          runtime.runPromise(Effect.gen(function*() {
            const before = yield* snapshot
            const exit = yield* Effect.exit(
              Command.untyped(command)(actor, input) as Effect.Effect<unknown, unknown, Services>
            )
            if (!typed(exit)) return false
            return Exit.isSuccess(exit) || (yield* snapshot) === before
          }))
      )
      const report = await fc.check(property, { numRuns: 60 })
      assert.isFalse(report.failed, `${name}: ${fc.defaultReportMessage(report) ?? ""}`)
    }
    assert.strictEqual(Object.keys(commands).length, 66)
  }, 60_000)

  it(
    "every text field of every command refuses NUL and a lone surrogate: ValidationError at decoding, nothing written",
    async () => {
      const tenant = await runtime.runPromise(openTenant())
      const { actor: admin } = await runtime.runPromise(userWithRole(tenant, "admin"))
      const checked = await runtime.runPromise(expectTextRefused(admin, snapshot))
      assert.strictEqual(checked, 120, "60 text fields, two junk strings each")
      const covered = new Set(textFieldCases.map((c) => c.command.name))
      assert.strictEqual(covered.size, 30, "every command with a text field in its input")
    },
    60_000
  )
})
