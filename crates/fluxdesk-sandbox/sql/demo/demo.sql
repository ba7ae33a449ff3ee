-- The Fluxdesk demo instance: what a small Fluxbase deployment looks like after
-- some use. Applied on top of the Fluxbase-compatible schema, as the instance's
-- admin user, in one transaction. psql variable :big_table_rows sizes
-- public.events (1,000,000 for the demo).
--
-- Credentials (also in README.md):
--   dashboard admin  admin@fluxdesk.demo / fluxdesk-demo-admin
--   app users        <name>@example.com  / demo-user-password

-- ---------------------------------------------------------------- admins
INSERT INTO dashboard.users (id, email, password_hash, full_name, role, email_verified, email_verified_at, last_login_at, created_at)
VALUES
  ('d0000000-0000-4000-8000-000000000001', 'admin@fluxdesk.demo', crypt('fluxdesk-demo-admin', gen_salt('bf', 10)),
   'Demo Admin', 'dashboard_admin', true, now() - interval '90 days', now() - interval '2 hours', now() - interval '90 days'),
  ('d0000000-0000-4000-8000-000000000002', 'support@fluxdesk.demo', crypt('fluxdesk-demo-support', gen_salt('bf', 10)),
   'Support Engineer', 'dashboard_user', true, now() - interval '40 days', now() - interval '3 days', now() - interval '40 days');

-- Fluxbase writes this row when the first admin is created.
INSERT INTO app.settings (key, value, description, category)
VALUES ('setup_completed',
        jsonb_build_object('completed', true, 'completed_at', now() - interval '90 days',
                           'first_admin_id', 'd0000000-0000-4000-8000-000000000001',
                           'first_admin_email', 'admin@fluxdesk.demo'),
        'Tracks initial setup completion', 'system');

INSERT INTO dashboard.sessions (user_id, token, ip_address, user_agent, expires_at, created_at)
VALUES ('d0000000-0000-4000-8000-000000000001', encode(digest(gen_random_bytes(32), 'sha256'), 'hex'),
        '10.0.0.5', 'Mozilla/5.0 (X11; Linux x86_64)', now() + interval '22 hours', now() - interval '2 hours');

INSERT INTO dashboard.activity_log (user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at)
SELECT 'd0000000-0000-4000-8000-000000000001', action, 'dashboard_user', 'd0000000-0000-4000-8000-000000000001',
       '{}'::jsonb, '10.0.0.5', 'Mozilla/5.0 (X11; Linux x86_64)', now() - (n || ' days')::interval
FROM (VALUES ('login', 1), ('login', 3), ('password_change', 30), ('login', 31), ('login', 60)) AS a(action, n);

-- ---------------------------------------------------------------- app users
CREATE TEMPORARY TABLE demo_people (
  n int, id uuid, email text, role text, verified boolean, user_metadata jsonb, app_metadata jsonb
) ON COMMIT DROP;
INSERT INTO demo_people VALUES
  (1, 'a0000000-0000-4000-8000-000000000001', 'alice@example.com', 'authenticated', true,
      '{"full_name": "Alice Martin", "plan": "pro", "locale": "fr-FR"}', '{"tier": "gold", "provider": "email"}'),
  (2, 'a0000000-0000-4000-8000-000000000002', 'bob@example.com', 'user', true,
      '{"full_name": "Bob Chen", "plan": "free"}', '{"provider": "email"}'),
  (3, 'a0000000-0000-4000-8000-000000000003', 'carol@example.com', 'admin', true,
      '{"full_name": "Carol Diaz"}', '{"provider": "email", "admin_since": "2026-01-12"}'),
  (4, 'a0000000-0000-4000-8000-000000000004', 'dave@example.com', 'authenticated', true,
      '{"full_name": "Dave Okafor"}', '{"provider": "email"}'),
  (5, 'a0000000-0000-4000-8000-000000000005', 'erin@example.com', 'authenticated', true,
      '{"full_name": "Erin Novak", "plan": "team"}', '{"provider": "email", "team_id": 42}'),
  (6, 'a0000000-0000-4000-8000-000000000006', 'frank@example.com', 'authenticated', true,
      '{"full_name": "Frank Li", "avatar_url": "https://avatars.example.com/frank.png"}', '{"provider": "github"}'),
  (7, 'a0000000-0000-4000-8000-000000000007', 'grace@example.com', 'support', true,
      '{"full_name": "Grace Hopper-Smith"}', '{"provider": "email", "department": "support"}'),
  (8, 'a0000000-0000-4000-8000-000000000008', 'heidi@example.com', 'authenticated', false,
      '{"full_name": "Heidi Schulz"}', '{"provider": "email"}'),
  (9, 'a0000000-0000-4000-8000-000000000009', 'ivan@example.com', 'user', true,
      '{"full_name": "Ivan Petrov", "plan": "pro"}', '{"provider": "email"}'),
  (10, 'a0000000-0000-4000-8000-00000000000a', 'judy@example.com', 'authenticated', true,
      '{"full_name": "Judy Alvarez", "plan": "free", "newsletter": true}', '{"provider": "email"}');

