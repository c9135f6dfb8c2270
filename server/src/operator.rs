//! Commands an operator runs against the database (`porch-server plan set …`).

use porch_protocol::{Actor, Millis, Plan, WorkspaceId};
use porch_store::{Decide, Store};

/// Moves a workspace (by id or widget key) to `plan`, recording it in the log as the API does.
/// Widgets connected to a running server learn of it when they next resume: the log is shared,
/// live pushes across processes are not (yet).
pub async fn set_plan(
    store: &dyn Store,
    workspace: &str,
    plan: Plan,
    now: Millis,
) -> Result<String, String> {
    let by_id = store.workspace(&WorkspaceId(workspace.into())).await.map_err(|e| e.to_string())?;
    let found = match by_id {
        Some(w) => Some(w),
        None => store.workspace_by_key(workspace).await.map_err(|e| e.to_string())?,
    };
    let current =
        found.ok_or_else(|| format!("no workspace with id or widget key {workspace:?}"))?;
    let events = porch_domain::change_plan(current.plan, plan, &current.lead_options);
    let decide: Decide = Box::new(move |_| Ok(events));
    store.record(&current.id, None, Actor::System, now, decide).await.map_err(|e| e.to_string())?;
    Ok(format!(
        "{} ({}) is now on the {plan} plan (was {})",
        current.name, current.id, current.plan
    ))
}
