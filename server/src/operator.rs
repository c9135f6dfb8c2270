//! What the operator does to a workspace, from the command line (`porch-server plan set …`) or
//! the operator API (`PUT /api/v1/operator/workspaces/{workspace}/plan`, for a billing system):
//! plans are the operator's, never the workspace owner's.

use porch_protocol::{Actor, Event, Millis, Plan, WorkspaceId};
use porch_store::{Decide, Store, Workspace};

/// A workspace by its id or its widget key.
pub async fn find_workspace(
    store: &dyn Store,
    workspace: &str,
) -> Result<Option<Workspace>, String> {
    let by_id = store.workspace(&WorkspaceId(workspace.into())).await.map_err(|e| e.to_string())?;
    match by_id {
        Some(w) => Ok(Some(w)),
        None => store.workspace_by_key(workspace).await.map_err(|e| e.to_string()),
    }
}

/// The events moving `current` to `plan` (saved lead options start or stop applying).
pub fn plan_change(current: &Workspace, plan: Plan) -> Vec<Event> {
    porch_domain::change_plan(current.plan, plan, &current.lead_options)
}

/// Moves a workspace (by id or widget key) to `plan`, recording it in the log as the API does.
/// Widgets connected to a running server learn of it when they next resume: the log is shared,
/// live pushes across processes are not (yet); the operator API pushes live.
pub async fn set_plan(
    store: &dyn Store,
    workspace: &str,
    plan: Plan,
    now: Millis,
) -> Result<String, String> {
    let current = find_workspace(store, workspace)
        .await?
        .ok_or_else(|| format!("no workspace with id or widget key {workspace:?}"))?;
    let events = plan_change(&current, plan);
    let decide: Decide = Box::new(move |_| Ok(events));
    store.record(&current.id, None, Actor::System, now, decide).await.map_err(|e| e.to_string())?;
    Ok(format!(
        "{} ({}) is now on the {plan} plan (was {})",
        current.name, current.id, current.plan
    ))
}
