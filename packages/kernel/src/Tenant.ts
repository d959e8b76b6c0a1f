/**
 * The tenant every record belongs to: an organization and, where the seeds scope by it, a workspace.
 */
import { Context, Schema } from "effect"
import { OrganizationId, WorkspaceId } from "./Ids.ts"

export const Tenant = Schema.Struct({
  organizationId: OrganizationId,
  workspaceId: WorkspaceId
})
export type Tenant = typeof Tenant.Type

export const sameTenant = (a: Tenant, b: Tenant): boolean =>
  a.organizationId === b.organizationId && a.workspaceId === b.workspaceId

export const key = (t: Tenant): string => `${t.organizationId}/${t.workspaceId}`

/**
 * Where the tenant's business day is: an IANA time zone per organization. The default answers
 * Asia/Almaty (Prometric's zone); identity replaces it with each tenant's setting.
 */
export const TenantTimeZone = Context.Reference<(tenant: Tenant) => string>("@erpkit/kernel/TenantTimeZone", {
  defaultValue: () => () => "Asia/Almaty"
})
