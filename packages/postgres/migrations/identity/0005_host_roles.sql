-- erpkit identity, part 5: a host defines its own roles (issue 12). Which roles exist is the host's
-- grants' business (Actor.definedRoles; the commands refuse an undefined role with ValidationError,
-- AUTH-07), so the database no longer lists the seeds' role names. It keeps a second line on the shape of
-- a role name (the kernel's Actor.Role pattern) and that `system`, what jobs run as, is never stored.
-- Like the other parts, it can run again on the state it produced.

ALTER TABLE identity.memberships DROP CONSTRAINT IF EXISTS memberships_role_known;
ALTER TABLE identity.memberships DROP CONSTRAINT IF EXISTS memberships_role_name;
ALTER TABLE identity.memberships ADD CONSTRAINT memberships_role_name
  CHECK (role ~ '^[A-Za-z][A-Za-z0-9 _.-]{0,49}$' AND role <> 'system');

ALTER TABLE identity.invitations DROP CONSTRAINT IF EXISTS invitations_role_known;
ALTER TABLE identity.invitations DROP CONSTRAINT IF EXISTS invitations_role_name;
ALTER TABLE identity.invitations ADD CONSTRAINT invitations_role_name
  CHECK (role ~ '^[A-Za-z][A-Za-z0-9 _.-]{0,49}$' AND role <> 'system');

ALTER TABLE identity.role_permissions DROP CONSTRAINT IF EXISTS role_permissions_role_known;
ALTER TABLE identity.role_permissions DROP CONSTRAINT IF EXISTS role_permissions_role_name;
ALTER TABLE identity.role_permissions ADD CONSTRAINT role_permissions_role_name
  CHECK (role ~ '^[A-Za-z][A-Za-z0-9 _.-]{0,49}$' AND role <> 'system');
