/**
 * Commands and queries over client accounts, credit holds and the wallet. Every command runs through
 * kernel `Command.make`: decoded input, permission, the actor's tenant, one unit of work, outbox
 * events, audit entries, optional idempotency key.
 */
// `Actor` and `Errors` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, Command, Currency, type Errors, Ids, Money } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import { AmountOutOfRange } from "./BillingError.ts"
import * as BillingEvent from "./BillingEvent.ts"
import * as ClientAccount from "./ClientAccount.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import * as CreditHold from "./CreditHold.ts"
import { CreditHoldRepository } from "./CreditHoldRepository.ts"
import { ClientAccountId, CreditHoldId } from "./Ids.ts"
import { audit, freshIds, savePosted, transactionIds } from "./internal/command.ts"
import * as Ledger from "./Ledger.ts"
import { LedgerRepository } from "./LedgerRepository.ts"
import { permissions } from "./Permissions.ts"
import { HoldTimeoutSeconds, NonNegativeAmountInput, PositiveAmountInput, Text } from "./Values.ts"

export const OpenAccountInput = Schema.Struct({ customerId: Ids.CustomerId, currency: Currency.Currency })

/** Opens the customer's client account (no credit: limit 0, not approved). */
export const openAccount = Command.make({
  name: "billing.openAccount",
  input: OpenAccountInput,
  output: ClientAccount.ClientAccount,
  permission: permissions.accountOpen,
  handler: Effect.fnUntraced(function*(input, context) {
    const [id] = yield* freshIds(ClientAccountId, 1)
    const account = ClientAccount.open({
      id: id!,
      tenant: context.tenant,
      customerId: input.customerId,
      currency: input.currency,
      now: context.now
    })
    yield* (yield* ClientAccountRepository).insert(context.tenant, account)
    return {
      result: account,
      events: [
        BillingEvent.draft({
          _tag: "AccountOpened",
          accountId: account.id,
          customerId: account.customerId,
          currency: account.currency
        })
      ],
      changes: [audit(ClientAccount.ClientAccount, null, account)]
    }
  })
})

export const SetCreditTermsInput = Schema.Struct({
  accountId: ClientAccountId,
  creditLimitMinor: Schema.optionalKey(NonNegativeAmountInput),
  isCreditApproved: Schema.optionalKey(Schema.Boolean)
})

/** BIL-CA-01: credit limit and approval, by Accounts Manager or Finance Manager only. */
export const setCreditTerms = Command.make({
  name: "billing.setCreditTerms",
  input: SetCreditTermsInput,
  output: ClientAccount.ClientAccount,
  permission: permissions.accountCredit,
  handler: Effect.fnUntraced(function*(input, context) {
    const accounts = yield* ClientAccountRepository
    const before = yield* accounts.getForUpdate(context.tenant, input.accountId)
    const after = yield* Effect.fromResult(ClientAccount.setCreditTerms(before, input, context.now))
    yield* Effect.orDie(accounts.update(context.tenant, after))
    return {
      result: after,
      events: [
        BillingEvent.draft({
          _tag: "CreditTermsChanged",
          accountId: after.id,
          creditLimitMinor: after.creditLimitMinor,
          isCreditApproved: after.isCreditApproved
        })
      ],
      changes: [audit(ClientAccount.ClientAccount, before, after)]
    }
  })
})

/** One day, unless the caller says otherwise. */
export const defaultHoldTimeoutSeconds = 86_400

export const ReserveCreditInput = Schema.Struct({
  accountId: ClientAccountId,
  amountMinor: PositiveAmountInput,
  /** 1 s … 30 days; default one day. */
  holdTimeoutSeconds: Schema.optionalKey(HoldTimeoutSeconds),
  /** What it is for (order, shipment). */
  reference: Schema.optionalKey(Text(200))
})

/** BIL-CA-02 as a two-phase hold: the credit check, then a Pending hold raising `holdsMinor`. */
export const reserveCredit = Command.make({
  name: "billing.reserveCredit",
  input: ReserveCreditInput,
  output: CreditHold.CreditHold,
  permission: permissions.creditReserve,
  handler: Effect.fnUntraced(function*(input, context) {
    const accounts = yield* ClientAccountRepository
    const before = yield* accounts.getForUpdate(context.tenant, input.accountId)
    const after = yield* Effect.fromResult(ClientAccount.reserve(before, input.amountMinor, context.now))
    const [id] = yield* freshIds(CreditHoldId, 1)
    const hold = CreditHold.make({
      id: id!,
      tenant: context.tenant,
      accountId: before.id,
      amountMinor: input.amountMinor,
      reference: input.reference ?? null,
      holdTimeoutSeconds: input.holdTimeoutSeconds ?? defaultHoldTimeoutSeconds,
      now: context.now
    })
    yield* (yield* CreditHoldRepository).insert(context.tenant, hold)
    yield* Effect.orDie(accounts.update(context.tenant, after))
    return {
      result: hold,
      events: [
        BillingEvent.draft({
          _tag: "CreditReserved",
          holdId: hold.id,
          accountId: hold.accountId,
          amountMinor: hold.amountMinor,
          expiresAt: hold.expiresAt
        })
      ],
      changes: [audit(CreditHold.CreditHold, null, hold), audit(ClientAccount.ClientAccount, before, after)]
    }
  })
})

