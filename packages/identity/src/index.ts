/**
 * @erpkit/identity: users, sessions, provider accounts, e-mail verification, organizations,
 * workspaces, employees, departments, roles → permissions, tenant settings and audit queries.
 */
import type { StateMachine } from "@erpkit/kernel"
import * as Employee from "./Employee.ts"
import * as Invitation from "./Invitation.ts"
import * as Membership from "./Membership.ts"
import * as Organization from "./Organization.ts"
import * as User from "./User.ts"
import * as Workspace from "./Workspace.ts"

export * as Access from "./Access.ts"
export * as Account from "./Account.ts"
export * as Accounts from "./Accounts.ts"
export { AccountRepository } from "./AccountRepository.ts"
export * as Audit from "./Audit.ts"
export * as Changes from "./Changes.ts"
export * as Department from "./Department.ts"
export * as Departments from "./Departments.ts"
export { DepartmentRepository } from "./DepartmentRepository.ts"
export * as Email from "./Email.ts"
export * as Employees from "./Employees.ts"
export { EmployeeRepository } from "./EmployeeRepository.ts"
export { IdentityConfig, type IdentityConfigShape } from "./IdentityConfig.ts"
export * as IdentityError from "./IdentityError.ts"
export * as IdentityEvent from "./IdentityEvent.ts"
export * as Invitations from "./Invitations.ts"
export { InvitationRepository } from "./InvitationRepository.ts"
export * as Memberships from "./Memberships.ts"
export { MembershipRepository } from "./MembershipRepository.ts"
export * as Organizations from "./Organizations.ts"
export { OrganizationRepository } from "./OrganizationRepository.ts"
export * as Permissions from "./Permissions.ts"
export { RolePermissionRepository, type RoleOverride } from "./RolePermissionRepository.ts"
export * as Roles from "./Roles.ts"
export * as SecureRandom from "./SecureRandom.ts"
export * as Session from "./Session.ts"
export * as Sessions from "./Sessions.ts"
export { SessionRepository } from "./SessionRepository.ts"
export * as Setting from "./Setting.ts"
export * as Settings from "./Settings.ts"
export { SettingRepository } from "./SettingRepository.ts"
export * as Users from "./Users.ts"
export { UserRepository } from "./UserRepository.ts"
export * as Verification from "./Verification.ts"
export * as Verifications from "./Verifications.ts"
export * as Versioned from "./Versioned.ts"
export { VerificationRepository } from "./VerificationRepository.ts"
export * as Workspaces from "./Workspaces.ts"
export { WorkspaceRepository } from "./WorkspaceRepository.ts"
export { Employee, Invitation, Membership, Organization, User, Workspace }
export { layerMemory, layerMemoryComplete, layerStack, type Repositories } from "./layers.ts"

/** Identity's default role → permission table (merge with other contexts' for `layerMemoryComplete`). */
export { grants } from "./Permissions.ts"

/** Every state machine of the context, for docs and model-based tests. */
export const machines: ReadonlyArray<StateMachine.StateMachine<string>> = [
  User.statusMachine,
  User.registrationMachine,
  Organization.statusMachine,
  Workspace.statusMachine,
  Employee.statusMachine,
  Invitation.statusMachine
]
