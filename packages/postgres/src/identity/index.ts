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
import * as PgAccountRepository from "./PgAccountRepository.ts"
import * as PgDepartmentRepository from "./PgDepartmentRepository.ts"
import * as PgEmployeeRepository from "./PgEmployeeRepository.ts"
import * as PgInvitationRepository from "./PgInvitationRepository.ts"
import * as PgMembershipRepository from "./PgMembershipRepository.ts"
import * as PgOrganizationRepository from "./PgOrganizationRepository.ts"
import * as PgRolePermissionRepository from "./PgRolePermissionRepository.ts"
import * as PgSessionRepository from "./PgSessionRepository.ts"
import * as PgSettingRepository from "./PgSettingRepository.ts"
import * as PgUserRepository from "./PgUserRepository.ts"
import * as PgVerificationRepository from "./PgVerificationRepository.ts"
import * as PgWorkspaceRepository from "./PgWorkspaceRepository.ts"

/** Every identity repository port (identity's own `Repositories`). */
export type IdentityRepositories = Repositories

/** The `auth` and `identity` schemas, bookkept as the `identity` migration set. */
export const migrations: Migrations.MigrationSet = Migrations.fromDirectory(
  "identity",
  new URL("../../migrations/identity", import.meta.url)
)

/** The repositories over `PgDatabase`. */
export const layer = Layer.mergeAll(
  PgUserRepository.layer,
  PgSessionRepository.layer,
  PgAccountRepository.layer,
  PgVerificationRepository.layer,
  PgOrganizationRepository.layer,
  PgWorkspaceRepository.layer,
  PgEmployeeRepository.layer,
  PgMembershipRepository.layer,
  PgInvitationRepository.layer,
  PgDepartmentRepository.layer,
  PgSettingRepository.layer,
  PgRolePermissionRepository.layer
)

export const identityModule: PgModule<IdentityRepositories> = { name: "identity", migrations, layer }