INSERT INTO auth.users (id, email, password_hash, email_verified, role, user_metadata, app_metadata, created_at, updated_at)
SELECT id, email,
       CASE WHEN n = 6 THEN NULL ELSE crypt('demo-user-password', gen_salt('bf', 10)) END,
       verified, role, user_metadata, app_metadata,
       now() - ((200 - n * 15) || ' days')::interval, now() - (n || ' days')::interval
FROM demo_people;

-- Settings an instance gathers beyond the defaults: a secret (Fluxbase keeps
-- the AES-GCM ciphertext in encrypted_value and a placeholder in value), JSON
-- and array settings, one only the service role may change, and user-scoped rows.
INSERT INTO app.settings (key, value, value_type, category, description, is_public, is_secret, editable_by, encrypted_value, updated_by, updated_at)
VALUES
  ('app.email.smtp_password', '{"value": "[ENCRYPTED]"}', 'string', 'system', 'Password of the outgoing SMTP server',
   false, true, '{dashboard_admin}', 'q1VvTzJmN0x4c2ZkYmR3dUJ6a0FHZ0pZbXhvRTh3PT0=', 'd0000000-0000-4000-8000-000000000001', now() - interval '20 days'),
  ('app.auth.signup_enabled', '{"value": true}', 'boolean', 'auth', 'Let new users sign up on their own',
   true, false, '{admin,dashboard_admin}', NULL, 'd0000000-0000-4000-8000-000000000001', now() - interval '60 days'),
  ('app.storage.allowed_origins', '{"value": ["https://app.example.com", "https://admin.example.com"]}', 'array', 'storage',
   'Origins allowed to fetch public objects', false, false, '{dashboard_admin}', NULL, NULL, now() - interval '45 days'),
  ('app.custom.branding', '{"value": {"name": "Acme", "colour": "#0f766e", "support_email": "help@example.com"}}', 'json', 'custom',
   'Name, colour and support address shown in emails', true, false, '{dashboard_admin}', NULL, NULL, now() - interval '30 days'),
  ('app.functions.max_timeout_seconds', '{"value": 60}', 'number', 'functions', 'Longest an edge function may run',
   false, false, '{service_role}', NULL, NULL, now() - interval '80 days');
INSERT INTO app.settings (key, value, value_type, category, description, is_secret, editable_by, user_id, encrypted_value)
SELECT key, value::jsonb, value_type, 'custom', description, secret, '{authenticated}', p.id, ciphertext
FROM demo_people p
CROSS JOIN (VALUES
  ('ui.theme', '{"value": "dark"}', 'string', 'Theme the user picked', false, NULL),
  ('ai.openai_api_key', '{"value": "[ENCRYPTED]"}', 'string', 'The user''s own AI provider key', true, 'c2VjcmV0LWJ5LWZsdXhiYXNlLW5vdC1ieS1mbHV4ZGVzaw==')
) AS s(key, value, value_type, description, secret, ciphertext)
WHERE p.n IN (1, 2);

