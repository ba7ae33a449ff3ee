//! Instance configuration: `app.settings`, realtime tables and storage buckets.

use crate::rows::TableRef;
use serde::{Deserialize, Serialize};

/// `app.settings.value_type`: which editor a setting gets and what it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingType {
    /// Any text.
    String,
    /// A finite JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any JSON document.
    Json,
    /// A JSON array.
    Array,
}

impl SettingType {
    /// The name `app.settings` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingType::String => "string",
            SettingType::Number => "number",
            SettingType::Boolean => "boolean",
            SettingType::Json => "json",
            SettingType::Array => "array",
        }
    }
}

/// One row of `app.settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// `key`.
    pub key: String,
    /// The value as its editor shows it: plain text for strings, `true` or
    /// `false`, a number, or JSON text. Never present for a secret.
    pub value: Option<String>,
    /// `value_type`.
    pub value_type: SettingType,
    /// `category`: auth, system, storage, functions, realtime or custom.
    pub category: String,
    /// `description`.
    pub description: Option<String>,
    /// `is_public`: readable without signing in.
    pub is_public: bool,
    /// `is_secret`: encrypted with the instance's key, never shown.
    pub is_secret: bool,
    /// `editable_by`: the roles that may change it.
    pub editable_by: Vec<String>,
    /// Why the signed-in admin may not change it; none when they may.
    pub not_editable: Option<String>,
    /// `updated_at` (RFC 3339).
    pub updated_at: Option<String>,
    /// Who last changed it: the admin's email when known, else `updated_by`.
    pub updated_by: Option<String>,
    /// `user_id` of a user-scoped row; none for system settings.
    pub user_id: Option<String>,
}

/// A staged change to one system setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingEdit {
    /// The setting's key.
    pub key: String,
    /// The value the admin saw when staging (as in [`Setting::value`]); the
    /// save is refused when the setting has changed since.
    pub seen: Option<String>,
    /// The new value, as its editor shows it.
    pub value: String,
}

/// How one line of a value compares before and after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffTag {
    /// In both.
    Same,
    /// Only before.
    Removed,
    /// Only after.
    Added,
}

/// One line of a value diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// Whether the line stays, goes or comes.
    pub tag: DiffTag,
    /// The line, without its end.
    pub text: String,
}

/// What saving one staged change would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingDiff {
    /// The setting's key.
    pub key: String,
    /// Its type.
    pub value_type: SettingType,
    /// The value now, as the editor shows it.
    pub before: String,
    /// The value after saving, normalized (numbers and JSON reformatted).
    pub after: String,
    /// `before` against `after`, line by line.
    pub lines: Vec<DiffLine>,
}

/// Changes applied together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsSaved {
    /// What changed, in the order given; edits that changed nothing are left out.
    pub changed: Vec<SettingDiff>,
}

/// Changing instance settings on a production profile.
pub const CHANGE_SETTINGS: &str = "change instance settings";
/// Enabling or disabling realtime on a production profile.
pub const CHANGE_REALTIME: &str = "change which tables publish realtime changes";
/// Changing a bucket on a production profile.
pub const CHANGE_BUCKET: &str = "change a storage bucket";

/// The change events realtime can publish.
pub const REALTIME_EVENTS: [&str; 3] = ["INSERT", "UPDATE", "DELETE"];

/// A table in `realtime.schema_registry`, with what is in place for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealtimeTable {
    /// The table.
    pub table: TableRef,
    /// `realtime_enabled`.
    pub enabled: bool,
    /// `events`.
    pub events: Vec<String>,
    /// `excluded_columns`: left out of every payload.
    pub excluded_columns: Vec<String>,
    /// Whether the table still exists.
    pub table_exists: bool,
    /// Whether its `<table>_realtime_notify` trigger is in place.
    pub trigger_installed: bool,
    /// `default`, `full`, `nothing` or `index`.
    pub replica_identity: String,
    /// Whether Fluxdesk enabled it and remembers what to put back.
    pub restorable: bool,
    /// `updated_at` (RFC 3339).
    pub updated_at: Option<String>,
}

/// Enable realtime on a table, as Fluxbase does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealtimeRequest {
    /// The table.
    pub table: TableRef,
    /// Some of INSERT, UPDATE and DELETE; all three when empty.
    pub events: Vec<String>,
    /// Columns left out of the payloads.
    pub excluded_columns: Vec<String>,
}

/// What disabling realtime did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealtimeDisabled {
    /// The table.
    pub table: TableRef,
    /// True when Fluxdesk put back exactly what was there before it enabled
    /// realtime; false when it did as Fluxbase does (see `note`).
    pub restored: bool,
    /// What was done, in words.
    pub note: String,
}

/// A storage bucket with what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `public`: objects readable without signing in.
    pub public: bool,
    /// `allowed_mime_types`; none allows every type.
    pub allowed_mime_types: Option<Vec<String>>,
    /// `max_file_size` in bytes; none for no limit.
    pub max_file_size: Option<i64>,
    /// Objects in it.
    pub objects: i64,
    /// Their total size in bytes.
    pub bytes: i64,
    /// `created_at` (RFC 3339).
    pub created_at: Option<String>,
    /// `updated_at` (RFC 3339).
    pub updated_at: Option<String>,
}

/// New settings for a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketEdit {
    /// The bucket's id.
    pub id: String,
    /// Public or private.
    pub public: bool,
    /// MIME types such as `image/png` or `image/*`; none allows every type.
    pub allowed_mime_types: Option<Vec<String>>,
    /// The largest object in bytes; none for no limit.
    pub max_file_size: Option<i64>,
}

/// Objects per page, at most.
pub const OBJECT_PAGE_LIMIT: u32 = 500;

/// A page of a bucket's objects, by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectListRequest {
    /// The bucket's id.
    pub bucket: String,
    /// Only paths starting with this.
    pub prefix: String,
    /// Continue after this cursor (the previous page's `next`).
    pub after: Option<String>,
    /// Objects per page, 1 to [`OBJECT_PAGE_LIMIT`].
    pub limit: u32,
}

/// One object in a bucket (its metadata; the bytes live elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageObject {
    /// `id`.
    pub id: String,
    /// `path` within the bucket.
    pub path: String,
    /// `size` in bytes.
    pub size: Option<i64>,
    /// `mime_type`.
    pub mime_type: Option<String>,
    /// The owner's email, or their id when the user is gone from `auth.users`.
    pub owner: Option<String>,
    /// `created_at` (RFC 3339).
    pub created_at: Option<String>,
    /// `updated_at` (RFC 3339).
    pub updated_at: Option<String>,
}

/// One page of objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectPage {
    /// The objects, by path.
    pub objects: Vec<StorageObject>,
    /// The cursor of the next page; none on the last.
    pub next: Option<String>,
}