export const VoidCreditHoldInput = Schema.Struct({ holdId: CreditHoldId })

/** Releases a Pending hold (lock order: hold, then account). */
export const voidCreditHold = Command.make({
  name: "billing.voidCreditHold",
  input: VoidCreditHoldInput,
  output: CreditHold.CreditHold,
  permission: permissions.creditVoid,
  handler: Effect.fnUntraced(function*(input, context) {
    const holds = yield* CreditHoldRepository
    const accounts = yield* ClientAccountRepository
    const hold = yield* holds.getForUpdate(context.tenant, input.holdId)
    const voided = yield* Effect.fromResult(CreditHold.void_(hold, context.now))
    const before = yield* Effect.orDie(accounts.getForUpdate(context.tenant, hold.accountId))
    const after = ClientAccount.release(before, hold.amountMinor, context.now)
    yield* Effect.orDie(holds.update(context.tenant, voided))
    yield* Effect.orDie(accounts.update(context.tenant, after))
    return {
      result: voided,
      events: [
        BillingEvent.draft({
          _tag: "CreditHoldResolved",
          holdId: voided.id,
          accountId: voided.accountId,
          amountMinor: voided.amountMinor,
          status: voided.status,
          invoiceId: null
        })
      ],
      changes: [audit(CreditHold.CreditHold, hold, voided), audit(ClientAccount.ClientAccount, before, after)]
    }
  })
})

export const TopUpWalletInput = Schema.Struct({ accountId: ClientAccountId, amountMinor: PositiveAmountInput })

export const TopUpWalletOutput = Schema.Struct({
  account: ClientAccount.ClientAccount,
  transaction: Ledger.AccountTransaction
})

/** Prepaid funds: a WalletTopUp posting raises `walletBalanceMinor` (BIL-CA-03). */
export const topUpWallet = Command.make({
  name: "billing.topUpWallet",
  input: TopUpWalletInput,
  output: TopUpWalletOutput,
  permission: permissions.walletTopUp,
  handler: Effect.fnUntraced(function*(input, context) {
    const before = yield* (yield* ClientAccountRepository).getForUpdate(context.tenant, input.accountId)
    const wallet = before.walletBalanceMinor + input.amountMinor
    if (wallet > Money.maxMinor) {
      return yield* new AmountOutOfRange({ field: "walletBalanceMinor", amountMinor: wallet })
    }
    const ids = yield* transactionIds(1)
    const posted = Ledger.post(before, [Ledger.walletTopUp(ids[0]!, input.amountMinor)], ids, context.now)
    const changes = yield* savePosted(context, before, posted)
    return {
      result: { account: posted.account, transaction: posted.transactions[0]! },
      events: [
        BillingEvent.draft({
          _tag: "WalletToppedUp",
          accountId: before.id,
          amountMinor: input.amountMinor,
          walletBalanceMinor: wallet
        })
      ],
      changes
    }
  })
})

export const GetAccountInput = Schema.Struct({ accountId: ClientAccountId })

export const getAccount = Command.query({
  name: "billing.getAccount",
  input: GetAccountInput,
  permission: permissions.accountRead,
  handler: (input, context) => ClientAccountRepository.use((accounts) => accounts.get(context.tenant, input.accountId))
})

export const FindAccountInput = Schema.Struct({ customerId: Ids.CustomerId })

export const findAccountByCustomer = Command.query({
  name: "billing.findAccountByCustomer",
  input: FindAccountInput,
  permission: permissions.accountRead,
  handler: (input, context) =>
    ClientAccountRepository.use((accounts) => accounts.findByCustomer(context.tenant, input.customerId))
})

export const AccountStatementInput = Schema.Struct({
  accountId: ClientAccountId,
  afterSequence: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))),
  limit: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
})

/** The account's ledger in sequence order (paged by `afterSequence`). */
export const accountStatement = Command.query({
  name: "billing.accountStatement",
  input: AccountStatementInput,
  permission: permissions.accountRead,
  handler: (input, context) =>
    Effect.gen(function*() {
      yield* (yield* ClientAccountRepository).get(context.tenant, input.accountId)
      return yield* (yield* LedgerRepository).list(context.tenant, input.accountId, input)
    })
})
