-- auth: application users, their sessions, token revocation, OAuth links and
-- impersonation records.

CREATE TABLE auth.users (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL,
  password_hash text,
  email_verified boolean DEFAULT false,
  role text DEFAULT 'authenticated',
  user_metadata jsonb DEFAULT '{}'::jsonb,
  app_metadata jsonb DEFAULT '{}'::jsonb,
  totp_secret varchar(255),
  totp_enabled boolean DEFAULT false,
  backup_codes text[],
  failed_login_attempts integer DEFAULT 0,
  is_locked boolean DEFAULT false,
  locked_until timestamptz,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX idx_auth_users_email ON auth.users (email);
CREATE INDEX idx_auth_users_totp_enabled ON auth.users (totp_enabled) WHERE totp_enabled = true;
CREATE INDEX idx_auth_users_user_metadata ON auth.users USING gin (user_metadata);
CREATE INDEX idx_auth_users_app_metadata ON auth.users USING gin (app_metadata);
CREATE INDEX idx_auth_users_is_locked ON auth.users (is_locked) WHERE is_locked = true;
COMMENT ON COLUMN auth.users.user_metadata IS 'User-editable metadata. Users can update this field themselves. Included in JWT claims.';
COMMENT ON COLUMN auth.users.app_metadata IS 'Application/admin-only metadata. Can only be updated by admins or service role. Included in JWT claims.';
COMMENT ON COLUMN auth.users.failed_login_attempts IS 'Number of consecutive failed login attempts';
COMMENT ON COLUMN auth.users.is_locked IS 'Whether the account is locked due to too many failed attempts';
COMMENT ON COLUMN auth.users.locked_until IS 'When the account lock expires (null = permanent until admin unlocks)';
CREATE TRIGGER update_auth_users_updated_at BEFORE UPDATE ON auth.users
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();
CREATE TRIGGER validate_app_metadata_trigger BEFORE UPDATE ON auth.users
  FOR EACH ROW EXECUTE FUNCTION auth.validate_app_metadata_update();

ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth_users_service_role_all ON auth.users FOR ALL TO service_role USING (true) WITH CHECK (true);
COMMENT ON POLICY auth_users_service_role_all ON auth.users IS
  'Service role has full access for auth operations (signup, signin, admin). Equivalent to Supabase supabase_auth_admin.';
CREATE POLICY auth_users_select_own ON auth.users FOR SELECT TO authenticated
  USING (id = auth.current_user_id() OR auth.is_admin() OR auth.current_user_role() = 'dashboard_admin');
CREATE POLICY auth_users_update_own ON auth.users FOR UPDATE TO authenticated
  USING (auth.is_admin() OR auth.current_user_role() = 'dashboard_admin' OR auth.current_user_id()::text = id::text)
  WITH CHECK (auth.is_admin() OR auth.current_user_role() = 'dashboard_admin' OR auth.current_user_id()::text = id::text);
CREATE POLICY auth_users_delete_admin ON auth.users FOR DELETE TO authenticated
  USING (auth.is_admin() OR auth.current_user_role() = 'dashboard_admin');

CREATE TABLE auth.sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  access_token_hash text NOT NULL,
  refresh_token_hash text,
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT auth_sessions_access_token_hash_unique UNIQUE (access_token_hash)
);
CREATE INDEX idx_auth_sessions_user_id ON auth.sessions (user_id);
CREATE INDEX idx_auth_sessions_access_token_hash ON auth.sessions (access_token_hash);
CREATE INDEX idx_auth_sessions_refresh_token_hash ON auth.sessions (refresh_token_hash);
CREATE UNIQUE INDEX idx_auth_sessions_refresh_token_hash_unique ON auth.sessions (refresh_token_hash)
  WHERE refresh_token_hash IS NOT NULL;
COMMENT ON COLUMN auth.sessions.access_token_hash IS 'SHA-256 hash of access token (base64 encoded). Plaintext token is never stored.';
COMMENT ON COLUMN auth.sessions.refresh_token_hash IS 'SHA-256 hash of refresh token (base64 encoded). Plaintext token is never stored.';
CREATE TRIGGER update_auth_sessions_updated_at BEFORE UPDATE ON auth.sessions
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();

ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth_sessions_service_role_all ON auth.sessions FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY auth_sessions_select_own ON auth.sessions FOR SELECT TO authenticated
  USING (user_id = auth.current_user_id() OR auth.current_user_role() = 'dashboard_admin');
CREATE POLICY auth_sessions_update_own ON auth.sessions FOR UPDATE TO authenticated
  USING (user_id = auth.current_user_id()) WITH CHECK (user_id = auth.current_user_id());
CREATE POLICY auth_sessions_delete_own ON auth.sessions FOR DELETE TO authenticated
  USING (user_id = auth.current_user_id() OR auth.current_user_role() = 'dashboard_admin');

