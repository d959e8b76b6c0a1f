-- erpkit billing schema (core): client accounts, ledger, credit holds, invoices with items and their
-- event log, payments, credit notes, accounting sync records. Money is bigint minor units + char(3)
-- currency; rates are exact fractions (numerator, denominator) with the decimal as a generated column.
-- Constraints repeat the domain invariants as a second line of defence (docs/postgres.md, "Billing").
-- Every statement is idempotent.

CREATE SCHEMA IF NOT EXISTS billing;
GRANT USAGE ON SCHEMA billing TO erpkit_app;

-- true when the array has no repeated element (one reminder of each kind per invoice).
CREATE OR REPLACE FUNCTION billing.distinct_elements(a text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT count(*) = count(DISTINCT x) FROM unnest(a) AS x
$$;
GRANT EXECUTE ON FUNCTION billing.distinct_elements(text[]) TO erpkit_app;

-- Client accounts -----------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.client_accounts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  credit_limit bigint NOT NULL CHECK (credit_limit BETWEEN 0 AND 1000000000000000),
  is_credit_approved boolean NOT NULL,
  balance bigint NOT NULL CHECK (balance BETWEEN -1000000000000000 AND 1000000000000000),
  wallet_balance bigint NOT NULL CHECK (wallet_balance BETWEEN 0 AND 1000000000000000),
  holds bigint NOT NULL CHECK (holds BETWEEN 0 AND 1000000000000000),
  last_sequence integer NOT NULL CHECK (last_sequence >= 0),
  last_payment_date date,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT client_accounts_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT client_accounts_customer_key UNIQUE (organization_id, workspace_id, customer_id)
);

-- Ledger (account transactions), append-only ----------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.account_transactions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  account_id uuid NOT NULL,
  sequence integer NOT NULL CHECK (sequence >= 1),
  kind text NOT NULL CHECK (kind IN ('InvoiceIssued', 'PaymentReceived', 'CreditNoteApplied', 'InvoiceVoided', 'WalletTopUp')),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount bigint NOT NULL,
  wallet_amount bigint NOT NULL,
  running_balance bigint NOT NULL,
  running_wallet_balance bigint NOT NULL CHECK (running_wallet_balance >= 0),
  source_id text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
  invoice_id uuid,
  at timestamptz NOT NULL,
  CONSTRAINT account_transactions_sequence_key UNIQUE (organization_id, workspace_id, account_id, sequence),
  CONSTRAINT account_transactions_account_fkey FOREIGN KEY (organization_id, workspace_id, account_id)
    REFERENCES billing.client_accounts (organization_id, workspace_id, id),
  -- BIL-AT-03 where one row can say it: the chain starts at zero.
  CONSTRAINT account_transactions_chain_start CHECK (sequence > 1 OR (running_balance = amount AND running_wallet_balance = wallet_amount)),
  -- The sign convention of each kind (docs/billing.md, Ledger).
  CONSTRAINT account_transactions_kind_signs CHECK (
    (kind = 'InvoiceIssued' AND amount > 0 AND wallet_amount = 0) OR
    (kind = 'PaymentReceived' AND amount < 0 AND (wallet_amount = 0 OR wallet_amount = amount)) OR
    (kind IN ('CreditNoteApplied', 'InvoiceVoided') AND amount < 0 AND wallet_amount = 0) OR
    (kind = 'WalletTopUp' AND amount = 0 AND wallet_amount > 0))
);

-- Credit holds --------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.credit_holds (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  account_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
  status text NOT NULL CHECK (status IN ('Pending', 'Posted', 'Voided', 'Expired')),
  reference text,
  expires_at timestamptz NOT NULL,
  invoice_id uuid,
  created_at timestamptz NOT NULL,
  resolved_at timestamptz,
  CONSTRAINT credit_holds_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT credit_holds_account_fkey FOREIGN KEY (organization_id, workspace_id, account_id)
    REFERENCES billing.client_accounts (organization_id, workspace_id, id),
  CONSTRAINT credit_holds_resolved CHECK ((status = 'Pending') = (resolved_at IS NULL)),
  CONSTRAINT credit_holds_posted_invoice CHECK ((status = 'Posted') = (invoice_id IS NOT NULL)),
  CONSTRAINT credit_holds_expiry_after_creation CHECK (expires_at > created_at)
);

