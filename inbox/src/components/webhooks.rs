//! Settings → Webhooks (owners): endpoints with the events they get, their state (on, failing
//! and retrying, or turned off and why), a test ping, the signing secret (shown at creation and
//! rotation), and each endpoint's delivery log with "Send again".

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::{
    self as wire,
    api::{agent, Call},
    DeliveryStatus, WEBHOOK_EVENT_TYPES,
};

use super::settings::status_line;
use super::time_of;

type Status = RwSignal<Option<Result<String, String>>>;

#[component]
pub(crate) fn WebhooksCard() -> impl IntoView {
    let hooks = RwSignal::new(Vec::<wire::WebhookEndpoint>::new());
    let status: Status = RwSignal::new(None);
    let secret = RwSignal::new(None::<String>);
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(WEBHOOK_EVENT_TYPES.map(str::to_owned).to_vec());
    let reload = move || {
        spawn_local(async move {
            match client::call(agent::WEBHOOKS.at(&[]), &(), None).await {
                Ok(list) => hooks.set(list),
                Err(e) => status.set(Some(Err(e.message))),
            }
        })
    };
    reload();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = wire::SaveWebhook {
            url: url.get_untracked(),
            event_types: chosen.get_untracked(),
            enabled: true,
        };
        spawn_local(async move {
            match client::call(agent::CREATE_WEBHOOK.at(&[]), &request, None).await {
                Ok(created) => {
                    url.set(String::new());
                    secret.set(Some(created.secret));
                    status.set(Some(Ok(format!("Endpoint {} added.", created.endpoint.url))));
                    reload();
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="webhooks-title" data-testid="webhooks">
            <h3 id="webhooks-title">"Webhooks"</h3>
            <p>"Porch sends what happens (a conversation started or closed, a message, an assignment…) to your endpoints as signed "
               <a href="https://www.standardwebhooks.com/" rel="noreferrer">"Standard Webhooks"</a>
               ", in order, retrying for a day when they fail."</p>
            <ul class="plain" data-testid="webhook-list">
                {move || hooks.get().into_iter().map(|h| view! {
                    <Endpoint hook=h status=status secret=secret reload=reload />
                }).collect_view()}
            </ul>
            <form on:submit=create data-testid="webhook-form">
                <h4>"New endpoint"</h4>
                <label>"URL (https://…)"
                    <input type="url" required maxlength="2000" data-testid="webhook-url"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                </label>
                <fieldset>
                    <legend>"Events"</legend>
                    {WEBHOOK_EVENT_TYPES.into_iter().map(|kind| view! {
                        <label class="choice">
                            <input type="checkbox" prop:checked=move || chosen.with(|c| c.iter().any(|k| k == kind))
                                on:change=move |ev| chosen.update(|c| {
                                    c.retain(|k| k != kind);
                                    if event_target_checked(&ev) {
                                        c.push(kind.to_owned());
                                    }
                                }) />
                            {kind}
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="row"><button type="submit" class="primary" data-testid="webhook-create">"Add endpoint"</button></div>
            </form>
            {move || secret.get().map(|s| view! {
                <div class="notice" data-testid="webhook-secret-box">
                    <p>"The signing secret: keep it in your receiver to check signatures. It is not shown again."</p>
                    <pre class="snippet"><code data-testid="webhook-secret">{s}</code></pre>
                </div>
            })}
            {status_line(status, "webhook-status")}
        </section>
    }
}

/// One endpoint: its state, its actions, and its delivery log when opened.
#[component]
fn Endpoint(
    hook: wire::WebhookEndpoint,
    status: Status,
    secret: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Stored, so that every handler below is `Copy`.
    let id = StoredValue::new(hook.id.clone());
    let saved = StoredValue::new(hook.clone());
    let log = RwSignal::new(None::<Vec<wire::WebhookDelivery>>);
    let state = match (&hook.disabled_reason, hook.enabled, hook.next_attempt_at) {
        (Some(reason), false, _) => format!("Off: {reason}"),
        (None, false, _) => "Off".to_owned(),
        (_, true, Some(at)) => format!("Failing; next attempt at {}", time_of(at)),
        (_, true, None) => "On".to_owned(),
    };
    let load_log = move || {
        let call = agent::WEBHOOK_DELIVERIES.at(&[&id.get_value()]);
        spawn_local(async move {
            match client::call(call, &(), None).await {
                Ok(list) => log.set(Some(list)),
                Err(e) => status.set(Some(Err(e.message))),
            }
        })
    };
    // A ping, or a logged message sent again: the attempt's outcome, and the log reloaded.
    let send = move |call: Call<(), wire::WebhookDelivery>, done: &'static str| {
        spawn_local(async move {
            match client::call(call, &(), None).await {
                Ok(d) => status.set(Some(Ok(format!("{done}: {}", outcome(&d))))),
                Err(e) => status.set(Some(Err(e.message))),
            }
            load_log();
        });
    };
    let rotate = move |_| {
        let call = agent::ROTATE_WEBHOOK_SECRET.at(&[&id.get_value()]);
        spawn_local(async move {
            match client::call(call, &(), None).await {
                Ok(rotated) => {
                    secret.set(Some(rotated.secret));
                    status.set(Some(Ok("New secret; the old one signs for 24 hours more.".into())));
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    let toggle = move |_| {
        let hook = saved.get_value();
        let request = wire::SaveWebhook {
            url: hook.url,
            event_types: hook.event_types,
            enabled: !hook.enabled,
        };
        spawn_local(async move {
            match client::call(agent::SAVE_WEBHOOK.at(&[&id.get_value()]), &request, None).await {
                Ok(_) => reload(),
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    let remove = move |_| {
        let question =
            format!("Delete the endpoint {} and its delivery log?", saved.get_value().url);
        let sure =
            web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
        if sure {
            spawn_local(async move {
                match client::call(agent::DELETE_WEBHOOK.at(&[&id.get_value()]), &(), None).await {
                    Ok(()) => reload(),
                    Err(e) => status.set(Some(Err(e.message))),
                }
            });
        }
    };
    view! {
        <li class="card" data-testid="webhook">
            <p><strong class="url">{hook.url.clone()}</strong><br/>
               <span class="meta">{hook.event_types.join(", ")}</span></p>
            <p data-testid="webhook-state">{state}</p>
            <div class="row">
                <button type="button" data-testid="webhook-ping" on:click=move |_| send(agent::PING_WEBHOOK.at(&[&id.get_value()]), "Test ping")>"Send a test ping"</button>
                <button type="button" data-testid="webhook-log" on:click=move |_| load_log()>"Delivery log"</button>
                <button type="button" data-testid="webhook-rotate" on:click=rotate>"New secret"</button>
                <button type="button" data-testid="webhook-toggle" on:click=toggle>{if hook.enabled { "Turn off" } else { "Turn on" }}</button>
                <button type="button" class="danger" data-testid="webhook-delete" on:click=remove>"Delete"</button>
            </div>
            {move || log.get().map(|entries| view! {
                <table class="team" data-testid="webhook-deliveries">
                    <caption class="sr-only">"Delivery log"</caption>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Event"</th><th scope="col">"Result"</th><th scope="col">"Next attempt"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                    <tbody>
                        {entries.into_iter().map(|d| {
                            let delivery = d.id.clone();
                            let next = d.next_attempt_at.map(time_of).unwrap_or_default();
                            view! {
                                <tr data-testid="webhook-delivery">
                                    <td>{time_of(d.at)}</td>
                                    <td>{format!("{} (attempt {})", d.event_type, d.attempt)}</td>
                                    <td>{outcome(&d)}</td>
                                    <td>{next}</td>
                                    <td><button type="button" data-testid="webhook-resend"
                                        on:click=move |_| send(agent::RESEND_DELIVERY.at(&[&id.get_value(), &delivery]), "Sent again")>"Send again"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </li>
    }
}

/// "delivered (204, 12 ms)", "failed (503, 40 ms)", "failed: timed out (10000 ms)".
fn outcome(d: &wire::WebhookDelivery) -> String {
    let result = match d.status {
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Failed => "failed",
    };
    match (d.response_code, &d.error) {
        (Some(code), _) => format!("{result} ({code}, {} ms)", d.latency_ms),
        (None, Some(error)) => format!("{result}: {error} ({} ms)", d.latency_ms),
        (None, None) => format!("{result} ({} ms)", d.latency_ms),
    }
}
