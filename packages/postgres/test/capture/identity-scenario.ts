/**
 * An identity story that makes every identity command succeed at least once, through the public
 * command API (`Command.untyped`, inputs in their encoded form). `step` is the caller's.
 */
import { Effect } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import {
  Access,
  Accounts,
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
import { freshBin, freshEmail } from "@erpkit/identity/testing"
import type { Step } from "./billing-scenario.ts"

/** A new organization (its main workspace is the tenant), opened by the system actor of the test tenant. */
const organization = (step: Step) =>
  Effect.map(
    step(Organizations.createOrganization, Actor.system(tenantA), {
      name: "Org",
      bin: freshBin(),
      kind: "internal",
      legalName: "Org LLP"
    }),
    (o): Tenant.Tenant => ({ organizationId: o.organization.id, workspaceId: o.workspace.id })
  )

/** A registered user with a verified e-mail. */
const verifiedUser = (step: Step, tenant: Tenant.Tenant) =>
  Effect.gen(function*() {
    const email = freshEmail("audit")
    const { user, verification } = yield* step(Users.register, Access.anonymous(tenant), { email, name: "Ana" })
    yield* step(Users.verifyEmail, Access.anonymous(tenant), { email, code: verification.code })
    return { ...user, email } as { readonly id: string; readonly email: string }
  })

/** Users: profile, e-mail changes, bans, status, registration steps. */
const usersPart = (step: Step, tenant: Tenant.Tenant, admin: Actor.Actor) =>
  Effect.gen(function*() {
    const bob = yield* verifiedUser(step, tenant)
    yield* step(Users.updateProfile, admin, { userId: bob.id, name: "Bob" })
    yield* step(Users.changeEmail, admin, { userId: bob.id, email: freshEmail("bob") })
    const next = freshEmail("bob")
    const code = yield* step(Users.requestEmailChange, admin, { userId: bob.id, email: next })
    yield* step(Users.confirmEmailChange, admin, { userId: bob.id, email: next, code: code.code })
    yield* step(Users.banUser, admin, { userId: bob.id, reason: "spam" })
    yield* step(Users.unbanUser, admin, { userId: bob.id })
    yield* step(Users.setUserStatus, admin, { userId: bob.id, status: "inactive" })
    yield* step(Users.setUserStatus, admin, { userId: bob.id, status: "active" })
    yield* step(Users.advanceRegistration, admin, { userId: bob.id, to: "onboarding_pending" })
    return { bob, email: next }
  })

/** Sessions, provider accounts, verification codes. */
const accessPart = (
  step: Step,
  tenant: Tenant.Tenant,
  admin: Actor.Actor,
  bob: { readonly id: string },
  email: string
) =>
  Effect.gen(function*() {
    const sys = Actor.system(tenant)
    // a session that stays open: the first update (the junk test's valid input) is on a live session
    const live = yield* step(Sessions.createSession, sys, { userId: bob.id })
    yield* step(Sessions.updateSession, sys, { sessionId: live.session.id, changes: { userAgent: "agent 2" } })
    const first = yield* step(Sessions.createSession, sys, { userId: bob.id, ipAddress: "10.0.0.1", userAgent: "test" })
    yield* step(Sessions.updateSession, sys, { sessionId: first.session.id, changes: { ipAddress: "10.0.0.2" } })
    yield* step(Sessions.logout, Access.anonymous(tenant), { token: first.token })
    const second = yield* step(Sessions.createSession, sys, { userId: bob.id })
    yield* step(Sessions.revokeSession, admin, { sessionId: second.session.id })
    const account = yield* step(Accounts.linkAccount, admin, {
      userId: bob.id,
      providerId: "google",
      accountId: "g-bob"
    })
    yield* step(Accounts.unlinkAccount, admin, { accountId: account.id })
    const code = yield* step(Verifications.issueVerificationCode, sys, { email, type: "password_reset" })
    yield* step(Verifications.consumeVerificationCode, sys, { email, type: "password_reset", code: code.code })
  })

/** The organization, its workspaces, invitations and members. */
const organizationPart = (step: Step, tenant: Tenant.Tenant, admin: Actor.Actor) =>
  Effect.gen(function*() {
    const sys = Actor.system(tenant)
    yield* step(Organizations.updateOrganization, sys, {
      organizationId: tenant.organizationId,
      name: "Org renamed",
      phone: "+7 700 000 00 00"
    })
    yield* step(Organizations.setOrganizationStatus, sys, {
      organizationId: tenant.organizationId,
      status: "suspended"
    })
    yield* step(Organizations.setOrganizationStatus, sys, { organizationId: tenant.organizationId, status: "active" })
    const ws = yield* step(Workspaces.createWorkspace, admin, { name: "Division", type: "division", description: "d" })
    yield* step(Workspaces.renameWorkspace, admin, { workspaceId: ws.id, name: "Division 2" })
    yield* step(Workspaces.setWorkspaceStatus, admin, { workspaceId: ws.id, status: "inactive" })
    yield* step(Workspaces.deleteWorkspace, admin, { workspaceId: ws.id })
    const other = yield* organization(step)
    const carol = yield* verifiedUser(step, other)
    const dan = yield* verifiedUser(step, other)
    const invited = yield* step(Invitations.inviteMember, admin, { email: carol.email, role: "employee" })
    yield* step(Invitations.acceptInvitation, Access.invitee(carol.id as never, tenant), { invitationId: invited.id })
    const declined = yield* step(Invitations.inviteMember, admin, { email: dan.email, role: "employee" })
    yield* step(Invitations.declineInvitation, Access.invitee(dan.id as never, tenant), { invitationId: declined.id })
    const revoked = yield* step(Invitations.inviteMember, admin, { email: freshEmail("eve"), role: "employee" })
    yield* step(Invitations.revokeInvitation, admin, { invitationId: revoked.id })
    yield* step(Memberships.assignRole, admin, { userId: carol.id, role: "manager" })
    yield* step(Memberships.removeMember, admin, { userId: carol.id })
    yield* step(Organizations.deleteOrganization, Actor.system(other), { organizationId: other.organizationId })
  })

/** Departments, employees, settings, role overrides. */
const staffPart = (step: Step, admin: Actor.Actor, bob: { readonly id: string }) =>
  Effect.gen(function*() {
    // records that stay: the first update of each (the junk test's valid input) is on a live record
    const staying = yield* step(Employees.hireEmployee, admin, {
      userId: admin.userId,
      employeeNumber: "E-0",
      position: "Owner"
    })
    yield* step(Employees.updateEmployee, admin, { employeeId: staying.id, position: "Founder" })
    const locale = yield* step(Settings.defineSetting, admin, {
      key: "ui.locale",
      scope: "workspace",
      dataType: "string",
      value: "kk"
    })
    yield* step(Settings.updateSetting, admin, { settingId: locale.id, value: "ru" })
    const ops = yield* step(Departments.createDepartment, admin, { name: "Ops", code: "OPS" })
    const team = yield* step(Departments.createDepartment, admin, { name: "Team", parentId: ops.id })
    yield* step(Departments.updateDepartment, admin, { departmentId: team.id, name: "Team 2", isActive: false })
    yield* step(Departments.moveDepartment, admin, { departmentId: team.id, parentId: null })
    yield* step(Departments.deleteDepartment, admin, { departmentId: team.id })
    const employee = yield* step(Employees.hireEmployee, admin, {
      userId: bob.id,
      departmentId: ops.id,
      employeeNumber: "E-1",
      position: "Driver"
    })
    yield* step(Employees.updateEmployee, admin, { employeeId: employee.id, position: "Senior driver" })
    yield* step(Employees.setEmployeeStatus, admin, { employeeId: employee.id, status: "active" })
    yield* step(Employees.removeEmployee, admin, { employeeId: employee.id })
    const setting = yield* step(Settings.defineSetting, admin, {
      key: "ui.theme",
      scope: "organization",
      dataType: "string",
      value: "dark",
      category: "ui"
    })
    yield* step(Settings.updateSetting, admin, { settingId: setting.id, value: "light" })
    yield* step(Settings.deleteSetting, admin, { settingId: setting.id })
    yield* step(Roles.setRolePermissions, admin, { role: "employee", permissions: ["identity.user.read"] })
    yield* step(Roles.resetRolePermissions, admin, { role: "employee" })
  })

/** AUTH-09: a user with a session, a provider account and an open code is deleted (cascades included). */
const deletionPart = (step: Step, tenant: Tenant.Tenant, admin: Actor.Actor) =>
  Effect.gen(function*() {
    const sys = Actor.system(tenant)
    const dave = yield* verifiedUser(step, tenant)
    yield* step(Sessions.createSession, sys, { userId: dave.id })
    yield* step(Accounts.linkAccount, admin, { userId: dave.id, providerId: "github", accountId: "gh-dave" })
    yield* step(Verifications.issueVerificationCode, sys, { email: dave.email, type: "password_reset" })
    yield* step(Users.deleteUser, admin, { userId: dave.id })
  })

export const identityScenario = (step: Step) =>
  Effect.gen(function*() {
    const tenant = yield* organization(step)
    const owner = yield* verifiedUser(step, tenant)
    yield* step(Memberships.assignRole, Actor.system(tenant), { userId: owner.id, role: "admin" })
    const admin: Actor.Actor = { userId: owner.id as never, roles: ["admin"], tenant }
    const { bob, email } = yield* usersPart(step, tenant, admin)
    yield* accessPart(step, tenant, admin, bob, email)
    yield* organizationPart(step, tenant, admin)
    yield* staffPart(step, admin, bob)
    yield* deletionPart(step, tenant, admin)
  })
