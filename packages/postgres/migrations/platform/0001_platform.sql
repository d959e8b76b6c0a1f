-- erpkit platform schema: roles, transactional outbox, deliveries, audit log, idempotency keys.
-- Every statement is idempotent (IF NOT EXISTS / guarded DO blocks), so running it twice is harmless.

-- Roles are cluster-wide: several databases (e.g. parallel test databases) may create them at once,
-- so a concurrent duplicate is ignored.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'erpkit_app') THEN
    CREATE ROLE erpkit_app NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'erpkit_relay') THEN
    CREATE ROLE erpkit_relay NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The login user switches to these roles inside each transaction (SET LOCAL ROLE).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'erpkit_app', 'MEMBER') THEN
    EXECUTE format('GRANT erpkit_app TO %I', current_user);
  END IF;
  IF NOT pg_has_role(current_user, 'erpkit_relay', 'MEMBER') THEN
    EXECUTE format('GRANT erpkit_relay TO %I', current_user);
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS platform;
GRANT USAGE ON SCHEMA platform TO erpkit_app, erpkit_relay;

-- The tenant of the current transaction, '' or unset meaning "none" (then every policy hides every row).
CREATE OR REPLACE FUNCTION platform.current_organization_id() RETURNS uuid
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('erpkit.organization_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION platform.current_workspace_id() RETURNS uuid
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('erpkit.workspace_id', true), '')::uuid $$;
GRANT EXECUTE ON FUNCTION platform.current_organization_id(), platform.current_workspace_id() TO erpkit_app, erpkit_relay;

