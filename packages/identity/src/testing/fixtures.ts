/**
 * Deterministic fixtures for identity tests and contract suites: unique ids per suite and per call,
 * and builders for every record type with sensible defaults.
 */
import { type Ids, type Tenant } from "@erpkit/kernel"
import { type Account, type AccountId } from "../Account.ts"
import { type Department, type DepartmentId } from "../Department.ts"
import { type Employee, type EmployeeId } from "../Employee.ts"
import { type Organization } from "../Organization.ts"
import { type Session, type SessionId } from "../Session.ts"
import { type Setting, type SettingId } from "../Setting.ts"
import { type User } from "../User.ts"
import { type Verification, type VerificationId } from "../Verification.ts"
import { type Workspace } from "../Workspace.ts"
import { binCheckDigit } from "../Organization.ts"

/** FNV-1a of the text, 8 hex digits: separates the ids of two suites that share a database. */
const hash8 = (text: string): string => {
  let h = 0x811c9dc5
  for (const ch of text) {
    h ^= ch.codePointAt(0)!
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, "0")
}

/** A source of unique, reproducible ids, BINs and e-mails for one suite. */
export const makeFixtures = (suite: string) => {
  const prefix = hash8(suite)
  let n = 0
  const next = () => ++n
  const uuid = () => `${prefix}-0000-7000-8000-${next().toString(16).padStart(12, "0")}`
  const tenant = (): Tenant.Tenant => ({ organizationId: uuid() as Ids.OrganizationId, workspaceId: uuid() as Ids.WorkspaceId })
  /** A 12-digit BIN with a valid check digit, unique per call. */
  const bin = (): string => {
    for (;;) {
      const body = (parseInt(prefix.slice(0, 5), 16) % 100_000).toString().padStart(5, "0") + next().toString().padStart(6, "0")
      const digit = binCheckDigit(`${body}0`)
      if (digit !== undefined) return `${body}${digit}`
    }
  }
  const email = () => `user${next()}.${prefix}@example.kz`
  return { uuid, tenant, bin, email }
}
export type Fixtures = ReturnType<typeof makeFixtures>

export const organization = (f: Fixtures, tenant: Tenant.Tenant, over: Partial<Organization> = {}): Organization => ({
  id: tenant.organizationId,
  name: "Org",
  bin: f.bin(),
  kind: "internal",
  customerId: null,
  legalName: null,
  email: null,
  phone: null,
  status: "active",
  createdAt: 1_000,
  updatedAt: 1_000,
  deletedAt: null,
  version: 1,
  ...over
})

export const workspace = (tenant: Tenant.Tenant, createdBy: Ids.UserId | null, over: Partial<Workspace> = {}): Workspace => ({
  id: tenant.workspaceId,
  organizationId: tenant.organizationId,
  name: "Main",
  description: null,
  type: "main",
  status: "active",
  createdBy,
  createdAt: 1_000,
  updatedAt: 1_000,
  deletedAt: null,
  version: 1,
  ...over
})

export const user = (f: Fixtures, organizationId: Ids.OrganizationId, over: Partial<User> = {}): User => {
  const email = f.email()
  return {
    id: f.uuid() as Ids.UserId,
    email,
    emailKey: email.toLowerCase(),
    name: "Ana",
    role: "employee",
    status: "pending",
    registrationStatus: "email_pending",
    emailVerified: false,
    banned: false,
    banReason: null,
    organizationId,
    customerId: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 1,
    ...over
  }
}

export const session = (f: Fixtures, userId: Ids.UserId, tenant: Tenant.Tenant, over: Partial<Session> = {}): Session => ({
  id: f.uuid() as SessionId,
  tokenHash: `hash-${f.uuid()}`,
  userId,
  tenant,
  createdAt: 1_000,
  expiresAt: 100_000,
  ipAddress: null,
  userAgent: null,
  ...over
})

export const account = (f: Fixtures, userId: Ids.UserId, over: Partial<Account> = {}): Account => ({
  id: f.uuid() as AccountId,
  userId,
  providerId: "google",
  accountId: `acc-${f.uuid()}`,
  createdAt: 1_000,
  ...over
})

export const verification = (f: Fixtures, emailKey: string, over: Partial<Verification> = {}): Verification => ({
  id: f.uuid() as VerificationId,
  emailKey,
  codeHash: `hash-${f.uuid()}`,
  userId: null,
  type: "registration",
  usedAt: null,
  expiresAt: 100_000,
  createdAt: 1_000,
  ...over
})

export const employee = (f: Fixtures, userId: Ids.UserId, tenant: Tenant.Tenant, over: Partial<Employee> = {}): Employee => ({
  id: f.uuid() as EmployeeId,
  userId,
  organizationId: tenant.organizationId,
  workspaceId: tenant.workspaceId,
  departmentId: null,
  employeeNumber: null,
  position: null,
  status: "pending",
  createdAt: 1_000,
  updatedAt: 1_000,
  deletedAt: null,
  version: 1,
  ...over
})

export const department = (f: Fixtures, tenant: Tenant.Tenant, over: Partial<Department> = {}): Department => ({
  id: f.uuid() as DepartmentId,
  organizationId: tenant.organizationId,
  workspaceId: tenant.workspaceId,
  name: "Dept",
  code: null,
  parentId: null,
  isActive: true,
  createdAt: 1_000,
  updatedAt: 1_000,
  deletedAt: null,
  version: 1,
  ...over
})

export const setting = (f: Fixtures, tenant: Tenant.Tenant, createdBy: Ids.UserId | null, over: Partial<Setting> = {}): Setting => ({
  id: f.uuid() as SettingId,
  organizationId: tenant.organizationId,
  workspaceId: null,
  key: "general.locale",
  category: "general",
  dataType: "string",
  value: "kk-KZ",
  description: null,
  secret: false,
  readOnly: false,
  rules: {},
  createdBy,
  updatedBy: createdBy,
  createdAt: 1_000,
  updatedAt: 1_000,
  version: 1,
  ...over
})