-- Invoices ------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.invoices (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  account_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  invoice_number text NOT NULL CHECK (length(invoice_number) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('Draft', 'Sent', 'Paid', 'Overdue', 'Void')),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  issue_date date NOT NULL,
  due_date date NOT NULL,
  subtotal bigint NOT NULL CHECK (subtotal BETWEEN 0 AND 1000000000000000),
  discount bigint NOT NULL CHECK (discount >= 0),
  tax bigint NOT NULL CHECK (tax >= 0),
  total_amount bigint NOT NULL CHECK (total_amount BETWEEN 1 AND 1000000000000000),
  amount_paid bigint NOT NULL CHECK (amount_paid >= 0),
  amount_credited bigint NOT NULL CHECK (amount_credited >= 0),
  deposit_required boolean GENERATED ALWAYS AS (deposit_amount IS NOT NULL) STORED,
  deposit_amount bigint CHECK (deposit_amount >= 0),
  deposit_paid boolean GENERATED ALWAYS AS (deposit_paid_at IS NOT NULL) STORED,
  deposit_paid_at timestamptz,
  credit_hold_id uuid,
  reminders_sent text[] NOT NULL DEFAULT '{}',
  notes text,
  void_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sent_at timestamptz,
  viewed_at timestamptz,
  paid_at timestamptz,
  voided_at timestamptz,
  deleted_at timestamptz,
  CONSTRAINT invoices_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT invoices_account_fkey FOREIGN KEY (organization_id, workspace_id, account_id)
    REFERENCES billing.client_accounts (organization_id, workspace_id, id),
  CONSTRAINT invoices_credit_hold_fkey FOREIGN KEY (organization_id, workspace_id, credit_hold_id)
    REFERENCES billing.credit_holds (organization_id, workspace_id, id),
  CONSTRAINT invoices_due_after_issue CHECK (due_date >= issue_date),                                     -- BIL-INV-04
  CONSTRAINT invoices_paid_within_total CHECK (amount_paid <= total_amount),                              -- BIL-INV-05
  CONSTRAINT invoices_settled_within_total CHECK (amount_paid + amount_credited <= total_amount),
  CONSTRAINT invoices_total_sum CHECK (total_amount = subtotal + tax - discount),                         -- BIL-INV-12
  CONSTRAINT invoices_deposit_within_total CHECK (deposit_amount IS NULL OR deposit_amount <= total_amount),
  CONSTRAINT invoices_deposit_paid_needs_deposit CHECK (deposit_paid_at IS NULL OR deposit_amount IS NOT NULL), -- BIL-INV-11
  CONSTRAINT invoices_paid_settles CHECK (status <> 'Paid' OR (amount_paid + amount_credited = total_amount AND paid_at IS NOT NULL)),
  CONSTRAINT invoices_open_owes CHECK (status NOT IN ('Sent', 'Overdue') OR amount_paid + amount_credited < total_amount),
  CONSTRAINT invoices_draft_unsettled CHECK (status <> 'Draft' OR (amount_paid = 0 AND amount_credited = 0 AND sent_at IS NULL)),
  CONSTRAINT invoices_issued_sent_at CHECK (status NOT IN ('Sent', 'Overdue', 'Paid') OR sent_at IS NOT NULL),
  CONSTRAINT invoices_void_at CHECK ((status = 'Void') = (voided_at IS NOT NULL)),
  CONSTRAINT invoices_only_drafts_deleted CHECK (deleted_at IS NULL OR status = 'Draft'),
  CONSTRAINT invoices_reminder_kinds CHECK (reminders_sent <@ ARRAY['reminder_7day', 'reminder_due', 'reminder_overdue']::text[]),
  CONSTRAINT invoices_reminder_once CHECK (billing.distinct_elements(reminders_sent))                     -- BIL-INV-14
);
-- BIL-INV-10 / TEN-06: unique among live invoices of a tenant.
CREATE UNIQUE INDEX IF NOT EXISTS invoices_number_live_key ON billing.invoices (organization_id, workspace_id, invoice_number) WHERE deleted_at IS NULL;
-- Jobs (markOverdue, claimReminders): open invoices by due date.
CREATE INDEX IF NOT EXISTS invoices_open_due_idx ON billing.invoices (organization_id, workspace_id, due_date, id)
  WHERE deleted_at IS NULL AND status IN ('Sent', 'Overdue');
