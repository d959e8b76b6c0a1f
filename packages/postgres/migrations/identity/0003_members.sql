-- erpkit identity, part 3: what lives inside a tenant: departments, employees (and their global
-- membership index), settings and role overrides. Idempotent like the other parts.

-- Departments (TEN-04) ----------------------------------------------------------------------------
-- Workspace rows: the policy compares both organization and workspace. Codes are unique among the
-- organization's live departments (the index sees every row, whatever the policy hides).
CREATE TABLE IF NOT EXISTS identity.departments (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  name text NOT NULL CONSTRAINT departments_name_present CHECK (btrim(name) <> ''),
  code text,
  parent_id uuid,
  is_active boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  version integer NOT NULL CONSTRAINT departments_version_positive CHECK (version >= 1),
  CONSTRAINT departments_organization_id_id_key UNIQUE (organization_id, id),
  CONSTRAINT departments_tenant_id_key UNIQUE (organization_id, workspace_id, id),
  CONSTRAINT departments_workspace_fkey FOREIGN KEY (organization_id, workspace_id) REFERENCES identity.workspaces (organization_id, id),
  -- A parent is a department of the same workspace.
  CONSTRAINT departments_parent_fkey FOREIGN KEY (organization_id, workspace_id, parent_id)
    REFERENCES identity.departments (organization_id, workspace_id, id),
  CONSTRAINT departments_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX IF NOT EXISTS departments_code_live_key ON identity.departments (organization_id, code)
  WHERE deleted_at IS NULL AND code IS NOT NULL;
CREATE INDEX IF NOT EXISTS departments_live_idx ON identity.departments (organization_id, workspace_id) WHERE deleted_at IS NULL;

-- TEN-04 second line: the tree has no cycle. The commands check first (Department.wouldCycle over
-- DepartmentRepository.parents); this re-checks in the writing transaction by walking up from the new
-- parent (UNION, not UNION ALL, so even corrupt data cannot make the walk loop).
CREATE OR REPLACE FUNCTION identity.departments_reject_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND EXISTS (
    WITH RECURSIVE ancestors(id, parent_id) AS (
      SELECT d.id, d.parent_id FROM identity.departments d
      WHERE d.id = NEW.parent_id AND d.organization_id = NEW.organization_id
      UNION
      SELECT d.id, d.parent_id FROM identity.departments d JOIN ancestors a ON d.id = a.parent_id
      WHERE d.organization_id = NEW.organization_id
    )
    SELECT 1 FROM ancestors WHERE id = NEW.id
  ) THEN
    RAISE EXCEPTION 'department % would be its own ancestor', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'departments_acyclic', TABLE = 'departments', SCHEMA = 'identity';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS departments_acyclic ON identity.departments;
CREATE TRIGGER departments_acyclic BEFORE INSERT OR UPDATE OF parent_id ON identity.departments
  FOR EACH ROW EXECUTE FUNCTION identity.departments_reject_cycle();

ALTER TABLE identity.departments ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.departments FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.departments;
CREATE POLICY tenant_isolation ON identity.departments TO erpkit_app
  USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())
  WITH CHECK (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id());
GRANT SELECT ON identity.departments TO erpkit_app;
GRANT INSERT (id, organization_id, workspace_id, name, code, parent_id, is_active, created_at, updated_at, deleted_at, version)
  ON identity.departments TO erpkit_app;
GRANT UPDATE (name, code, parent_id, is_active, updated_at, deleted_at, version) ON identity.departments TO erpkit_app;

