-- erpkit identity, part 4: roles belong to memberships, not to users (docs/identity.md, "Who may change
-- what"). A user had one global role in auth.users, so an administrator of any organization that
-- employed the user could change what the user may do everywhere. Now:
--
--   identity.memberships  one row per (organization, user) with the role the user holds THERE;
--   identity.invitations  how a user of one organization joins another, with consent;
--   auth.users            keeps the identity only (no role, no customer link), home organization fixed.
--
-- Existing data: every user's global role becomes the role of their home membership (with the CRM
-- customer of customer users). Other organizations that employ a user get a membership with the
-- least privilege, `employee`: a role there was only ever the global one, which that organization may
-- have set itself; its administrators assign roles again. Tested in test/identity-migration.test.ts.

-- Like the other parts, this one can run again on the state it produced and changes nothing.
--
-- The old identity.memberships was a trigger-kept index of live employments (deleteUser's guard). The
-- guard now reads the memberships themselves.
DROP TRIGGER IF EXISTS employees_sync_membership ON identity.employees;
DROP FUNCTION IF EXISTS identity.employees_sync_membership();
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = 'identity' AND table_name = 'memberships' AND column_name = 'employee_id') THEN
    DROP TABLE identity.memberships;
  END IF;
END $$;

-- Memberships ----------------------------------------------------------------------------------
-- The NO ACTION foreign key to the user is the delete guard's second line: a user who is still a
-- member anywhere (their home membership is removed first, in the same unit of work) cannot be deleted.
CREATE TABLE IF NOT EXISTS identity.memberships (
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  user_id uuid NOT NULL REFERENCES auth.users (id),
  -- AUTH-07: the kernel role catalog (Actor.roles) without `system`.
  role text NOT NULL CONSTRAINT memberships_role_known CHECK (role IN (
    'Admin', 'Pricing Analyst', 'Accounts Manager', 'Finance Manager', 'Sales Manager', 'Sales Rep',
    'Transport Manager', 'Dispatcher', 'owner', 'admin', 'manager', 'employee', 'staff', 'customer')),
  customer_id uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CONSTRAINT memberships_version_positive CHECK (version >= 1),
  PRIMARY KEY (organization_id, user_id),
  -- seed 003: the customer role ⇔ the CRM customer it acts for.
  CONSTRAINT memberships_customer_link CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS memberships_user_idx ON identity.memberships (user_id);

-- Writes stay in the organization of the unit of work. Reads: the organization's own members, and,
-- for a user's home organization, that user's memberships elsewhere (its delete guard must see them);
-- nothing else of another organization.
ALTER TABLE identity.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.memberships FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS membership_read ON identity.memberships;
CREATE POLICY membership_read ON identity.memberships FOR SELECT TO erpkit_app
  USING (organization_id = platform.current_organization_id()
    OR EXISTS (SELECT 1 FROM auth.users u WHERE u.id = user_id AND u.organization_id = platform.current_organization_id()));
DROP POLICY IF EXISTS membership_insert ON identity.memberships;
CREATE POLICY membership_insert ON identity.memberships FOR INSERT TO erpkit_app
  WITH CHECK (organization_id = platform.current_organization_id());
DROP POLICY IF EXISTS membership_update ON identity.memberships;
CREATE POLICY membership_update ON identity.memberships FOR UPDATE TO erpkit_app
  USING (organization_id = platform.current_organization_id())
  WITH CHECK (organization_id = platform.current_organization_id());
DROP POLICY IF EXISTS membership_delete ON identity.memberships;
CREATE POLICY membership_delete ON identity.memberships FOR DELETE TO erpkit_app
  USING (organization_id = platform.current_organization_id());
GRANT SELECT, INSERT, DELETE ON identity.memberships TO erpkit_app;
GRANT UPDATE (role, customer_id, updated_at, version) ON identity.memberships TO erpkit_app;

-- Invitations --------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS identity.invitations (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  workspace_id uuid NOT NULL,
  -- The invited address's uniqueness key (Email.keyOf): only its verified holder may answer.
  email_key text NOT NULL CONSTRAINT invitations_email_key_normalized CHECK (email_key LIKE '_%@_%' AND email_key !~ '[A-Z]'),
  role text NOT NULL CONSTRAINT invitations_role_known CHECK (role IN (
    'Admin', 'Pricing Analyst', 'Accounts Manager', 'Finance Manager', 'Sales Manager', 'Sales Rep',
    'Transport Manager', 'Dispatcher', 'owner', 'admin', 'manager', 'employee', 'staff', 'customer')),
  customer_id uuid,
  status text NOT NULL CONSTRAINT invitations_status_known CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
  invited_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CONSTRAINT invitations_version_positive CHECK (version >= 1),
  CONSTRAINT invitations_customer_link CHECK ((role = 'customer') = (customer_id IS NOT NULL)),
  CONSTRAINT invitations_workspace_fkey FOREIGN KEY (organization_id, workspace_id) REFERENCES identity.workspaces (organization_id, id)
);
CREATE INDEX IF NOT EXISTS invitations_organization_idx ON identity.invitations (organization_id, created_at DESC);
-- Deleting a user sets invited_by to null (ON DELETE SET NULL): index it so that is not a scan.
CREATE INDEX IF NOT EXISTS invitations_invited_by_idx ON identity.invitations (invited_by) WHERE invited_by IS NOT NULL;

ALTER TABLE identity.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.invitations FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.invitations;
CREATE POLICY tenant_isolation ON identity.invitations TO erpkit_app
  USING (organization_id = platform.current_organization_id())
  WITH CHECK (organization_id = platform.current_organization_id());
GRANT SELECT ON identity.invitations TO erpkit_app;
GRANT INSERT (id, organization_id, workspace_id, email_key, role, customer_id, status, invited_by, expires_at, created_at,
  updated_at, version) ON identity.invitations TO erpkit_app;
-- Who was invited, to what and with which role never changes; only the answer does.
GRANT UPDATE (status, updated_at, version) ON identity.invitations TO erpkit_app;

-- Existing roles become membership roles ---------------------------------------------------------
-- Only while auth.users still has the global role (the first run).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'auth' AND table_name = 'users' AND column_name = 'role') THEN
    INSERT INTO identity.memberships (organization_id, user_id, role, customer_id, created_at, updated_at, version)
    SELECT u.organization_id, u.id, u.role, u.customer_id, u.created_at, u.updated_at, 1
    FROM auth.users u;

    INSERT INTO identity.memberships (organization_id, user_id, role, customer_id, created_at, updated_at, version)
    SELECT DISTINCT ON (e.organization_id, e.user_id) e.organization_id, e.user_id, 'employee', NULL, e.created_at, e.created_at, 1
    FROM identity.employees e
    JOIN auth.users u ON u.id = e.user_id
    WHERE e.deleted_at IS NULL AND e.organization_id <> u.organization_id
    ORDER BY e.organization_id, e.user_id, e.created_at
    ON CONFLICT (organization_id, user_id) DO NOTHING;

    -- The user keeps the identity only. Dropping the columns drops their CHECKs and column grants too.
    ALTER TABLE auth.users DROP COLUMN role, DROP COLUMN customer_id;
  END IF;
END $$;
-- A home organization is set at registration and never moves (docs/identity.md).
REVOKE UPDATE (organization_id) ON auth.users FROM erpkit_app;
