//! App users (`auth.users`): the users screen's calls.

use super::ipc;
use fluxdesk_types::{
    ApiError, AppUserDetail, AppUserSummary, BulkAction, BulkOutcome, BulkPreview, BulkRequest, Cascade,
    CredentialKind, InvitedUser, MetadataKind, RoleInUse, SearchIndex, UserInvite, UserListRequest, UserPage,
    UserPasswordReset,
};
use serde::Serialize;

#[derive(Serialize)]
struct UserArgs<'a> {
    profile_id: &'a str,
    user: &'a str,
}

/// A page of app users, sorted, searched and filtered on the server.
pub async fn app_users(profile_id: &str, request: &UserListRequest) -> Result<UserPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a UserListRequest,
    }
    ipc::invoke("app_users", &Args { profile_id, request }).await
}

/// Everything about one app user.
pub async fn app_user_detail(profile_id: &str, user: &str) -> Result<AppUserDetail, ApiError> {
    ipc::invoke("app_user_detail", &UserArgs { profile_id, user }).await
}

/// The app roles in use, most common first.
pub async fn app_roles(profile_id: &str) -> Result<Vec<RoleInUse>, ApiError> {
    ipc::invoke("app_roles", &super::ProfileArgs { profile_id }).await
}

/// Creates the trigram index search uses.
pub async fn create_user_search_index(profile_id: &str) -> Result<SearchIndex, ApiError> {
    ipc::invoke("create_user_search_index", &super::ProfileArgs { profile_id }).await
}

/// Invites an app user.
pub async fn invite_app_user(profile_id: &str, invite: &UserInvite) -> Result<InvitedUser, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        invite: &'a UserInvite,
    }
    ipc::invoke("invite_app_user", &Args { profile_id, invite }).await
}

/// Sets an app user's role.
pub async fn set_app_user_role(profile_id: &str, user: &str, role: &str) -> Result<AppUserSummary, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user: &'a str,
        role: &'a str,
    }
    ipc::invoke(
        "set_app_user_role",
        &Args {
            profile_id,
            user,
            role,
        },
    )
    .await
}

/// Replaces user_metadata or app_metadata.
pub async fn set_app_user_metadata(
    profile_id: &str,
    user: &str,
    kind: MetadataKind,
    json: &str,
) -> Result<AppUserSummary, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user: &'a str,
        kind: MetadataKind,
        json: &'a str,
    }
    ipc::invoke(
        "set_app_user_metadata",
        &Args {
            profile_id,
            user,
            kind,
            json,
        },
    )
    .await
}

/// Resets a password, ending every session.
pub async fn reset_app_user_password(
    profile_id: &str,
    user: &str,
    credential: CredentialKind,
) -> Result<UserPasswordReset, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user: &'a str,
        credential: CredentialKind,
    }
    ipc::invoke(
        "reset_app_user_password",
        &Args {
            profile_id,
            user,
            credential,
        },
    )
    .await
}

/// Locks a user until `until` (RFC 3339) or until unlocked; returns the user and the sessions ended.
pub async fn lock_app_user(
    profile_id: &str,
    user: &str,
    until: Option<&str>,
) -> Result<(AppUserSummary, u64), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user: &'a str,
        until: Option<&'a str>,
    }
    ipc::invoke(
        "lock_app_user",
        &Args {
            profile_id,
            user,
            until,
        },
    )
    .await
}

/// Unlocks a user.
pub async fn unlock_app_user(profile_id: &str, user: &str) -> Result<AppUserSummary, ApiError> {
    ipc::invoke("unlock_app_user", &UserArgs { profile_id, user }).await
}

/// Ends one session of a user.
pub async fn revoke_app_user_session(profile_id: &str, user: &str, session_id: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user: &'a str,
        session_id: &'a str,
    }
    ipc::invoke(
        "revoke_app_user_session",
        &Args {
            profile_id,
            user,
            session_id,
        },
    )
    .await
}

/// Ends every session of a user.
pub async fn revoke_app_user_sessions(profile_id: &str, user: &str) -> Result<u64, ApiError> {
    ipc::invoke("revoke_app_user_sessions", &UserArgs { profile_id, user }).await
}

/// Deletes a user; `confirm_email` is what the admin typed.
pub async fn delete_app_user(
    profile_id: &str,
    user: &str,
    confirm_email: &str,
) -> Result<(AppUserSummary, Vec<Cascade>), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user: &'a str,
        confirm_email: &'a str,
    }
    ipc::invoke(
        "delete_app_user",
        &Args {
            profile_id,
            user,
            confirm_email,
        },
    )
    .await
}

/// What a batch action would touch.
pub async fn preview_app_user_batch(
    profile_id: &str,
    user_ids: &[String],
    action: &BulkAction,
) -> Result<BulkPreview, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user_ids: &'a [String],
        action: &'a BulkAction,
    }
    ipc::invoke(
        "preview_app_user_batch",
        &Args {
            profile_id,
            user_ids,
            action,
        },
    )
    .await
}

/// Runs a batch action in one transaction.
pub async fn apply_app_user_batch(profile_id: &str, request: &BulkRequest) -> Result<BulkOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a BulkRequest,
    }
    ipc::invoke("apply_app_user_batch", &Args { profile_id, request }).await
}