CREATE INDEX IF NOT EXISTS invoices_list_idx ON billing.invoices (organization_id, workspace_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS invoices_account_idx ON billing.invoices (organization_id, workspace_id, account_id, created_at, id) WHERE deleted_at IS NULL;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'credit_holds_invoice_fkey' AND conrelid = 'billing.credit_holds'::regclass) THEN
    ALTER TABLE billing.credit_holds ADD CONSTRAINT credit_holds_invoice_fkey FOREIGN KEY (organization_id, workspace_id, invoice_id)
      REFERENCES billing.invoices (organization_id, workspace_id, id);
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS credit_holds_pending_expiry_idx ON billing.credit_holds (organization_id, workspace_id, expires_at, id) WHERE status = 'Pending';
CREATE INDEX IF NOT EXISTS credit_holds_account_idx ON billing.credit_holds (organization_id, workspace_id, account_id);

-- Invoice items: written with the invoice, never changed (the domain never changes an invoice's lines).
CREATE TABLE IF NOT EXISTS billing.invoice_items (
  invoice_id uuid NOT NULL,
  line_no integer NOT NULL CHECK (line_no >= 1),
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  description text NOT NULL,
  unit text NOT NULL,
  product_id uuid,
  quantity numeric(10, 3) NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  discount_kind text CHECK (discount_kind IN ('Amount', 'Percent')),
  discount_given bigint CHECK (discount_given >= 0),
  discount_rate_numerator numeric,
  discount_rate_denominator numeric CHECK (discount_rate_denominator > 0),
  tax_rate_numerator numeric NOT NULL CHECK (tax_rate_numerator >= 0),
  tax_rate_denominator numeric NOT NULL CHECK (tax_rate_denominator > 0),
  tax_rate numeric GENERATED ALWAYS AS (tax_rate_numerator / tax_rate_denominator) STORED,
  price_includes_vat boolean NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  discount_amount bigint NOT NULL CHECK (discount_amount >= 0),
  tax_amount bigint NOT NULL CHECK (tax_amount >= 0),
  line_total bigint NOT NULL CHECK (line_total >= 0),
  PRIMARY KEY (invoice_id, line_no),
  CONSTRAINT invoice_items_invoice_fkey FOREIGN KEY (organization_id, workspace_id, invoice_id)
    REFERENCES billing.invoices (organization_id, workspace_id, id),
  CONSTRAINT invoice_items_total CHECK (line_total = amount - discount_amount + tax_amount),               -- BIL-INV-12
  CONSTRAINT invoice_items_tax_rate_at_most_one CHECK (tax_rate_numerator <= tax_rate_denominator),
  CONSTRAINT invoice_items_discount_shape CHECK (
    (discount_kind IS NULL AND discount_given IS NULL AND discount_rate_numerator IS NULL AND discount_rate_denominator IS NULL) OR
    (discount_kind = 'Amount' AND discount_given IS NOT NULL AND discount_rate_numerator IS NULL AND discount_rate_denominator IS NULL) OR
    (discount_kind = 'Percent' AND discount_given IS NULL AND discount_rate_numerator BETWEEN 0 AND discount_rate_denominator))
);

-- Invoice event log (BIL-INV-13), append-only --------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.invoice_events (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  event_type text NOT NULL CHECK (event_type IN ('created', 'sent', 'viewed', 'payment_received', 'payment_partial', 'deposit_received',
    'reminder_7day', 'reminder_due', 'reminder_overdue', 'marked_overdue', 'cancelled')),
  event_data jsonb NOT NULL,
  triggered_by uuid,
  triggered_by_system text CHECK (length(triggered_by_system) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL,
  CONSTRAINT invoice_events_invoice_fkey FOREIGN KEY (organization_id, workspace_id, invoice_id)
    REFERENCES billing.invoices (organization_id, workspace_id, id)
);
CREATE INDEX IF NOT EXISTS invoice_events_invoice_idx ON billing.invoice_events (organization_id, workspace_id, invoice_id, seq);

-- Payments ------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.payments (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  account_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),                                   -- BIL-PAY-01
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  exchange_rate_numerator numeric NOT NULL CHECK (exchange_rate_numerator > 0),
  exchange_rate_denominator numeric NOT NULL CHECK (exchange_rate_denominator > 0),
  exchange_rate numeric GENERATED ALWAYS AS (exchange_rate_numerator / exchange_rate_denominator) STORED,
  base_amount bigint NOT NULL CHECK (base_amount BETWEEN 1 AND 1000000000000000),
  base_currency char(3) NOT NULL CHECK (base_currency ~ '^[A-Z]{3}$'),
  payment_method text NOT NULL CHECK (payment_method IN ('CASH', 'BANK_TRANSFER', 'CARD', 'CHECK', 'OTHER')),
  status text NOT NULL CHECK (status IN ('Pending', 'Processing', 'Completed', 'Failed', 'Cancelled')),
  from_wallet boolean NOT NULL,
  payment_date date NOT NULL,
  reference_number text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz,
  CONSTRAINT payments_invoice_fkey FOREIGN KEY (organization_id, workspace_id, invoice_id)
    REFERENCES billing.invoices (organization_id, workspace_id, id),
  CONSTRAINT payments_account_fkey FOREIGN KEY (organization_id, workspace_id, account_id)
    REFERENCES billing.client_accounts (organization_id, workspace_id, id),
  CONSTRAINT payments_completed_at CHECK ((status = 'Completed') = (completed_at IS NOT NULL)),
  CONSTRAINT payments_wallet_same_currency CHECK (NOT from_wallet OR currency = base_currency),
  CONSTRAINT payments_same_currency_rate_one CHECK (currency <> base_currency OR exchange_rate_numerator = exchange_rate_denominator)
);
CREATE INDEX IF NOT EXISTS payments_invoice_idx ON billing.payments (organization_id, workspace_id, invoice_id, created_at, id);

-- Credit notes, append-only (applied when issued) ------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.credit_notes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  account_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),                                   -- BIL-CN-01
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reason text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT credit_notes_invoice_fkey FOREIGN KEY (organization_id, workspace_id, invoice_id)
    REFERENCES billing.invoices (organization_id, workspace_id, id),
  CONSTRAINT credit_notes_account_fkey FOREIGN KEY (organization_id, workspace_id, account_id)
    REFERENCES billing.client_accounts (organization_id, workspace_id, id)
);
CREATE INDEX IF NOT EXISTS credit_notes_invoice_idx ON billing.credit_notes (organization_id, workspace_id, invoice_id, created_at, id);

