-- storage: bucket and object metadata (bytes live on disk or S3). FORCE RLS.

CREATE TABLE storage.buckets (
  id text NOT NULL,
  name text NOT NULL,
  public boolean DEFAULT false,
  allowed_mime_types text[],
  max_file_size bigint,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  CONSTRAINT buckets_pkey PRIMARY KEY (id),
  CONSTRAINT buckets_name_key UNIQUE (name)
);
COMMENT ON TABLE storage.buckets IS 'Storage buckets configuration. Public buckets allow unauthenticated read access.';
CREATE TRIGGER update_storage_buckets_updated_at BEFORE UPDATE ON storage.buckets
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();

CREATE TABLE storage.objects (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  bucket_id text,
  path text NOT NULL,
  mime_type text,
  size bigint,
  metadata jsonb,
  owner_id uuid,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  name text GENERATED ALWAYS AS (path) STORED,
  CONSTRAINT objects_pkey PRIMARY KEY (id),
  CONSTRAINT objects_bucket_id_fkey FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id) ON DELETE CASCADE,
  CONSTRAINT objects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES auth.users (id) ON DELETE SET NULL,
  CONSTRAINT objects_bucket_id_path_key UNIQUE (bucket_id, path)
);
CREATE INDEX idx_storage_objects_bucket_id ON storage.objects (bucket_id);
CREATE INDEX idx_storage_objects_owner_id ON storage.objects (owner_id);
COMMENT ON TABLE storage.objects IS 'Storage object metadata. File contents live in the configured storage provider.';
COMMENT ON COLUMN storage.objects.path IS 'Object path within the bucket';
COMMENT ON COLUMN storage.objects.name IS 'Alias of path, kept for compatibility';
CREATE TRIGGER update_storage_objects_updated_at BEFORE UPDATE ON storage.objects
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();

CREATE TABLE storage.object_permissions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  object_id uuid,
  user_id uuid,
  permission text NOT NULL,
  created_at timestamptz DEFAULT now(),
  CONSTRAINT object_permissions_pkey PRIMARY KEY (id),
  CONSTRAINT object_permissions_object_id_fkey FOREIGN KEY (object_id) REFERENCES storage.objects (id) ON DELETE CASCADE,
  CONSTRAINT object_permissions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT object_permissions_permission_check CHECK (permission IN ('read', 'write')),
  CONSTRAINT object_permissions_object_id_user_id_key UNIQUE (object_id, user_id)
);

CREATE OR REPLACE FUNCTION storage.is_bucket_public(bucket_name text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM storage.buckets WHERE id = bucket_name AND public = true);
END;
$$;

