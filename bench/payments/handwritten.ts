/**
 * Baseline (b): the payment transaction erpkit performs, written by hand on the `pg` driver. Same
 * tables, same rows, same role and tenant binding, same locks; one connection per client, named
 * (prepared) statements, one round trip per statement:
 *
 *   BEGIN; bind role + tenant; lock invoice; lock account; update invoice; update account; insert ledger
 *   row; insert invoice event; insert payment; insert accounting sync; insert 2 outbox events (one
 *   multi-row INSERT); insert 5 audit entries (one multi-row INSERT); insert the completed idempotency
 *   record (a duplicate key fails on the primary key, as erpkit's first attempt); COMMIT → 14 round trips
 *
 * The audit rows carry the changed rows as JSON built from what the locks read (erpkit's carry its
 * full domain records, invoice lines included, so they are somewhat larger).
 */
import { createHash, randomBytes } from "node:crypto"
import pg from "pg"

export interface Fixture {
  readonly organizationId: string
  readonly workspaceId: string
  readonly userId: string
  /** Per client: the invoices of that client's own account. */
  readonly invoicesByClient: ReadonlyArray<ReadonlyArray<string>>
}

/** UUIDv7 (as erpkit's `IdGenerator.layerUuidV7`), so index locality is the same. */
export const uuidv7 = (): string => {
  const bytes = randomBytes(16)
  const ms = BigInt(Date.now())
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn)
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const h = bytes.toString("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const q = (name: string, text: string) => (values: ReadonlyArray<unknown>) => ({
  name,
  text,
  values: values as Array<unknown>
})

const S = {
  bind: q(
    "bind",
    `SELECT set_config('role', 'erpkit_app', true), set_config('erpkit.organization_id', $1, true),
    set_config('erpkit.workspace_id', $2, true)`
  ),
  lockInvoice: q(
    "lockInvoice",
    `SELECT id, account_id, customer_id, invoice_number, status, currency, total_minor, amount_paid_minor,
      amount_credited_minor, updated_at FROM billing.invoices
    WHERE organization_id = $1 AND workspace_id = $2 AND id = $3 AND deleted_at IS NULL FOR NO KEY UPDATE`
  ),
  lockAccount: q(
    "lockAccount",
    `SELECT id, currency, balance_minor, wallet_balance_minor, holds_minor, last_sequence, last_payment_date, updated_at
    FROM billing.client_accounts WHERE organization_id = $1 AND workspace_id = $2 AND id = $3 FOR NO KEY UPDATE`
  ),
  updateInvoice: q(
    "updateInvoice",
    `UPDATE billing.invoices SET amount_paid_minor = $4, status = $5, paid_at = $6, updated_at = $7
    WHERE organization_id = $1 AND workspace_id = $2 AND id = $3`
  ),
  updateAccount: q(
    "updateAccount",
    `UPDATE billing.client_accounts SET balance_minor = $4, last_sequence = $5, last_payment_date = $6,
    updated_at = $7 WHERE organization_id = $1 AND workspace_id = $2 AND id = $3`
  ),
  ledger: q(
    "ledger",
    `INSERT INTO billing.account_transactions (id, organization_id, workspace_id, account_id, sequence, kind, currency,
      amount_minor, wallet_amount_minor, running_balance_minor, running_wallet_balance_minor, source_id, invoice_id, at)
    VALUES ($1, $2, $3, $4, $5, 'PaymentReceived', $6, $7, 0, $8, $9, $10, $11, $12)`
  ),
  event: q(
    "event",
    `INSERT INTO billing.invoice_events (id, organization_id, workspace_id, invoice_id, type, data,
      triggered_by, triggered_by_system, at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)`
  ),
  payment: q(
    "payment",
    `INSERT INTO billing.payments (id, organization_id, workspace_id, invoice_id, account_id, customer_id, amount_minor,
      currency, exchange_rate_numerator, exchange_rate_denominator, base_amount_minor, base_currency, method, status,
        from_wallet,
      payment_date, reference, created_at, updated_at, completed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, 1, $7, $8, 'CASH', 'Completed', false, $9, NULL, $10, $10, $10)`
  ),
  sync: q(
    "sync",
    `INSERT INTO billing.accounting_syncs (id, organization_id, workspace_id, entity_type, entity_id, status, attempts,
      next_attempt_at, last_error, external_id, created_at, updated_at, synced_at)
    VALUES ($1, $2, $3, 'Payment', $4, 'Pending', 0, $5, NULL, NULL, $5, $5, NULL)`
  ),
  outbox: q(
    "outbox",
    `INSERT INTO platform.outbox (id, organization_id, workspace_id, type, aggregate_type, aggregate_id, occurred_at,
      payload) VALUES ($1, $3, $4, 'billing.PaymentRecorded', 'Payment', $5, $7, $8),
      ($2, $3, $4, 'billing.AccountingSyncRequested', 'AccountingSync', $6, $7, $9)`
  ),
  audit: q(
    "audit",
    `INSERT INTO platform.audit_log (id, organization_id, workspace_id, actor_id, command, entity_type, entity_id,
      action, old_values, new_values, changed_fields, at)
    SELECT x.id, $1, $2, $3, 'billing.recordPayment', x.entity_type, x.entity_id, x.action, x.old_values, x.new_values,
      x.changed_fields, $4
    FROM jsonb_to_recordset($5::jsonb) AS x(id uuid, entity_type text, entity_id text, action text, old_values jsonb,
      new_values jsonb, changed_fields text[])`
  ),
  idempotency: q(
    "idempotency",
    `INSERT INTO platform.idempotency_keys (organization_id, workspace_id, key, state, command,
      request_hash, result, completed_at) VALUES ($1, $2, $3, 'completed', 'billing.recordPayment', $4, $5, now())`
  )
}

