//! Staged changes to a table: edits, new rows, copies and deletions queued in
//! the grid until the user reviews and commits them, or discards them.
//!
//! Staged rows are keyed by their primary key (or row location), never by
//! position, so they stay attached to their rows when the grid reloads.

use fluxdesk_types::{CellValue, ChangeSet, ColumnInfo, EditorKind, KeysetCursor, RowChange, TableRef};
use std::collections::BTreeMap;

/// Values staged for one existing row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedUpdate {
    /// The row version it was read at.
    pub version: String,
    /// New values by column; `None` is NULL.
    pub values: BTreeMap<String, Option<String>>,
}

/// Where a change in a [`ChangeSet`] came from, to point back at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StagedTarget {
    /// An edit of the row with this key.
    Update(KeysetCursor),
    /// New row number `n`.
    Insert(usize),
    /// A copy of the row with this key.
    Duplicate(KeysetCursor),
    /// Deletion of the row with this key.
    Delete(KeysetCursor),
}

/// A refusal pinned to what caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The staged change the server refused.
    pub target: StagedTarget,
    /// The column it named, if any.
    pub column: Option<String>,
    /// Why, for a person.
    pub message: String,
}

/// Everything staged for one table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Staging {
    /// Edits of existing rows.
    pub updates: BTreeMap<KeysetCursor, StagedUpdate>,
    /// New rows: values given, by column (others take defaults).
    pub inserts: Vec<BTreeMap<String, Option<String>>>,
    /// Rows to copy.
    pub duplicates: Vec<KeysetCursor>,
    /// Rows to delete, with the version each was read at.
    pub deletes: BTreeMap<KeysetCursor, String>,
    /// The server's last refusal, shown on its cell until the value changes.
    pub rejection: Option<Rejection>,
}

