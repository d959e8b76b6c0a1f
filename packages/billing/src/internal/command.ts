/**
 * Helpers the command handlers share: ids, the tenant's business date, audit changes, invoice log
 * entries, and writing a posted account with its ledger rows.
 */
import { Actor, AuditLog, type Command, Ids, LocalDate, type Rate, type Tenant, TenantDefaults } from "@erpkit/kernel"
import { Effect } from "effect"
import { ClientAccount } from "../ClientAccount.ts"
import { ClientAccountRepository } from "../ClientAccountRepository.ts"
import { AccountTransactionId, InvoiceEventId } from "../Ids.ts"
import { InvoiceEvent, type InvoiceEventDraft } from "../InvoiceEvent.ts"
import { AccountTransaction, type Posted } from "../Ledger.ts"
import { LedgerRepository } from "../LedgerRepository.ts"

/** `n` fresh ids branded with `schema`'s brand. */
export const freshIds = <S extends { readonly Type: string }>(schema: S, n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Ids.nextId(schema))

/** The tenant's business date at `now` (kernel `TenantDefaults.timeZone`, Asia/Almaty by default). */
export const businessDate = (tenant: Tenant.Tenant, now: number): Effect.Effect<LocalDate.LocalDate> =>
  Effect.gen(function*() {
    const defaults = yield* TenantDefaults.TenantDefaults
    return LocalDate.atInstant(now, defaults.timeZone(tenant))
  })

/** The VAT rate of the tenant's lines that name none (kernel `TenantDefaults.taxRate`, 12 % by default). */
export const defaultTaxRate = (tenant: Tenant.Tenant): Effect.Effect<Rate.Rate> =>
  Effect.map(TenantDefaults.TenantDefaults, (defaults) => defaults.taxRate(tenant))

/** The tenant's business date at the command's instant. */
export const today = (context: Command.CommandContext): Effect.Effect<LocalDate.LocalDate> =>
  businessDate(context.tenant, context.now)

/** An audit change of one entity: CREATE (no before), UPDATE, or DELETE (no after): the kernel's builder. */
export const audit = AuditLog.entityChange

/** Stamps invoice log drafts with ids, the tenant, who caused them and when. */
export const logEntries = (context: Command.CommandContext, drafts: ReadonlyArray<InvoiceEventDraft>) =>
  Effect.map(freshIds(InvoiceEventId, drafts.length), (ids) => {
    const system = Actor.isSystem(context.actor)
    return drafts.map((d, i) =>
      new InvoiceEvent({
        id: ids[i]!,
        tenant: context.tenant,
        invoiceId: d.invoiceId,
        type: d.type,
        data: d.data,
        triggeredBy: system ? null : context.actor.userId,
        triggeredBySystem: system ? context.command : null,
        at: context.now
      })
    )
  })

/** Ids for `n` postings. */
export const transactionIds = (n: number) => freshIds(AccountTransactionId, n)

/** Saves a posted account and appends its ledger rows; returns their audit changes. */
export const savePosted = (context: Command.CommandContext, before: ClientAccount, posted: Posted) =>
  Effect.gen(function*() {
    yield* Effect.orDie((yield* ClientAccountRepository).update(context.tenant, posted.account))
    yield* (yield* LedgerRepository).append(context.tenant, posted.transactions)
    return [
      audit(ClientAccount, before, posted.account),
      ...posted.transactions.map((t) => audit(AccountTransaction, null, t))
    ]
  })
