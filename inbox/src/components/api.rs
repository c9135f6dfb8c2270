//! Settings → API (owners): the workspace's API tokens. A new token's secret is shown once,
//! with a copy button; the list shows each token's scope, its first characters and its last
//! use; revoking asks first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::{self as wire, api::agent, TokenScope};

use super::settings::status_line;
use super::time_of;

#[component]
pub(crate) fn ApiTokensCard() -> impl IntoView {
    let tokens = RwSignal::new(Vec::<wire::ApiToken>::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let secret = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let write = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            match client::call(agent::TOKENS.at(&[]), &(), None).await {
                Ok(list) => tokens.set(list),
                Err(e) => status.set(Some(Err(e.message))),
            }
        })
    };
    reload();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let scope = if write.get_untracked() { TokenScope::Write } else { TokenScope::Read };
        let request = wire::CreateToken { name: name.get_untracked(), scope };
        spawn_local(async move {
            match client::call(agent::CREATE_TOKEN.at(&[]), &request, None).await {
                Ok(created) => {
                    name.set(String::new());
                    secret.set(Some(created.secret));
                    status.set(Some(Ok(format!("Token \"{}\" created.", created.token.name))));
                    reload();
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    let copy = move |_| {
        if let (Some(text), Some(window)) = (secret.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&text);
            status.set(Some(Ok("The token is on your clipboard.".into())));
        }
    };
    let revoke = move |token: wire::ApiToken| {
        let question = format!("Revoke \"{}\"? What uses it stops working at once.", token.name);
        let sure =
            web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
        if !sure {
            return;
        }
        spawn_local(async move {
            match client::call(agent::REVOKE_TOKEN.at(&[token.id.as_str()]), &(), None).await {
                Ok(()) => {
                    status.set(Some(Ok(format!("Token \"{}\" revoked.", token.name))));
                    reload();
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="api-title" data-testid="api-tokens">
            <h3 id="api-title">"API"</h3>
            <p>"Tokens let your other systems (a CRM, a help desk, a data warehouse) read and act on conversations, contacts and reports: send "
               <code>"Authorization: Bearer <token>"</code> " to " <code>"/api/v1/agent/…"</code> ". A token never manages the team, the settings or other tokens."</p>
            <table class="team">
                <caption class="sr-only">"API tokens"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Access"</th><th scope="col">"Last used"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    {move || tokens.get().into_iter().map(|t| {
                        let access = match t.scope { TokenScope::Read => "read", TokenScope::Write => "read and write" };
                        let used = t.last_used_at.map_or_else(|| "never".to_owned(), time_of);
                        let label = format!("Revoke {}", t.name);
                        view! {
                            <tr data-testid="api-token">
                                <td>{t.name.clone()}<br/><code class="meta">{format!("{}…", t.prefix)}</code></td>
                                <td>{access}</td>
                                <td>{used}</td>
                                <td>
                                    <button type="button" class="danger" aria-label=label data-testid="api-token-revoke"
                                        on:click=move |_| revoke(t.clone())>"Revoke"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form on:submit=create data-testid="api-token-form">
                <h4>"New token"</h4>
                <div class="row">
                    <label>"Name"
                        <input type="text" required maxlength="100" data-testid="api-token-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </label>
                    <label class="choice">
                        <input type="checkbox" data-testid="api-token-write"
                            prop:checked=move || write.get() on:change=move |ev| write.set(event_target_checked(&ev)) />
                        "May act (reply, close, assign…), not only read"
                    </label>
                    <button type="submit" class="primary" data-testid="api-token-create">"Create"</button>
                </div>
            </form>
            {move || secret.get().map(|s| view! {
                <div class="notice" data-testid="api-token-secret-box">
                    <p>"Copy the token now: it is not shown again."</p>
                    <pre class="snippet"><code data-testid="api-token-secret">{s}</code></pre>
                    <button type="button" data-testid="api-token-copy" on:click=copy>"Copy the token"</button>
                </div>
            })}
            {status_line(status, "api-status")}
        </section>
    }
}