impl Staging {
    /// Number of staged changes.
    pub fn len(&self) -> usize {
        self.updates.len() + self.inserts.len() + self.duplicates.len() + self.deletes.len()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stages `value` for `column` of the row `key` read at `version`; a row
    /// marked for deletion is unmarked, since it is being edited.
    pub fn set_value(&mut self, key: KeysetCursor, version: &str, column: &str, value: Option<String>) {
        self.deletes.remove(&key);
        let update = self.updates.entry(key).or_insert_with(|| StagedUpdate {
            version: version.to_owned(),
            values: BTreeMap::new(),
        });
        update.values.insert(column.to_owned(), value);
        self.rejection = None;
    }

    /// The staged value of a cell, if one is staged.
    pub fn staged_value(&self, key: &KeysetCursor, column: &str) -> Option<&Option<String>> {
        self.updates.get(key)?.values.get(column)
    }

    /// Marks a row for deletion (its staged edits go: a deleted row keeps
    /// none), or unmarks it.
    pub fn toggle_delete(&mut self, key: KeysetCursor, version: &str) {
        if self.deletes.remove(&key).is_none() {
            let version = self
                .updates
                .remove(&key)
                .map_or_else(|| version.to_owned(), |staged| staged.version);
            self.deletes.insert(key, version);
        }
        self.rejection = None;
    }

    /// Adds an empty new row; returns its number.
    pub fn add_insert(&mut self) -> usize {
        self.inserts.push(BTreeMap::new());
        self.rejection = None;
        self.inserts.len() - 1
    }

    /// Sets a value of new row `row`; `None` as the outer value drops it (back to the default).
    pub fn set_insert_value(&mut self, row: usize, column: &str, value: Option<Option<String>>) {
        if let Some(values) = self.inserts.get_mut(row) {
            match value {
                Some(value) => values.insert(column.to_owned(), value),
                None => values.remove(column),
            };
        }
        self.rejection = None;
    }

    /// Drops new row `row`.
    pub fn remove_insert(&mut self, row: usize) {
        if row < self.inserts.len() {
            self.inserts.remove(row);
        }
        self.rejection = None;
    }

    /// Drops the edits of one row (e.g. "take theirs" after a conflict).
    pub fn drop_row(&mut self, key: &KeysetCursor) {
        self.updates.remove(key);
        self.deletes.remove(key);
        self.duplicates.retain(|k| k != key);
        self.rejection = None;
    }

    /// Restages a row's edits and deletion at `version` ("keep mine").
    pub fn rebase(&mut self, key: &KeysetCursor, version: &str) {
        if let Some(update) = self.updates.get_mut(key) {
            update.version = version.to_owned();
        }
        if let Some(staged) = self.deletes.get_mut(key) {
            *staged = version.to_owned();
        }
        self.rejection = None;
    }

    /// The changes to send, in a fixed order (edits, new rows, copies,
    /// deletions), and where each came from.
    pub fn change_set(&self, table: &TableRef) -> (ChangeSet, Vec<StagedTarget>) {
        let mut changes = Vec::with_capacity(self.len());
        let mut targets = Vec::with_capacity(self.len());
        for (key, update) in &self.updates {
            changes.push(RowChange::Update {
                key: key.clone(),
                version: update.version.clone(),
                values: cell_values(&update.values),
            });
            targets.push(StagedTarget::Update(key.clone()));
        }
        for (index, values) in self.inserts.iter().enumerate() {
            changes.push(RowChange::Insert {
                values: cell_values(values),
            });
            targets.push(StagedTarget::Insert(index));
        }
        for key in &self.duplicates {
            changes.push(RowChange::Duplicate { key: key.clone() });
            targets.push(StagedTarget::Duplicate(key.clone()));
        }
        for (key, version) in &self.deletes {
            changes.push(RowChange::Delete {
                key: key.clone(),
                version: version.clone(),
            });
            targets.push(StagedTarget::Delete(key.clone()));
        }
        (
            ChangeSet {
                table: table.clone(),
                changes,
            },
            targets,
        )
    }
}

/// Things that happen to what is staged.
#[derive(Debug, Clone)]
pub enum StagingAction {
    /// Replace it (an edit, a batch, Discard, another table).
    Set(Staging),
    /// These changes were committed: they go, and anything staged since stays.
    Committed(Staging),
    /// The server refused a change; everything stays, marked.
    Rejected(Rejection),
}

impl yew::Reducible for Staging {
    type Action = StagingAction;

