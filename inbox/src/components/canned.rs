//! Canned replies: the owner's list in Settings, and the picker the composer opens when a
//! member types `/` (arrows choose, Enter or a click inserts, Escape dismisses).

use leptos::prelude::*;
use porch_protocol::api::agent;
use porch_protocol::CannedReply;

use super::settings::{pairs_text, parse_pairs, save_settings, status_line};
use super::Ctx;

/// How many matches the picker lists at once.
const SHOWN: usize = 8;

/// `shortcut | text` per line.
fn to_text(replies: &[CannedReply]) -> String {
    pairs_text(replies.iter().map(|r| (r.shortcut.as_str(), r.text.as_str())))
}

fn parse(text: &str) -> Vec<CannedReply> {
    parse_pairs(text).into_iter().map(|(shortcut, text)| CannedReply { shortcut, text }).collect()
}

#[component]
pub fn CannedRepliesForm(ctx: Ctx, saved: Vec<CannedReply>, editable: bool) -> impl IntoView {
    let text = RwSignal::new(to_text(&saved));
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save_settings(ctx, agent::SET_CANNED_REPLIES, parse(&text.get_untracked()), status);
    };
    view! {
        <form class="card" on:submit=save>
            <h3>"Canned replies"</h3>
            <p class="muted">"Type / in a reply to insert one."</p>
            <label>"One per line: shortcut | text"
                <textarea rows="4" data-testid="canned-replies" disabled=!editable
                    placeholder="refund | Refunds reach your card within five working days."
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            {editable.then(|| view! { <button type="submit" class="primary" data-testid="canned-save">"Save"</button> })}
            {status_line(status, "canned-status")}
        </form>
    }
}

/// The replies a draft starting with `/` asks for: shortcuts starting with what follows the
/// slash first, then texts containing it.
pub fn matching(replies: &[CannedReply], draft: &str) -> Vec<CannedReply> {
    let Some(query) = draft.strip_prefix('/').map(str::to_lowercase) else { return Vec::new() };
    let (mut first, mut then) = (Vec::new(), Vec::new());
    for reply in replies {
        if reply.shortcut.starts_with(&query) {
            first.push(reply.clone());
        } else if reply.text.to_lowercase().contains(&query) {
            then.push(reply.clone());
        }
    }
    first.extend(then);
    first.truncate(SHOWN);
    first
}

/// The picker's state for a composer whose draft is `draft`.
#[derive(Clone, Copy)]
pub struct Picker {
    pub shown: Memo<Vec<CannedReply>>,
    pub active: RwSignal<usize>,
    dismissed: RwSignal<bool>,
}

impl Picker {
    pub fn new(ctx: Ctx, draft: RwSignal<String>) -> Picker {
        let dismissed = RwSignal::new(false);
        let shown = Memo::new(move |_| {
            if dismissed.get() {
                return Vec::new();
            }
            draft.with(|d| {
                ctx.workspace.with(|w| {
                    w.as_ref().map(|w| matching(&w.settings.canned_replies, d)).unwrap_or_default()
                })
            })
        });
        Picker { shown, active: RwSignal::new(0), dismissed }
    }

    pub fn open(&self) -> bool {
        self.shown.with(|s| !s.is_empty())
    }

    /// The draft changed: the picker may open again, on its first match.
    pub fn typed(&self) {
        self.dismissed.set(false);
        self.active.set(0);
    }

    /// Handles the keys the open picker takes; returns the text to insert on Enter.
    pub fn key(&self, event: &web_sys::KeyboardEvent) -> Option<String> {
        if !self.open() {
            return None;
        }
        let count = self.shown.with(Vec::len);
        match event.key().as_str() {
            "ArrowDown" => self.active.update(|a| *a = (*a + 1) % count),
            "ArrowUp" => self.active.update(|a| *a = (*a + count - 1) % count),
            "Escape" => self.dismissed.set(true),
            "Enter" => {
                event.prevent_default();
                return self
                    .shown
                    .with(|s| s.get(self.active.get_untracked()).map(|r| r.text.clone()));
            }
            _ => return None,
        }
        event.prevent_default();
        None
    }

    /// The list under the composer; a click on a reply hands its text to `insert`.
    pub fn view(self, insert: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
        move || {
            self.open().then(|| {
                let items = self.shown.get().into_iter().enumerate().map(|(i, reply)| {
                    let text = reply.text.clone();
                    view! {
                        <li role="option" id=format!("canned-{i}") data-testid="canned-option"
                            aria-selected=move || (self.active.get() == i).to_string()
                            on:mousedown=move |ev| { ev.prevent_default(); insert(text.clone()) }>
                            <span class="shortcut">"/" {reply.shortcut}</span>
                            <span class="canned-text">{reply.text}</span>
                        </li>
                    }
                });
                view! {
                    <ul id="canned-list" class="canned" role="listbox" aria-label="Canned replies">
                        {items.collect_view()}
                    </ul>
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn shortcuts_match_first_then_texts_and_only_after_a_slash() {
        let replies = parse("refund | Money back in 5 days\nhours | We reopen at 9\nreturns | Refund labels are free");
        assert_eq!(to_text(&replies).lines().count(), 3);
        let found =
            |d: &str| matching(&replies, d).into_iter().map(|r| r.shortcut).collect::<Vec<_>>();
        assert_eq!(found("/"), ["refund", "hours", "returns"]);
        assert_eq!(found("/ref"), ["refund", "returns"]);
        assert_eq!(found("/REOPEN"), ["hours"]);
        assert!(found("refund").is_empty() && found("/zzz").is_empty());
    }
}
