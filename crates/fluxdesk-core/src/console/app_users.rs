//! The console's side of app-user management: a signed-in admin acts, and
//! destructive actions on production profiles need a fresh step-up.

use super::Console;
use super::admin_session::admin_tables;
use crate::app_users::{AppUserDirectory, parse_time};
use crate::error::CoreResult;
use fluxdesk_types::{
    AppUserDetail, AppUserSummary, BulkAction, BulkOutcome, BulkPreview, BulkRequest, Cascade,
    CredentialKind, DELETE_APP_USERS, GRANT_ELEVATED_ROLE, InvitedUser, LOCK_APP_USERS, MetadataKind,
    RESET_APP_USER_PASSWORD, REVOKE_APP_USER_SESSIONS, RoleInUse, SearchIndex, UserInvite, UserListRequest,
    UserPage, UserPasswordReset, is_elevated_role,
};

impl Console {
    async fn with_app_users<T, F>(&self, id: &str, action: F) -> CoreResult<T>
    where
        F: AsyncFnOnce(AppUserDirectory<'_>) -> CoreResult<T>,
    {
        let (admin, context, instance, clock) = self.access_for(id)?;
        let directory = AppUserDirectory::new(
            instance.pool(),
            clock.as_ref(),
            context,
            admin.admin_id,
            admin_tables(&instance),
        );
        action(directory).await
    }

    /// A page of app users.
    pub async fn app_users(&self, id: &str, request: &UserListRequest) -> CoreResult<UserPage> {
        self.with_app_users(id, async |d| d.list(request).await).await
    }

    /// One app user, by id or email.
    pub async fn app_user(&self, id: &str, key: &str) -> CoreResult<AppUserSummary> {
        self.with_app_users(id, async |d| d.get(key).await).await
    }

    /// Everything about one app user.
    pub async fn app_user_detail(&self, id: &str, key: &str) -> CoreResult<AppUserDetail> {
        self.with_app_users(id, async |d| d.detail(key).await).await
    }

    /// App roles in use.
    pub async fn app_roles(&self, id: &str) -> CoreResult<Vec<RoleInUse>> {
        self.with_app_users(id, async |d| d.roles_in_use().await).await
    }

    /// Whether search has its trigram index.
    pub async fn user_search_index(&self, id: &str) -> CoreResult<SearchIndex> {
        self.with_app_users(id, async |d| d.search_index().await).await
    }

    /// Creates the trigram index for search.
    pub async fn create_user_search_index(&self, id: &str) -> CoreResult<SearchIndex> {
        self.with_app_users(id, async |d| d.create_search_index().await)
            .await
    }

    /// Invites an app user. A role that bypasses RLS needs a step-up on production.
    pub async fn invite_app_user(&self, id: &str, invite: &UserInvite) -> CoreResult<InvitedUser> {
        if is_elevated_role(&invite.role) {
            self.consume_step_up_on_production(id, GRANT_ELEVATED_ROLE)?;
        }
        self.with_app_users(id, async |d| d.invite(invite).await).await
    }

    /// Sets an app user's role. A role that bypasses RLS needs a step-up on production.
    pub async fn set_app_user_role(&self, id: &str, key: &str, role: &str) -> CoreResult<AppUserSummary> {
        if is_elevated_role(role) {
            self.consume_step_up_on_production(id, GRANT_ELEVATED_ROLE)?;
        }
        self.with_app_users(id, async |d| d.set_role(key, role).await)
            .await
    }

    /// Replaces an app user's user_metadata or app_metadata.
    pub async fn set_app_user_metadata(
        &self,
        id: &str,
        key: &str,
        kind: MetadataKind,
        json: &str,
    ) -> CoreResult<AppUserSummary> {
        self.with_app_users(id, async |d| d.set_metadata(key, kind, json).await)
            .await
    }

    /// Resets an app user's password and ends their sessions. Step-up on production.
    pub async fn reset_app_user_password(
        &self,
        id: &str,
        key: &str,
        kind: CredentialKind,
    ) -> CoreResult<UserPasswordReset> {
        self.consume_step_up_on_production(id, RESET_APP_USER_PASSWORD)?;
        self.with_app_users(id, async |d| d.reset_password(key, kind).await)
            .await
    }

    /// Locks an app user until `until` (RFC 3339) or until unlocked, ending their sessions.
    pub async fn lock_app_user(
        &self,
        id: &str,
        key: &str,
        until: Option<&str>,
    ) -> CoreResult<(AppUserSummary, u64)> {
        let until = until.map(parse_time).transpose()?;
        self.with_app_users(id, async |d| d.lock(key, until).await).await
    }

    /// Unlocks an app user.
    pub async fn unlock_app_user(&self, id: &str, key: &str) -> CoreResult<AppUserSummary> {
        self.with_app_users(id, async |d| d.unlock(key).await).await
    }

    /// Ends one session of an app user.
    pub async fn revoke_app_user_session(&self, id: &str, key: &str, session_id: &str) -> CoreResult<()> {
        self.with_app_users(id, async |d| d.revoke_session(key, session_id).await)
            .await
    }

    /// Ends every session of an app user. Step-up on production.
    pub async fn revoke_app_user_sessions(&self, id: &str, key: &str) -> CoreResult<u64> {
        self.consume_step_up_on_production(id, REVOKE_APP_USER_SESSIONS)?;
        self.with_app_users(id, async |d| d.revoke_sessions(key).await)
            .await
    }

    /// Deletes an app user; `confirm_email` must be their email. Step-up on production.
    pub async fn delete_app_user(
        &self,
        id: &str,
        key: &str,
        confirm_email: &str,
    ) -> CoreResult<(AppUserSummary, Vec<Cascade>)> {
        self.consume_step_up_on_production(id, DELETE_APP_USERS)?;
        self.with_app_users(id, async |d| d.delete(key, confirm_email).await)
            .await
    }

    /// What a batch action would touch.
    pub async fn preview_app_user_batch(
        &self,
        id: &str,
        user_ids: &[String],
        action: &BulkAction,
    ) -> CoreResult<BulkPreview> {
        self.with_app_users(id, async |d| d.preview_bulk(user_ids, action).await)
            .await
    }

    /// Runs a batch action in one transaction. Step-up on production.
    pub async fn apply_app_user_batch(&self, id: &str, request: &BulkRequest) -> CoreResult<BulkOutcome> {
        let purpose = match request.action {
            BulkAction::Delete => DELETE_APP_USERS,
            BulkAction::Lock { .. } => LOCK_APP_USERS,
            BulkAction::RevokeSessions => REVOKE_APP_USER_SESSIONS,
        };
        self.consume_step_up_on_production(id, purpose)?;
        self.with_app_users(id, async |d| d.apply_bulk(request).await)
            .await
    }
}
