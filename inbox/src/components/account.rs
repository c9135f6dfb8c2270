//! A member's own account: setting a password from a single-use link (a new owner's setup, a
//! reset), asking for a reset link, and changing the password.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol as wire;
use porch_protocol::api::{agent, Endpoint};

use super::settings::status_line;

/// What the address's fragment holds, when the page was opened from a password link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    Setup(String),
    Reset(String),
    Invite(String),
}

impl Link {
    /// `#setup=TOKEN`, `#reset=TOKEN` or `#invite=TOKEN` (the fragment never reaches a
    /// server).
    pub fn from_location() -> Option<Link> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let (kind, token) = hash.trim_start_matches('#').split_once('=')?;
        let token = token.to_owned();
        match kind {
            "setup" => Some(Link::Setup(token)),
            "reset" => Some(Link::Reset(token)),
            "invite" => Some(Link::Invite(token)),
            _ => None,
        }
    }

    fn token(&self) -> &str {
        match self {
            Link::Setup(token) | Link::Reset(token) | Link::Invite(token) => token,
        }
    }
}

/// Forgets the link in the address bar (and history), once used.
fn forget_link() {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/app/"));
    }
}

/// Sends what uses a link's token to `path`: on success the link leaves the address bar and
/// the member is signed in; otherwise `error` says why.
fn use_link<B: serde::Serialize + 'static>(
    endpoint: Endpoint<B, wire::Me>,
    request: B,
    on_done: Callback<wire::Me>,
    error: RwSignal<Option<String>>,
) {
    spawn_local(async move {
        match client::call(endpoint.at(&[]), &request, None).await {
            Ok(me) => {
                forget_link();
                on_done.run(me);
            }
            Err(e) => error.set(Some(e.message)),
        }
    });
}

/// The page a password or invitation link opens.
#[component]
pub(crate) fn LinkPage(link: Link, on_done: Callback<wire::Me>) -> impl IntoView {
    match link {
        Link::Invite(token) => {
            view! { <AcceptInvitation token=token on_done=on_done /> }.into_any()
        }
        other => view! { <SetPassword link=other on_done=on_done /> }.into_any(),
    }
}

/// An invitation: who invites to what, then a name and a password, or the password of the
/// account the address has already.
#[component]
fn AcceptInvitation(token: String, on_done: Callback<wire::Me>) -> impl IntoView {
    let info = RwSignal::new(None::<Result<wire::InvitationInfo, String>>);
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let peek = wire::InvitationToken { token: token.clone() };
    let token = StoredValue::new(token);
    spawn_local(async move {
        let found = client::call(agent::PEEK_INVITATION.at(&[]), &peek, None).await;
        info.set(Some(found.map_err(|e| e.message)));
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = wire::AcceptInvitation {
            token: token.get_value(),
            name: name.get_untracked(),
            password: password.get_untracked(),
        };
        use_link(agent::ACCEPT_INVITATION, request, on_done, error);
    };
    view! {
        <main class="login">
            {move || match info.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! {
                    <h1>"This invitation cannot be used"</h1>
                    <p class="error" role="alert" data-testid="invitation-error">{message}</p>
                }.into_any(),
                Some(Ok(info)) => view! {
                    <h1>{format!("Join {} on Porch", info.workspace_name)}</h1>
                    <p data-testid="invitation-info">{format!("You are invited as {} ({:?}).", info.email, info.role).to_lowercase()}</p>
                    {info.has_account.then(|| view! {
                        <p data-testid="invitation-existing">"You already have a Porch account with this address: give its password to add this workspace to it."</p>
                    })}
                    <form on:submit=submit data-testid="accept-form">
                        {(!info.has_account).then(|| view! {
                            <label>"Your name, as customers and colleagues see it"
                                <input type="text" required maxlength="100" autocomplete="name" data-testid="accept-name"
                                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                        })}
                        <label>{if info.has_account { "Your Porch password" } else { "Password (at least 10 characters)" }}
                            <input type="password" required minlength=if info.has_account { "1" } else { "10" }
                                autocomplete=if info.has_account { "current-password" } else { "new-password" }
                                data-testid="accept-password"
                                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                        </label>
                        {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="accept-error">{e}</p> })}
                        <button type="submit" class="primary" data-testid="accept-submit">"Join"</button>
                    </form>
                }.into_any(),
            }}
        </main>
    }
}