-- Dave tripped the lockout; Erin uses 2FA (the secret is AES-GCM ciphertext in
-- Fluxbase, so here it is opaque base64).
UPDATE auth.users SET failed_login_attempts = 5, is_locked = true, locked_until = now() + interval '15 minutes'
WHERE email = 'dave@example.com';
UPDATE auth.users SET totp_enabled = true,
       totp_secret = encode(gen_random_bytes(48), 'base64'),
       backup_codes = ARRAY(SELECT crypt(upper(substr(md5(g::text), 1, 8)), gen_salt('bf', 10)) FROM generate_series(1, 10) g)
WHERE email = 'erin@example.com';

-- A crowd of ordinary users sharing one precomputed hash (bcrypt per row would
-- take minutes).
INSERT INTO auth.users (email, password_hash, email_verified, role, user_metadata, created_at)
SELECT format('user%s@example.org', lpad(g::text, 4, '0')),
       (SELECT crypt('demo-user-password', gen_salt('bf', 10))),
       g % 7 <> 0,
       CASE WHEN g % 50 = 0 THEN 'admin' WHEN g % 3 = 0 THEN 'user' ELSE 'authenticated' END,
       jsonb_build_object('full_name', 'Demo User ' || g, 'plan', (ARRAY['free', 'pro', 'team'])[1 + g % 3]),
       now() - ((g % 365) || ' days')::interval - ((g % 24) || ' hours')::interval
FROM generate_series(1, 1000) g;

INSERT INTO auth.oauth_links (user_id, provider, provider_user_id, email, metadata)
VALUES ('a0000000-0000-4000-8000-000000000006', 'github', '5837201', 'frank@example.com', '{"login": "frankli"}'),
       ('a0000000-0000-4000-8000-000000000001', 'google', '104298377126', 'alice@example.com', '{"hd": "example.com"}');

-- Sessions: some live, some expired, as Fluxbase stores them (token hashes only).
INSERT INTO auth.sessions (user_id, expires_at, created_at, access_token_hash, refresh_token_hash)
SELECT u.id,
       now() + ((CASE WHEN g % 3 = 0 THEN -1 ELSE 1 END) * (g % 7 + 1)) * interval '1 day',
       now() - (g % 30) * interval '1 day' - g * interval '17 minutes',
       translate(encode(digest(gen_random_bytes(32), 'sha256'), 'base64'), '+/=', '-_'),
       translate(encode(digest(gen_random_bytes(32), 'sha256'), 'base64'), '+/=', '-_')
FROM auth.users u
CROSS JOIN generate_series(1, 3) g
WHERE u.email LIKE '%@example.com' AND u.email <> 'heidi@example.com'
   OR (u.email LIKE 'user0%@example.org' AND g = 1);

INSERT INTO auth.impersonation_sessions (admin_user_id, target_user_id, target_role, impersonation_type, reason, ip_address, user_agent, started_at, ended_at, is_active)
VALUES
  ('d0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'user', 'user',
   'Ticket #1841: Bob cannot see shared project', '10.0.0.5', 'Mozilla/5.0', now() - interval '12 days', now() - interval '12 days' + interval '9 minutes', false),
  ('d0000000-0000-4000-8000-000000000001', NULL, 'anon', 'anon',
   'Check what the landing page exposes', '10.0.0.5', 'Mozilla/5.0', now() - interval '5 days', now() - interval '5 days' + interval '3 minutes', false);

INSERT INTO auth.token_blacklist (token_jti, token_type, expires_at, revoked_by, reason)
VALUES (gen_random_uuid()::text, 'access', now() + interval '10 minutes', NULL, 'Admin revoked a stolen laptop session');

-- ---------------------------------------------------------------- app tables
CREATE TABLE public.projects (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  is_public boolean NOT NULL DEFAULT false,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_owner_id_idx ON public.projects (owner_id);
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_read ON public.projects FOR SELECT TO anon, authenticated
  USING (is_public OR owner_id = auth.uid() OR auth.is_admin());
CREATE POLICY projects_insert_own ON public.projects FOR INSERT TO authenticated WITH CHECK (owner_id = auth.uid());
CREATE POLICY projects_update_own ON public.projects FOR UPDATE TO authenticated
  USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid());
CREATE POLICY projects_delete_own ON public.projects FOR DELETE TO authenticated USING (owner_id = auth.uid());
GRANT SELECT ON public.projects TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.projects TO authenticated;
GRANT USAGE ON SEQUENCE public.projects_id_seq TO authenticated;