CREATE OR REPLACE FUNCTION storage.has_object_permission(p_object_id uuid, p_user_id uuid, p_permission text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
  RETURN EXISTS (
    SELECT 1 FROM storage.object_permissions
    WHERE object_id = p_object_id
      AND user_id = p_user_id
      AND (permission = p_permission OR (p_permission = 'read' AND permission = 'write'))
  );
END;
$$;

CREATE OR REPLACE FUNCTION storage.user_can_access_object(p_object_id uuid, p_required_permission text DEFAULT 'read') RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
  object_owner uuid;
  bucket_is_public boolean;
BEGIN
  IF auth.current_user_role() IN ('dashboard_admin', 'service_role') THEN
    RETURN true;
  END IF;
  SELECT o.owner_id, b.public INTO object_owner, bucket_is_public
  FROM storage.objects o JOIN storage.buckets b ON b.id = o.bucket_id
  WHERE o.id = p_object_id;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF object_owner = auth.current_user_id() THEN
    RETURN true;
  END IF;
  IF bucket_is_public AND p_required_permission = 'read' THEN
    RETURN true;
  END IF;
  IF auth.current_user_id() IS NOT NULL AND EXISTS (
    SELECT 1 FROM storage.object_permissions
    WHERE object_id = p_object_id
      AND user_id = auth.current_user_id()
      AND (permission = 'write' OR (permission = 'read' AND p_required_permission = 'read'))
  ) THEN
    RETURN true;
  END IF;
  RETURN false;
END;
$$;

CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  parts text[];
BEGIN
  IF name IS NULL OR name = '' THEN
    RETURN '{}'::text[];
  END IF;
  parts := string_to_array(name, '/');
  IF array_length(parts, 1) > 1 THEN
    RETURN parts[1:array_length(parts, 1) - 1];
  END IF;
  RETURN '{}'::text[];
END;
$$;

-- Note: matches on name, where is_bucket_public matches on id.
CREATE OR REPLACE FUNCTION storage.bucket_exists(bucket_name text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, storage AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM storage.buckets WHERE name = bucket_name);
END;
$$;

CREATE OR REPLACE FUNCTION storage.get_bucket_settings(bucket_name text)
RETURNS TABLE (max_file_size bigint, allowed_mime_types text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, storage AS $$
BEGIN
  RETURN QUERY SELECT b.max_file_size, b.allowed_mime_types FROM storage.buckets b WHERE b.name = bucket_name;
END;
$$;
GRANT EXECUTE ON FUNCTION storage.bucket_exists(text), storage.get_bucket_settings(text)
  TO anon, authenticated, service_role;

ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.buckets FORCE ROW LEVEL SECURITY;
CREATE POLICY storage_buckets_admin ON storage.buckets FOR ALL
  USING (auth.current_user_role() IN ('dashboard_admin', 'service_role'))
  WITH CHECK (auth.current_user_role() IN ('dashboard_admin', 'service_role'));
CREATE POLICY storage_buckets_public_view ON storage.buckets FOR SELECT USING (public = true);

ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects FORCE ROW LEVEL SECURITY;
CREATE POLICY storage_objects_admin ON storage.objects FOR ALL
  USING (auth.current_user_role() IN ('dashboard_admin', 'service_role'))
  WITH CHECK (auth.current_user_role() IN ('dashboard_admin', 'service_role'));
CREATE POLICY storage_objects_owner ON storage.objects FOR ALL
  USING (auth.current_user_id() = owner_id) WITH CHECK (auth.current_user_id() = owner_id);
CREATE POLICY storage_objects_public_read ON storage.objects FOR SELECT
  USING (storage.is_bucket_public(bucket_id));
CREATE POLICY storage_objects_shared_read ON storage.objects FOR SELECT
  USING (auth.current_user_id() IS NOT NULL AND storage.has_object_permission(id, auth.current_user_id(), 'read'));
CREATE POLICY storage_objects_shared_write ON storage.objects FOR UPDATE
  USING (auth.current_user_id() IS NOT NULL AND storage.has_object_permission(id, auth.current_user_id(), 'write'));
CREATE POLICY storage_objects_shared_delete ON storage.objects FOR DELETE
  USING (auth.current_user_id() IS NOT NULL AND storage.has_object_permission(id, auth.current_user_id(), 'write'));
CREATE POLICY storage_objects_insert ON storage.objects FOR INSERT
  WITH CHECK (
    auth.current_user_role() IN ('dashboard_admin', 'service_role')
    OR (auth.current_user_id() IS NOT NULL AND auth.current_user_id() = owner_id)
  );

ALTER TABLE storage.object_permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.object_permissions FORCE ROW LEVEL SECURITY;
CREATE POLICY storage_object_permissions_admin ON storage.object_permissions FOR ALL
  USING (auth.current_user_role() IN ('dashboard_admin', 'service_role'))
  WITH CHECK (auth.current_user_role() IN ('dashboard_admin', 'service_role'));
CREATE POLICY storage_object_permissions_owner_manage ON storage.object_permissions FOR ALL
  USING (EXISTS (SELECT 1 FROM storage.objects o WHERE o.id = object_permissions.object_id AND o.owner_id = auth.current_user_id()))
  WITH CHECK (EXISTS (SELECT 1 FROM storage.objects o WHERE o.id = object_permissions.object_id AND o.owner_id = auth.current_user_id()));
CREATE POLICY storage_object_permissions_view_shared ON storage.object_permissions FOR SELECT
  USING (user_id = auth.current_user_id());
