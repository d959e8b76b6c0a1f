/**
 * Workspaces of the actor's organization. Another organization's workspace id is `NotFound` (TEN-01).
 */
import { Effect, Option, Schema } from "effect"
import { Command, Errors, Ids, type Tenant, Text } from "@erpkit/kernel"
import * as IdentityError from "./IdentityError.ts"
import { recordedPerson } from "./Access.ts"
import { created, deleted, updated } from "./Changes.ts"
import * as Permissions from "./Permissions.ts"
import { RequiredText } from "./User.ts"
import * as Workspace from "./Workspace.ts"
import { successor } from "./Versioned.ts"
import { WorkspaceRepository } from "./WorkspaceRepository.ts"

export const load = (tenant: Tenant.Tenant, id: Ids.WorkspaceId) =>
  Effect.flatMap(
    WorkspaceRepository.use((r) => r.findById(tenant, id)),
    (found) =>
      Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(new Errors.NotFound({ entity: "Workspace", id }))
  )

/** Writes the next version of `before` and reports it. */
const save = (tenant: Tenant.Tenant, before: Workspace.Workspace, changed: Workspace.Workspace) => {
  const after = successor(before, changed)
  return Effect.as(WorkspaceRepository.use((r) => r.update(tenant, after)), {
    result: after,
    changes: [updated("Workspace", after.id, before, after)]
  })
}

export const createWorkspace = Command.make({
  name: "identity.createWorkspace",
  input: Schema.Struct({
    name: RequiredText(255),
    type: Workspace.WorkspaceType,
    description: Schema.optionalKey(Schema.NullOr(Text.Bounded(2000)))
  }),
  output: Workspace.Workspace,
  permission: Permissions.workspaceManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const createdBy = yield* recordedPerson(ctx.actor)
    const ws = new Workspace.Workspace({
      id: yield* Ids.nextId(Ids.WorkspaceId),
      organizationId: ctx.tenant.organizationId,
      name: input.name,
      description: input.description ?? null,
      type: input.type,
      status: "active",
      createdBy,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      deletedAt: null,
      version: 1
    })
    yield* WorkspaceRepository.use((r) => r.insert(ctx.tenant, ws))
    return { result: ws, changes: [created("Workspace", ws.id, ws)] }
  })
})

export const renameWorkspace = Command.make({
  name: "identity.renameWorkspace",
  input: Schema.Struct({ workspaceId: Ids.WorkspaceId, name: RequiredText(255) }),
  output: Workspace.Workspace,
  permission: Permissions.workspaceManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.workspaceId)
    return yield* save(ctx.tenant, before, yield* Effect.fromResult(Workspace.rename(before, input.name, ctx.now)))
  })
})

export const setWorkspaceStatus = Command.make({
  name: "identity.setWorkspaceStatus",
  input: Schema.Struct({ workspaceId: Ids.WorkspaceId, status: Workspace.WorkspaceStatus }),
  output: Workspace.Workspace,
  permission: Permissions.workspaceManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.workspaceId)
    return yield* save(ctx.tenant, before, yield* Effect.fromResult(Workspace.setStatus(before, input.status, ctx.now)))
  })
})

/** TEN-06: soft delete. The actor's own workspace cannot be deleted from inside it. */
export const deleteWorkspace = Command.make({
  name: "identity.deleteWorkspace",
  input: Schema.Struct({ workspaceId: Ids.WorkspaceId }),
  output: Workspace.Workspace,
  permission: Permissions.workspaceManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.workspaceId)
    if (before.id === ctx.tenant.workspaceId) {
      return yield* new IdentityError.WorkspaceInUse({ workspaceId: before.id })
    }
    const after = successor(before, { ...before, deletedAt: ctx.now, updatedAt: ctx.now })
    yield* WorkspaceRepository.use((r) => r.update(ctx.tenant, after))
    return { result: after, changes: [deleted("Workspace", after.id, before, after)] }
  })
})

export const getWorkspace = Command.query({
  name: "identity.getWorkspace",
  input: Schema.Struct({ workspaceId: Ids.WorkspaceId }),
  permission: Permissions.workspaceRead,
  handler: (input, ctx) => load(ctx.tenant, input.workspaceId)
})

export const listWorkspaces = Command.query({
  name: "identity.listWorkspaces",
  input: Schema.Struct({}),
  permission: Permissions.workspaceRead,
  handler: (_input, ctx) => WorkspaceRepository.use((r) => r.list(ctx.tenant))
})