    fn reduce(self: std::rc::Rc<Self>, action: StagingAction) -> std::rc::Rc<Self> {
        let mut next = std::rc::Rc::unwrap_or_clone(self);
        match action {
            StagingAction::Set(staging) => next = staging,
            StagingAction::Committed(done) => next.forget(&done),
            StagingAction::Rejected(rejection) => next.rejection = Some(rejection),
        }
        std::rc::Rc::new(next)
    }
}

impl Staging {
    /// Drops what `done` holds, where it is still staged unchanged.
    pub fn forget(&mut self, done: &Staging) {
        self.updates
            .retain(|key, update| done.updates.get(key) != Some(update));
        self.deletes
            .retain(|key, version| done.deletes.get(key) != Some(version));
        for insert in &done.inserts {
            if let Some(at) = self.inserts.iter().position(|i| i == insert) {
                self.inserts.remove(at);
            }
        }
        for copy in &done.duplicates {
            if let Some(at) = self.duplicates.iter().position(|d| d == copy) {
                self.duplicates.remove(at);
            }
        }
        self.rejection = None;
    }
}

fn cell_values(values: &BTreeMap<String, Option<String>>) -> Vec<CellValue> {
    values
        .iter()
        .map(|(column, value)| CellValue {
            column: column.clone(),
            value: value.clone(),
        })
        .collect()
}

/// Checks a value typed into a cell editor before it is staged: NULL where
/// not allowed, length, and the format of its type. The server casts the
/// text in the end; this catches mistakes while the user is still typing.
pub fn validate(column: &ColumnInfo, value: Option<&str>) -> Result<(), String> {
    let Some(editing) = &column.editing else {
        return Err(format!("\"{}\" cannot be edited here.", column.name));
    };
    if editing.generated {
        return Err(format!("\"{}\" is computed by the server.", column.name));
    }
    let Some(text) = value else {
        return if editing.nullable {
            Ok(())
        } else {
            Err(format!("\"{}\" cannot be NULL.", column.name))
        };
    };
    if let Some(limit) = editing.max_length
        && text.chars().count() > limit as usize
    {
        return Err(format!(
            "At most {limit} characters ({} typed).",
            text.chars().count()
        ));
    }
    let trimmed = text.trim();
    let ok = match editing.editor {
        EditorKind::SmallInt => trimmed.parse::<i16>().is_ok(),
        EditorKind::Integer => trimmed.parse::<i32>().is_ok(),
        EditorKind::BigInt => trimmed.parse::<i64>().is_ok(),
        EditorKind::Numeric => is_numeric(trimmed),
        EditorKind::Float => {
            trimmed.parse::<f64>().is_ok()
                || matches!(
                    trimmed.to_ascii_lowercase().as_str(),
                    "nan" | "infinity" | "-infinity"
                )
        }
        EditorKind::Boolean => matches!(
            trimmed.to_ascii_lowercase().as_str(),
            "true" | "false" | "t" | "f" | "yes" | "no" | "on" | "off" | "1" | "0"
        ),
        EditorKind::Uuid => is_uuid(trimmed),
        EditorKind::Date => is_date(trimmed) || is_special_time(trimmed),
        EditorKind::Time => is_time(trimmed),
        EditorKind::Timestamp => is_timestamp(trimmed) || is_special_time(trimmed),
        EditorKind::Json => serde_json::from_str::<serde_json::Value>(text).is_ok(),
        EditorKind::Array => trimmed.starts_with('{') && trimmed.ends_with('}'),
        EditorKind::Enum => editing.enum_values.iter().any(|label| label == text),
        EditorKind::Text | EditorKind::Other => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format_hint(editing.editor, &editing.enum_values))
    }
}

fn format_hint(editor: EditorKind, labels: &[String]) -> String {
    match editor {
        EditorKind::SmallInt => "A whole number from -32768 to 32767.".to_owned(),
        EditorKind::Integer => "A whole number from -2147483648 to 2147483647.".to_owned(),
        EditorKind::BigInt => "A whole number (64-bit).".to_owned(),
        EditorKind::Numeric => "A number, like 12.50 or -3e4.".to_owned(),
        EditorKind::Float => "A number, like 0.25, 1e-9, NaN or Infinity.".to_owned(),
        EditorKind::Boolean => "true or false.".to_owned(),
        EditorKind::Uuid => "A UUID, like 4f0c7bd5-7f4e-4b8a-9c59-0d5b8d5cbb11.".to_owned(),
        EditorKind::Date => "A date, like 2026-11-24.".to_owned(),
        EditorKind::Time => "A time, like 13:45 or 13:45:10.5.".to_owned(),
        EditorKind::Timestamp => "A date and time, like 2026-11-24 13:45:10+00.".to_owned(),
        EditorKind::Json => "Valid JSON, like {\"a\": 1} or [1, 2].".to_owned(),
        EditorKind::Array => "An array in braces, like {1,2,3} or {\"a b\",c}.".to_owned(),
        EditorKind::Enum => format!("One of: {}.", labels.join(", ")),
        EditorKind::Text | EditorKind::Other => "Not a valid value.".to_owned(),
    }
}

fn is_numeric(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "infinity" | "-infinity") {
        return true;
    }
    let body = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    let (mantissa, exponent) = match body.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits_ok = {
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        (!whole.is_empty() || !fraction.is_empty())
            && whole.chars().all(|c| c.is_ascii_digit())
            && fraction.chars().all(|c| c.is_ascii_digit())
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    digits_ok && exponent_ok
}

