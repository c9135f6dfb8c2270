//! Getting people in and knowing them: sign-in and passwords, sign-up, the team and its
//! invitations.

use serde::{Deserialize, Serialize};

use crate::{Agent, AgentId, Millis, Role, WorkspaceId};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Login {
    pub email: String,
    pub password: String,
    /// Which of the person's workspaces to open (the one they used last, say); their first
    /// when absent or not theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<WorkspaceId>,
}

/// One workspace a person belongs to, for the app's workspace switcher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    /// The person's member id in that workspace.
    pub agent_id: AgentId,
    pub role: Role,
}

/// A signed-in person moves to another of their workspaces: a new session there.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SwitchWorkspace {
    pub workspace_id: WorkspaceId,
}

/// A password set through a single-use link (`/app/#setup=…` or `#reset=…`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPassword {
    pub token: String,
    pub password: String,
}

/// A signed-in member changes their own password.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePassword {
    pub current: String,
    pub password: String,
}

/// "Forgot your password?": a reset link goes to this address if it belongs to a member.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgotPassword {
    pub email: String,
}

/// What the sign-in page offers: a first-run setup (no workspace yet) or a sign-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupStatus {
    /// No workspace exists: whoever opens the app first creates one.
    pub first_run: bool,
    /// The operator lets anyone create a workspace (`--signup open`).
    pub open: bool,
}

/// A new workspace and its owner, from the sign-up page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signup {
    pub workspace_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// A member of the team as Settings → Team shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub agent: Agent,
    /// Deactivated members keep their history but cannot sign in.
    pub active: bool,
    /// When their inbox was last open.
    pub last_seen_at: Option<Millis>,
    /// Their inbox is open now (seen within the last 90 seconds).
    pub online: bool,
}

/// An invitation not yet accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: AgentId,
    pub created_at: Millis,
    pub expires_at: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamView {
    pub members: Vec<Member>,
    pub invitations: Vec<Invitation>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invite {
    pub email: String,
    pub role: Role,
}

/// An invitation made (or renewed); `link` is there when no e-mail could carry it, for the
/// owner to pass on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invited {
    pub invitation: Invitation,
    pub link: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRole {
    pub role: Role,
}

/// The token of an invitation link (`/app/#invite=…`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationToken {
    pub token: String,
}

/// What the invitation page shows before the invitee accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInfo {
    pub workspace_name: String,
    pub email: String,
    pub role: Role,
    /// The address already has a Porch password (a member elsewhere): they join with it
    /// instead of choosing a name and a new one.
    #[serde(default)]
    pub has_account: bool,
}

/// Accepting an invitation: a new person chooses their name and password; someone who
/// already has an account gives their password (and keeps their name).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    pub token: String,
    #[serde(default)]
    pub name: String,
    pub password: String,
}
