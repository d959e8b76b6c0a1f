-- erpkit billing schema: every column holding money is named as the entity field it stores, in
-- snake_case, unit last (issue 11, "one name per value from input to column"; the table of names is in
-- docs/billing.md, "Names of amounts"). Before this, a payment's amount was `amount` and the invoice
-- amount it settles `base_amount`, a ledger posting `amount`, an invoice's total `total_amount`, …
-- The last columns named otherwise than their field follow: payments.method and .reference (were
-- payment_method, reference_number), invoice_events.type, .data and .at (were event_type, event_data,
-- created_at).
--
-- RENAME COLUMN carries the CHECKs, indexes, generated columns and the trigger's column list along;
-- the quote-lines trigger function names a column in its body, so it is replaced. The payment entries
-- of the invoice log name the invoice-currency amount `baseAmountMinor` (`Payment.baseAmountMinor`),
-- as new entries do. Every statement is idempotent (a rename whose old column is gone is skipped).

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
    (1, 'client_accounts', 'credit_limit', 'credit_limit_minor'),
    (2, 'client_accounts', 'balance', 'balance_minor'),
    (3, 'client_accounts', 'wallet_balance', 'wallet_balance_minor'),
    (4, 'client_accounts', 'holds', 'holds_minor'),
    (5, 'account_transactions', 'amount', 'amount_minor'),
    (6, 'account_transactions', 'wallet_amount', 'wallet_amount_minor'),
    (7, 'account_transactions', 'running_balance', 'running_balance_minor'),
    (8, 'account_transactions', 'running_wallet_balance', 'running_wallet_balance_minor'),
    (9, 'credit_holds', 'amount', 'amount_minor'),
    (10, 'invoices', 'subtotal', 'subtotal_minor'),
    (11, 'invoices', 'discount', 'discount_minor'),
    (12, 'invoices', 'tax', 'tax_minor'),
    (13, 'invoices', 'total_amount', 'total_minor'),
    (14, 'invoices', 'amount_paid', 'amount_paid_minor'),
    (15, 'invoices', 'amount_credited', 'amount_credited_minor'),
    (16, 'invoices', 'deposit_amount', 'deposit_amount_minor'),
    (17, 'invoice_items', 'unit_price', 'unit_price_minor'),
    (18, 'invoice_items', 'amount', 'amount_minor'),
    (19, 'invoice_items', 'discount_amount', 'discount_minor'),
    (20, 'invoice_items', 'discount_given', 'discount_amount_minor'),
    (21, 'invoice_items', 'tax_amount', 'tax_minor'),
    (22, 'invoice_items', 'line_total', 'total_minor'),
    (23, 'payments', 'amount', 'amount_minor'),
    (24, 'payments', 'base_amount', 'base_amount_minor'),
    (25, 'credit_notes', 'amount', 'amount_minor'),
    (26, 'rate_cards', 'minimum_charge', 'minimum_charge_minor'),
    (27, 'surcharges', 'amount', 'amount_minor'),
    (28, 'quotes', 'subtotal', 'subtotal_minor'),
    (29, 'quotes', 'tax', 'tax_minor'),
    (30, 'quotes', 'total_amount', 'total_minor'),
    (31, 'disputes', 'amount', 'amount_minor'),
    (32, 'disputes', 'approved_amount', 'approved_minor'),
    (33, 'payments', 'payment_method', 'method'),
    (34, 'payments', 'reference_number', 'reference'),
    (35, 'invoice_events', 'event_type', 'type'),
    (36, 'invoice_events', 'event_data', 'data'),
    (37, 'invoice_events', 'created_at', 'at')
  ) AS t(n, tbl, old, new) ORDER BY n LOOP
    -- in this order: invoice_items.discount_amount is renamed before discount_given takes the name
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = 'billing' AND table_name = r.tbl AND column_name = r.old) THEN
      EXECUTE format('ALTER TABLE billing.%I RENAME COLUMN %I TO %I', r.tbl, r.old, r.new);
    END IF;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION billing.check_quote_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  total numeric;
BEGIN
  SELECT count(*), coalesce(sum((l.line ->> 'totalMinor')::numeric), 0) INTO n, total FROM billing.quote_lines l
  WHERE l.organization_id = NEW.organization_id AND l.workspace_id = NEW.workspace_id AND l.quote_id = NEW.id;
  IF n = 0 OR total <> NEW.total_minor THEN
    RAISE EXCEPTION 'quote %: its % line(s) total %, the quote says %', NEW.id, n, total, NEW.total_minor
      USING ERRCODE = 'check_violation', CONSTRAINT = 'quotes_lines_sum', TABLE = 'quotes', SCHEMA = 'billing';
  END IF;
  RETURN NULL;
END $$;

-- The payment entries of the invoice log: `amountMinor` held the invoice-currency amount. The log is
-- append-only (a trigger refuses UPDATE) and under forced RLS (which binds the owner running this too):
-- both lifted for this one key rename, inside the migration's transaction, and restored after it.
ALTER TABLE billing.invoice_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE billing.invoice_events DISABLE TRIGGER append_only;
UPDATE billing.invoice_events
SET data = (data - 'amountMinor') || jsonb_build_object('baseAmountMinor', data -> 'amountMinor')
WHERE type IN ('payment_received', 'payment_partial') AND data ? 'amountMinor' AND NOT data ? 'baseAmountMinor';
ALTER TABLE billing.invoice_events ENABLE TRIGGER append_only;
ALTER TABLE billing.invoice_events FORCE ROW LEVEL SECURITY;