fn is_uuid(text: &str) -> bool {
    let hex: String = text
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .filter(|c| *c != '-')
        .collect();
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn digits(text: &str, count: usize) -> Option<u32> {
    (text.len() == count && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn is_date(text: &str) -> bool {
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Some(year), Some(month), Some(day)) = (digits(year, 4), digits(month, 2), digits(day, 2)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `hh:mm[:ss[.fraction]]` with an optional zone (`Z`, `+hh`, `-hh:mm`).
fn is_time(text: &str) -> bool {
    let clock_end = text.find(['+', '-', 'Z', 'z', ' ']).unwrap_or(text.len());
    let (clock, zone) = text.split_at(clock_end);
    let zone = zone.trim();
    let zone_ok = zone.is_empty() || zone.eq_ignore_ascii_case("z") || zone.eq_ignore_ascii_case("utc") || {
        let offset = zone.strip_prefix(['+', '-']).unwrap_or("");
        let (hours, minutes) = offset.split_once(':').unwrap_or((offset, "00"));
        digits(hours, 2).is_some_and(|h| h <= 14) && digits(minutes, 2).is_some_and(|m| m < 60)
    };
    let mut parts = clock.split(':');
    let (Some(hours), Some(minutes)) = (parts.next(), parts.next()) else {
        return false;
    };
    let seconds_ok = match parts.next() {
        None => true,
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            digits(whole, 2).is_some_and(|s| s <= 60) && fraction.chars().all(|c| c.is_ascii_digit())
        }
    };
    parts.next().is_none()
        && digits(hours, 2).is_some_and(|h| h <= 24)
        && digits(minutes, 2).is_some_and(|m| m < 60)
        && seconds_ok
        && zone_ok
}

fn is_timestamp(text: &str) -> bool {
    match text.split_once([' ', 'T', 't']) {
        Some((date, time)) => is_date(date) && is_time(time.trim()),
        None => is_date(text),
    }
}

fn is_special_time(text: &str) -> bool {
    matches!(
        text.to_ascii_lowercase().as_str(),
        "now" | "today" | "tomorrow" | "yesterday" | "infinity" | "-infinity"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::ColumnEditing;

    fn column(editor: EditorKind, nullable: bool) -> ColumnInfo {
        ColumnInfo {
            name: "c".into(),
            data_type: "t".into(),
            primary_key_position: None,
            editing: Some(ColumnEditing {
                editor,
                nullable,
                default: None,
                max_length: (editor == EditorKind::Text).then_some(20),
                enum_values: vec!["sad".into(), "happy".into()],
                generated: false,
            }),
        }
    }

    #[test]
    fn each_editor_accepts_its_format_and_refuses_others() {
        let cases: &[(EditorKind, &[&str], &[&str])] = &[
            (EditorKind::SmallInt, &["-32768", "7"], &["32768", "1.5", "x"]),
            (EditorKind::Integer, &["2147483647", "-1"], &["2147483648", ""]),
            (
                EditorKind::BigInt,
                &["-9223372036854775808"],
                &["9223372036854775808"],
            ),
            (
                EditorKind::Numeric,
                &["12.50", "-3e4", ".5", "NaN"],
                &["1.2.3", "e5", "12,5"],
            ),
            (EditorKind::Float, &["0.25", "1e-9", "Infinity"], &["one"]),
            (EditorKind::Boolean, &["true", "f", "Yes"], &["maybe"]),
            (
                EditorKind::Uuid,
                &["4f0c7bd5-7f4e-4b8a-9c59-0d5b8d5cbb11"],
                &["4f0c7bd5", "zz0c7bd5-7f4e-4b8a-9c59-0d5b8d5cbb11"],
            ),
            (
                EditorKind::Date,
                &["2024-02-29", "today"],
                &["2023-02-29", "2026-13-01", "24.11.2026"],
            ),
            (
                EditorKind::Time,
                &["13:45", "13:45:10.5", "23:59:59+05:30"],
                &["25:00", "1:2", "13:61"],
            ),
            (
                EditorKind::Timestamp,
                &["2026-11-24 13:45:10+00", "2026-11-24T13:45:10Z", "2026-11-24"],
                &["2026-11-24 99:00"],
            ),
            (
                EditorKind::Json,
                &["{\"a\": [1]}", "[]", "null"],
                &["{a: 1}", "[1,"],
            ),
            (EditorKind::Array, &["{}", "{1,2}"], &["[1,2]"]),
            (EditorKind::Enum, &["sad"], &["Sad", "meh"]),
        ];
        for (editor, good, bad) in cases {
            let column = column(*editor, true);
            for value in *good {
                assert_eq!(validate(&column, Some(value)), Ok(()), "{editor:?} {value}");
            }
            for value in *bad {
                assert!(
                    validate(&column, Some(value)).is_err(),
                    "{editor:?} accepted {value}"
                );
            }
        }
    }

    #[test]
    fn null_and_length_are_checked() {
        assert!(validate(&column(EditorKind::Text, false), None).is_err());
        assert_eq!(validate(&column(EditorKind::Text, true), None), Ok(()));
        assert!(validate(&column(EditorKind::Text, true), Some(&"é".repeat(21))).is_err());
        assert_eq!(
            validate(&column(EditorKind::Text, true), Some(&"é".repeat(20))),
            Ok(())
        );
    }

    #[test]
    fn staged_changes_keep_their_rows_and_order() {
        let key = |id: &str| KeysetCursor(vec![id.into()]);
        let mut staging = Staging::default();
        staging.set_value(key("2"), "100", "title", Some("new".into()));
        staging.set_value(key("2"), "100", "body", None);
        staging.toggle_delete(key("3"), "101");
        let row = staging.add_insert();
        staging.set_insert_value(row, "title", Some(Some("fresh".into())));
        staging.duplicates.push(key("4"));
        assert_eq!(staging.len(), 4);
        let (set, targets) = staging.change_set(&TableRef::new("public", "t"));
        assert_eq!(
            targets,
            vec![
                StagedTarget::Update(key("2")),
                StagedTarget::Insert(0),
                StagedTarget::Duplicate(key("4")),
                StagedTarget::Delete(key("3")),
            ]
        );
        assert_eq!(
            set.changes[0],
            RowChange::Update {
                key: key("2"),
                version: "100".into(),
                values: vec![
                    CellValue {
                        column: "body".into(),
                        value: None
                    },
                    CellValue {
                        column: "title".into(),
                        value: Some("new".into())
                    },
                ],
            }
        );
        // Deleting an edited row drops its edits; editing a deleted row undeletes it.
        let mut both = staging.clone();
        both.toggle_delete(key("2"), "100");
        assert!(!both.updates.contains_key(&key("2")) && both.deletes.contains_key(&key("2")));
        both.set_value(key("2"), "100", "title", None);
        assert!(!both.deletes.contains_key(&key("2")));
        // A commit forgets what it sent, not what was staged meanwhile.
        let sent = staging.clone();
        let mut now = staging.clone();
        now.set_value(key("2"), "100", "title", Some("typed while committing".into()));
        now.set_value(key("9"), "900", "title", Some("another row".into()));
        now.forget(&sent);
        assert_eq!(now.len(), 2, "the changed edit of row 2 and row 9 stay");
        assert!(now.inserts.is_empty() && now.deletes.is_empty() && now.duplicates.is_empty());
        staging.rebase(&key("2"), "200");
        assert_eq!(staging.updates[&key("2")].version, "200");
        staging.drop_row(&key("2"));
        staging.toggle_delete(key("3"), "101");
        assert_eq!(staging.len(), 2, "the new row and the copy remain");
    }
}
