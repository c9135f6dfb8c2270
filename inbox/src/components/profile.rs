//! Settings → Workspace (owners): the workspace's name, as the team and e-mails show it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol as wire;

use super::settings::status_line;
use super::Ctx;

#[component]
pub(crate) fn NameForm(ctx: Ctx, saved: String, editable: bool) -> impl IntoView {
    let name = RwSignal::new(saved);
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = wire::Rename { name: name.get_untracked() };
        spawn_local(async move {
            match client::put::<_, wire::WorkspaceView>("/api/v1/agent/settings/name", &body).await
            {
                Ok(view) => {
                    ctx.workspace.set(Some(view));
                    status.set(Some(Ok("Saved.".into())));
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    view! {
        <form class="card" on:submit=save>
            <h3>"Workspace"</h3>
            <label>"Name"
                <input type="text" required maxlength="100" data-testid="workspace-name" disabled=!editable
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            {editable.then(|| view! { <div class="row"><button type="submit" class="primary" data-testid="workspace-name-save">"Save"</button></div> })}
            {status_line(status, "workspace-name-status")}
        </form>
    }
}
