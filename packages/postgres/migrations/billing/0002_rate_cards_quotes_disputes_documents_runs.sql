-- erpkit billing schema: rate cards, surcharges, quotes with their priced lines (the price
-- snapshot), disputes, documents (append-only), billing runs. Same conventions as 0001: tenant columns
-- on every row, tenant-qualified keys for children, CHECKs repeating the domain invariants, RLS enabled
-- and forced with the tenant_isolation policy, least-privilege grants (docs/postgres.md). Every
-- statement is idempotent.
--
-- Shipped as 0002_part_two.sql and renamed for what it holds. The migrator records and compares the
-- number only (a database that applied "2_part_two" finds nothing pending); see
-- test/billing-migration-names.test.ts. Columns holding money were renamed by 0003.
--
-- No foreign keys to the core tables (quotes/billing runs → client_accounts, disputes → invoices):
-- the ports' contract stores these records for accounts and invoices that are not in the database
-- (as the memory reference does); the commands check those references under their locks.

-- true when `t` is a well-formed tier table (RateCard.Tiers encoded): a JSON array of 1 … 50 objects
-- {"upTo": "<quantity>" | null, "unitPriceMinor": "<digits>"}, bounds positive and strictly ascending,
-- exactly the last tier unbounded.
CREATE OR REPLACE FUNCTION billing.tiers_well_formed(t jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(t) IS DISTINCT FROM 'array' OR jsonb_array_length(t) NOT BETWEEN 1 AND 50 THEN false ELSE NOT EXISTS (
    SELECT 1 FROM (
      SELECT ord, n, kind_up, price_ok, up, lag(up) OVER (ORDER BY ord) AS prev
      FROM (
        SELECT x.ord, count(*) OVER () AS n, jsonb_typeof(x.e -> 'upTo') AS kind_up,
          (jsonb_typeof(x.e -> 'unitPriceMinor') = 'string' AND (x.e ->> 'unitPriceMinor') ~ '^[0-9]{1,16}$') AS price_ok,
          CASE WHEN jsonb_typeof(x.e -> 'upTo') = 'string' AND (x.e ->> 'upTo') ~ '^[0-9]{1,15}(\.[0-9]{1,3})?$'
               THEN (x.e ->> 'upTo')::numeric END AS up
        FROM jsonb_array_elements(t) WITH ORDINALITY AS x(e, ord)
      ) s
    ) r
    WHERE price_ok IS NOT TRUE
       OR (ord = n AND kind_up IS DISTINCT FROM 'null')
       OR (ord < n AND (up IS NULL OR up <= 0 OR (prev IS NOT NULL AND up <= prev)))
  ) END
$$;
GRANT EXECUTE ON FUNCTION billing.tiers_well_formed(jsonb) TO erpkit_app;

-- Rate cards (BIL-RC-01…03) -------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.rate_cards (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  service_level text NOT NULL CHECK (length(service_level) BETWEEN 1 AND 100),
  zone text CHECK (length(zone) BETWEEN 1 AND 100),
  basis text NOT NULL CHECK (basis IN ('Weight', 'Volume', 'Distance', 'Pieces')),
  mode text NOT NULL CHECK (mode IN ('Graduated', 'AllUnits')),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  tiers jsonb NOT NULL,
  minimum_charge bigint NOT NULL CHECK (minimum_charge BETWEEN 0 AND 1000000000000000),
  valid_from date NOT NULL,
  valid_to date NOT NULL,
  is_active boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  CONSTRAINT rate_cards_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT rate_cards_validity_range CHECK (valid_from <= valid_to),                                      -- ValidityRangeInverted
  CONSTRAINT rate_cards_tiers_well_formed CHECK (billing.tiers_well_formed(tiers))
);
-- The deactivateExpired job (BIL-RC-03): active live cards by valid_to.
CREATE INDEX IF NOT EXISTS rate_cards_active_valid_to_idx ON billing.rate_cards (organization_id, workspace_id, valid_to, id)
  WHERE is_active AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS rate_cards_list_idx ON billing.rate_cards (organization_id, workspace_id, created_at, id) WHERE deleted_at IS NULL;

-- Surcharges ----------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.surcharges (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('Fixed', 'Percent')),
  amount bigint CHECK (amount BETWEEN 0 AND 1000000000000000),
  rate_numerator numeric,
  rate_denominator numeric CHECK (rate_denominator > 0),
  rate numeric GENERATED ALWAYS AS (rate_numerator / rate_denominator) STORED,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  service_level text CHECK (length(service_level) BETWEEN 1 AND 100),
  zone text CHECK (length(zone) BETWEEN 1 AND 100),
  valid_from date NOT NULL,
  valid_to date NOT NULL,
  is_active boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  CONSTRAINT surcharges_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT surcharges_validity_range CHECK (valid_from <= valid_to),
  -- Fixed: an amount; Percent: an exact rate in [0, 1].
  CONSTRAINT surcharges_kind_shape CHECK (
    (kind = 'Fixed' AND amount IS NOT NULL AND rate_numerator IS NULL AND rate_denominator IS NULL) OR
    (kind = 'Percent' AND amount IS NULL AND rate_denominator IS NOT NULL AND rate_numerator BETWEEN 0 AND rate_denominator))
);
CREATE INDEX IF NOT EXISTS surcharges_active_valid_to_idx ON billing.surcharges (organization_id, workspace_id, valid_to, id)
  WHERE is_active AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS surcharges_list_idx ON billing.surcharges (organization_id, workspace_id, created_at, id) WHERE deleted_at IS NULL;

