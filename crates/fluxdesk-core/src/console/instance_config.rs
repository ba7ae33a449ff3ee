//! The console's side of instance configuration: a signed-in admin acts,
//! and changes on production profiles need a fresh step-up.

use super::Console;
use super::admin_session::admin_tables;
use crate::error::CoreResult;
use crate::instance_config::InstanceConfig;
use fluxdesk_types::{
    Bucket, BucketEdit, CHANGE_BUCKET, CHANGE_REALTIME, CHANGE_SETTINGS, ObjectListRequest, ObjectPage,
    RealtimeDisabled, RealtimeRequest, RealtimeTable, Setting, SettingDiff, SettingEdit, SettingsSaved,
    TableRef,
};

impl Console {
    async fn with_config<T, F>(&self, id: &str, action: F) -> CoreResult<T>
    where
        F: AsyncFnOnce(InstanceConfig<'_>) -> CoreResult<T>,
    {
        let (admin, context, instance, clock) = self.access_for(id)?;
        let config = InstanceConfig::new(
            instance.pool(),
            clock.as_ref(),
            context,
            admin.admin_id,
            admin.session.role.clone(),
            admin_tables(&instance),
        );
        action(config).await
    }

    /// The system-wide rows of `app.settings`.
    pub async fn settings(&self, id: &str) -> CoreResult<Vec<Setting>> {
        self.with_config(id, async |c| c.settings().await).await
    }

    /// One system-wide setting.
    pub async fn setting(&self, id: &str, key: &str) -> CoreResult<Setting> {
        self.with_config(id, async |c| c.setting(key).await).await
    }

    /// What saving staged setting changes would do.
    pub async fn preview_settings(&self, id: &str, edits: &[SettingEdit]) -> CoreResult<Vec<SettingDiff>> {
        self.with_config(id, async |c| c.preview_settings(edits).await)
            .await
    }

    /// Saves staged setting changes in one transaction. Step-up on production.
    pub async fn save_settings(&self, id: &str, edits: &[SettingEdit]) -> CoreResult<SettingsSaved> {
        self.consume_step_up_on_production(id, CHANGE_SETTINGS)?;
        self.with_config(id, async |c| c.save_settings(edits).await).await
    }

    /// The tables in `realtime.schema_registry`.
    pub async fn realtime_tables(&self, id: &str) -> CoreResult<Vec<RealtimeTable>> {
        self.with_config(id, async |c| c.realtime_tables().await).await
    }

    /// Enables realtime on a table. Step-up on production.
    pub async fn enable_realtime(&self, id: &str, request: &RealtimeRequest) -> CoreResult<RealtimeTable> {
        self.consume_step_up_on_production(id, CHANGE_REALTIME)?;
        self.with_config(id, async |c| c.enable_realtime(request).await)
            .await
    }

    /// Disables realtime on a table. Step-up on production.
    pub async fn disable_realtime(&self, id: &str, table: &TableRef) -> CoreResult<RealtimeDisabled> {
        self.consume_step_up_on_production(id, CHANGE_REALTIME)?;
        self.with_config(id, async |c| c.disable_realtime(table).await)
            .await
    }

    /// Storage buckets with what they hold.
    pub async fn buckets(&self, id: &str) -> CoreResult<Vec<Bucket>> {
        self.with_config(id, async |c| c.buckets().await).await
    }

    /// Changes a bucket's settings. Making a private bucket public needs a
    /// step-up on production: it opens every object in it to anyone.
    pub async fn update_bucket(&self, id: &str, edit: &BucketEdit) -> CoreResult<Bucket> {
        self.with_config(id, async |c| {
            if edit.public && !c.bucket_is_public(&edit.id).await? {
                self.consume_step_up_on_production(id, CHANGE_BUCKET)?;
            }
            c.update_bucket(edit).await
        })
        .await
    }

    /// One page of a bucket's objects.
    pub async fn bucket_objects(&self, id: &str, request: &ObjectListRequest) -> CoreResult<ObjectPage> {
        self.with_config(id, async |c| c.bucket_objects(request).await)
            .await
    }
}
