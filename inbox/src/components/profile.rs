//! Settings → Workspace (owners): the workspace's name, as the team and e-mails show it, and
//! its time zone, whose days the reports count in.

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

#[component]
pub(crate) fn TimeZoneForm(ctx: Ctx, saved: String, editable: bool) -> impl IntoView {
    let zone = RwSignal::new(saved);
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = wire::ChangeTimeZone { time_zone: zone.get_untracked() };
        spawn_local(async move {
            let path = "/api/v1/agent/settings/time-zone";
            match client::put::<_, wire::WorkspaceSettings>(path, &body).await {
                Ok(settings) => {
                    zone.set(settings.time_zone.0.clone());
                    ctx.workspace.update(|w| {
                        if let Some(w) = w {
                            w.settings = settings;
                        }
                    });
                    status.set(Some(Ok("Saved: reports count in its days from now on.".into())));
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    view! {
        <form class="card" on:submit=save>
            <h3>"Time zone"</h3>
            <label>"Time zone of the reports' days (an IANA name, such as Europe/Paris)"
                <input type="text" required maxlength="64" data-testid="time-zone" disabled=!editable
                    prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev)) />
            </label>
            {editable.then(|| view! { <div class="row"><button type="submit" class="primary" data-testid="time-zone-save">"Save"</button></div> })}
            {status_line(status, "time-zone-status")}
        </form>
    }
}
