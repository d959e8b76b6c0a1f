-- erpkit identity, part 2: the global `auth` schema (seed 002): users, sessions, provider accounts and
-- e-mail verification codes.
--
-- These tables are global by design (docs/identity.md): an e-mail is unique across all users, a
-- provider account across all accounts, hiring takes any user id, and logout, bans, user deletion and
-- the cleanup job act on a user's sessions in every tenant. So there is no tenant policy here: RLS
-- is enabled and forced with an explicit `USING (true)` policy for erpkit_app (no other role, the
-- relay included, sees a row), and the app role's grants are only what the repositories need.
-- Tenant scoping of users is the commands' job (home organization, employment, self).

CREATE SCHEMA IF NOT EXISTS auth;
GRANT USAGE ON SCHEMA auth TO erpkit_app;

-- Users -----------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY,
  -- As typed (trimmed, NFC) for display.
  email text NOT NULL CONSTRAINT users_email_present CHECK (btrim(email) <> ''),
  -- AUTH-03: the uniqueness key, lower-cased and NFC-normalized by the application (Email.keyOf).
  -- The database cannot recompute JavaScript's Unicode lower-casing, so it checks what it safely can.
  email_key text NOT NULL CONSTRAINT users_email_key_normalized CHECK (email_key LIKE '_%@_%' AND email_key !~ '[A-Z]' AND email_key IS NFC NORMALIZED),
  name text NOT NULL CONSTRAINT users_name_present CHECK (btrim(name) <> ''),
  -- AUTH-07: the kernel role catalog (Actor.roles) without `system`; a test compares the two lists.
  role text NOT NULL CONSTRAINT users_role_known CHECK (role IN (
    'Admin', 'Pricing Analyst', 'Accounts Manager', 'Finance Manager', 'Sales Manager', 'Sales Rep',
    'Transport Manager', 'Dispatcher', 'owner', 'admin', 'manager', 'employee', 'staff', 'customer')),
  status text NOT NULL CONSTRAINT users_status_known CHECK (status IN ('pending', 'active', 'inactive', 'suspended')),
  registration_status text NOT NULL CONSTRAINT users_registration_status_known
    CHECK (registration_status IN ('email_pending', 'email_verified', 'onboarding_pending', 'completed')),
  email_verified boolean NOT NULL DEFAULT false,
  banned boolean NOT NULL DEFAULT false,
  ban_reason text,
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  customer_id uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CONSTRAINT users_version_positive CHECK (version >= 1),
  CONSTRAINT users_email_key_key UNIQUE (email_key),
  -- AUTH-08: banned ⇔ a non-empty reason.
  CONSTRAINT users_ban_reason CHECK (banned = (ban_reason IS NOT NULL) AND (ban_reason IS NULL OR btrim(ban_reason) <> '')),
  -- seed 003: the customer role ⇔ the CRM customer it acts for.
  CONSTRAINT users_customer_link CHECK ((role = 'customer') = (customer_id IS NOT NULL)),
  -- AUTH-19: a user leaves `pending` once the e-mail step is passed.
  CONSTRAINT users_registration_consistent CHECK (registration_status = 'email_pending' OR status <> 'pending')
);
CREATE INDEX IF NOT EXISTS users_organization_idx ON auth.users (organization_id);

ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.users FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS global_identity ON auth.users;
CREATE POLICY global_identity ON auth.users TO erpkit_app USING (true) WITH CHECK (true);
GRANT SELECT, DELETE ON auth.users TO erpkit_app;
GRANT INSERT (id, email, email_key, name, role, status, registration_status, email_verified, banned, ban_reason,
  organization_id, customer_id, created_at, updated_at, version) ON auth.users TO erpkit_app;
GRANT UPDATE (email, email_key, name, role, status, registration_status, email_verified, banned, ban_reason,
  organization_id, customer_id, updated_at, version) ON auth.users TO erpkit_app;

-- Now that users exist: who created a workspace (null for the system actor; cleared if the user goes).
DO $$
BEGIN
  ALTER TABLE identity.workspaces ADD CONSTRAINT workspaces_created_by_fkey
    FOREIGN KEY (created_by) REFERENCES auth.users (id) ON DELETE SET NULL;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
-- Deleting a user clears these references: index them so that is not a scan.
CREATE INDEX IF NOT EXISTS workspaces_created_by_idx ON identity.workspaces (created_by) WHERE created_by IS NOT NULL;