CREATE TABLE public.todos (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id) ON DELETE CASCADE,
  project_id bigint REFERENCES public.projects (id) ON DELETE SET NULL,
  title text NOT NULL,
  notes text,
  done boolean NOT NULL DEFAULT false,
  priority smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
  due_on date,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX todos_user_id_idx ON public.todos (user_id);
CREATE TRIGGER todos_updated_at BEFORE UPDATE ON public.todos FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();
ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY todos_owner_all ON public.todos FOR ALL TO authenticated
  USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());
CREATE POLICY todos_admin_read ON public.todos FOR SELECT TO authenticated USING (auth.is_admin());
GRANT SELECT, INSERT, UPDATE, DELETE ON public.todos TO authenticated;
GRANT USAGE ON SEQUENCE public.todos_id_seq TO authenticated;

INSERT INTO public.projects (owner_id, name, description, is_public, settings, created_at)
SELECT p.id, project.name, project.description, project.is_public, project.settings::jsonb, now() - (p.n * 9 || ' days')::interval
FROM demo_people p
JOIN (VALUES
  (1, 'Launch checklist', 'Everything before the public launch', true, '{"color": "teal"}'),
  (1, 'Kitchen renovation', 'Private planning', false, '{"color": "orange", "budget": 18000}'),
  (2, 'Thesis', 'Chapters and references', false, '{}'),
  (3, 'Ops runbook', 'On-call procedures', true, '{"color": "red"}'),
  (5, 'Team offsite', 'Lisbon, May', false, '{"attendees": 14}'),
  (9, 'Reading list', NULL, true, '{}'),
  (10, 'Garden', 'Seeds and schedule', false, '{"zone": "8b"}')
) AS project(owner_n, name, description, is_public, settings) ON project.owner_n = p.n;

INSERT INTO public.todos (user_id, project_id, title, notes, done, priority, due_on, tags, created_at)
SELECT p.id,
       (SELECT pr.id FROM public.projects pr WHERE pr.owner_id = p.id ORDER BY pr.id LIMIT 1),
       format('%s task %s', split_part(p.email, '@', 1), g),
       CASE WHEN g % 4 = 0 THEN repeat('A long note that goes on and on. ', 40) END,
       g % 3 = 0,
       1 + g % 4,
       current_date + (g - 10),
       CASE g % 4 WHEN 0 THEN ARRAY['home'] WHEN 1 THEN ARRAY['work', 'urgent'] WHEN 2 THEN ARRAY[]::text[] ELSE ARRAY['errand'] END,
       now() - (g || ' hours')::interval
FROM demo_people p CROSS JOIN generate_series(1, 25) g;

-- Realtime on todos, exactly as Fluxbase's admin API enables it.
ALTER TABLE public.todos REPLICA IDENTITY FULL;
CREATE TRIGGER todos_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON public.todos
  FOR EACH ROW EXECUTE FUNCTION public.notify_realtime_change();
INSERT INTO realtime.schema_registry (schema_name, table_name, realtime_enabled, events, excluded_columns)
VALUES ('public', 'todos', true, ARRAY['INSERT', 'UPDATE', 'DELETE'], ARRAY['notes']);

-- A view, a table without a primary key, and a name that needs quoting.
CREATE VIEW public.project_overview AS
SELECT pr.id, pr.name, u.email AS owner_email, pr.is_public,
       count(t.id) AS todo_count, count(t.id) FILTER (WHERE t.done) AS done_count
FROM public.projects pr
JOIN auth.users u ON u.id = pr.owner_id
LEFT JOIN public.todos t ON t.project_id = pr.id
GROUP BY pr.id, u.email;

CREATE TABLE public.legacy_imports (
  source text NOT NULL,
  line integer NOT NULL,
  raw text
);
INSERT INTO public.legacy_imports
SELECT 'crm-export-2025.csv', g, format('%s;customer-%s;%s', g, g, md5(g::text)) FROM generate_series(1, 500) g;

