/**
 * Every state machine of billing, for the generated diagrams in docs/billing.md and for model tests.
 */
import type { StateMachine } from "@erpkit/kernel"
import * as AccountingSync from "./AccountingSync.ts"
import * as BillingRun from "./BillingRun.ts"
import * as CreditHold from "./CreditHold.ts"
import * as Dispute from "./Dispute.ts"
import * as Invoice from "./Invoice.ts"
import * as Payment from "./Payment.ts"
import * as Quote from "./Quote.ts"

export const machines: ReadonlyArray<StateMachine.StateMachine<string>> = [
  Invoice.machine,
  Payment.machine,
  CreditHold.machine,
  Quote.machine,
  Dispute.machine,
  AccountingSync.machine,
  BillingRun.machine
]
