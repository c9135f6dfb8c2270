//! Settings → Team (owners): the members with their role, last visit and whether their inbox
//! is open; invitations by e-mail (the link shown when no e-mail can carry it); roles and
//! deactivation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::{agent, Call};
use porch_protocol::{self as wire, Role};

use super::settings::status_line;
use super::time_of;

const ROLES: [(Role, &str); 3] =
    [(Role::Owner, "owner"), (Role::Manager, "manager"), (Role::Agent, "agent")];

fn role_name(role: Role) -> &'static str {
    ROLES.iter().find(|(r, _)| *r == role).map_or("agent", |(_, name)| name)
}

/// Sends a change to the team: on success says `done` and reloads the team.
async fn change<Req: serde::Serialize, Res: serde::de::DeserializeOwned>(
    call: Call<Req, Res>,
    body: Req,
    done: &'static str,
    status: RwSignal<Option<Result<String, String>>>,
    reload: impl Fn(),
) {
    match client::call(call, &body, None).await {
        Ok(_) => {
            status.set(Some(Ok(done.into())));
            reload();
        }
        Err(e) => status.set(Some(Err(e.message))),
    }
}

#[component]
pub(crate) fn TeamCard() -> impl IntoView {
    let team = RwSignal::new(None::<wire::TeamView>);
    let status = RwSignal::new(None::<Result<String, String>>);
    let link = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("agent".to_owned());
    let reload = move || {
        spawn_local(async move {
            match client::call(agent::TEAM.at(&[]), &(), None).await {
                Ok(view) => team.set(Some(view)),
                Err(e) => status.set(Some(Err(e.message))),
            }
        })
    };
    reload();
    let invited = move |answer: Result<wire::Invited, wire::ApiError>| match answer {
        Ok(invited) => {
            let text = match &invited.link {
                Some(_) => {
                    format!("Invitation for {} ready: pass the link on.", invited.invitation.email)
                }
                None => format!("Invitation e-mailed to {}.", invited.invitation.email),
            };
            link.set(invited.link);
            status.set(Some(Ok(text)));
            reload();
        }
        Err(e) => status.set(Some(Err(e.message))),
    };
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let role = match role.get_untracked().as_str() {
            "owner" => Role::Owner,
            "manager" => Role::Manager,
            _ => Role::Agent,
        };
        let request = wire::Invite { email: email.get_untracked(), role };
        spawn_local(async move {
            let answer = client::call(agent::INVITE.at(&[]), &request, None).await;
            if answer.is_ok() {
                email.set(String::new());
            }
            invited(answer);
        });
    };
    view! {
        <section class="card" aria-labelledby="team-title" data-testid="team">
            <h3 id="team-title">"Team"</h3>
            <table class="team">
                <caption class="sr-only">"Members"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Last seen"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    {move || team.get().map(|t| t.members).unwrap_or_default().into_iter().map(|m| {
                        let id = StoredValue::new(m.agent.id.clone());
                        let label = format!("Role of {}", m.agent.name);
                        let seen = match (m.online, m.last_seen_at) {
                            (true, _) => "online now".to_owned(),
                            (false, Some(at)) => time_of(at),
                            (false, None) => "never".to_owned(),
                        };
                        view! {
                            <tr data-testid="member">
                                <td>{m.agent.name.clone()}<br/><span class="meta">{m.agent.email.clone()}</span></td>
                                <td>
                                    <select aria-label=label data-testid="member-role" disabled=!m.active
                                        on:change=move |ev| {
                                            let role = match event_target_value(&ev).as_str() {
                                                "owner" => Role::Owner,
                                                "manager" => Role::Manager,
                                                _ => Role::Agent,
                                            };
                                            let call = agent::CHANGE_ROLE.at(&[id.get_value().as_str()]);
                                            let role = wire::ChangeRole { role };
                                            spawn_local(change(call, role, "Role changed.", status, reload));
                                        }>
                                        {ROLES.iter().map(|(r, name)| view! {
                                            <option value=*name selected=*r == m.agent.role>{*name}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td>{seen}</td>
                                <td>
                                    {if m.active {
                                        view! {
                                            <button type="button" class="danger" data-testid="member-deactivate"
                                                on:click=move |_| {
                                                    let call = agent::DEACTIVATE.at(&[id.get_value().as_str()]);
                                                    spawn_local(change(call, (), "Deactivated.", status, reload));
                                                }>
                                                "Deactivate"
                                            </button>
                                        }.into_any()
                                    } else {
                                        view! { <span class="meta">"deactivated"</span> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form on:submit=invite data-testid="invite-form">
                <h4>"Invite someone"</h4>
                <div class="row">
                    <label>"E-mail"
                        <input type="email" required data-testid="invite-email"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                    </label>
                    <label>"Role"
                        <select data-testid="invite-role" on:change=move |ev| role.set(event_target_value(&ev))>
                            {ROLES.iter().map(|(r, name)| view! { <option value=*name selected=*r == Role::Agent>{*name}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="primary" data-testid="invite-submit">"Invite"</button>
                </div>
            </form>
            {move || link.get().map(|l| view! {
                <p>"Their link (single use, a week): " <code data-testid="invite-link">{l}</code></p>
            })}
            <ul data-testid="invitations">
                {move || team.get().map(|t| t.invitations).unwrap_or_default().into_iter().map(|i| {
                    let id = StoredValue::new(i.id.clone());
                    view! {
                        <li data-testid="invitation">
                            {format!("{} ({}), until {} ", i.email, role_name(i.role), time_of(i.expires_at))}
                            <button type="button" data-testid="invitation-resend" on:click=move |_| {
                                let resend = agent::RESEND_INVITATION.at(&[&id.get_value()]);
                                spawn_local(async move { invited(client::call(resend, &(), None).await) });
                            }>"Resend"</button>
                            <button type="button" data-testid="invitation-revoke"
                                on:click=move |_| {
                                    let revoke = agent::REVOKE_INVITATION.at(&[&id.get_value()]);
                                    spawn_local(change(revoke, (), "Invitation withdrawn.", status, reload));
                                }>
                                "Withdraw"
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {status_line(status, "team-status")}
        </section>
    }
}
