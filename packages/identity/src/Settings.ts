/**
 * Tenant settings (TEN-08): define, update, delete and read. Reads return `SettingView`, where a
 * secret's value is masked; only trusted server code gets a secret through `resolveValue`, which is
 * a port read, not a command or query a remote caller can reach.
 */
import { Effect, Option, Result, Schema } from "effect"
import { type AuditLog, Command, Errors, Ids, Rate, type Tenant, TenantDefaults, Text } from "@erpkit/kernel"
import { recordedPerson } from "./Access.ts"
import * as Permissions from "./Permissions.ts"
import * as Setting from "./Setting.ts"
import { SettingRepository } from "./SettingRepository.ts"
import { successor } from "./Versioned.ts"

const audit = (
  action: AuditLog.AuditAction,
  before: Setting.Setting | null,
  after: Setting.Setting | null,
  id: string
): AuditLog.AuditChange => ({
  entityType: "Setting",
  entityId: id,
  action,
  oldValues: before === null ? null : Setting.auditValues(before),
  newValues: after === null ? null : Setting.auditValues(after)
})

const load = (tenant: Tenant.Tenant, id: Setting.SettingId) =>
  Effect.flatMap(
    SettingRepository.use((r) => r.findById(tenant, id)),
    (found) =>
      Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(new Errors.NotFound({ entity: "Setting", id }))
  )

const writable = (s: Setting.Setting) =>
  s.readOnly
    ? Effect.fail(new Errors.Immutable({ entity: "Setting", id: s.id, state: "read-only" }))
    : Effect.succeed(s)

/** The setting that holds a tenant's IANA time zone (business dates are calendar dates there). */
export const timeZoneKey = "tenant.timeZone"
/** The setting that holds a tenant's standard VAT rate, as decimal text ("12%", "0.2"). */
export const vatRateKey = "tenant.vatRate"

/** Well-known keys get a value check on top of their rules: a real IANA zone, a well-formed rate. */
const checkKnownKey = (key: string, value: Schema.Json) => {
  if (key === timeZoneKey && (typeof value !== "string" || !TenantDefaults.isTimeZone(value))) {
    return Effect.fail(Errors.ValidationError.at(["value"], "must be an IANA time zone such as Asia/Almaty"))
  }
  if (key === vatRateKey && (typeof value !== "string" || Result.isFailure(Rate.parse(value.trim())))) {
    return Effect.fail(Errors.ValidationError.at(["value"], "must be a rate such as \"12%\" or \"0.2\""))
  }
  return Effect.void
}

export const defineSetting = Command.make({
  name: "identity.defineSetting",
  input: Schema.Struct({
    key: Setting.SettingKey,
    /** `organization`: for every workspace; `workspace`: the actor's workspace only (overrides). */
    scope: Schema.Literals(["organization", "workspace"]),
    dataType: Setting.SettingType,
    value: Setting.ValueInput,
    category: Schema.optionalKey(
      Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(100), Text.storable))
    ),
    description: Schema.optionalKey(Schema.NullOr(Text.Bounded(2000))),
    secret: Schema.optionalKey(Schema.Boolean),
    readOnly: Schema.optionalKey(Schema.Boolean),
    rules: Schema.optionalKey(Setting.ValidationRules)
  }),
  output: Setting.SettingView,
  permission: Permissions.settingManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const author = yield* recordedPerson(ctx.actor)
    const rules = yield* Effect.fromResult(Setting.checkRules(input.dataType, input.rules ?? {}))
    const value = yield* Effect.fromResult(Setting.validateValue(input.dataType, rules, input.value))
    yield* checkKnownKey(input.key, value)
    const setting = new Setting.Setting({
      id: yield* Ids.nextId(Setting.SettingId),
      organizationId: ctx.tenant.organizationId,
      workspaceId: input.scope === "workspace" ? ctx.tenant.workspaceId : null,
      key: input.key,
      category: input.category ?? "general",
      dataType: input.dataType,
      value,
      description: input.description ?? null,
      secret: input.secret ?? false,
      readOnly: input.readOnly ?? false,
      rules,
      createdBy: author,
      updatedBy: author,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      version: 1
    })
    yield* SettingRepository.use((r) => r.insert(ctx.tenant, setting))
    return { result: Setting.view(setting), changes: [audit("CREATE", null, setting, setting.id)] }
  })
})