CREATE TABLE public."Café ""Menü"" items" (
  "Item id" integer PRIMARY KEY,
  "Name" text NOT NULL,
  "Price €" numeric(6, 2) NOT NULL,
  "Allergens" text[]
);
INSERT INTO public."Café ""Menü"" items" VALUES
  (1, 'Crème brûlée', 6.50, ARRAY['milk', 'egg']),
  (2, 'Smørrebrød', 8.00, ARRAY['gluten', 'fish']),
  (3, '抹茶ラテ', 4.20, ARRAY['milk']);

-- ---------------------------------------------------------------- big table
-- Generated in one statement: about a million rows in a few seconds.
CREATE TABLE public.events (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  user_id uuid,
  kind text NOT NULL,
  path text,
  duration_ms integer,
  amount numeric(12, 2),
  payload jsonb NOT NULL DEFAULT '{}'::jsonb
);
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_read_own ON public.events FOR SELECT TO authenticated
  USING (user_id = auth.uid() OR auth.is_admin());
GRANT SELECT ON public.events TO authenticated;

INSERT INTO public.events (id, occurred_at, user_id, kind, path, duration_ms, amount, payload)
SELECT g,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '27 seconds',
       (ARRAY(SELECT id FROM demo_people ORDER BY n))[1 + g % 10],
       (ARRAY['page_view', 'click', 'sign_in', 'purchase', 'api_call'])[1 + g % 5],
       (ARRAY['/', '/pricing', '/docs', '/app', '/settings', '/checkout'])[1 + (g / 7) % 6],
       ((g::bigint * 7919) % 2000)::int,
       CASE WHEN g % 5 = 3 THEN ((g * 31) % 50000) / 100.0 END,
       jsonb_build_object('session', g / 40, 'ab', (g % 2 = 0))
FROM generate_series(1, :big_table_rows) g;
SELECT setval(pg_get_serial_sequence('public.events', 'id'), greatest(:big_table_rows, 1));
CREATE INDEX events_occurred_at_idx ON public.events (occurred_at);

-- ---------------------------------------------------------------- storage
INSERT INTO storage.objects (bucket_id, path, mime_type, size, metadata, owner_id, created_at)
SELECT bucket, path, mime, size, jsonb_build_object('etag', md5(path)), owner, now() - (g || ' days')::interval
FROM (
  SELECT g,
         (ARRAY['public', 'user-uploads', 'user-uploads', 'temp-files'])[1 + g % 4] AS bucket,
         format('%s/%s-%s.%s', split_part(p.email, '@', 1), (ARRAY['photo', 'invoice', 'notes', 'export'])[1 + g % 4], g,
                (ARRAY['jpg', 'pdf', 'md', 'csv'])[1 + g % 4]) AS path,
         (ARRAY['image/jpeg', 'application/pdf', 'text/markdown', 'text/csv'])[1 + g % 4] AS mime,
         (g * 104729) % 8000000 + 512 AS size,
         p.id AS owner
  FROM generate_series(1, 120) g
  JOIN demo_people p ON p.n = 1 + g % 10
) o;

-- ---------------------------------------------------------------- security log
INSERT INTO logging.entries ("timestamp", category, level, message, component, user_id, ip_address, fields)
SELECT now() - (g * 37 || ' minutes')::interval,
       'security',
       CASE WHEN event IN ('login_failed', 'account_locked') THEN 'warn' ELSE 'info' END,
       'Security event: ' || event,
       'security',
       p.id,
       ('203.0.113.' || (g % 250 + 1))::inet,
       jsonb_build_object('security_event', event, 'email', p.email, 'ip_address', '203.0.113.' || (g % 250 + 1),
                          'user_agent', 'Mozilla/5.0 (Macintosh)')
FROM generate_series(1, 240) g
JOIN demo_people p ON p.n = 1 + g % 10
CROSS JOIN LATERAL (SELECT (ARRAY['login_success', 'login_success', 'login_failed', 'token_refreshed', '2fa_verified',
                                  'login_success', 'account_locked', 'password_reset_requested'])[1 + g % 8] AS event) e;

INSERT INTO logging.entries ("timestamp", category, level, message, component, fields)
SELECT now() - (g || ' minutes')::interval, 'http', 'info', format('GET /api/v1/tables/todos %s', 200), 'http',
       jsonb_build_object('status', 200, 'duration_ms', g % 90)
FROM generate_series(1, 200) g;

ANALYZE;
