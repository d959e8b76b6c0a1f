/**
 * Identity and tenancy on Postgres: every `@erpkit/identity` port as one `PgModule`.
 *
 *   import { identityModule } from "@erpkit/postgres"   // (or "./identity/index.ts")
 *   const live = Postgres.layer({ url }, { modules: [identityModule] })
 *   // + Ids.IdGenerator, SecureRandom, Roles.layerAuthorization(grants) as with identity's memory stack
 *
 * Tables: `auth.users`, `auth.sessions`, `auth.accounts`, `auth.email_verifications` (global) and
 * `identity.organizations`, `workspaces`, `employees`, `memberships`, `invitations`, `departments`, `settings`,
 * `role_permissions` (tenant rows under RLS). Migrations: migrations/identity (one set; it creates
 * both schemas). See docs/postgres.md, "Identity".
 */
import { Layer } from "effect"
import type { Repositories } from "@erpkit/identity"
import * as Migrations from "../Migrations.ts"
import type { PgModule } from "../Postgres.ts"
import * as Accounts from "./Accounts.ts"
import * as Departments from "./Departments.ts"
import * as Employees from "./Employees.ts"
import * as Invitations from "./Invitations.ts"
import * as Memberships from "./Memberships.ts"
import * as Organizations from "./Organizations.ts"
import * as RolePermissions from "./RolePermissions.ts"
import * as Sessions from "./Sessions.ts"
import * as Settings from "./Settings.ts"
import * as Users from "./Users.ts"
import * as Verifications from "./Verifications.ts"
import * as Workspaces from "./Workspaces.ts"

/** Every identity repository port (identity's own `Repositories`). */
export type IdentityRepositories = Repositories

/** The `auth` and `identity` schemas, bookkept as the `identity` migration set. */
export const migrations: Migrations.MigrationSet = Migrations.fromDirectory("identity", new URL("../../migrations/identity", import.meta.url))

/** The repositories over `PgDatabase`. */
export const layer = Layer.mergeAll(
  Users.layer,
  Sessions.layer,
  Accounts.layer,
  Verifications.layer,
  Organizations.layer,
  Workspaces.layer,
  Employees.layer,
  Memberships.layer,
  Invitations.layer,
  Departments.layer,
  Settings.layer,
  RolePermissions.layer
)

export const identityModule: PgModule<IdentityRepositories> = {
  name: "identity",
  migrations,
  layer
}