-- Sessions --------------------------------------------------------------------------------------
-- Only the SHA-256 of the token is stored. The tenant is the one the session was opened for.
CREATE TABLE IF NOT EXISTS auth.sessions (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL CONSTRAINT sessions_token_hash_present CHECK (token_hash <> ''),
  -- AUTH-11, AUTH-09: an existing user; deleting it deletes its sessions.
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ip_address text,
  user_agent text,
  -- AUTH-10
  CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
  -- AUTH-12 in its static form: a session expires after it was created.
  CONSTRAINT sessions_expire_after_creation CHECK (expires_at > created_at),
  CONSTRAINT sessions_workspace_fkey FOREIGN KEY (organization_id, workspace_id) REFERENCES identity.workspaces (organization_id, id)
);
CREATE INDEX IF NOT EXISTS sessions_user_idx ON auth.sessions (user_id);
-- AUTH-15: the cleanup job takes the oldest expired sessions first.
CREATE INDEX IF NOT EXISTS sessions_expires_idx ON auth.sessions (expires_at);

-- AUTH-13 for every role, the owner included (the app role cannot even name these columns in an UPDATE).
CREATE OR REPLACE FUNCTION auth.sessions_reject_core_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.id, NEW.token_hash, NEW.user_id, NEW.organization_id, NEW.workspace_id, NEW.created_at, NEW.expires_at)
     IS DISTINCT FROM (OLD.id, OLD.token_hash, OLD.user_id, OLD.organization_id, OLD.workspace_id, OLD.created_at, OLD.expires_at) THEN
    RAISE EXCEPTION 'auth.sessions: only ip_address and user_agent may change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS sessions_core_immutable ON auth.sessions;
CREATE TRIGGER sessions_core_immutable BEFORE UPDATE ON auth.sessions FOR EACH ROW EXECUTE FUNCTION auth.sessions_reject_core_change();

ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sessions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS global_identity ON auth.sessions;
CREATE POLICY global_identity ON auth.sessions TO erpkit_app USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON auth.sessions TO erpkit_app;
GRANT UPDATE (ip_address, user_agent) ON auth.sessions TO erpkit_app;

-- Provider accounts -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS auth.accounts (
  id uuid PRIMARY KEY,
  -- AUTH-16, AUTH-09
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  provider_id text NOT NULL CONSTRAINT accounts_provider_id_present CHECK (provider_id <> ''),
  account_id text NOT NULL CONSTRAINT accounts_account_id_present CHECK (account_id <> ''),
  created_at timestamptz NOT NULL,
  -- AUTH-17
  CONSTRAINT accounts_provider_account_key UNIQUE (provider_id, account_id)
);
CREATE INDEX IF NOT EXISTS accounts_user_idx ON auth.accounts (user_id);

ALTER TABLE auth.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.accounts FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS global_identity ON auth.accounts;
CREATE POLICY global_identity ON auth.accounts TO erpkit_app USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON auth.accounts TO erpkit_app;

-- E-mail verification codes (AUTH-20) --------------------------------------------------------------
-- Only SHA-256(id:code) is stored. No CHECK ties expires_at to created_at: the TTL is configuration.
CREATE TABLE IF NOT EXISTS auth.email_verifications (
  id uuid PRIMARY KEY,
  email_key text NOT NULL CONSTRAINT email_verifications_email_key_present CHECK (email_key <> ''),
  code_hash text NOT NULL CONSTRAINT email_verifications_code_hash_present CHECK (code_hash <> ''),
  user_id uuid REFERENCES auth.users (id) ON DELETE CASCADE,
  type text NOT NULL CONSTRAINT email_verifications_type_known CHECK (type IN ('registration', 'password_reset', 'email_change')),
  used_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);
-- listFor: newest first per (address, type).
CREATE INDEX IF NOT EXISTS email_verifications_lookup_idx ON auth.email_verifications (email_key, type, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS email_verifications_user_idx ON auth.email_verifications (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS email_verifications_expires_idx ON auth.email_verifications (expires_at);

ALTER TABLE auth.email_verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.email_verifications FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS global_identity ON auth.email_verifications;
CREATE POLICY global_identity ON auth.email_verifications TO erpkit_app USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON auth.email_verifications TO erpkit_app;
-- Single use: only used_at changes (UPDATE … WHERE used_at IS NULL).
GRANT UPDATE (used_at) ON auth.email_verifications TO erpkit_app;
