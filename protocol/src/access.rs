//! Who may do what: the one table every route asks, and the inbox reads to show only what a
//! member can use. Here rather than in `porch-domain` because both the server and the inbox
//! (which depends on nothing but this crate) need it.

use serde::{Deserialize, Serialize};

use crate::Role;

/// What a member of a workspace may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// List, read, answer, close, assign, snooze, block: the team's daily work.
    Conversations,
    /// Read the reports and their exports.
    Reports,
    /// Change the workspace's settings (closing, auto-close, notes, bot, reports).
    Settings,
    /// Invite, change roles, deactivate.
    Team,
    /// The widget snippet, allowed domains, the widget key.
    Install,
    /// The workspace's identity secret (signs `Porch.identify`).
    IdentitySecret,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::Conversations,
        Permission::Reports,
        Permission::Settings,
        Permission::Team,
        Permission::Install,
        Permission::IdentitySecret,
    ];
}

impl Role {
    /// Whether a member with this role may do `what`: conversations, everyone; reports,
    /// owners and managers; settings, team and install, owners.
    pub fn may(self, what: Permission) -> bool {
        match what {
            Permission::Conversations => true,
            Permission::Reports => matches!(self, Role::Owner | Role::Manager),
            Permission::Settings
            | Permission::Team
            | Permission::Install
            | Permission::IdentitySecret => self == Role::Owner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table() {
        let table: Vec<(Role, Vec<Permission>)> = [Role::Owner, Role::Manager, Role::Agent]
            .into_iter()
            .map(|role| (role, Permission::ALL.into_iter().filter(|p| role.may(*p)).collect()))
            .collect();
        assert_eq!(
            table,
            [
                (Role::Owner, Permission::ALL.to_vec()),
                (Role::Manager, vec![Permission::Conversations, Permission::Reports]),
                (Role::Agent, vec![Permission::Conversations]),
            ]
        );
    }
}
