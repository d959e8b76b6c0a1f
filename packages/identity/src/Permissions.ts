/**
 * Identity's permissions and its default grants (role → permissions). Hosts merge these with other
 * contexts' grants (`Actor.mergeGrants`) and pass the result to `Roles.layerAuthorization`, which
 * lets each tenant override a role's permissions.
 */
import { Actor } from "@erpkit/kernel"

const p = Actor.permission

export const userRead = p("identity.user.read")
export const userUpdate = p("identity.user.update")
export const userDelete = p("identity.user.delete")
/** AUTH-02: assigning a role. Only the admin roles may ever hold it (see `adminRoles`). */
export const userAssignRole = p("identity.user.assignRole")
export const userBan = p("identity.user.ban")
export const userSetStatus = p("identity.user.setStatus")
export const sessionCreate = p("identity.session.create")
export const sessionRevoke = p("identity.session.revoke")
export const accountLink = p("identity.account.link")
export const verificationIssue = p("identity.verification.issue")
export const organizationCreate = p("identity.organization.create")
export const organizationRead = p("identity.organization.read")
export const organizationUpdate = p("identity.organization.update")
export const workspaceManage = p("identity.workspace.manage")
export const workspaceRead = p("identity.workspace.read")
/** Inviting someone to join the organization with a role: admin-only, like assigning one (AUTH-02). */
export const memberInvite = p("identity.member.invite")
/** Removing a member (their membership, employment and sessions here); never their user record. */
export const memberRemove = p("identity.member.remove")
export const memberRead = p("identity.member.read")
export const employeeManage = p("identity.employee.manage")
export const employeeRead = p("identity.employee.read")
export const departmentManage = p("identity.department.manage")
export const departmentRead = p("identity.department.read")
export const settingManage = p("identity.setting.manage")
export const settingRead = p("identity.setting.read")
/** Changing which role holds which permission in the tenant. Admin roles only. */
export const roleConfigure = p("identity.role.configure")
export const roleRead = p("identity.role.read")
export const auditRead = p("identity.audit.read")

/** The roles that count as "Admin" for AUTH-02: seed 002 `Admin`, seed 001 `owner`/`admin`, seed 003 `admin`. */
export const adminRoles: ReadonlyArray<Actor.Role> = ["Admin", "owner", "admin"]

/**
 * Permissions that no tenant configuration may hand to a non-admin role, so AUTH-02 holds however
 * the role table is edited.
 */
export const adminOnly: ReadonlyArray<Actor.Permission> = [userAssignRole, memberInvite, roleConfigure]

const adminGrants: ReadonlyArray<Actor.Permission> = [
  userRead,
  userUpdate,
  userDelete,
  userAssignRole,
  userBan,
  userSetStatus,
  sessionRevoke,
  accountLink,
  memberInvite,
  memberRemove,
  memberRead,
  verificationIssue,
  organizationRead,
  organizationUpdate,
  workspaceManage,
  workspaceRead,
  employeeManage,
  employeeRead,
  departmentManage,
  departmentRead,
  settingManage,
  settingRead,
  roleConfigure,
  roleRead,
  auditRead
]
const managerGrants: ReadonlyArray<Actor.Permission> = [
  userRead,
  memberRead,
  organizationRead,
  workspaceRead,
  employeeRead,
  employeeManage,
  departmentRead,
  settingRead,
  roleRead
]
const memberGrants: ReadonlyArray<Actor.Permission> = [organizationRead, workspaceRead, departmentRead, employeeRead]

/**
 * Default grants. `identity.session.create` and `identity.organization.create` belong to no role:
 * signing in and opening a tenant are done by the host's trusted auth/onboarding code as the system actor.
 */
export const grants: Actor.Grants = {
  Admin: adminGrants,
  owner: adminGrants,
  admin: adminGrants,
  manager: managerGrants,
  "Finance Manager": [userRead, ...memberGrants],
  "Accounts Manager": [userRead, ...memberGrants],
  "Sales Manager": [userRead, ...memberGrants],
  "Transport Manager": [userRead, ...memberGrants],
  "Pricing Analyst": memberGrants,
  "Sales Rep": memberGrants,
  Dispatcher: memberGrants,
  employee: memberGrants,
  staff: [userRead, ...memberGrants],
  customer: [organizationRead]
}
