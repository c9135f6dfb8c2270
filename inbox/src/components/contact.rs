//! "About this lead": the contact panel beside a conversation — name, e-mail, first seen, the
//! page they were on, their browser, and their other conversations.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::{self as wire, ContactId, ConversationId, ConversationStatus};

use super::{time_of, Ctx};
use crate::state::outcome_label;

#[component]
pub(crate) fn ContactPanel(ctx: Ctx, contact: ContactId, current: ConversationId) -> impl IntoView {
    let view = RwSignal::new(None::<wire::ContactView>);
    spawn_local(async move {
        if let Ok(found) = client::call(agent::CONTACT.at(&[contact.as_str()]), &(), None).await {
            view.set(Some(found));
        }
    });
    move || {
        view.get().map(|c| {
            let current = current.clone();
            let others: Vec<_> =
                c.conversations.into_iter().filter(|o| o.id != current).collect();
            view! {
                <details class="contact" data-testid="contact-panel">
                    <summary>"About " {c.label.clone()}</summary>
                    <dl>
                        {c.email.map(|e| view! { <dt>"E-mail"</dt><dd data-testid="contact-email">{e}</dd> })}
                        <dt>"First seen"</dt><dd>{time_of(c.first_seen)}</dd>
                        {c.last_page.map(|p| view! { <dt>"Page"</dt><dd data-testid="contact-page">{p}</dd> })}
                        {c.browser.map(|b| view! { <dt>"Browser"</dt><dd data-testid="contact-browser">{b}</dd> })}
                    </dl>
                    <p><strong>{format!("Other conversations ({})", others.len())}</strong></p>
                    <ul data-testid="contact-conversations">
                        {others.into_iter().map(|o| {
                            let state = match (o.status, o.outcome) {
                                (ConversationStatus::Open, _) => "open".to_owned(),
                                (_, Some(outcome)) => outcome_label(outcome).to_lowercase(),
                                (_, None) => "closed".to_owned(),
                            };
                            let id = o.id.clone();
                            view! {
                                <li>
                                    <button type="button" class="link" on:click=move |_| ctx.select(id.clone())>
                                        {format!("{} — {} ({state})", time_of(o.created_at), o.last_message.unwrap_or_default())}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            }
        })
    }
}
