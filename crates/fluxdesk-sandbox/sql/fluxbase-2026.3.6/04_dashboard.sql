-- dashboard: Fluxbase platform administrators (the docs call it dashboard_auth;
-- the real schema is dashboard). Every table is FORCE RLS.

CREATE TABLE dashboard.users (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL,
  password_hash text NOT NULL,
  full_name text,
  avatar_url text,
  role text DEFAULT 'dashboard_user',
  user_metadata jsonb DEFAULT '{}'::jsonb,
  app_metadata jsonb DEFAULT '{}'::jsonb,
  email_verified boolean DEFAULT false,
  email_verified_at timestamptz,
  totp_enabled boolean DEFAULT false,
  totp_secret varchar(32),
  backup_codes text[],
  is_active boolean DEFAULT true,
  is_locked boolean DEFAULT false,
  failed_login_attempts integer DEFAULT 0,
  last_login_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  locked_until timestamptz,
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX idx_dashboard_users_email ON dashboard.users (email);
CREATE INDEX idx_dashboard_users_role ON dashboard.users (role);
CREATE INDEX idx_dashboard_users_user_metadata ON dashboard.users USING gin (user_metadata);
CREATE INDEX idx_dashboard_users_app_metadata ON dashboard.users USING gin (app_metadata);
CREATE INDEX idx_dashboard_users_locked_until ON dashboard.users (locked_until) WHERE locked_until IS NOT NULL;
COMMENT ON COLUMN dashboard.users.user_metadata IS 'User-editable metadata. Users can update this field themselves.';
COMMENT ON COLUMN dashboard.users.app_metadata IS 'Application/admin-only metadata. Can only be updated by admins.';
COMMENT ON COLUMN dashboard.users.locked_until IS 'When the account lock expires after too many failed login attempts';
CREATE TRIGGER update_dashboard_users_updated_at BEFORE UPDATE ON dashboard.users
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();
CREATE TRIGGER validate_app_metadata_trigger BEFORE UPDATE ON dashboard.users
  FOR EACH ROW EXECUTE FUNCTION auth.validate_app_metadata_update();
ALTER TABLE dashboard.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard.users FORCE ROW LEVEL SECURITY;
CREATE POLICY dashboard_users_select_policy ON dashboard.users FOR SELECT
  USING (auth.current_user_role() = 'dashboard_admin' OR auth.current_user_id()::text = id::text);
CREATE POLICY dashboard_users_update_policy ON dashboard.users FOR UPDATE
  USING (auth.current_user_role() = 'dashboard_admin' OR auth.current_user_id()::text = id::text);
CREATE POLICY dashboard_users_delete_policy ON dashboard.users FOR DELETE
  USING (auth.current_user_role() = 'dashboard_admin');

CREATE TABLE dashboard.sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  token text NOT NULL,
  refresh_token text,
  ip_address text,
  user_agent text,
  expires_at timestamptz NOT NULL,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES dashboard.users (id) ON DELETE CASCADE,
  CONSTRAINT sessions_token_key UNIQUE (token),
  CONSTRAINT sessions_refresh_token_key UNIQUE (refresh_token)
);
CREATE INDEX idx_dashboard_sessions_user_id ON dashboard.sessions (user_id);
CREATE INDEX idx_dashboard_sessions_token ON dashboard.sessions (token);
CREATE INDEX idx_dashboard_sessions_refresh_token ON dashboard.sessions (refresh_token);
CREATE TRIGGER update_dashboard_sessions_updated_at BEFORE UPDATE ON dashboard.sessions
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();
ALTER TABLE dashboard.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY dashboard_sessions_all_policy ON dashboard.sessions FOR ALL
  USING (auth.current_user_role() = 'dashboard_admin' OR auth.current_user_id()::text = user_id::text);

CREATE TABLE dashboard.invitation_tokens (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL,
  token text NOT NULL,
  role text NOT NULL DEFAULT 'dashboard_user',
  invited_by uuid,
  expires_at timestamptz NOT NULL,
  accepted boolean DEFAULT false,
  accepted_at timestamptz,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT invitation_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT invitation_tokens_token_key UNIQUE (token),
  CONSTRAINT invitation_tokens_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES dashboard.users (id) ON DELETE SET NULL
);
CREATE INDEX idx_dashboard_invitation_tokens_token ON dashboard.invitation_tokens (token);
CREATE INDEX idx_dashboard_invitation_tokens_email ON dashboard.invitation_tokens (email);
CREATE INDEX idx_dashboard_invitation_tokens_expires_at ON dashboard.invitation_tokens (expires_at);
CREATE INDEX idx_dashboard_invitation_tokens_accepted ON dashboard.invitation_tokens (accepted);
ALTER TABLE dashboard.invitation_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard.invitation_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY dashboard_invitation_tokens_select_policy ON dashboard.invitation_tokens FOR SELECT
  USING (auth.current_user_role() = 'dashboard_admin');
CREATE POLICY dashboard_invitation_tokens_modify_policy ON dashboard.invitation_tokens FOR ALL
  USING (auth.current_user_role() = 'dashboard_admin');

-- Policies are created once every table they mention exists.
-- The count(*) below is itself filtered by the SELECT policy, so for a
-- non-admin caller it is 0 even when admins exist. That is Fluxbase's
-- behaviour, reproduced on purpose.
CREATE POLICY dashboard_users_insert_policy ON dashboard.users FOR INSERT
  WITH CHECK (
    (SELECT count(*) FROM dashboard.users) = 0
    OR auth.current_user_role() = 'dashboard_admin'
    OR EXISTS (
      SELECT 1 FROM dashboard.invitation_tokens
      WHERE token = current_setting('app.invitation_token', true)
        AND accepted = false
        AND expires_at > now()
    )
  );

CREATE TABLE dashboard.password_reset_tokens (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  token text NOT NULL,
  expires_at timestamptz NOT NULL,
  used boolean DEFAULT false,
  used_at timestamptz,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT password_reset_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT password_reset_tokens_token_key UNIQUE (token),
  CONSTRAINT password_reset_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES dashboard.users (id) ON DELETE CASCADE
);
CREATE INDEX idx_dashboard_password_reset_tokens_token ON dashboard.password_reset_tokens (token);
ALTER TABLE dashboard.password_reset_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard.password_reset_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY dashboard_password_reset_service_only ON dashboard.password_reset_tokens FOR ALL
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'dashboard_admin');

CREATE TABLE dashboard.activity_log (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid,
  action text NOT NULL,
  resource_type text,
  resource_id text,
  details jsonb DEFAULT '{}'::jsonb,
  ip_address text,
  user_agent text,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT activity_log_pkey PRIMARY KEY (id),
  CONSTRAINT activity_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES dashboard.users (id) ON DELETE SET NULL
);
CREATE INDEX idx_dashboard_activity_log_user_id ON dashboard.activity_log (user_id);
CREATE INDEX idx_dashboard_activity_log_created_at ON dashboard.activity_log (created_at DESC);
CREATE INDEX idx_dashboard_activity_log_action ON dashboard.activity_log (action);
ALTER TABLE dashboard.activity_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard.activity_log FORCE ROW LEVEL SECURITY;
CREATE POLICY activity_log_service_write ON dashboard.activity_log FOR INSERT
  WITH CHECK (auth.current_user_role() = 'service_role');
CREATE POLICY activity_log_admin_read ON dashboard.activity_log FOR SELECT
  USING (auth.current_user_role() = 'dashboard_admin');