/** TEN-08: the new value must pass the type and rules; read-only settings are `Immutable`. */
export const updateSetting = Command.make({
  name: "identity.updateSetting",
  input: Schema.Struct({ settingId: Setting.SettingId, value: Setting.ValueInput }),
  output: Setting.SettingView,
  permission: Permissions.settingManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* Effect.flatMap(load(ctx.tenant, input.settingId), writable)
    const author = yield* recordedPerson(ctx.actor)
    const value = yield* Effect.fromResult(Setting.validateValue(before.dataType, before.rules, input.value))
    yield* checkKnownKey(before.key, value)
    const after: Setting.Setting = successor(before, {
      ...before,
      value,
      updatedBy: author,
      updatedAt: ctx.now
    })
    yield* SettingRepository.use((r) => r.update(ctx.tenant, after))
    return { result: Setting.view(after), changes: [audit("UPDATE", before, after, after.id)] }
  })
})

export const deleteSetting = Command.make({
  name: "identity.deleteSetting",
  input: Schema.Struct({ settingId: Setting.SettingId }),
  output: Setting.SettingView,
  permission: Permissions.settingManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* Effect.flatMap(load(ctx.tenant, input.settingId), writable)
    yield* SettingRepository.use((r) => r.remove(ctx.tenant, before.id))
    return { result: Setting.view(before), changes: [audit("DELETE", before, null, before.id)] }
  })
})

/** The setting in effect for the tenant: its workspace's, else the organization's. */
export const effective = (tenant: Tenant.Tenant, key: string) =>
  Effect.gen(function*() {
    const repo = yield* SettingRepository
    const own = yield* repo.findByKey(tenant, key, tenant.workspaceId)
    return Option.isSome(own) ? own : yield* repo.findByKey(tenant, key, null)
  })

export const getSetting = Command.query({
  name: "identity.getSetting",
  input: Schema.Struct({ key: Setting.SettingKey }),
  permission: Permissions.settingRead,
  handler: (input, ctx) =>
    Effect.flatMap(
      effective(ctx.tenant, input.key),
      (found) =>
        Option.isSome(found)
          ? Effect.succeed(Setting.view(found.value))
          : Effect.fail(new Errors.NotFound({ entity: "Setting", id: input.key }))
    )
})

export const listSettings = Command.query({
  name: "identity.listSettings",
  input: Schema.Struct({}),
  permission: Permissions.settingRead,
  handler: (_input, ctx) => Effect.map(SettingRepository.use((r) => r.list(ctx.tenant)), (all) => all.map(Setting.view))
})

/**
 * Server-side only: the plain value in effect (secrets included) for trusted code such as an
 * integration that needs an API key. Not exposed as a command or query.
 */
export const resolveValue = (
  tenant: Tenant.Tenant,
  key: string
): Effect.Effect<Option.Option<Schema.Json>, never, SettingRepository> =>
  Effect.map(effective(tenant, key), Option.map((s) => s.value))

/**
 * The tenant's time zone and VAT rate from its settings (`tenant.timeZone`, `tenant.vatRate`), each
 * falling back to `fallback` (the kernel `TenantDefaults` in effect, erpkit's standard by default). The
 * kernel reads `TenantDefaults` synchronously, so a host resolves this per request and provides it:
 * `Effect.provideService(TenantDefaults.TenantDefaults, yield* Settings.tenantDefaults(tenant))`.
 */
export const tenantDefaults = (
  tenant: Tenant.Tenant
): Effect.Effect<TenantDefaults.TenantDefaultsShape, never, SettingRepository> =>
  Effect.gen(function*() {
    const fallback = yield* TenantDefaults.TenantDefaults
    const zone = yield* resolveValue(tenant, timeZoneKey)
    const rate = yield* resolveValue(tenant, vatRateKey)
    const timeZone = Option.isSome(zone) && typeof zone.value === "string" ? zone.value : fallback.timeZone(tenant)
    const parsed = Option.isSome(rate) && typeof rate.value === "string" ? Rate.parse(rate.value.trim()) : undefined
    const taxRate = parsed !== undefined && Result.isSuccess(parsed) ? parsed.success : fallback.taxRate(tenant)
    return { timeZone: () => timeZone, taxRate: () => taxRate }
  })

/** The tenant's time zone (setting `tenant.timeZone`, else the `TenantDefaults` in effect). */
export const timeZoneOf = (tenant: Tenant.Tenant): Effect.Effect<string, never, SettingRepository> =>
  Effect.map(tenantDefaults(tenant), (d) => d.timeZone(tenant))