-- admin_user_id has no foreign key: it holds a dashboard.users id or an
-- auth.users id whose role is dashboard_admin.
CREATE TABLE auth.impersonation_sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  admin_user_id uuid NOT NULL,
  target_user_id uuid,
  target_role text,
  impersonation_type text NOT NULL DEFAULT 'full',
  reason text,
  ip_address text,
  user_agent text,
  started_at timestamptz DEFAULT now(),
  ended_at timestamptz,
  is_active boolean DEFAULT true,
  CONSTRAINT impersonation_sessions_pkey PRIMARY KEY (id),
  CONSTRAINT impersonation_sessions_target_user_id_fkey FOREIGN KEY (target_user_id)
    REFERENCES auth.users (id) ON DELETE CASCADE
);
-- Fluxbase really has two identical indexes on admin_user_id.
CREATE INDEX idx_auth_impersonation_admin_user_id ON auth.impersonation_sessions (admin_user_id);
CREATE INDEX idx_impersonation_sessions_admin_user_id ON auth.impersonation_sessions (admin_user_id);
CREATE INDEX idx_impersonation_sessions_target_user_id ON auth.impersonation_sessions (target_user_id);
CREATE INDEX idx_auth_impersonation_is_active ON auth.impersonation_sessions (is_active);
ALTER TABLE auth.impersonation_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.impersonation_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY impersonation_sessions_dashboard_admin_only ON auth.impersonation_sessions FOR ALL
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'dashboard_admin');

CREATE TABLE auth.token_blacklist (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  token_jti text NOT NULL,
  token_type text NOT NULL DEFAULT 'access',
  expires_at timestamptz NOT NULL,
  revoked_by uuid,
  reason text,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT token_blacklist_pkey PRIMARY KEY (id),
  CONSTRAINT token_blacklist_token_jti_key UNIQUE (token_jti),
  CONSTRAINT token_blacklist_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES auth.users (id) ON DELETE SET NULL
);
CREATE INDEX idx_auth_token_blacklist_token_jti ON auth.token_blacklist (token_jti);
CREATE INDEX idx_auth_token_blacklist_expires_at ON auth.token_blacklist (expires_at);
ALTER TABLE auth.token_blacklist ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.token_blacklist FORCE ROW LEVEL SECURITY;
CREATE POLICY token_blacklist_admin_only ON auth.token_blacklist FOR ALL
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'dashboard_admin');

CREATE TABLE auth.oauth_links (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  provider varchar(50) NOT NULL,
  provider_user_id varchar(255) NOT NULL,
  email varchar(255),
  metadata jsonb,
  created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT oauth_links_pkey PRIMARY KEY (id),
  CONSTRAINT oauth_links_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT oauth_links_provider_provider_user_id_key UNIQUE (provider, provider_user_id)
);
-- Fluxbase adds the same foreign key a second time under another name.
ALTER TABLE auth.oauth_links ADD CONSTRAINT fk_oauth_links_user
  FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE;
CREATE INDEX idx_oauth_links_user ON auth.oauth_links (user_id);
CREATE INDEX idx_oauth_links_provider ON auth.oauth_links (provider, provider_user_id);
CREATE TRIGGER update_oauth_links_updated_at BEFORE UPDATE ON auth.oauth_links
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();
ALTER TABLE auth.oauth_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.oauth_links FORCE ROW LEVEL SECURITY;
CREATE POLICY oauth_links_select ON auth.oauth_links FOR SELECT USING (user_id = auth.current_user_id());
CREATE POLICY oauth_links_service_all ON auth.oauth_links FOR ALL USING (auth.current_user_role() = 'service_role');

-- One-time tokens, stored as SHA-256 (padded base64url) of the token.
CREATE TABLE auth.password_reset_tokens (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  used boolean DEFAULT false,
  used_at timestamptz,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT password_reset_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT password_reset_tokens_token_key UNIQUE (token_hash),
  CONSTRAINT password_reset_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
CREATE INDEX idx_auth_password_reset_tokens_user_id ON auth.password_reset_tokens (user_id);
ALTER TABLE auth.password_reset_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.password_reset_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY password_reset_tokens_service_only ON auth.password_reset_tokens FOR ALL
  USING (auth.current_user_role() = 'service_role');

CREATE TABLE auth.magic_links (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  email text NOT NULL,
  token_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  used boolean DEFAULT false,
  used_at timestamptz,
  ip_address text,
  user_agent text,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT magic_links_pkey PRIMARY KEY (id),
  CONSTRAINT magic_links_token_key UNIQUE (token_hash)
);
ALTER TABLE auth.magic_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.magic_links FORCE ROW LEVEL SECURITY;
CREATE POLICY magic_links_service_only ON auth.magic_links FOR ALL
  USING (auth.current_user_role() = 'service_role');

CREATE TABLE auth.email_verification_tokens (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  used boolean DEFAULT false,
  used_at timestamptz,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT email_verification_tokens_pkey PRIMARY KEY (id),
  CONSTRAINT email_verification_tokens_token_hash_key UNIQUE (token_hash),
  CONSTRAINT email_verification_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
ALTER TABLE auth.email_verification_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.email_verification_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY email_verification_tokens_service_only ON auth.email_verification_tokens FOR ALL
  USING (auth.current_user_role() = 'service_role');