-- Employees (TEN-03) ------------------------------------------------------------------------------
-- Organization rows: the port's uniqueness, `findByUser` and the end of a user's employment span the
-- organization's workspaces, so the policy compares the organization and every read filters the
-- workspace itself. No foreign key to auth.users: users are hard-deleted (AUTH-09) while employee
-- history stays (soft delete); live employment is tied to the user through identity.memberships.
CREATE TABLE IF NOT EXISTS identity.employees (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  department_id uuid,
  employee_number text,
  position text,
  status text NOT NULL CONSTRAINT employees_status_known CHECK (status IN ('pending', 'active', 'inactive', 'terminated')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  version integer NOT NULL CONSTRAINT employees_version_positive CHECK (version >= 1),
  CONSTRAINT employees_workspace_fkey FOREIGN KEY (organization_id, workspace_id) REFERENCES identity.workspaces (organization_id, id),
  CONSTRAINT employees_department_fkey FOREIGN KEY (organization_id, department_id) REFERENCES identity.departments (organization_id, id)
);
-- TEN-03 + TEN-06: one live employee per (user, organization); employee numbers unique per organization.
CREATE UNIQUE INDEX IF NOT EXISTS employees_user_live_key ON identity.employees (user_id, organization_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS employees_number_live_key ON identity.employees (organization_id, employee_number)
  WHERE deleted_at IS NULL AND employee_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS employees_live_idx ON identity.employees (organization_id, workspace_id) WHERE deleted_at IS NULL;

ALTER TABLE identity.employees ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.employees FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.employees;
CREATE POLICY tenant_isolation ON identity.employees TO erpkit_app
  USING (organization_id = platform.current_organization_id())
  WITH CHECK (organization_id = platform.current_organization_id());
GRANT SELECT ON identity.employees TO erpkit_app;
GRANT INSERT (id, user_id, organization_id, workspace_id, department_id, employee_number, position, status, created_at, updated_at,
  deleted_at, version) ON identity.employees TO erpkit_app;
GRANT UPDATE (user_id, department_id, employee_number, position, status, updated_at, deleted_at, version) ON identity.employees TO erpkit_app;

-- Memberships: which organizations employ a user (live employees only), readable across tenants.
-- EmployeeRepository.organizationsOf feeds deleteUser's guard ("still employed elsewhere"), which must
-- see other organizations; the employees themselves stay hidden. Kept by a trigger on employees; a
-- tenant can only add or remove its own organization's rows. The NO ACTION foreign key to the user
-- is the guard's second line: a user with a live employment anywhere cannot be deleted.
CREATE TABLE IF NOT EXISTS identity.memberships (
  employee_id uuid PRIMARY KEY REFERENCES identity.employees (id),
  user_id uuid NOT NULL REFERENCES auth.users (id),
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  CONSTRAINT memberships_user_organization_key UNIQUE (user_id, organization_id)
);

CREATE OR REPLACE FUNCTION identity.employees_sync_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.user_id = OLD.user_id AND NEW.organization_id = OLD.organization_id
     AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM identity.memberships WHERE employee_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
    INSERT INTO identity.memberships (employee_id, user_id, organization_id) VALUES (NEW.id, NEW.user_id, NEW.organization_id);
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS employees_sync_membership ON identity.employees;
CREATE TRIGGER employees_sync_membership AFTER INSERT OR UPDATE OR DELETE ON identity.employees
  FOR EACH ROW EXECUTE FUNCTION identity.employees_sync_membership();

ALTER TABLE identity.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.memberships FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS membership_read ON identity.memberships;
CREATE POLICY membership_read ON identity.memberships FOR SELECT TO erpkit_app USING (true);
DROP POLICY IF EXISTS membership_insert ON identity.memberships;
CREATE POLICY membership_insert ON identity.memberships FOR INSERT TO erpkit_app
  WITH CHECK (organization_id = platform.current_organization_id());
DROP POLICY IF EXISTS membership_delete ON identity.memberships;
CREATE POLICY membership_delete ON identity.memberships FOR DELETE TO erpkit_app
  USING (organization_id = platform.current_organization_id());
GRANT SELECT, INSERT, DELETE ON identity.memberships TO erpkit_app;

-- Settings (TEN-08) -------------------------------------------------------------------------------
-- Organization-wide (workspace_id null) or per workspace; a tenant sees its organization's and its own
-- workspace's.
CREATE TABLE IF NOT EXISTS identity.settings (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  workspace_id uuid,
  key text NOT NULL CONSTRAINT settings_key_shape CHECK (key ~ '^[A-Za-z][A-Za-z0-9_.-]{0,127}$'),
  category text NOT NULL,
  data_type text NOT NULL CONSTRAINT settings_data_type_known CHECK (data_type IN ('string', 'number', 'boolean', 'json')),
  value jsonb NOT NULL,
  description text,
  secret boolean NOT NULL,
  read_only boolean NOT NULL,
  rules jsonb NOT NULL CONSTRAINT settings_rules_object CHECK (jsonb_typeof(rules) = 'object'),
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  updated_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CONSTRAINT settings_version_positive CHECK (version >= 1),
  -- TEN-08: typed values (json takes anything).
  CONSTRAINT settings_value_typed CHECK (data_type = 'json' OR jsonb_typeof(value) = data_type),
  CONSTRAINT settings_scope_key UNIQUE NULLS NOT DISTINCT (key, organization_id, workspace_id),
  CONSTRAINT settings_workspace_fkey FOREIGN KEY (organization_id, workspace_id) REFERENCES identity.workspaces (organization_id, id)
);
CREATE INDEX IF NOT EXISTS settings_tenant_idx ON identity.settings (organization_id, workspace_id);
-- Deleting a user sets these to null (ON DELETE SET NULL): index them so that is not a scan.
CREATE INDEX IF NOT EXISTS settings_created_by_idx ON identity.settings (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS settings_updated_by_idx ON identity.settings (updated_by) WHERE updated_by IS NOT NULL;

ALTER TABLE identity.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.settings FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.settings;
CREATE POLICY tenant_isolation ON identity.settings TO erpkit_app
  USING (organization_id = platform.current_organization_id()
    AND (workspace_id IS NULL OR workspace_id = platform.current_workspace_id()))
  WITH CHECK (organization_id = platform.current_organization_id()
    AND (workspace_id IS NULL OR workspace_id = platform.current_workspace_id()));
GRANT SELECT, DELETE ON identity.settings TO erpkit_app;
GRANT INSERT (id, organization_id, workspace_id, key, category, data_type, value, description, secret, read_only, rules,
  created_by, updated_by, created_at, updated_at, version) ON identity.settings TO erpkit_app;
-- Key and scope never move.
GRANT UPDATE (category, data_type, value, description, secret, read_only, rules, updated_by, updated_at, version)
  ON identity.settings TO erpkit_app;

-- Role overrides ----------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS identity.role_permissions (
  organization_id uuid NOT NULL REFERENCES identity.organizations (id),
  role text NOT NULL CONSTRAINT role_permissions_role_known CHECK (role IN (
    'Admin', 'Pricing Analyst', 'Accounts Manager', 'Finance Manager', 'Sales Manager', 'Sales Rep',
    'Transport Manager', 'Dispatcher', 'owner', 'admin', 'manager', 'employee', 'staff', 'customer')),
  permissions text[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, role)
);

ALTER TABLE identity.role_permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.role_permissions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON identity.role_permissions;
CREATE POLICY tenant_isolation ON identity.role_permissions TO erpkit_app
  USING (organization_id = platform.current_organization_id())
  WITH CHECK (organization_id = platform.current_organization_id());
GRANT SELECT, INSERT, DELETE ON identity.role_permissions TO erpkit_app;
GRANT UPDATE (permissions, updated_at) ON identity.role_permissions TO erpkit_app;