interface InvoiceRow {
  readonly id: string
  readonly account_id: string
  readonly customer_id: string
  readonly invoice_number: string
  readonly status: string
  readonly currency: string
  readonly total_minor: string
  readonly amount_paid_minor: string
  readonly amount_credited_minor: string
  readonly updated_at: Date
}

interface AccountRow {
  readonly id: string
  readonly currency: string
  readonly balance_minor: string
  readonly wallet_balance_minor: string
  readonly holds_minor: string
  readonly last_sequence: number
  readonly last_payment_date: string | null
  readonly updated_at: Date
}

const today = () => new Date().toISOString().slice(0, 10)

/** One payment of `amount` minor units on `invoiceId`, as erpkit's recordPayment writes it. */
export const pay = async (
  client: pg.Client,
  f: Fixture,
  invoiceId: string,
  amount: bigint,
  key: string
): Promise<void> => {
  const t = [f.organizationId, f.workspaceId]
  await client.query("BEGIN")
  try {
    await client.query(S.bind(t))
    const invoice = (await client.query<InvoiceRow>(S.lockInvoice([...t, invoiceId]))).rows[0]
    if (invoice === undefined) throw new Error(`invoice ${invoiceId} not found`)
    const account = (await client.query<AccountRow>(S.lockAccount([...t, invoice.account_id]))).rows[0]!
    const outstanding = BigInt(invoice.total_minor) - BigInt(invoice.amount_paid_minor) -
      BigInt(invoice.amount_credited_minor)
    if ((invoice.status !== "Sent" && invoice.status !== "Overdue") || amount > outstanding) {
      throw new Error("not payable")
    }
    const now = new Date()
    const paid = BigInt(invoice.amount_paid_minor) + amount
    const settled = amount === outstanding
    const status = settled ? "Paid" : invoice.status
    const balance = BigInt(account.balance_minor) - amount
    const sequence = account.last_sequence + 1
    const date = today()
    const [paymentId, transactionId, eventId, syncId, e1, e2] = [
      uuidv7(),
      uuidv7(),
      uuidv7(),
      uuidv7(),
      uuidv7(),
      uuidv7()
    ]
    await client.query(S.updateInvoice([...t, invoiceId, String(paid), status, settled ? now : null, now]))
    await client.query(S.updateAccount([...t, account.id, String(balance), sequence, date, now]))
    await client.query(
      S.ledger([
        transactionId,
        ...t,
        account.id,
        sequence,
        account.currency,
        String(-amount),
        String(balance),
        account.wallet_balance_minor,
        paymentId,
        invoiceId,
        now
      ])
    )
    const eventData = { paymentId, baseAmountMinor: String(amount), method: "CASH" }
    await client.query(
      S.event([eventId, ...t, invoiceId, settled ? "payment_received" : "payment_partial", eventData, f.userId, now])
    )
    await client.query(
      S.payment([
        paymentId,
        ...t,
        invoiceId,
        account.id,
        invoice.customer_id,
        String(amount),
        invoice.currency,
        date,
        now
      ])
    )
    await client.query(S.sync([syncId, ...t, paymentId, now]))
    const payment = {
      id: paymentId,
      invoiceId,
      accountId: account.id,
      customerId: invoice.customer_id,
      amountMinor: String(amount),
      currency: invoice.currency,
      exchangeRate: "1",
      baseAmountMinor: String(amount),
      baseCurrency: invoice.currency,
      method: "CASH",
      status: "Completed",
      fromWallet: false,
      paymentDate: date,
      reference: null,
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
      completedAt: now.getTime()
    }
    await client.query(
      S.outbox([
        e1,
        e2,
        ...t,
        paymentId,
        syncId,
        now,
        { _tag: "PaymentRecorded", payment },
        { _tag: "AccountingSyncRequested", syncId, entityType: "Payment", entityId: paymentId }
      ])
    )
    const invoiceAfter = { ...invoice, amount_paid_minor: String(paid), status, updated_at: now }
    const accountAfter = {
      ...account,
      balance_minor: String(balance),
      last_sequence: sequence,
      last_payment_date: date,
      updated_at: now
    }
    const audit = [
      {
        id: uuidv7(),
        entity_type: "Payment",
        entity_id: paymentId,
        action: "CREATE",
        old_values: null,
        new_values: payment,
        changed_fields: Object.keys(payment)
      },
      {
        id: uuidv7(),
        entity_type: "Invoice",
        entity_id: invoiceId,
        action: "UPDATE",
        old_values: invoice,
        new_values: invoiceAfter,
        changed_fields: ["amountPaidMinor", "updatedAt"]
      },
      {
        id: uuidv7(),
        entity_type: "ClientAccount",
        entity_id: account.id,
        action: "UPDATE",
        old_values: account,
        new_values: accountAfter,
        changed_fields: ["balanceMinor", "lastSequence", "lastPaymentDate", "updatedAt"]
      },
      {
        id: uuidv7(),
        entity_type: "AccountTransaction",
        entity_id: transactionId,
        action: "CREATE",
        old_values: null,
        new_values: {
          id: transactionId,
          accountId: account.id,
          sequence,
          amountMinor: String(-amount),
          sourceId: paymentId
        },
        changed_fields: ["id", "accountId", "sequence", "amountMinor", "sourceId"]
      },
      {
        id: uuidv7(),
        entity_type: "AccountingSync",
        entity_id: syncId,
        action: "CREATE",
        old_values: null,
        new_values: { id: syncId, entityType: "Payment", entityId: paymentId, status: "Pending" },
        changed_fields: ["id", "entityType", "entityId", "status"]
      }
    ]
    await client.query(S.audit([...t, f.userId, now, JSON.stringify(audit)]))
    const hash = createHash("sha256").update(`billing.recordPayment\n${invoiceId}\n${amount}`).digest("hex")
    await client.query(S.idempotency([...t, key, hash, { payment, invoice: invoiceAfter }]))
    await client.query("COMMIT")
  } catch (error) {
    await client.query("ROLLBACK")
    throw error
  }
}

export const connect = async (url: string): Promise<pg.Client> => {
  const client = new pg.Client({ connectionString: url, application_name: "bench-handwritten" })
  await client.connect()
  return client
}
