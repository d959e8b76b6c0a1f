/**
 * Organizations. Opening one is a platform operation (system actor: the host's onboarding code);
 * it creates the organization and its `main` workspace together, so the new tenant is usable at
 * once. Everything else acts only on the actor's own organization: another id is `NotFound` (TEN-01).
 */
import { Effect, Option, Schema } from "effect"
import { Command, Errors, Ids, type Tenant, Text } from "@erpkit/kernel"
import { personOf } from "./Access.ts"
import { created, deleted, updated } from "./Changes.ts"
import { IdentityConfig } from "./IdentityConfig.ts"
import { successor } from "./Versioned.ts"
import * as Organization from "./Organization.ts"
import { OrganizationRepository } from "./OrganizationRepository.ts"
import * as Permissions from "./Permissions.ts"
import { RequiredText } from "./User.ts"
import * as Workspace from "./Workspace.ts"
import { WorkspaceRepository } from "./WorkspaceRepository.ts"

/** Trimmed storable text, possibly empty (kernel `Text.storable`), or null. */
const OptionalText = (max: number) =>
  Schema.optionalKey(Schema.NullOr(Schema.Trim.pipe(Schema.check(Schema.isMaxLength(max), Text.storable))))
/** The BIN as typed (checked after trimming by `Organization.validateBin`). */
const BinInput = Text.Bounded(64)

/** The actor's own live organization; any other id is `NotFound`. */
export const loadOwn = (tenant: Tenant.Tenant, id: Ids.OrganizationId) =>
  Effect.gen(function*() {
    const found = id === tenant.organizationId
      ? yield* OrganizationRepository.use((r) => r.findById(id))
      : Option.none()
    if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "Organization", id })
    return found.value
  })

export const Opened = Schema.Struct({ organization: Organization.Organization, workspace: Workspace.Workspace })

/** TEN-02, TEN-05: a 12-digit BIN unique among live organizations; kind internal or customer. */
export const createOrganization = Command.make({
  name: "identity.createOrganization",
  input: Schema.Struct({
    name: RequiredText(255),
    bin: BinInput,
    kind: Organization.OrganizationKind,
    customerId: Schema.optionalKey(Schema.NullOr(Ids.CustomerId)),
    legalName: OptionalText(255),
    email: OptionalText(255),
    phone: OptionalText(20)
  }),
  output: Opened,
  permission: Permissions.organizationCreate,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const { binCheckDigit } = yield* IdentityConfig
    const bin = yield* Effect.fromResult(Organization.validateBin(input.bin.trim(), binCheckDigit))
    if (input.kind === "internal" && input.customerId != null) {
      return yield* Errors.ValidationError.at(["customerId"], "only customer organizations link to a CRM customer")
    }
    const organization = new Organization.Organization({
      id: yield* Ids.nextId(Ids.OrganizationId),
      name: input.name,
      bin,
      kind: input.kind,
      customerId: input.customerId ?? null,
      legalName: input.legalName ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      status: "active",
      createdAt: ctx.now,
      updatedAt: ctx.now,
      deletedAt: null,
      version: 1
    })
    yield* OrganizationRepository.use((r) => r.insert(organization))
    const workspace = yield* mainWorkspace(organization, personOf(ctx.actor), ctx.now)
    return {
      result: { organization, workspace },
      changes: [created("Organization", organization.id, organization), created("Workspace", workspace.id, workspace)]
    }
  })
})

const mainWorkspace = (org: Organization.Organization, createdBy: Ids.UserId | null, now: number) =>
  Effect.gen(function*() {
    const workspace = new Workspace.Workspace({
      id: yield* Ids.nextId(Ids.WorkspaceId),
      organizationId: org.id,
      name: "Main",
      description: null,
      type: "main",
      status: "active",
      createdBy,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      version: 1
    })
    yield* WorkspaceRepository.use((r) => r.insert({ organizationId: org.id, workspaceId: workspace.id }, workspace))
    return workspace
  })

export const getOrganization = Command.query({
  name: "identity.getOrganization",
  input: Schema.Struct({ organizationId: Ids.OrganizationId }),
  permission: Permissions.organizationRead,
  handler: (input, ctx) => loadOwn(ctx.tenant, input.organizationId)
})

export const updateOrganization = Command.make({
  name: "identity.updateOrganization",
  input: Schema.Struct({
    organizationId: Ids.OrganizationId,
    name: Schema.optionalKey(RequiredText(255)),
    bin: Schema.optionalKey(BinInput),
    legalName: OptionalText(255),
    email: OptionalText(255),
    phone: OptionalText(20)
  }),
  output: Organization.Organization,
  permission: Permissions.organizationUpdate,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* loadOwn(ctx.tenant, input.organizationId)
    const { binCheckDigit } = yield* IdentityConfig
    const bin = input.bin === undefined
      ? before.bin
      : yield* Effect.fromResult(Organization.validateBin(input.bin.trim(), binCheckDigit))
    const after: Organization.Organization = successor(before, {
      ...before,
      name: input.name ?? before.name,
      bin,
      legalName: input.legalName === undefined ? before.legalName : input.legalName,
      email: input.email === undefined ? before.email : input.email,
      phone: input.phone === undefined ? before.phone : input.phone,
      updatedAt: ctx.now
    })
    yield* OrganizationRepository.use((r) => r.update(after))
    return { result: after, changes: [updated("Organization", after.id, before, after)] }
  })
})

export const setOrganizationStatus = Command.make({
  name: "identity.setOrganizationStatus",
  input: Schema.Struct({ organizationId: Ids.OrganizationId, status: Organization.OrganizationStatus }),
  output: Organization.Organization,
  permission: Permissions.organizationUpdate,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* loadOwn(ctx.tenant, input.organizationId)
    const after = successor(before, yield* Effect.fromResult(Organization.setStatus(before, input.status, ctx.now)))
    yield* OrganizationRepository.use((r) => r.update(after))
    return { result: after, changes: [updated("Organization", after.id, before, after)] }
  })
})

/** TEN-06: soft delete; the organization disappears from reads and its BIN is free again. */
export const deleteOrganization = Command.make({
  name: "identity.deleteOrganization",
  input: Schema.Struct({ organizationId: Ids.OrganizationId }),
  output: Organization.Organization,
  permission: Permissions.organizationCreate,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* loadOwn(ctx.tenant, input.organizationId)
    const after = successor(before, { ...before, deletedAt: ctx.now, updatedAt: ctx.now })
    yield* OrganizationRepository.use((r) => r.update(after))
    return { result: after, changes: [deleted("Organization", after.id, before, after)] }
  })
})