/// A new password, typed twice; `on_done` gets the signed-in member.
#[component]
fn SetPassword(link: Link, on_done: Callback<wire::Me>) -> impl IntoView {
    let (title, intro) = match &link {
        Link::Reset(_) => ("Choose a new password", "Your other sessions will be signed out."),
        _ => ("Welcome to Porch", "Choose the password you will sign in with."),
    };
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let token = link.token().to_owned();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if password.get_untracked() != again.get_untracked() {
            return error.set(Some("The two passwords differ.".into()));
        }
        let request =
            wire::SetPassword { token: token.clone(), password: password.get_untracked() };
        use_link(agent::SET_PASSWORD_BY_LINK, request, on_done, error);
    };
    view! {
        <main class="login">
            <h1>{title}</h1>
            <p>{intro}</p>
            <form on:submit=submit data-testid="set-password-form">
                <label>"New password (at least 10 characters)"
                    <input type="password" required minlength="10" autocomplete="new-password"
                        data-testid="new-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </label>
                <label>"The same again"
                    <input type="password" required minlength="10" autocomplete="new-password"
                        data-testid="new-password-again"
                        prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
                </label>
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="set-password-error">{e}</p> })}
                <button type="submit" class="primary" data-testid="set-password-submit">"Save and sign in"</button>
            </form>
        </main>
    }
}

/// "Forgot your password?": asks for a reset link by e-mail.
#[component]
pub(crate) fn Forgot() -> impl IntoView {
    let open = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = wire::ForgotPassword { email: email.get_untracked() };
        spawn_local(async move {
            let sent = client::call(agent::FORGOT_PASSWORD.at(&[]), &request, None);
            status.set(Some(match sent.await {
                Ok(()) => Ok("If that address belongs to a member, a link to choose a new \
                    password is on its way (valid for an hour)."
                    .into()),
                Err(e) => Err(e.message),
            }));
        });
    };
    view! {
        <button type="button" class="link" data-testid="forgot-open" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>
            "Forgot your password?"
        </button>
        {move || open.get().then(|| view! {
            <form on:submit=submit data-testid="forgot-form">
                <label>"Your e-mail"
                    <input type="email" required autocomplete="username" data-testid="forgot-email"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </label>
                <button type="submit" data-testid="forgot-submit">"Send me a link"</button>
                {status_line(status, "forgot-status")}
            </form>
        })}
    }
}

/// Settings → Your password: the current one, then the new one.
#[component]
pub(crate) fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = wire::ChangePassword {
            current: current.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let changed = client::call(agent::CHANGE_PASSWORD.at(&[]), &request, None);
            status.set(Some(match changed.await {
                Ok(()) => {
                    current.set(String::new());
                    password.set(String::new());
                    Ok("Saved. Your other sessions were signed out.".into())
                }
                Err(e) => Err(e.message),
            }));
        });
    };
    view! {
        <section class="card" aria-labelledby="password-title">
            <h3 id="password-title">"Your password"</h3>
            <form on:submit=submit data-testid="change-password-form">
                <label>"Current password"
                    <input type="password" required autocomplete="current-password" data-testid="current-password"
                        prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev)) />
                </label>
                <label>"New password (at least 10 characters)"
                    <input type="password" required minlength="10" autocomplete="new-password" data-testid="changed-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </label>
                <div class="row">
                    <button type="submit" data-testid="change-password-submit">"Change password"</button>
                </div>
                {status_line(status, "change-password-status")}
            </form>
        </section>
    }
}

/// A new workspace and its owner: the first run of a fresh server ("Set up Porch"), or a
/// sign-up when the operator allows it. `on_done` gets the signed-in owner.
#[component]
pub(crate) fn Signup(first_run: bool, on_done: Callback<wire::Me>) -> impl IntoView {
    let workspace = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = wire::Signup {
            workspace_name: workspace.get_untracked(),
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match client::call(agent::SIGNUP.at(&[]), &request, None).await {
                Ok(me) => on_done.run(me),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let field = |label: &'static str,
                 kind: &'static str,
                 auto: &'static str,
                 test_id: &'static str,
                 value: RwSignal<String>| {
        view! {
            <label>{label}
                <input type=kind required autocomplete=auto data-testid=test_id
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <section aria-labelledby="signup-title">
            <h2 id="signup-title">{if first_run { "Set up Porch" } else { "Create a workspace" }}</h2>
            {first_run.then(|| view! { <p>"No workspace exists yet: create the first one. You will be its owner."</p> })}
            <form on:submit=submit data-testid="signup-form">
                {field("Workspace (your company or site)", "text", "organization", "signup-workspace", workspace)}
                {field("Your name", "text", "name", "signup-name", name)}
                {field("E-mail", "email", "username", "signup-email", email)}
                {field("Password (at least 10 characters)", "password", "new-password", "signup-password", password)}
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="signup-error">{e}</p> })}
                <button type="submit" class="primary" data-testid="signup-submit">"Create the workspace"</button>
            </form>
        </section>
    }
}
