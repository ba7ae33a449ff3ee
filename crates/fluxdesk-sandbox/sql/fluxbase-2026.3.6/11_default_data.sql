-- Rows every Fluxbase v2026.3.6 instance starts with.

INSERT INTO storage.buckets (id, name, public, allowed_mime_types, max_file_size) VALUES
  ('public', 'public', true, NULL, NULL),
  ('temp-files', 'temp-files', false, NULL, NULL),
  ('user-uploads', 'user-uploads', false, NULL, NULL),
  ('knowledge-base', 'knowledge-base', false, ARRAY[
    'application/pdf', 'text/plain', 'text/markdown', 'text/html', 'text/csv',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/rtf', 'application/epub+zip', 'application/json'], 52428800);

INSERT INTO app.settings (key, value, value_type, category, description, is_public, editable_by) VALUES
  ('app.realtime.enabled', '{"value": true}', 'boolean', 'system', 'Enable or disable realtime functionality (WebSocket connections, subscriptions)', false, '{admin,dashboard_admin}'),
  ('app.storage.enabled', '{"value": true}', 'boolean', 'system', 'Enable or disable storage functionality (file uploads, downloads, management)', false, '{admin,dashboard_admin}'),
  ('app.functions.enabled', '{"value": true}', 'boolean', 'system', 'Enable or disable edge functions (serverless function execution)', false, '{admin,dashboard_admin}'),
  ('app.ai.enabled', '{"value": true}', 'boolean', 'system', 'Enable AI service functionality', false, '{admin,dashboard_admin}'),
  ('app.rpc.enabled', '{"value": true}', 'boolean', 'system', 'Enable RPC procedure execution', false, '{admin,dashboard_admin}'),
  ('app.jobs.enabled', '{"value": true}', 'boolean', 'system', 'Enable background job processing', false, '{admin,dashboard_admin}'),
  ('app.email.enabled', '{"value": true}', 'boolean', 'system', 'Enable email service functionality', false, '{admin,dashboard_admin}'),
  ('app.features.enable_jobs', '{"value": false}', 'boolean', 'custom', 'Enable long-running background jobs system', false, '{admin,dashboard_admin}'),
  ('app.features.enable_ai', '{"value": true}', 'boolean', 'system', 'Enable or disable AI chatbot functionality', false, '{dashboard_admin}'),
  ('app.ai.allow_user_provider_override', '{"value": false}', 'boolean', 'system', 'Allow users to configure their own AI provider credentials', false, '{dashboard_admin}'),
  ('app.ai.default_rate_limit_per_minute', '{"value": 20}', 'number', 'system', 'Default rate limit for AI chatbot requests per minute per user', false, '{dashboard_admin}'),
  ('app.ai.default_daily_token_budget', '{"value": 100000}', 'number', 'system', 'Default daily token budget per user for AI chatbots', false, '{dashboard_admin}'),
  ('app.features.enable_rpc', '{"value": true}', 'boolean', 'system', 'Enable or disable RPC procedure functionality', false, '{dashboard_admin}'),
  ('app.rpc.default_max_execution_time_seconds', '{"value": 30}', 'number', 'system', 'Default maximum execution time for RPC procedures in seconds', false, '{dashboard_admin}'),
  ('app.rpc.max_max_execution_time_seconds', '{"value": 300}', 'number', 'system', 'Maximum allowed execution time for RPC procedures in seconds', false, '{dashboard_admin}'),
  ('app.rpc.default_max_rows', '{"value": 1000}', 'number', 'system', 'Default maximum rows returned by RPC procedures', false, '{dashboard_admin}'),
  ('app.auth.allow_user_client_keys', 'true', 'boolean', 'auth', 'Allow regular users to create and use their own client keys. When disabled, only admin-created keys work and users cannot create keys.', false, '{dashboard_admin}');