-- Quotes (BIL-QUO-01, BIL-QUO-02) ---------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.quotes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  account_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  quote_number text NOT NULL CHECK (length(quote_number) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('Draft', 'Sent', 'Accepted', 'Expired')),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  subtotal bigint NOT NULL CHECK (subtotal BETWEEN 0 AND 1000000000000000),
  tax bigint NOT NULL CHECK (tax >= 0),
  total_amount bigint NOT NULL CHECK (total_amount BETWEEN 1 AND 1000000000000000),
  expires_at timestamptz NOT NULL,
  notes text,
  invoice_id uuid,
  paid_upfront boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sent_at timestamptz,
  accepted_at timestamptz,
  expired_at timestamptz,
  CONSTRAINT quotes_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT quotes_number_key UNIQUE (organization_id, workspace_id, quote_number),                         -- QuoteNumberTaken
  CONSTRAINT quotes_total_sum CHECK (total_amount = subtotal + tax),
  CONSTRAINT quotes_expiry_after_creation CHECK (expires_at > created_at),                                 -- QuoteExpiryNotInFuture
  CONSTRAINT quotes_accepted_invoice CHECK ((status = 'Accepted') = (invoice_id IS NOT NULL AND accepted_at IS NOT NULL)),
  CONSTRAINT quotes_accepted_was_sent CHECK (status <> 'Accepted' OR sent_at IS NOT NULL),
  CONSTRAINT quotes_sent_at CHECK (status <> 'Sent' OR sent_at IS NOT NULL),
  CONSTRAINT quotes_expired_at CHECK ((status = 'Expired') = (expired_at IS NOT NULL)),
  CONSTRAINT quotes_upfront_accepted CHECK (NOT paid_upfront OR status = 'Accepted')
);
-- The expire job (BIL-QUO-02): open quotes by expiry.
CREATE INDEX IF NOT EXISTS quotes_open_expiry_idx ON billing.quotes (organization_id, workspace_id, expires_at, id) WHERE status IN ('Draft', 'Sent');
CREATE INDEX IF NOT EXISTS quotes_list_idx ON billing.quotes (organization_id, workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS quotes_account_idx ON billing.quotes (organization_id, workspace_id, account_id, created_at, id);

-- Quote lines: the request, the engine's price when the quote was created (the snapshot) and the invoice
-- line it becomes, each as the domain's JSON encoding; written with the quote, never changed.
CREATE TABLE IF NOT EXISTS billing.quote_lines (
  quote_id uuid NOT NULL,
  line_no integer NOT NULL CHECK (line_no >= 1),
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  request jsonb NOT NULL CHECK (jsonb_typeof(request) = 'object'),
  price jsonb NOT NULL CHECK (jsonb_typeof(price) = 'object' AND (price ->> 'totalMinor') ~ '^[0-9]{1,16}$'),
  line jsonb NOT NULL CHECK (jsonb_typeof(line) = 'object' AND (line ->> 'amountMinor') ~ '^[0-9]{1,16}$'
    AND (line ->> 'discountMinor') ~ '^[0-9]{1,16}$' AND (line ->> 'taxMinor') ~ '^[0-9]{1,16}$' AND (line ->> 'totalMinor') ~ '^[0-9]{1,16}$'),
  PRIMARY KEY (quote_id, line_no),
  CONSTRAINT quote_lines_quote_fkey FOREIGN KEY (organization_id, workspace_id, quote_id)
    REFERENCES billing.quotes (organization_id, workspace_id, id),
  -- each line's net amount is its price snapshot; line total = amount − discount + tax (BIL-INV-12)
  CONSTRAINT quote_lines_net_is_snapshot CHECK ((line ->> 'amountMinor')::numeric = (price ->> 'totalMinor')::numeric),
  CONSTRAINT quote_lines_total CHECK ((line ->> 'totalMinor')::numeric =
    (line ->> 'amountMinor')::numeric - (line ->> 'discountMinor')::numeric + (line ->> 'taxMinor')::numeric)
);

-- Σ line totals = the quote's total, with at least one line (BIL-QUO-01): checked at commit, since the
-- quote row is written before its lines (one statement, but a row CHECK cannot see other tables).
CREATE OR REPLACE FUNCTION billing.check_quote_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  total numeric;
BEGIN
  SELECT count(*), coalesce(sum((l.line ->> 'totalMinor')::numeric), 0) INTO n, total FROM billing.quote_lines l
  WHERE l.organization_id = NEW.organization_id AND l.workspace_id = NEW.workspace_id AND l.quote_id = NEW.id;
  IF n = 0 OR total <> NEW.total_amount THEN
    RAISE EXCEPTION 'quote %: its % line(s) total %, the quote says %', NEW.id, n, total, NEW.total_amount
      USING ERRCODE = 'check_violation', CONSTRAINT = 'quotes_lines_sum', TABLE = 'quotes', SCHEMA = 'billing';
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS quotes_lines_sum ON billing.quotes;
CREATE CONSTRAINT TRIGGER quotes_lines_sum AFTER INSERT OR UPDATE OF subtotal, tax, total_amount ON billing.quotes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing.check_quote_lines();

-- Disputes (BIL-DSP-01, BIL-DSP-02, X-04) ---------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.disputes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  account_id uuid NOT NULL,
  line_index integer NOT NULL CHECK (line_index >= 0),
  amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  status text NOT NULL CHECK (status IN ('Open', 'Approved', 'Rejected')),
  approved_amount bigint CHECK (approved_amount >= 1),
  credit_note_id uuid,
  resolution_note text,
  created_at timestamptz NOT NULL,
  resolved_at timestamptz,
  CONSTRAINT disputes_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT disputes_approved CHECK ((status = 'Approved') = (credit_note_id IS NOT NULL AND approved_amount IS NOT NULL)),
  CONSTRAINT disputes_approved_within_disputed CHECK (approved_amount IS NULL OR approved_amount <= amount),
  CONSTRAINT disputes_resolved_at CHECK ((status = 'Open') = (resolved_at IS NULL))
);
CREATE INDEX IF NOT EXISTS disputes_invoice_idx ON billing.disputes (organization_id, workspace_id, invoice_id, created_at, id);

