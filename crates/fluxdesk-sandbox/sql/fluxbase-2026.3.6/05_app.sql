-- app.settings: instance configuration rows. RLS enabled, not forced.

CREATE TABLE app.settings (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  key text NOT NULL,
  value jsonb NOT NULL,
  value_type text NOT NULL DEFAULT 'string',
  category text NOT NULL DEFAULT 'custom',
  description text,
  is_public boolean DEFAULT false,
  is_secret boolean DEFAULT false,
  editable_by text[] NOT NULL DEFAULT ARRAY['dashboard_admin'],
  metadata jsonb DEFAULT '{}'::jsonb,
  created_by uuid,
  updated_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  encrypted_value text,
  user_id uuid,
  CONSTRAINT settings_pkey PRIMARY KEY (id),
  CONSTRAINT settings_value_type_check CHECK (value_type IN ('string', 'number', 'boolean', 'json', 'array')),
  CONSTRAINT settings_category_check CHECK (category IN ('auth', 'system', 'storage', 'functions', 'realtime', 'custom')),
  CONSTRAINT settings_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
-- idx_app_settings_key survives in real instances (an unqualified DROP INDEX missed it).
CREATE INDEX idx_app_settings_key ON app.settings (key);
CREATE INDEX idx_app_settings_category ON app.settings (category);
CREATE INDEX idx_app_settings_is_public ON app.settings (is_public);
CREATE INDEX idx_app_settings_editable_by ON app.settings USING gin (editable_by);
CREATE UNIQUE INDEX idx_app_settings_key_user ON app.settings (key, COALESCE(user_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX idx_app_settings_user_id ON app.settings (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX idx_app_settings_encrypted ON app.settings (is_secret) WHERE is_secret = true AND encrypted_value IS NOT NULL;
-- Fluxbase upserts system settings with ON CONFLICT (key) WHERE user_id IS NULL.
CREATE UNIQUE INDEX idx_app_settings_system_key ON app.settings (key) WHERE user_id IS NULL;
COMMENT ON TABLE app.settings IS 'Application-level settings and configuration';
COMMENT ON COLUMN app.settings.key IS 'Setting key (e.g. app.realtime.enabled)';
COMMENT ON COLUMN app.settings.value IS 'Setting value as JSONB';
COMMENT ON COLUMN app.settings.value_type IS 'Type of the value: string, number, boolean, json or array';
COMMENT ON COLUMN app.settings.category IS 'Setting category';
COMMENT ON COLUMN app.settings.is_public IS 'Whether the setting can be read without authentication';
COMMENT ON COLUMN app.settings.is_secret IS 'Whether the value is encrypted in encrypted_value and hidden from clients';
COMMENT ON COLUMN app.settings.editable_by IS 'Roles allowed to edit the setting';
COMMENT ON COLUMN app.settings.metadata IS 'Additional metadata';
COMMENT ON COLUMN app.settings.encrypted_value IS 'AES-256-GCM encrypted value, base64, when is_secret';
COMMENT ON COLUMN app.settings.user_id IS 'Owner of a user-scoped setting; NULL for system settings';

ALTER TABLE app.settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Service role has full access to app settings" ON app.settings FOR ALL TO service_role
  USING (true) WITH CHECK (true);
CREATE POLICY "Public settings are readable by anyone" ON app.settings FOR SELECT TO anon, authenticated
  USING (is_public = true AND is_secret = false);
CREATE POLICY "Authenticated users can read non-secret settings" ON app.settings FOR SELECT TO authenticated
  USING (is_secret = false);
CREATE POLICY "Settings can be created by authorized roles" ON app.settings FOR INSERT TO authenticated
  WITH CHECK (auth.current_user_role() = 'service_role' OR auth.current_user_role() = ANY (editable_by));
CREATE POLICY "Settings can be updated by authorized roles" ON app.settings FOR UPDATE TO authenticated
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = ANY (editable_by))
  WITH CHECK (auth.current_user_role() = 'service_role' OR auth.current_user_role() = ANY (editable_by));
CREATE POLICY "Settings can be deleted by authorized roles" ON app.settings FOR DELETE TO authenticated
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = ANY (editable_by));
CREATE POLICY "Users can read their own secret settings" ON app.settings FOR SELECT TO authenticated
  USING (user_id = auth.current_user_id());
CREATE POLICY "Users can create their own settings" ON app.settings FOR INSERT TO authenticated
  WITH CHECK (user_id = auth.current_user_id());
CREATE POLICY "Users can update their own settings" ON app.settings FOR UPDATE TO authenticated
  USING (user_id = auth.current_user_id()) WITH CHECK (user_id = auth.current_user_id());
CREATE POLICY "Users can delete their own settings" ON app.settings FOR DELETE TO authenticated
  USING (user_id = auth.current_user_id());