-- Transactional outbox ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS platform.outbox (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  type text NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
  aggregate_type text NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 200),
  aggregate_id text NOT NULL CHECK (length(aggregate_id) BETWEEN 1 AND 200),
  occurred_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  -- pending: not yet fanned out to handlers; dispatched: one delivery row per subscribed handler exists.
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dispatched')),
  dispatch_attempts integer NOT NULL DEFAULT 0 CHECK (dispatch_attempts >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,
  CHECK ((status = 'dispatched') = (dispatched_at IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_seq_key ON platform.outbox (seq);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON platform.outbox (seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_tenant_idx ON platform.outbox (organization_id, workspace_id, seq);
CREATE INDEX IF NOT EXISTS outbox_tenant_aggregate_idx ON platform.outbox (organization_id, workspace_id, aggregate_id, seq);
CREATE INDEX IF NOT EXISTS outbox_tenant_type_idx ON platform.outbox (organization_id, workspace_id, type, seq);

CREATE TABLE IF NOT EXISTS platform.outbox_deliveries (
  event_id uuid NOT NULL REFERENCES platform.outbox (id),
  handler text NOT NULL CHECK (length(handler) BETWEEN 1 AND 200),
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text,
  -- For pending rows: when the next attempt may start (a claim pushes it forward as a lease).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, handler),
  CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS outbox_deliveries_due_idx ON platform.outbox_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_deliveries_dead_idx ON platform.outbox_deliveries (handler, created_at) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS outbox_deliveries_tenant_idx ON platform.outbox_deliveries (organization_id, workspace_id);

-- Wakes LISTENing relays once per inserting statement; Postgres delivers it at commit, never on rollback.
CREATE OR REPLACE FUNCTION platform.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('erpkit_outbox', '');
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS outbox_notify ON platform.outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON platform.outbox FOR EACH STATEMENT EXECUTE FUNCTION platform.outbox_notify();

-- Audit log (append-only) --------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS platform.audit_log (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  actor_id uuid NOT NULL,
  command text NOT NULL CHECK (length(command) BETWEEN 1 AND 200),
  entity_type text NOT NULL CHECK (length(entity_type) BETWEEN 1 AND 200),
  entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 200),
  action text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
  old_values jsonb,
  new_values jsonb,
  changed_fields text[] NOT NULL,
  at timestamptz NOT NULL,
  -- A DELETE may carry new values: a soft delete records the tombstone (deleted_at set) it leaves.
  CHECK (action <> 'CREATE' OR old_values IS NULL)
);
CREATE INDEX IF NOT EXISTS audit_log_entity_idx ON platform.audit_log (organization_id, workspace_id, entity_type, entity_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON platform.audit_log (organization_id, workspace_id, actor_id, seq);

-- Append-only for everyone, the owner included (the app role has no UPDATE/DELETE grant either).
-- Every context's migrations use these two helpers, so the rule is written once.
CREATE OR REPLACE FUNCTION platform.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.% is append-only (% rejected)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION platform.make_append_only(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS append_only ON %s', tbl);
  EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION platform.reject_change()', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS append_only_no_truncate ON %s', tbl);
  EXECUTE format('CREATE TRIGGER append_only_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION platform.reject_change()', tbl);
END $$;
SELECT platform.make_append_only('platform.audit_log');

-- Forced row-level security with the usual policy: the transaction's organization and workspace only.
CREATE OR REPLACE FUNCTION platform.isolate_by_workspace(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s TO erpkit_app
    USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())
    WITH CHECK (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())', tbl);
END $$;

-- Idempotency keys ---------------------------------------------------------------------------------
-- `find` inserts a `claimed` placeholder in the command's transaction; `save` completes it. A concurrent
-- duplicate's placeholder insert waits on (or hits) this primary key and gets 23505, which the unit of
-- work retries as a whole: the retry then finds the completed record. A rollback removes the claim.
CREATE TABLE IF NOT EXISTS platform.idempotency_keys (
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  state text NOT NULL DEFAULT 'claimed' CHECK (state IN ('claimed', 'completed')),
  command text CHECK (length(command) BETWEEN 1 AND 200),
  request_hash text CHECK (length(request_hash) BETWEEN 1 AND 200),
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT idempotency_keys_pkey PRIMARY KEY (organization_id, workspace_id, key),
  CONSTRAINT idempotency_keys_completed CHECK (
    (state = 'claimed' AND command IS NULL AND request_hash IS NULL AND result IS NULL AND completed_at IS NULL) OR
    (state = 'completed' AND command IS NOT NULL AND request_hash IS NOT NULL AND result IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_idx ON platform.idempotency_keys (created_at);

-- Row-level security: every tenant table, enabled and forced (owners too), policies per role -----------
ALTER TABLE platform.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.outbox FORCE ROW LEVEL SECURITY;
ALTER TABLE platform.outbox_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.outbox_deliveries FORCE ROW LEVEL SECURITY;
ALTER TABLE platform.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE platform.idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.idempotency_keys FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS tenant_isolation ON platform.outbox;
CREATE POLICY tenant_isolation ON platform.outbox TO erpkit_app
  USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())
  WITH CHECK (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id());
DROP POLICY IF EXISTS relay_all_tenants ON platform.outbox;
CREATE POLICY relay_all_tenants ON platform.outbox TO erpkit_relay USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS tenant_isolation ON platform.outbox_deliveries;
CREATE POLICY tenant_isolation ON platform.outbox_deliveries TO erpkit_app
  USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id());
DROP POLICY IF EXISTS relay_all_tenants ON platform.outbox_deliveries;
CREATE POLICY relay_all_tenants ON platform.outbox_deliveries TO erpkit_relay USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS tenant_isolation ON platform.audit_log;
CREATE POLICY tenant_isolation ON platform.audit_log TO erpkit_app
  USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())
  WITH CHECK (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id());

DROP POLICY IF EXISTS tenant_isolation ON platform.idempotency_keys;
CREATE POLICY tenant_isolation ON platform.idempotency_keys TO erpkit_app
  USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())
  WITH CHECK (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id());

-- Least privilege: the app appends and reads; only the relay touches delivery state.
GRANT SELECT, INSERT ON platform.outbox TO erpkit_app;
GRANT SELECT, INSERT ON platform.audit_log TO erpkit_app;
GRANT SELECT, INSERT, UPDATE ON platform.idempotency_keys TO erpkit_app;
GRANT SELECT ON platform.outbox_deliveries TO erpkit_app;
GRANT SELECT, UPDATE ON platform.outbox TO erpkit_relay;
GRANT SELECT, INSERT, UPDATE ON platform.outbox_deliveries TO erpkit_relay;
