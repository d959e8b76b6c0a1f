/**
 * Tenant settings (seed 001 `app_settings`, TEN-08): one value per (key, organization, workspace),
 * where a null workspace means organization-wide. Values are typed (`string`, `number`, `boolean`,
 * `json`) and checked against validation rules; secret values are never returned by reads (nor
 * written to the audit log); read-only settings refuse updates.
 */
import { Result, Schema } from "effect"
import { Errors, Idempotency, Ids, Instant, Text } from "@erpkit/kernel"
import { Version } from "./Versioned.ts"

export const SettingId = Ids.makeId("SettingId")
export type SettingId = typeof SettingId.Type

export const SettingType = Schema.Literals(["string", "number", "boolean", "json"])
export type SettingType = typeof SettingType.Type

export const SettingKey = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, {
      message: "a key is a letter then letters, digits, _ . - (≤ 128)"
    })
  )
)

/** The most characters a setting's value may have as JSON text (64 KiB): settings are configuration, not documents. */
export const valueMaxLength = 65_536

/**
 * A setting's value as input: any JSON whose strings PostgreSQL can store (kernel `Text.storableJson`),
 * at most `valueMaxLength` characters as JSON text.
 */
export const ValueInput = Schema.Json.pipe(
  Schema.check(
    Text.storableJson,
    Schema.makeFilter((value: Schema.Json) =>
      JSON.stringify(value).length <= valueMaxLength || `must be at most ${valueMaxLength} characters as JSON`
    )
  )
)

export const ValidationRules = Schema.Struct({
  /** Strings: a regular expression the whole value must match (≤ 200 characters). */
  pattern: Schema.optionalKey(Text.Bounded(200)),
  minLength: Schema.optionalKey(Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0)))),
  maxLength: Schema.optionalKey(Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0)))),
  /** Numbers: inclusive bounds. */
  min: Schema.optionalKey(Schema.Finite),
  max: Schema.optionalKey(Schema.Finite),
  /** Strings or numbers: the allowed values. */
  enum: Schema.optionalKey(
    Schema.Array(Schema.Union([Schema.String.pipe(Schema.check(Text.storable)), Schema.Finite])).pipe(
      Schema.check(Schema.isMinLength(1))
    )
  )
})
export type ValidationRules = typeof ValidationRules.Type

export class Setting extends Schema.Class<Setting>("Setting")({
  id: SettingId,
  organizationId: Ids.OrganizationId,
  workspaceId: Schema.NullOr(Ids.WorkspaceId),
  key: Schema.String,
  category: Schema.String,
  dataType: SettingType,
  value: Schema.Json,
  description: Schema.NullOr(Schema.String),
  secret: Schema.Boolean,
  readOnly: Schema.Boolean,
  rules: ValidationRules,
  /** Null when the system actor wrote it. */
  createdBy: Schema.NullOr(Ids.UserId),
  updatedBy: Schema.NullOr(Ids.UserId),
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version
}) {}

/** What reads return: a secret's value is replaced by null and `masked` is set. */
export class SettingView
  extends Schema.Class<SettingView>("SettingView")({ ...Setting.fields, masked: Schema.Boolean })
{}

export const view = (s: Setting): SettingView =>
  new SettingView(s.secret ? { ...s, value: null, masked: true } : { ...s, masked: false })

/** The audit form: a secret value never reaches the audit log. */
export const auditValues = (s: Setting): Schema.Json =>
  JSON.parse(Idempotency.canonicalJson(s.secret ? { ...s, value: "[secret]" } : s)) as Schema.Json

const invalid = (message: string) => Result.fail(Errors.ValidationError.at(["value"], message))

const compilePattern = (pattern: string): RegExp | undefined => {
  try {
    return new RegExp(`^(?:${pattern})$`, "u")
  } catch {
    return undefined
  }
}

/** Rules must fit the type: pattern/length for strings, min/max for numbers, enum for both. */
export const checkRules = (
  dataType: SettingType,
  rules: ValidationRules
): Result.Result<ValidationRules, Errors.ValidationError> => {
  const bad = (field: string, message: string) => Result.fail(Errors.ValidationError.at(["rules", field], message))
  const stringOnly = rules.pattern !== undefined || rules.minLength !== undefined || rules.maxLength !== undefined
  if (stringOnly && dataType !== "string") return bad("pattern", "pattern and length rules apply to string settings")
  if ((rules.min !== undefined || rules.max !== undefined) && dataType !== "number") {
    return bad("min", "min and max apply to number settings")
  }
  if (rules.enum !== undefined && dataType !== "string" && dataType !== "number") {
    return bad("enum", "enum applies to string or number settings")
  }
  if (rules.enum?.some((v) => typeof v !== dataType)) return bad("enum", `every allowed value must be a ${dataType}`)
  if (rules.pattern !== undefined && compilePattern(rules.pattern) === undefined) {
    return bad("pattern", "not a valid regular expression")
  }
  if (rules.min !== undefined && rules.max !== undefined && rules.min > rules.max) {
    return bad("min", "min is greater than max")
  }
  if (rules.minLength !== undefined && rules.maxLength !== undefined && rules.minLength > rules.maxLength) {
    return bad("minLength", "minLength is greater than maxLength")
  }
  return Result.succeed(rules)
}

/** TEN-08: the value has the setting's type and passes its rules. */
export const validateValue = (
  dataType: SettingType,
  rules: ValidationRules,
  value: Schema.Json
): Result.Result<Schema.Json, Errors.ValidationError> => {
  switch (dataType) {
    case "string": {
      if (typeof value !== "string") return invalid("must be a string")
      if (rules.minLength !== undefined && value.length < rules.minLength) {
        return invalid(`must have at least ${rules.minLength} characters`)
      }
      if (rules.maxLength !== undefined && value.length > rules.maxLength) {
        return invalid(`must have at most ${rules.maxLength} characters`)
      }
      if (rules.pattern !== undefined && !(compilePattern(rules.pattern)?.test(value) ?? false)) {
        return invalid("does not match the pattern")
      }
      break
    }
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return invalid("must be a finite number")
      if (rules.min !== undefined && value < rules.min) return invalid(`must be at least ${rules.min}`)
      if (rules.max !== undefined && value > rules.max) return invalid(`must be at most ${rules.max}`)
      break
    }
    case "boolean":
      if (typeof value !== "boolean") return invalid("must be a boolean")
      break
    case "json":
      break
  }
  if (rules.enum !== undefined && !rules.enum.includes(value as string | number)) {
    return invalid("is not one of the allowed values")
  }
  return Result.succeed(value)
}
