/**
 * The ledger: every change of a client account's balance or wallet is an `AccountTransaction`, written
 * by `post`, the one pure function every command uses.
 *
 * Sign convention (from the client's side, what the client owes):
 *   InvoiceIssued      amount = +total            (debit, BIL-AT-02)
 * PaymentReceived    amount = −Payment.baseAmountMinor (credit, BIL-AT-01); from the wallet also wallet =
 * −baseAmountMinor
 *   CreditNoteApplied  amount = −credit            (credit)
 *   InvoiceVoided      amount = −outstanding       (credit reversing what the void cancels)
 *   WalletTopUp        wallet = +top-up            (prepaid funds; the receivable is unchanged)
 *
 * Each account has one gap-free `sequence` (1, 2, 3, …) over both columns, and each row carries both
 * running balances: running = previous running + amount (BIL-AT-03). So the account's `balanceMinor`
 * equals the last `runningBalanceMinor` and the sum of `amountMinor`; the same holds for the wallet.
 */
import { Currency, Tenant } from "@erpkit/kernel"
import { Schema } from "effect"
import { type ClientAccount, update } from "./ClientAccount.ts"
import { AccountTransactionId, ClientAccountId, InvoiceId } from "./Ids.ts"
import { Instant, LedgerMinorUnits } from "./Values.ts"

export const TransactionKind = Schema.Literals([
  "InvoiceIssued",
  "PaymentReceived",
  "CreditNoteApplied",
  "InvoiceVoided",
  "WalletTopUp"
])
export type TransactionKind = typeof TransactionKind.Type

export class AccountTransaction extends Schema.Class<AccountTransaction>("AccountTransaction")({
  id: AccountTransactionId,
  tenant: Tenant.Tenant,
  accountId: ClientAccountId,
  /** 1, 2, 3, … per account, no gaps. */
  sequence: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  kind: TransactionKind,
  currency: Currency.Currency,
  /** Change of what the client owes: + debit, − credit. */
  amountMinor: LedgerMinorUnits,
  /** Change of the prepaid wallet: + top-up, − use. */
  walletAmountMinor: LedgerMinorUnits,
  runningBalanceMinor: LedgerMinorUnits,
  runningWalletBalanceMinor: LedgerMinorUnits,
  /** The record that caused it: invoice, payment or credit note id; the transaction's own id for top-ups. */
  sourceId: Schema.String,
  invoiceId: Schema.NullOr(InvoiceId),
  at: Instant
}) {}

/** What a command wants posted; `post` numbers it and computes the running balances. */
export interface Posting {
  readonly kind: TransactionKind
  readonly amountMinor: bigint
  readonly walletAmountMinor: bigint
  readonly sourceId: string
  readonly invoiceId: InvoiceId | null
}

export const invoiceDebit = (invoiceId: InvoiceId, totalMinor: bigint): Posting => ({
  kind: "InvoiceIssued",
  amountMinor: totalMinor,
  walletAmountMinor: 0n,
  sourceId: invoiceId,
  invoiceId
})

export const paymentCredit = (
  paymentId: string,
  invoiceId: InvoiceId,
  baseAmountMinor: bigint,
  fromWallet: boolean
): Posting => ({
  kind: "PaymentReceived",
  amountMinor: -baseAmountMinor,
  walletAmountMinor: fromWallet ? -baseAmountMinor : 0n,
  sourceId: paymentId,
  invoiceId
})

export const creditNoteCredit = (creditNoteId: string, invoiceId: InvoiceId, amountMinor: bigint): Posting => ({
  kind: "CreditNoteApplied",
  amountMinor: -amountMinor,
  walletAmountMinor: 0n,
  sourceId: creditNoteId,
  invoiceId
})

export const voidCredit = (invoiceId: InvoiceId, outstandingMinor: bigint): Posting => ({
  kind: "InvoiceVoided",
  amountMinor: -outstandingMinor,
  walletAmountMinor: 0n,
  sourceId: invoiceId,
  invoiceId
})

export const walletTopUp = (transactionId: string, amountMinor: bigint): Posting => ({
  kind: "WalletTopUp",
  amountMinor: 0n,
  walletAmountMinor: amountMinor,
  sourceId: transactionId,
  invoiceId: null
})

export interface Posted {
  readonly account: ClientAccount
  readonly transactions: ReadonlyArray<AccountTransaction>
}

/**
 * Posts `postings` in order to `account`: numbers them after `lastSequence`, chains the running
 * balances, and returns the account with its new balance, wallet and last sequence. `ids` supplies one
 * id per posting (pure: ids and time come from the caller). Commands check credit and wallet funds
 * before posting; a wallet driven below zero here is a defect.
 */
export const post = (
  account: ClientAccount,
  postings: ReadonlyArray<Posting>,
  ids: ReadonlyArray<AccountTransactionId>,
  at: number
): Posted => {
  if (ids.length !== postings.length) throw new Error("post: one id per posting")
  let balance = account.balanceMinor
  let wallet = account.walletBalanceMinor
  let sequence = account.lastSequence
  const transactions = postings.map((p, i) => {
    balance += p.amountMinor
    wallet += p.walletAmountMinor
    sequence += 1
    if (wallet < 0n) throw new Error(`account ${account.id}: wallet would be ${wallet}`)
    return new AccountTransaction({
      id: ids[i]!,
      tenant: account.tenant,
      accountId: account.id,
      sequence,
      kind: p.kind,
      currency: account.currency,
      amountMinor: p.amountMinor,
      walletAmountMinor: p.walletAmountMinor,
      runningBalanceMinor: balance,
      runningWalletBalanceMinor: wallet,
      sourceId: p.sourceId,
      invoiceId: p.invoiceId,
      at
    })
  })
  const next = update(account, { balanceMinor: balance, walletBalanceMinor: wallet, lastSequence: sequence }, at)
  return { account: next, transactions }
}

/**
 * Does `transactions` (one account's, in sequence order) chain from zero to `account`? Gap-free
 * sequences from 1, running = previous + amount for both columns, ending at the account's figures.
 */
export const chainsTo = (account: ClientAccount, transactions: ReadonlyArray<AccountTransaction>): boolean => {
  let balance = 0n
  let wallet = 0n
  for (const [i, t] of transactions.entries()) {
    balance += t.amountMinor
    wallet += t.walletAmountMinor
    if (t.sequence !== i + 1 || t.runningBalanceMinor !== balance || t.runningWalletBalanceMinor !== wallet) {
      return false
    }
  }
  return balance === account.balanceMinor && wallet === account.walletBalanceMinor &&
    transactions.length === account.lastSequence
}