-- Accounting sync (X-07) ------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.accounting_syncs (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('Invoice', 'Payment')),
  entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('Pending', 'Synced', 'GaveUp')),
  attempts integer NOT NULL CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  external_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  synced_at timestamptz,
  CONSTRAINT accounting_syncs_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT accounting_syncs_entity_key UNIQUE (organization_id, workspace_id, entity_type, entity_id),
  CONSTRAINT accounting_syncs_synced CHECK (status <> 'Synced' OR (external_id IS NOT NULL AND synced_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS accounting_syncs_due_idx ON billing.accounting_syncs (organization_id, workspace_id, next_attempt_at, id) WHERE status = 'Pending';
CREATE INDEX IF NOT EXISTS accounting_syncs_list_idx ON billing.accounting_syncs (organization_id, workspace_id, created_at, id);

CREATE TABLE IF NOT EXISTS billing.accounting_sync_log (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  sync_id uuid NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('Invoice', 'Payment')),
  entity_id text NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  outcome text NOT NULL CHECK (outcome IN ('Succeeded', 'Failed')),
  error text,
  external_id text,
  status_after text NOT NULL CHECK (status_after IN ('Pending', 'Synced', 'GaveUp')),
  next_attempt_at timestamptz,
  at timestamptz NOT NULL,
  CONSTRAINT accounting_sync_log_sync_fkey FOREIGN KEY (organization_id, workspace_id, sync_id)
    REFERENCES billing.accounting_syncs (organization_id, workspace_id, id)
);
CREATE INDEX IF NOT EXISTS accounting_sync_log_sync_idx ON billing.accounting_sync_log (organization_id, workspace_id, sync_id, seq);

-- Append-only tables: no UPDATE/DELETE grant, and triggers that refuse them for every role -------------
SELECT platform.make_append_only(t::regclass) FROM unnest(ARRAY['billing.account_transactions', 'billing.invoice_items', 'billing.invoice_events', 'billing.credit_notes', 'billing.accounting_sync_log']) AS t;

-- Row-level security on every table: the tenant of the transaction only ---------------------------------
SELECT platform.isolate_by_workspace(t::regclass) FROM unnest(ARRAY[
  'billing.client_accounts', 'billing.account_transactions', 'billing.credit_holds', 'billing.invoices', 'billing.invoice_items', 'billing.invoice_events', 'billing.payments', 'billing.credit_notes', 'billing.accounting_syncs', 'billing.accounting_sync_log'
]) AS t;

-- Least privilege: append-only tables get SELECT, INSERT; the others also UPDATE; nothing gets DELETE.
GRANT SELECT, INSERT, UPDATE ON billing.client_accounts, billing.credit_holds, billing.invoices, billing.payments, billing.accounting_syncs TO erpkit_app;
GRANT SELECT, INSERT ON billing.account_transactions, billing.invoice_items, billing.invoice_events, billing.credit_notes, billing.accounting_sync_log TO erpkit_app;
