/**
 * The tenant every record belongs to: an organization and, where the seeds scope by it, a workspace.
 */
import { Context, Schema } from "effect"
import { OrganizationId, WorkspaceId } from "./Ids.ts"

export const Tenant = Schema.Struct({ organizationId: OrganizationId, workspaceId: WorkspaceId })
export type Tenant = typeof Tenant.Type

export const sameTenant = (a: Tenant, b: Tenant): boolean =>
  a.organizationId === b.organizationId && a.workspaceId === b.workspaceId

export const key = (t: Tenant): string => `${t.organizationId}/${t.workspaceId}`

/**
 * The tenant the current command or query runs for. `Command.make` and `Command.query` provide it around
 * the unit of work, so adapters can scope a transaction (e.g. Postgres row-level security) without every
 * port call passing it again. Undefined outside a command.
 */
export const CurrentTenant = Context.Reference<Tenant | undefined>("@erpkit/kernel/CurrentTenant", {
  defaultValue: () => undefined
})
