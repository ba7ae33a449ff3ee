//! Setting changes staged on the settings screen: kept until saved or
//! discarded, whatever the server answers, so no typed value is lost.

use fluxdesk_types::{Setting, SettingEdit};
use std::collections::BTreeMap;

/// Staged values by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StagedSettings {
    edits: BTreeMap<String, SettingEdit>,
    /// Staged keys whose stored value changed under them, with that value.
    conflicts: BTreeMap<String, Option<String>>,
}

impl StagedSettings {
    /// Stages `value` for `setting`; typing the current value back unstages it.
    pub fn stage(&self, setting: &Setting, value: String) -> Self {
        let mut next = self.clone();
        if setting.value.as_deref() == Some(value.as_str()) {
            next.edits.remove(&setting.key);
            next.conflicts.remove(&setting.key);
        } else {
            let seen = self
                .edits
                .get(&setting.key)
                .map(|edit| edit.seen.clone())
                .unwrap_or_else(|| setting.value.clone());
            next.edits.insert(
                setting.key.clone(),
                SettingEdit {
                    key: setting.key.clone(),
                    seen,
                    value,
                },
            );
        }
        next
    }

    /// The staged value of `key`, if any.
    pub fn value_of(&self, key: &str) -> Option<&str> {
        self.edits.get(key).map(|edit| edit.value.as_str())
    }

    /// How many settings are staged.
    pub fn len(&self) -> usize {
        self.edits.len()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The staged changes, by key.
    pub fn edits(&self) -> Vec<SettingEdit> {
        self.edits.values().cloned().collect()
    }

    /// After a reload: changes that now match what is stored are dropped; the
    /// rest are kept, now against the reloaded values (the admin sees them),
    /// and those whose stored value changed since staging are marked.
    pub fn reconciled(&self, settings: &[Setting]) -> Self {
        let mut next = self.clone();
        next.edits.retain(|key, edit| {
            let Some(setting) = settings.iter().find(|setting| &setting.key == key) else {
                return false;
            };
            if setting.value.as_deref() == Some(edit.value.as_str()) {
                return false;
            }
            if edit.seen != setting.value {
                next.conflicts.insert(key.clone(), setting.value.clone());
                edit.seen = setting.value.clone();
            }
            true
        });
        let kept: Vec<String> = next.edits.keys().cloned().collect();
        next.conflicts.retain(|key, _| kept.contains(key));
        next
    }

    /// The stored value that changed under a staged change since it was staged.
    pub fn conflict_of(&self, key: &str) -> Option<Option<&str>> {
        self.conflicts.get(key).map(|value| value.as_deref())
    }
}

/// Settings grouped by category, in the order Fluxbase lists categories.
pub fn by_category(settings: &[Setting]) -> Vec<(String, Vec<Setting>)> {
    const ORDER: [&str; 6] = ["auth", "system", "storage", "functions", "realtime", "custom"];
    let mut groups: Vec<(String, Vec<Setting>)> = Vec::new();
    for setting in settings {
        match groups
            .iter_mut()
            .find(|(category, _)| *category == setting.category)
        {
            Some((_, members)) => members.push(setting.clone()),
            None => groups.push((setting.category.clone(), vec![setting.clone()])),
        }
    }
    let rank = |category: &str| {
        ORDER
            .iter()
            .position(|known| *known == category)
            .unwrap_or(ORDER.len())
    };
    groups.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::SettingType;

    fn setting(key: &str, category: &str, value: &str) -> Setting {
        Setting {
            key: key.into(),
            value: Some(value.into()),
            value_type: SettingType::Number,
            category: category.into(),
            description: None,
            is_public: false,
            is_secret: false,
            editable_by: vec!["dashboard_admin".into()],
            not_editable: None,
            updated_at: None,
            updated_by: None,
            user_id: None,
        }
    }

    #[test]
    fn staging_keeps_what_was_seen_and_unstages_the_current_value() {
        let limit = setting("limit", "system", "20");
        let staged = StagedSettings::default().stage(&limit, "30".into());
        let staged = staged.stage(&limit, "40".into());
        assert_eq!(staged.len(), 1);
        assert_eq!(staged.value_of("limit"), Some("40"));
        assert_eq!(staged.edits()[0].seen.as_deref(), Some("20"));
        assert!(staged.stage(&limit, "20".into()).is_empty());
    }

    #[test]
    fn a_reload_drops_only_changes_already_stored() {
        let (a, b) = (setting("a", "system", "1"), setting("b", "system", "1"));
        let staged = StagedSettings::default()
            .stage(&a, "2".into())
            .stage(&b, "3".into());
        let reloaded = staged.reconciled(&[setting("a", "system", "2"), setting("b", "system", "1")]);
        assert_eq!(reloaded.len(), 1);
        assert_eq!(reloaded.value_of("b"), Some("3"));
        assert_eq!(reloaded.conflict_of("b"), None);
    }

    #[test]
    fn a_reload_marks_values_changed_by_someone_else_and_lets_the_admin_save_over_them() {
        let limit = setting("limit", "system", "20");
        let staged = StagedSettings::default().stage(&limit, "30".into());
        let reloaded = staged.reconciled(&[setting("limit", "system", "25")]);
        assert_eq!(reloaded.value_of("limit"), Some("30"));
        assert_eq!(reloaded.conflict_of("limit"), Some(Some("25")));
        assert_eq!(reloaded.edits()[0].seen.as_deref(), Some("25"));
        // Putting the stored value back clears the mark.
        assert_eq!(
            reloaded
                .stage(&setting("limit", "system", "25"), "25".into())
                .conflict_of("limit"),
            None
        );
    }

    #[test]
    fn categories_come_in_fluxbase_order() {
        let groups = by_category(&[
            setting("x", "custom", "1"),
            setting("y", "system", "1"),
            setting("z", "auth", "1"),
            setting("w", "system", "1"),
        ]);
        let names: Vec<&str> = groups.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["auth", "system", "custom"]);
        assert_eq!(groups[1].1.len(), 2);
    }
}
