//! Storage buckets: what each holds, their settings, and their objects paged by path.

use super::InstanceConfig;
use crate::audit::{self, AuditEvent, Outcome};
use crate::clock::rfc3339;
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use fluxdesk_types::{Bucket, BucketEdit, OBJECT_PAGE_LIMIT, ObjectListRequest, ObjectPage, StorageObject};
use serde_json::json;
use uuid::Uuid;

/// The largest `max_file_size` accepted: 5 TiB, S3's own object limit.
pub const MAX_FILE_SIZE_LIMIT: i64 = 5 * 1024 * 1024 * 1024 * 1024;

type BucketRow = (
    String,
    String,
    Option<bool>,
    Option<Vec<String>>,
    Option<i64>,
    i64,
    i64,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

const BUCKET_SQL: &str = "SELECT b.id, b.name, b.public, b.allowed_mime_types, b.max_file_size, \
        COALESCE(o.objects, 0), COALESCE(o.bytes, 0)::bigint, b.created_at, b.updated_at \
     FROM storage.buckets b LEFT JOIN (SELECT bucket_id, count(*) AS objects, sum(COALESCE(size, 0)) AS bytes \
        FROM storage.objects GROUP BY bucket_id) o ON o.bucket_id = b.id";

fn bucket((id, name, public, allowed, max, objects, bytes, created, updated): BucketRow) -> Bucket {
    Bucket {
        id,
        name,
        public: public.unwrap_or(false),
        allowed_mime_types: allowed,
        max_file_size: max,
        objects,
        bytes,
        created_at: created.map(rfc3339),
        updated_at: updated.map(rfc3339),
    }
}

/// `type/subtype`, or `type/*`, in the characters RFC 6838 allows.
fn valid_mime_type(text: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part.len() <= 127
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match text.split_once('/') {
        Some((kind, sub)) => token(kind) && (sub == "*" || token(sub)),
        None => false,
    }
}

/// A bucket's new settings, checked: MIME types well-formed and each once
/// (lower case), a positive size limit within [`MAX_FILE_SIZE_LIMIT`].
pub fn validated_edit(edit: &BucketEdit) -> CoreResult<BucketEdit> {
    let allowed = match &edit.allowed_mime_types {
        None => None,
        Some(types) => {
            let mut kept: Vec<String> = Vec::new();
            for text in types {
                let text = text.trim().to_ascii_lowercase();
                if text.is_empty() {
                    continue;
                }
                if !valid_mime_type(&text) {
                    return Err(CoreError::InvalidInput(format!(
                        "\"{text}\" is not a MIME type; write it as type/subtype, such as image/png or image/*."
                    )));
                }
                if !kept.contains(&text) {
                    kept.push(text);
                }
            }
            // An empty list would refuse every upload; none means any type.
            (!kept.is_empty()).then_some(kept)
        }
    };
    if let Some(size) = edit.max_file_size
        && !(1..=MAX_FILE_SIZE_LIMIT).contains(&size)
    {
        return Err(CoreError::InvalidInput(format!(
            "The maximum file size must be between 1 byte and 5 TiB, not {size}; leave it empty for no limit."
        )));
    }
    Ok(BucketEdit {
        id: edit.id.trim().to_owned(),
        public: edit.public,
        allowed_mime_types: allowed,
        max_file_size: edit.max_file_size,
    })
}

/// A page cursor: the last path of the page, for this bucket and prefix.
#[derive(serde::Serialize, serde::Deserialize)]
struct ObjectCursor {
    bucket: String,
    prefix: String,
    path: String,
}

impl InstanceConfig<'_> {
    /// Buckets with their object counts and bytes.
    pub async fn buckets(&self) -> CoreResult<Vec<Bucket>> {
        let mut transaction = self.read().await?;
        let rows: Vec<BucketRow> = sqlx::query_as(&format!("{BUCKET_SQL} ORDER BY b.name"))
            .fetch_all(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(rows.into_iter().map(bucket).collect())
    }

    /// Changes a bucket's settings; audited with the values before and after.
    pub async fn update_bucket(&self, edit: &BucketEdit) -> CoreResult<Bucket> {
        let edit = validated_edit(edit)?;
        let now = self.now();
        let mut transaction = self.write().await?;
        sqlx::query("SELECT 1 FROM storage.buckets WHERE id = $1 FOR UPDATE")
            .bind(&edit.id)
            .execute(&mut *transaction)
            .await?;
        let before: Option<BucketRow> = sqlx::query_as(&format!("{BUCKET_SQL} WHERE b.id = $1"))
            .bind(&edit.id)
            .fetch_optional(&mut *transaction)
            .await?;
        let before = before
            .map(bucket)
            .ok_or_else(|| CoreError::NotFound(format!("There is no bucket \"{}\".", edit.id)))?;
        let updated = sqlx::query(
            "UPDATE storage.buckets SET public = $2, allowed_mime_types = $3, max_file_size = $4 WHERE id = $1",
        )
        .bind(&edit.id)
        .bind(edit.public)
        .bind(&edit.allowed_mime_types)
        .bind(edit.max_file_size)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        // storage.buckets is FORCE RLS: a role the policy does not admit changes nothing.
        if updated != 1 {
            return Err(CoreError::PermissionDenied(format!(
                "The server did not let this connection change bucket \"{}\"; nothing was saved.",
                edit.id
            )));
        }
        let settings = |public: bool, allowed: &Option<Vec<String>>, max: Option<i64>| json!({ "public": public, "allowed_mime_types": allowed, "max_file_size": max });
        audit::append(
            &mut transaction,
            &self.context,
            &AuditEvent::new(now, "bucket.update", Outcome::Success)
                .target(edit.id.clone())
                .details(json!({
                    "bucket": edit.id,
                    "before": settings(before.public, &before.allowed_mime_types, before.max_file_size),
                    "after": settings(edit.public, &edit.allowed_mime_types, edit.max_file_size),
                })),
        )
        .await?;
        let after: BucketRow = sqlx::query_as(&format!("{BUCKET_SQL} WHERE b.id = $1"))
            .bind(&edit.id)
            .fetch_one(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(bucket(after))
    }

    /// Whether the bucket is public now (to ask for a step-up before making it so).
    pub async fn bucket_is_public(&self, id: &str) -> CoreResult<bool> {
        let mut transaction = self.read().await?;
        let public: Option<Option<bool>> =
            sqlx::query_scalar("SELECT public FROM storage.buckets WHERE id = $1")
                .bind(id.trim())
                .fetch_optional(&mut *transaction)
                .await?;
        transaction.commit().await?;
        match public {
            Some(public) => Ok(public.unwrap_or(false)),
            None => Err(CoreError::NotFound(format!(
                "There is no bucket \"{}\".",
                id.trim()
            ))),
        }
    }

    /// One page of a bucket's objects by path, after the cursor, with owners' emails.
    pub async fn bucket_objects(&self, request: &ObjectListRequest) -> CoreResult<ObjectPage> {
        let limit = i64::from(request.limit.clamp(1, OBJECT_PAGE_LIMIT));
        let after = match &request.after {
            None => None,
            Some(text) => {
                let cursor: ObjectCursor = serde_json::from_str(text).map_err(|_| {
                    CoreError::InvalidInput("This page cursor is not one Fluxdesk made.".into())
                })?;
                if cursor.bucket != request.bucket || cursor.prefix != request.prefix {
                    return Err(CoreError::InvalidInput(
                        "This cursor belongs to another bucket or prefix; start again from the first page."
                            .into(),
                    ));
                }
                Some(cursor.path)
            }
        };
        let mut transaction = self.read().await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM storage.buckets WHERE id = $1)")
            .bind(&request.bucket)
            .fetch_one(&mut *transaction)
            .await?;
        if !exists {
            return Err(CoreError::NotFound(format!(
                "There is no bucket \"{}\".",
                request.bucket
            )));
        }
        type ObjectRow = (
            Uuid,
            String,
            Option<i64>,
            Option<String>,
            Option<Uuid>,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        // starts_with and the row comparison keep to the (bucket_id, path) index order.
        let rows: Vec<ObjectRow> = sqlx::query_as(
            "SELECT o.id, o.path, o.size, o.mime_type, o.owner_id, u.email, o.created_at, o.updated_at \
             FROM storage.objects o LEFT JOIN auth.users u ON u.id = o.owner_id \
             WHERE o.bucket_id = $1 AND starts_with(o.path, $2) AND ($3::text IS NULL OR o.path > $3) \
             ORDER BY o.path LIMIT $4",
        )
        .bind(&request.bucket)
        .bind(&request.prefix)
        .bind(&after)
        .bind(limit + 1)
        .fetch_all(&mut *transaction)
        .await?;
        transaction.commit().await?;
        let more = rows.len() as i64 > limit;
        let objects: Vec<StorageObject> = rows
            .into_iter()
            .take(limit as usize)
            .map(
                |(id, path, size, mime_type, owner_id, email, created, updated)| StorageObject {
                    id: id.to_string(),
                    path,
                    size,
                    mime_type,
                    owner: email.or_else(|| owner_id.map(|owner| owner.to_string())),
                    created_at: created.map(rfc3339),
                    updated_at: updated.map(rfc3339),
                },
            )
            .collect();
        let next = match (more, objects.last()) {
            (true, Some(last)) => Some(
                serde_json::to_string(&ObjectCursor {
                    bucket: request.bucket.clone(),
                    prefix: request.prefix.clone(),
                    path: last.path.clone(),
                })
                .map_err(|error| CoreError::InvalidInput(format!("Cannot make a page cursor: {error}.")))?,
            ),
            _ => None,
        };
        Ok(ObjectPage { objects, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(types: Option<Vec<&str>>, max: Option<i64>) -> CoreResult<BucketEdit> {
        validated_edit(&BucketEdit {
            id: " media ".into(),
            public: false,
            allowed_mime_types: types.map(|types| types.into_iter().map(String::from).collect()),
            max_file_size: max,
        })
    }

    #[test]
    fn bucket_settings_are_validated() {
        let ok = edit(Some(vec!["Image/PNG", "image/*", "image/png", " "]), Some(1024)).unwrap();
        assert_eq!(ok.id, "media");
        assert_eq!(
            ok.allowed_mime_types,
            Some(vec!["image/png".into(), "image/*".into()])
        );
        assert_eq!(edit(Some(vec![]), None).unwrap().allowed_mime_types, None);
        assert!(
            edit(Some(vec!["png"]), None)
                .unwrap_err()
                .to_string()
                .contains("not a MIME type")
        );
        assert!(edit(Some(vec!["image/p ng"]), None).is_err());
        assert!(
            edit(None, Some(0))
                .unwrap_err()
                .to_string()
                .contains("between 1 byte")
        );
        assert!(edit(None, Some(MAX_FILE_SIZE_LIMIT + 1)).is_err());
    }
}
