/**
 * What rate cards and surcharges share: a validity range of business dates, an `isActive` flag and a
 * soft delete. Two predicates decide everything the rules need:
 *
 *   usable on `date`  (BIL-RC-02)  active, not deleted, validFrom ≤ date ≤ validTo
 *   expired on `today` (BIL-RC-03) active, not deleted, validTo < today   (the daily job deactivates it)
 *
 * A card that is not valid yet stays active: it becomes usable on its `validFrom` by itself (the job
 * deactivating it would make it unusable for good).
 */
import type { LocalDate } from "@erpkit/kernel"
import { Result } from "effect"
import { ValidityRangeInverted } from "../BillingError.ts"

export interface Validity {
  readonly isActive: boolean
  readonly deletedAt: number | null
  readonly validFrom: LocalDate.LocalDate
  readonly validTo: LocalDate.LocalDate
}

export const isUsableOn = (r: Validity, date: LocalDate.LocalDate): boolean =>
  r.isActive && r.deletedAt === null && r.validFrom <= date && date <= r.validTo

export const isExpired = (r: Validity, today: LocalDate.LocalDate): boolean =>
  r.isActive && r.deletedAt === null && r.validTo < today

export const checkRange = (
  validFrom: LocalDate.LocalDate,
  validTo: LocalDate.LocalDate
): Result.Result<void, ValidityRangeInverted> =>
  validTo < validFrom ? Result.fail(new ValidityRangeInverted({ validFrom, validTo })) : Result.succeed(undefined)