-- Documents (X-05), append-only ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.documents (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('Invoice', 'BillOfLading')),
  document_number text NOT NULL CHECK (length(document_number) BETWEEN 1 AND 200),
  source_id text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
  version integer NOT NULL CHECK (version >= 1),
  title text NOT NULL,
  content_type text NOT NULL CHECK (content_type = 'text/plain'),
  body text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  -- DocumentExists; also the index of latest / listBySource.
  CONSTRAINT documents_version_key UNIQUE (organization_id, workspace_id, kind, source_id, version)
);

-- Billing runs (X-06) ----------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS billing.billing_runs (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  account_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  status text NOT NULL CHECK (status IN ('Invoiced', 'Failed')),
  invoice_id uuid,
  error text,
  attempts integer NOT NULL CHECK (attempts >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT billing_runs_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  -- X-06: one run per account and period (BillingRunExists); also findForUpdate's index.
  CONSTRAINT billing_runs_period_key UNIQUE (organization_id, workspace_id, account_id, period),
  CONSTRAINT billing_runs_invoiced CHECK ((status = 'Invoiced') = (invoice_id IS NOT NULL)),
  CONSTRAINT billing_runs_failed_error CHECK ((status = 'Failed') = (error IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS billing_runs_list_idx ON billing.billing_runs (organization_id, workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS billing_runs_period_idx ON billing.billing_runs (organization_id, workspace_id, period, created_at, id);

-- Append-only tables: no UPDATE/DELETE grant, and triggers that refuse them for every role -------------
SELECT platform.make_append_only(t::regclass) FROM unnest(ARRAY['billing.quote_lines', 'billing.documents']) AS t;

-- Row-level security on every table: the tenant of the transaction only ---------------------------------
SELECT platform.isolate_by_workspace(t::regclass) FROM unnest(ARRAY[
  'billing.rate_cards', 'billing.surcharges', 'billing.quotes', 'billing.quote_lines', 'billing.disputes', 'billing.documents', 'billing.billing_runs'
]) AS t;

-- Least privilege: append-only tables get SELECT, INSERT; the others also UPDATE; nothing gets DELETE
-- (rate cards and surcharges are soft-deleted).
GRANT SELECT, INSERT, UPDATE ON billing.rate_cards, billing.surcharges, billing.quotes, billing.disputes, billing.billing_runs TO erpkit_app;
GRANT SELECT, INSERT ON billing.quote_lines, billing.documents TO erpkit_app;
