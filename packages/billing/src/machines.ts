/**
 * Every state machine of billing, for the generated diagrams in docs/billing.md and for model tests.
 */
import { type StateMachine } from "@erpkit/kernel"
import * as CreditHold from "./CreditHold.ts"
import * as Invoice from "./Invoice.ts"
import * as Payment from "./Payment.ts"

export const machines: ReadonlyArray<StateMachine.StateMachine<string>> = [Invoice.machine, Payment.machine, CreditHold.machine]
