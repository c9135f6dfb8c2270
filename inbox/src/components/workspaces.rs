//! A person in several workspaces: the header's switcher, and the browser remembering which one
//! they used last so the next sign-in opens it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::{self as wire, WorkspaceId};

const LAST_WORKSPACE: &str = "porch.workspace";

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The workspace this browser used last, to sign in to.
pub(crate) fn last() -> Option<WorkspaceId> {
    storage()?.get_item(LAST_WORKSPACE).ok().flatten().map(WorkspaceId)
}

/// The signed-in member's workspace.
fn current(me: &wire::Me) -> Option<&wire::Membership> {
    me.workspaces.iter().find(|m| m.agent_id == me.agent.id)
}

/// Remembers the workspace `me` is in.
pub(crate) fn remember(me: &wire::Me) {
    if let (Some(storage), Some(current)) = (storage(), current(me)) {
        let _ = storage.set_item(LAST_WORKSPACE, current.workspace_id.as_str());
    }
}

/// The workspace's name; a menu of the person's workspaces when they have several. Choosing one
/// makes a session there and reloads the app in it.
#[component]
pub(crate) fn Switcher(
    me: wire::Me,
    name: Signal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    if me.workspaces.len() < 2 {
        return view! { <span class="who" data-testid="workspace-title">{move || name.get()}</span> }
            .into_any();
    }
    let current = current(&me).map(|m| m.workspace_id.clone());
    let switch = move |ev: leptos::ev::Event| {
        let request = wire::SwitchWorkspace { workspace_id: WorkspaceId(event_target_value(&ev)) };
        spawn_local(async move {
            match client::call(agent::SWITCH_WORKSPACE.at(&[]), &request, None).await {
                Ok(me) => {
                    remember(&me);
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().reload();
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <label class="who switcher">
            <span class="sr-only">"Workspace"</span>
            <select data-testid="workspace-switcher" on:change=switch>
                {me.workspaces.into_iter().map(|m| {
                    let selected = Some(&m.workspace_id) == current.as_ref();
                    view! {
                        <option value=m.workspace_id.0.clone() selected=selected>{m.workspace_name}</option>
                    }
                }).collect_view()}
            </select>
        </label>
    }
    .into_any()
}
