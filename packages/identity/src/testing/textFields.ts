/**
 * Every text field of every identity command's input (issue 13): a valid input per command and the
 * paths of its text fields. `expectTextRefused` sends each field the two strings PostgreSQL cannot
 * store exactly (NUL, a lone UTF-16 surrogate) and requires a `ValidationError` at that field and no
 * write; identity's bad-input test runs it on memory, the Postgres command tests on PGlite and a server.
 */
import { assert } from "@effect/vitest"
import { Cause, Effect, Exit, Schema } from "effect"
import { type Actor, Command, Errors } from "@erpkit/kernel"
import * as Accounts from "../Accounts.ts"
import * as Audit from "../Audit.ts"
import * as Departments from "../Departments.ts"
import * as Employees from "../Employees.ts"
import * as Invitations from "../Invitations.ts"
import * as Memberships from "../Memberships.ts"
import * as Organizations from "../Organizations.ts"
import * as Roles from "../Roles.ts"
import * as Sessions from "../Sessions.ts"
import * as Settings from "../Settings.ts"
import * as Users from "../Users.ts"
import * as Verifications from "../Verifications.ts"
import * as Workspaces from "../Workspaces.ts"

/** Text PostgreSQL cannot store exactly: NUL (U+0000) and a lone UTF-16 surrogate. */
export const junkTexts: ReadonlyArray<string> = ["a\u0000b", "a\uD800b"]

export interface TextFieldCase {
  readonly command: Command.AnyCommand | Command.AnyQuery
  /** An input the command's schema accepts (the test checks it), in its encoded form. */
  readonly input: Readonly<Record<string, unknown>>
  /** The text fields, as paths into `input` (array items by index, JSON values by key). */
  readonly fields: ReadonlyArray<ReadonlyArray<string | number>>
}

const id = "00000000-0000-7000-8000-0000000000aa"
const email = "ana@example.kz"
const fields = (...paths: ReadonlyArray<string>) =>
  paths.map((p) => p.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k)))
const organization = {
  name: "Org",
  bin: "123456789012",
  legalName: "Org LLP",
  email: "org@example.kz",
  phone: "+77001234567"
}

