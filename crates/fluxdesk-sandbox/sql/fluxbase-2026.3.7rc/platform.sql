-- Fluxbase 2026.3.7-rc ("platform" layout) on top of our 2026.3.6 schema,
-- as its bootstrap moves an existing instance: dashboard.* becomes platform.*,
-- dashboard_admin becomes instance_admin, and requests are scoped to tenants
-- (app.current_tenant_id). Written from a description of the rc's schema
-- files; only what Fluxdesk touches: admin sign-in, tenants, impersonation.

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenant_service') THEN
    CREATE ROLE tenant_service NOLOGIN NOINHERIT NOBYPASSRLS;
  END IF;
END $$;

CREATE SCHEMA platform;
GRANT USAGE ON SCHEMA platform TO authenticated, service_role, tenant_service;

-- The moves. The 2026.3.6 policies of users, sessions and the activity log
-- give way to the rc's own (below); those of invitations and reset tokens
-- to ones admitting service_role or instance_admin claims.
DROP POLICY dashboard_users_select_policy ON dashboard.users;
DROP POLICY dashboard_users_update_policy ON dashboard.users;
DROP POLICY dashboard_users_delete_policy ON dashboard.users;
DROP POLICY dashboard_users_insert_policy ON dashboard.users;
DROP POLICY dashboard_sessions_all_policy ON dashboard.sessions;
DROP POLICY activity_log_service_write ON dashboard.activity_log;
DROP POLICY activity_log_admin_read ON dashboard.activity_log;
DROP POLICY dashboard_invitation_tokens_select_policy ON dashboard.invitation_tokens;
DROP POLICY dashboard_invitation_tokens_modify_policy ON dashboard.invitation_tokens;
DROP POLICY dashboard_password_reset_service_only ON dashboard.password_reset_tokens;
ALTER TABLE dashboard.users SET SCHEMA platform;
ALTER TABLE dashboard.sessions SET SCHEMA platform;
ALTER TABLE dashboard.invitation_tokens SET SCHEMA platform;
ALTER TABLE dashboard.password_reset_tokens SET SCHEMA platform;
ALTER TABLE dashboard.activity_log SET SCHEMA platform;
DROP SCHEMA dashboard CASCADE;
UPDATE platform.users SET role = 'instance_admin' WHERE role = 'dashboard_admin';
ALTER TABLE platform.users
  ADD CONSTRAINT platform_users_role_check CHECK (role IN ('instance_admin', 'tenant_admin', 'dashboard_user'));
ALTER TABLE platform.invitation_tokens ADD COLUMN token_hash text, ADD COLUMN tenant_id uuid;

CREATE TABLE platform.tenants (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  is_default boolean DEFAULT false,
  metadata jsonb DEFAULT '{}'::jsonb,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  deleted_at timestamptz,
  db_name text,
  status text NOT NULL DEFAULT 'active'
);
CREATE TABLE platform.tenant_memberships (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  role text NOT NULL DEFAULT 'tenant_member' CHECK (role IN ('tenant_admin', 'tenant_member')),
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  UNIQUE (tenant_id, user_id)
);
CREATE TABLE platform.tenant_admin_assignments (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  created_at timestamptz DEFAULT now()
);
-- Created by the server at startup.
INSERT INTO platform.tenants (slug, name, is_default) VALUES ('default', 'Default', true);

-- Tenant columns. The server backfills users and impersonation rows to the
-- default tenant at startup (it leaves app.settings alone).
ALTER TABLE auth.users ADD COLUMN tenant_id uuid;
CREATE INDEX idx_auth_users_tenant_id ON auth.users (tenant_id);
ALTER TABLE auth.impersonation_sessions
  ADD COLUMN access_token_jti text, ADD COLUMN refresh_token_jti text, ADD COLUMN tenant_id uuid;
ALTER TABLE app.settings ADD COLUMN tenant_id uuid;
ALTER TABLE app.settings ALTER COLUMN editable_by SET DEFAULT ARRAY['instance_admin'];
UPDATE auth.users SET tenant_id = (SELECT id FROM platform.tenants WHERE is_default);
UPDATE auth.impersonation_sessions SET tenant_id = (SELECT id FROM platform.tenants WHERE is_default);

-- The app_metadata guard accepts the claim roles admin and instance_admin
-- (auth.sql of the rc); dashboard_admin and service_role are refused.
CREATE OR REPLACE FUNCTION auth.validate_app_metadata_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = auth AS $$
DECLARE
  user_role text;
BEGIN
  IF OLD.app_metadata IS DISTINCT FROM NEW.app_metadata THEN
    user_role := auth.current_user_role();
    IF user_role != 'admin' AND user_role != 'instance_admin' THEN
      IF NOT auth.is_admin() THEN
        RAISE EXCEPTION 'Only admins can modify app_metadata' USING ERRCODE = 'insufficient_privilege';
      END IF;
    END IF;
  END IF;
  RETURN NEW;
END;
$$;

