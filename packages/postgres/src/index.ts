/**
 * @erpkit/postgres: every erpkit port on Postgres (`@effect/sql-pg`), with PGlite as the embedded
 * default. See docs/postgres.md.
 */
export * as Postgres from "./Postgres.ts"
export * as Database from "./Database.ts"
export { CrossTenantTransaction, CurrentIsolation, CurrentLockTimeout, CurrentTenant, PgDatabase } from "./Database.ts"
export * as Embedded from "./Embedded.ts"
export * as Migrations from "./Migrations.ts"
export * as SqlState from "./SqlState.ts"
export { ConstraintViolation } from "./SqlState.ts"
export * as Storable from "./Storable.ts"
export * as Relay from "./platform/Relay.ts"
export { OutboxRelay } from "./platform/Relay.ts"
export * as Billing from "./billing/index.ts"
export { billingModule } from "./billing/index.ts"
export * as Identity from "./identity/index.ts"
export { identityModule, type IdentityRepositories } from "./identity/index.ts"
