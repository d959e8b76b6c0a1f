/**
 * Workspaces (seed 001): divisions of an organization. `(organizationId, workspaceId)` is the kernel
 * `Tenant`; workspace-scoped records carry it as `tenant`, a workspace (a record of the organization as a
 * whole) carries `organizationId`.
 */
import { Result, Schema } from "effect"
import { Errors, Ids, Instant, StateMachine } from "@erpkit/kernel"
import { Version } from "./Versioned.ts"

export const WorkspaceType = Schema.Literals(["main", "division", "project", "branch"])
export type WorkspaceType = typeof WorkspaceType.Type
export const WorkspaceStatus = Schema.Literals(["active", "inactive", "archived"])
export type WorkspaceStatus = typeof WorkspaceStatus.Type

export const statusMachine = StateMachine.make<WorkspaceStatus>({
  name: "WorkspaceStatus",
  states: ["active", "inactive", "archived"],
  initial: [{ state: "active", label: "createWorkspace" }],
  terminal: ["archived"],
  transitions: [
    { from: "active", to: "inactive", label: "setWorkspaceStatus" },
    { from: "inactive", to: "active", label: "setWorkspaceStatus" },
    { from: "active", to: "archived", label: "setWorkspaceStatus" },
    { from: "inactive", to: "archived", label: "setWorkspaceStatus" }
  ]
})

export class Workspace extends Schema.Class<Workspace>("Workspace")({
  id: Ids.WorkspaceId,
  organizationId: Ids.OrganizationId,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  type: WorkspaceType,
  status: WorkspaceStatus,
  /** Null when the system actor created it (e.g. the `main` workspace of a new organization). */
  createdBy: Schema.NullOr(Ids.UserId),
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version,
  deletedAt: Schema.NullOr(Instant.Instant)
}) {}

/** Archived workspaces are frozen; other changes follow the machine. */
export const setStatus = (
  ws: Workspace,
  to: WorkspaceStatus,
  now: number
): Result.Result<Workspace, Errors.InvalidTransition> =>
  Result.map(
    StateMachine.transition(statusMachine, ws.status, to),
    (status) => new Workspace({ ...ws, status, updatedAt: now })
  )

export const rename = (ws: Workspace, name: string, now: number): Result.Result<Workspace, Errors.Immutable> =>
  StateMachine.isTerminal(statusMachine, ws.status)
    ? Result.fail(new Errors.Immutable({ entity: "Workspace", id: ws.id, state: ws.status }))
    : Result.succeed(new Workspace({ ...ws, name, updatedAt: now }))