/** One entry per identity command or query with a text field in its input. */
export const textFieldCases: ReadonlyArray<TextFieldCase> = [
  { command: Users.register, input: { email, name: "Ana" }, fields: fields("email", "name") },
  { command: Users.verifyEmail, input: { email, code: "12345678" }, fields: fields("email", "code") },
  { command: Users.updateProfile, input: { userId: id, name: "Ana" }, fields: fields("name") },
  { command: Users.changeEmail, input: { userId: id, email }, fields: fields("email") },
  { command: Users.requestEmailChange, input: { userId: id, email }, fields: fields("email") },
  {
    command: Users.confirmEmailChange,
    input: { userId: id, email, code: "12345678" },
    fields: fields("email", "code")
  },
  { command: Users.banUser, input: { userId: id, reason: "spam" }, fields: fields("reason") },
  { command: Memberships.assignRole, input: { userId: id, role: "staff" }, fields: fields("role") },
  { command: Invitations.inviteMember, input: { email, role: "staff" }, fields: fields("email", "role") },
  {
    command: Sessions.createSession,
    input: { userId: id, ipAddress: "10.0.0.1", userAgent: "curl" },
    fields: fields("ipAddress", "userAgent")
  },
  { command: Sessions.authenticate, input: { token: "token" }, fields: fields("token") },
  {
    command: Sessions.updateSession,
    input: { sessionId: id, changes: { ipAddress: "10.0.0.1", userAgent: "curl" } },
    fields: fields("changes.ipAddress", "changes.userAgent")
  },
  { command: Sessions.logout, input: { token: "token" }, fields: fields("token") },
  {
    command: Accounts.linkAccount,
    input: { userId: id, providerId: "github", accountId: "42" },
    fields: fields("providerId", "accountId")
  },
  { command: Verifications.issueVerificationCode, input: { email, type: "registration" }, fields: fields("email") },
  {
    command: Verifications.consumeVerificationCode,
    input: { email, type: "registration", code: "12345678" },
    fields: fields("email", "code")
  },
  {
    command: Organizations.createOrganization,
    input: { ...organization, kind: "internal" },
    fields: fields(...Object.keys(organization))
  },
  {
    command: Organizations.updateOrganization,
    input: { ...organization, organizationId: id },
    fields: fields(...Object.keys(organization))
  },
  {
    command: Workspaces.createWorkspace,
    input: { name: "Branch", type: "branch", description: "North" },
    fields: fields("name", "description")
  },
  { command: Workspaces.renameWorkspace, input: { workspaceId: id, name: "Branch" }, fields: fields("name") },
  {
    command: Employees.hireEmployee,
    input: { userId: id, employeeNumber: "E-1", position: "Driver" },
    fields: fields("employeeNumber", "position")
  },
  {
    command: Employees.updateEmployee,
    input: { employeeId: id, employeeNumber: "E-1", position: "Driver" },
    fields: fields("employeeNumber", "position")
  },
  { command: Departments.createDepartment, input: { name: "Ops", code: "OPS" }, fields: fields("name", "code") },
  {
    command: Departments.updateDepartment,
    input: { departmentId: id, name: "Ops", code: "OPS" },
    fields: fields("name", "code")
  },
  {
    command: Settings.defineSetting,
    input: {
      key: "general.locale",
      scope: "organization",
      dataType: "string",
      value: "kk",
      category: "general",
      description: "The language",
      rules: { pattern: "[a-z]+", enum: ["kk", "ru"] }
    },
    fields: fields("key", "value", "category", "description", "rules.pattern", "rules.enum.0")
  },
  {
    command: Settings.defineSetting,
    input: { key: "general.theme", scope: "workspace", dataType: "json", value: { colors: ["blue"], note: "dark" } },
    fields: fields("value.note", "value.colors.0")
  },
  { command: Settings.updateSetting, input: { settingId: id, value: "kk" }, fields: fields("value") },
  { command: Settings.getSetting, input: { key: "general.locale" }, fields: fields("key") },
  {
    command: Roles.setRolePermissions,
    input: { role: "staff", permissions: ["identity.audit.read"] },
    fields: fields("role", "permissions.0")
  },
  { command: Roles.resetRolePermissions, input: { role: "staff" }, fields: fields("role") },
  {
    command: Audit.auditByEntity,
    input: { entityType: "User", entityId: id },
    fields: fields("entityType", "entityId")
  }
]

/** `value` with `replacement` at `path` (a copy; `value` is unchanged). */
export const setAt = (value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? setAt(item, rest, replacement) : item))
  const record = value as Readonly<Record<string, unknown>>
  return { ...record, [head!]: setAt(record[head!], rest, replacement) }
}

/**
 * Every case's text fields, each with every junk string: a `ValidationError` whose first issue is at
 * the field's top-level name, and `snapshot` (the storage) unchanged. `actor` may run every command.
 */
export const expectTextRefused = <R>(
  actor: Actor.Actor,
  snapshot: Effect.Effect<string, unknown, R>
): Effect.Effect<number, unknown, R> =>
  Effect.gen(function*() {
    let checked = 0
    for (const c of textFieldCases) {
      assert.isTrue(
        Exit.isSuccess(Schema.decodeUnknownExit(c.command.input)(c.input)),
        `${c.command.name}: the valid input decodes`
      )
      for (const path of c.fields) {
        for (const junk of junkTexts) {
          const what = `${c.command.name} ${path.join(".")} ${JSON.stringify(junk)}`
          const before = yield* snapshot
          const exit = yield* Effect.exit(
            Command.untyped(c.command)(actor, setAt(c.input, path, junk)) as Effect.Effect<unknown, unknown, R>
          )
          const failure = Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isFailReason)?.error : undefined
          assert.instanceOf(failure, Errors.ValidationError, what)
          assert.strictEqual((failure as Errors.ValidationError).issues[0]?.path[0], path[0], what)
          assert.strictEqual(yield* snapshot, before, `${what}: nothing written`)
          checked++
        }
      }
    }
    return checked
  })
