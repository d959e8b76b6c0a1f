-- erpkit identity, part 1: the tenant roots. Schema `identity` holds organizations and workspaces
-- (this file), then employees, memberships, departments, settings and role overrides (0003).
-- Every statement is idempotent, so running the file twice is harmless.
--
-- Times are timestamptz (UTC instants, millisecond precision through the repositories). Every
-- mutable aggregate has `version` (optimistic concurrency: the repositories write
-- `WHERE version = $v - 1`).

CREATE SCHEMA IF NOT EXISTS identity;
GRANT USAGE ON SCHEMA identity TO erpkit_app;

-- Organizations ---------------------------------------------------------------------------------
-- The tenant root. `opened_xact` records the transaction that inserted the row: opening an
-- organization is the one legitimate write outside the transaction's tenant (the system actor's
-- onboarding command runs in its own tenant), and the policies let exactly that transaction see the
-- new organization and give it its first workspace. xid8 is epoch-qualified, so it never repeats.
CREATE TABLE IF NOT EXISTS identity.organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL CONSTRAINT organizations_name_present CHECK (btrim(name) <> ''),
  bin text NOT NULL CONSTRAINT organizations_bin_12_digits CHECK (bin ~ '^[0-9]{12}$'),
  kind text NOT NULL CONSTRAINT organizations_kind_known CHECK (kind IN ('internal', 'customer')),
  customer_id uuid,
  legal_name text,
  email text,
  phone text,
  status text NOT NULL CONSTRAINT organizations_status_known CHECK (status IN ('active', 'inactive', 'suspended')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  version integer NOT NULL CONSTRAINT organizations_version_positive CHECK (version >= 1),
  opened_xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
  -- TEN-05: only customer organizations link to a CRM customer.
  CONSTRAINT organizations_customer_link CHECK (kind = 'customer' OR customer_id IS NULL)
);
-- TEN-02 + TEN-06: the BIN is unique among live organizations.
CREATE UNIQUE INDEX IF NOT EXISTS organizations_bin_live_key ON identity.organizations (bin) WHERE deleted_at IS NULL;

ALTER TABLE identity.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.organizations FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.organizations;
CREATE POLICY tenant_isolation ON identity.organizations TO erpkit_app
  USING (id = platform.current_organization_id() OR opened_xact = pg_current_xact_id_if_assigned())
  WITH CHECK (id = platform.current_organization_id() OR opened_xact = pg_current_xact_id_if_assigned());
-- No DELETE (soft delete only); `id`, `created_at` and `opened_xact` are never written by the app.
GRANT SELECT ON identity.organizations TO erpkit_app;
GRANT INSERT (id, name, bin, kind, customer_id, legal_name, email, phone, status, created_at, updated_at, deleted_at, version)
  ON identity.organizations TO erpkit_app;
GRANT UPDATE (name, bin, kind, customer_id, legal_name, email, phone, status, updated_at, deleted_at, version)
  ON identity.organizations TO erpkit_app;

-- Workspaces ------------------------------------------------------------------------------------
-- Organization-wide rows (a tenant sees every workspace of its organization). `created_by` gets its
-- foreign key to auth.users in 0002.
CREATE TABLE IF NOT EXISTS identity.workspaces (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  name text NOT NULL CONSTRAINT workspaces_name_present CHECK (btrim(name) <> ''),
  description text,
  type text NOT NULL CONSTRAINT workspaces_type_known CHECK (type IN ('main', 'division', 'project', 'branch')),
  status text NOT NULL CONSTRAINT workspaces_status_known CHECK (status IN ('active', 'inactive', 'archived')),
  created_by uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  version integer NOT NULL CONSTRAINT workspaces_version_positive CHECK (version >= 1),
  -- The target of every (organization_id, workspace_id) foreign key: a tenant's workspace belongs to it.
  CONSTRAINT workspaces_organization_id_id_key UNIQUE (organization_id, id)
);
CREATE INDEX IF NOT EXISTS workspaces_live_idx ON identity.workspaces (organization_id) WHERE deleted_at IS NULL;

ALTER TABLE identity.workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.workspaces FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.workspaces;
CREATE POLICY tenant_isolation ON identity.workspaces TO erpkit_app
  USING (organization_id = platform.current_organization_id())
  WITH CHECK (
    organization_id = platform.current_organization_id()
    -- the first workspace of an organization this very transaction opened (see organizations)
    OR organization_id IN (SELECT o.id FROM identity.organizations o WHERE o.opened_xact = pg_current_xact_id_if_assigned())
  );
GRANT SELECT ON identity.workspaces TO erpkit_app;
GRANT INSERT (id, organization_id, name, description, type, status, created_by, created_at, updated_at, deleted_at, version)
  ON identity.workspaces TO erpkit_app;
GRANT UPDATE (name, description, type, status, created_by, updated_at, deleted_at, version) ON identity.workspaces TO erpkit_app;
