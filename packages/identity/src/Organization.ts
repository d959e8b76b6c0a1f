/**
 * Organizations: the tenant root (seed 001 `organizations`, seed 003 internal/customer kinds).
 * A BIN (Kazakhstan business identification number) is exactly 12 digits and unique among live
 * organizations (TEN-02, TEN-06). The check digit is validated only when asked (`checkBinDigit`),
 * because test fixtures and foreign entities often carry BINs that are well-formed but not issued.
 */
import { Result, Schema } from "effect"
import { Errors, Ids, Instant, StateMachine } from "@erpkit/kernel"
import { Version } from "./Versioned.ts"

export const OrganizationKind = Schema.Literals(["internal", "customer"])
export type OrganizationKind = typeof OrganizationKind.Type
export const OrganizationStatus = Schema.Literals(["active", "inactive", "suspended"])
export type OrganizationStatus = typeof OrganizationStatus.Type

export const statusMachine = StateMachine.make<OrganizationStatus>({
  name: "OrganizationStatus",
  states: ["active", "inactive", "suspended"],
  initial: [{ state: "active", label: "createOrganization" }],
  terminal: [],
  transitions: [
    { from: "active", to: "inactive", label: "setOrganizationStatus" },
    { from: "inactive", to: "active", label: "setOrganizationStatus" },
    { from: "active", to: "suspended", label: "setOrganizationStatus" },
    { from: "suspended", to: "active", label: "setOrganizationStatus" }
  ]
})

export const Bin = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^\d{12}$/, { message: "BIN must be exactly 12 digits" }))
)

export class Organization extends Schema.Class<Organization>("Organization")({
  id: Ids.OrganizationId,
  name: Schema.String,
  bin: Schema.String,
  /**
   * `internal`: the operator's own organization (Stone Forest). `customer`: a client's organization
   * that exists as a tenant because its people sign in (seed 003 portal); its commercial record is
   * the CRM customer in `customerId` (crm/Customer is the one customer model).
   */
  kind: OrganizationKind,
  customerId: Schema.NullOr(Ids.CustomerId),
  legalName: Schema.NullOr(Schema.String),
  email: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  status: OrganizationStatus,
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version,
  deletedAt: Schema.NullOr(Instant.Instant)
}) {}

/**
 * The IIN/BIN check digit: weights 1..11 over the first 11 digits, mod 11; a result of 10 retries
 * with weights 3..11,1,2; a second 10 means the number cannot be valid.
 */
export const binCheckDigit = (bin: string): number | undefined => {
  if (!/^\d{12}$/.test(bin)) return undefined
  const digits = Array.from(bin.slice(0, 11), Number)
  const weigh = (weights: ReadonlyArray<number>) => digits.reduce((sum, d, i) => sum + d * weights[i]!, 0) % 11
  const first = weigh([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  if (first !== 10) return first
  const second = weigh([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
  return second === 10 ? undefined : second
}

export const isValidBinCheckDigit = (bin: string): boolean => {
  const expected = binCheckDigit(bin)
  return expected !== undefined && Number(bin[11]) === expected
}

/** TEN-02: 12 digits always; the check digit too when `checkDigit` is on. */
export const validateBin = (bin: string, checkDigit: boolean): Result.Result<string, Errors.ValidationError> => {
  if (!/^\d{12}$/.test(bin)) return Result.fail(Errors.ValidationError.at(["bin"], "BIN must be exactly 12 digits"))
  if (checkDigit && !isValidBinCheckDigit(bin)) {
    return Result.fail(Errors.ValidationError.at(["bin"], "BIN check digit is wrong"))
  }
  return Result.succeed(bin)
}

export const isLive = (o: { readonly deletedAt: number | null }): boolean => o.deletedAt === null

export const setStatus = (
  org: Organization,
  to: OrganizationStatus,
  now: number
): Result.Result<Organization, Errors.InvalidTransition> =>
  Result.map(
    StateMachine.transition(statusMachine, org.status, to),
    (status) => new Organization({ ...org, status, updatedAt: now })
  )
