/**
 * The client account: one per customer and tenant. It holds what the client owes (`balanceMinor`, the
 * receivable), prepaid funds (`walletBalanceMinor`), the sum of open credit holds (`holdsMinor`, stored
 * so a credit check reads one row) and the credit terms. `availableCredit` is derived, never stored:
 *
 *   availableCredit = creditLimit − balance − holds        (never negative: every debit is checked)
 *
 * Balance and wallet change only through `Ledger.post`; this module decides credit.
 */
import { Currency, Ids, Invariants, LocalDate, Money, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { CreditLimitBelowExposure, CreditLimitExceeded, CreditNotApproved } from "./BillingError.ts"
import { ClientAccountId } from "./Ids.ts"
import { Instant } from "./Values.ts"

export class ClientAccount extends Schema.Class<ClientAccount>("ClientAccount")({
  id: ClientAccountId,
  tenant: Tenant.Tenant,
  customerId: Ids.CustomerId,
  /** Every invoice, hold and posting of the account is in this currency. */
  currency: Currency.Currency,
  creditLimitMinor: Money.NonNegativeMinorUnits,
  isCreditApproved: Schema.Boolean,
  /** What the client owes: the sum of the ledger's `amountMinor` (debits +, credits −). */
  balanceMinor: Money.MinorUnits,
  /** Prepaid funds: the sum of the ledger's `walletAmountMinor`. */
  walletBalanceMinor: Money.NonNegativeMinorUnits,
  /** Sum of the account's Pending credit holds. */
  holdsMinor: Money.NonNegativeMinorUnits,
  /** Sequence of the last ledger posting (0 before the first); postings are gap-free per account. */
  lastSequence: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  /** BIL-CA-04: the latest payment date of a completed payment. */
  lastPaymentDate: Schema.NullOr(LocalDate.LocalDate),
  createdAt: Instant,
  updatedAt: Instant
}) {
  get availableCreditMinor(): bigint {
    return availableCredit(this)
  }
}

export const open = (
  props: {
    readonly id: ClientAccountId
    readonly tenant: Tenant.Tenant
    readonly customerId: Ids.CustomerId
    readonly currency: Currency.Currency
    readonly now: number
  }
): ClientAccount =>
  new ClientAccount({
    id: props.id,
    tenant: props.tenant,
    customerId: props.customerId,
    currency: props.currency,
    creditLimitMinor: 0n,
    isCreditApproved: false,
    balanceMinor: 0n,
    walletBalanceMinor: 0n,
    holdsMinor: 0n,
    lastSequence: 0,
    lastPaymentDate: null,
    createdAt: props.now,
    updatedAt: props.now
  })

/** `with` for accounts: a copy with some fields replaced (validated by the class). */
export const update = (account: ClientAccount, patch: Partial<ClientAccount>, now: number): ClientAccount =>
  new ClientAccount({ ...account, ...patch, updatedAt: now })

export const availableCredit = (a: ClientAccount): bigint => a.creditLimitMinor - a.balanceMinor - a.holdsMinor

/** What the limit must cover: the receivable plus open holds. */
export const exposure = (a: ClientAccount): bigint => a.balanceMinor + a.holdsMinor

/** BIL-CA-02: work on credit of `amountMinor` needs approval and that much available credit. */
export const checkCredit = (
  a: ClientAccount,
  amountMinor: bigint
): Result.Result<void, CreditNotApproved | CreditLimitExceeded> => {
  if (!a.isCreditApproved) return Result.fail(new CreditNotApproved({ accountId: a.id }))
  const available = availableCredit(a)
  return amountMinor > available
    ? Result.fail(new CreditLimitExceeded({ accountId: a.id, availableMinor: available, requestedMinor: amountMinor }))
    : Result.succeed(undefined)
}

/** BIL-CA-01 (who) is the command's permission; this checks what: the limit must cover the exposure. */
export const setCreditTerms = (
  a: ClientAccount,
  terms: { readonly creditLimitMinor?: bigint | undefined; readonly isCreditApproved?: boolean | undefined },
  now: number
): Result.Result<ClientAccount, CreditLimitBelowExposure> => {
  const creditLimitMinor = terms.creditLimitMinor ?? a.creditLimitMinor
  if (creditLimitMinor < exposure(a)) {
    return Result.fail(new CreditLimitBelowExposure({ accountId: a.id, creditLimitMinor, exposureMinor: exposure(a) }))
  }
  return Result.succeed(
    update(a, { creditLimitMinor, isCreditApproved: terms.isCreditApproved ?? a.isCreditApproved }, now)
  )
}

/** Opens a credit hold of `amountMinor`: the credit check, then `holdsMinor` rises. */
export const reserve = (
  a: ClientAccount,
  amountMinor: bigint,
  now: number
): Result.Result<ClientAccount, CreditNotApproved | CreditLimitExceeded> =>
  Result.map(checkCredit(a, amountMinor), () => update(a, { holdsMinor: a.holdsMinor + amountMinor }, now))

/** Releases a hold (posted, voided or expired): `holdsMinor` falls by its amount. */
export const release = (a: ClientAccount, amountMinor: bigint, now: number): ClientAccount => {
  if (amountMinor > a.holdsMinor) throw new Error(`account ${a.id}: releasing ${amountMinor} of ${a.holdsMinor} held`)
  return update(a, { holdsMinor: a.holdsMinor - amountMinor }, now)
}

/** BIL-CA-04: a completed payment moves `lastPaymentDate` forward (a back-dated one never moves it back). */
export const recordPaymentDate = (a: ClientAccount, paymentDate: LocalDate.LocalDate, now: number): ClientAccount =>
  a.lastPaymentDate !== null && a.lastPaymentDate >= paymentDate ? a : update(a, { lastPaymentDate: paymentDate }, now)

/** Named invariants, checked after every transition in tests; a broken one is a defect. */
export const invariants: ReadonlyArray<Invariants.Invariant<ClientAccount>> = [
  ["available credit is never negative", (a) => availableCredit(a) >= 0n],
  ["wallet balance is never negative", (a) => a.walletBalanceMinor >= 0n],
  ["holds are never negative", (a) => a.holdsMinor >= 0n]
]

export const brokenInvariants = (a: ClientAccount): ReadonlyArray<string> => Invariants.broken(invariants, a)