CREATE FUNCTION platform.is_instance_admin(p_user_id uuid) RETURNS boolean
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = platform AS $$
BEGIN
  IF p_user_id IS NULL THEN
    RETURN false;
  END IF;
  RETURN EXISTS (SELECT 1 FROM users WHERE id = p_user_id AND role = 'instance_admin'
                 AND deleted_at IS NULL AND is_active);
END $$;

CREATE FUNCTION auth.has_tenant_access(resource_tenant_id uuid) RETURNS boolean
  LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
  SELECT CASE WHEN coalesce(current_setting('app.current_tenant_id', TRUE), '') = ''
              THEN resource_tenant_id IS NULL
              ELSE resource_tenant_id::text = current_setting('app.current_tenant_id', TRUE) END;
$$;

CREATE FUNCTION auth.set_tenant_id_from_context() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id IS NULL THEN
    BEGIN
      NEW.tenant_id := nullif(current_setting('app.current_tenant_id', TRUE), '')::uuid;
    EXCEPTION WHEN others THEN
      NEW.tenant_id := NULL;
    END;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER auth_users_set_tenant_id BEFORE INSERT ON auth.users
  FOR EACH ROW EXECUTE FUNCTION auth.set_tenant_id_from_context();
CREATE TRIGGER impersonation_sessions_set_tenant_id BEFORE INSERT ON auth.impersonation_sessions
  FOR EACH ROW EXECUTE FUNCTION auth.set_tenant_id_from_context();

-- RLS, FORCE on every platform table (users, sessions and the activity log
-- kept theirs through the move).
ALTER TABLE platform.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE platform.tenant_memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.tenant_memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE platform.tenant_admin_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform.tenant_admin_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_tenant_admin_assignments_service ON platform.tenant_admin_assignments
  USING (auth.current_user_role() = 'service_role');
CREATE POLICY platform_invitation_tokens_admin ON platform.invitation_tokens
  USING (auth.current_user_role() IN ('service_role', 'instance_admin'))
  WITH CHECK (auth.current_user_role() IN ('service_role', 'instance_admin'));
CREATE POLICY platform_password_reset_tokens_admin ON platform.password_reset_tokens
  USING (auth.current_user_role() IN ('service_role', 'instance_admin'))
  WITH CHECK (auth.current_user_role() IN ('service_role', 'instance_admin'));
CREATE POLICY platform_users_all ON platform.users TO authenticated
  USING (platform.is_instance_admin(auth.uid())) WITH CHECK (platform.is_instance_admin(auth.uid()));
CREATE POLICY platform_users_self ON platform.users FOR SELECT TO authenticated USING (id = auth.uid());
CREATE POLICY platform_sessions_admin ON platform.sessions
  USING (CURRENT_USER = 'service_role' OR EXISTS (
    SELECT 1 FROM auth.users WHERE current_setting('request.jwt.claims', true) <> ''
      AND users.id = (current_setting('request.jwt.claims', true)::json->>'sub')::uuid
      AND platform.is_instance_admin(users.id)))
  WITH CHECK (CURRENT_USER = 'service_role' OR EXISTS (
    SELECT 1 FROM auth.users WHERE current_setting('request.jwt.claims', true) <> ''
      AND users.id = (current_setting('request.jwt.claims', true)::json->>'sub')::uuid
      AND platform.is_instance_admin(users.id)));
CREATE POLICY platform_activity_log_service ON platform.activity_log
  USING (auth.current_user_role() = 'service_role') WITH CHECK (auth.current_user_role() = 'service_role');
CREATE POLICY platform_activity_log_admin ON platform.activity_log TO authenticated
  USING (platform.is_instance_admin(auth.uid()));
CREATE POLICY platform_tenants_instance_admin ON platform.tenants TO authenticated
  USING (platform.is_instance_admin(auth.uid()));
CREATE POLICY platform_tenant_memberships_service ON platform.tenant_memberships
  USING (auth.current_user_role() = 'service_role');
CREATE POLICY platform_tenant_memberships_tenant ON platform.tenant_memberships
  USING (auth.has_tenant_access(tenant_id)) WITH CHECK (auth.has_tenant_access(tenant_id));

DROP POLICY impersonation_sessions_dashboard_admin_only ON auth.impersonation_sessions;
CREATE POLICY impersonation_sessions_instance_admin_only ON auth.impersonation_sessions
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'instance_admin'
         OR (auth.is_admin() AND auth.has_tenant_access(tenant_id)))
  WITH CHECK (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'instance_admin'
              OR (auth.is_admin() AND auth.has_tenant_access(tenant_id)));
-- The rc's tenant-wide read of auth.users (its permissive select).
CREATE POLICY auth_users_select ON auth.users FOR SELECT
  USING (CURRENT_USER = 'service_role'
         OR (current_setting('request.jwt.claims', true) <> ''
             AND id = (current_setting('request.jwt.claims', true)::json->>'sub')::uuid)
         OR auth.has_tenant_access(tenant_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON platform.users, platform.sessions, platform.activity_log,
  platform.invitation_tokens, platform.password_reset_tokens TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA platform TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON platform.tenant_memberships TO tenant_service;
