//! "Closing conversations": what a closing does to the lead (gated by the plan), auto-close
//! (previewed before it is saved), and closing notes. Owners and managers edit; agents read.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::{agent, Endpoint};
use porch_protocol::{
    self as wire, AutoCloseMode, AutoClosePreview, AutoCloseSettings, BotSettings,
    ClosingNotesMode, ClosingNotesSettings, LeadOptions, Permission, Plan, QuickAnswer,
    ReportCadence, ReportEmail, ReportSettings,
};

use super::Ctx;

#[component]
pub fn Settings(ctx: Ctx) -> impl IntoView {
    let editable = ctx.role.get_value().may(Permission::Settings);
    // Render the forms once the workspace is known; later changes (their own saves, or another
    // owner's over the socket) must not reset a form being edited.
    let loaded = Memo::new(move |_| ctx.workspace.with(Option::is_some));
    move || {
        match loaded.get().then(|| ctx.workspace.get_untracked()).flatten() {
        None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        Some(w) => view! {
            <main class="settings" data-testid="settings" aria-labelledby="settings-title">
                <h2 id="settings-title">"Closing conversations"</h2>
                {(!editable).then(|| view! { <p class="muted" data-testid="read-only">"Only owners can change these settings."</p> })}
                <super::profile::WorkspaceForm ctx=ctx view=w.clone() editable=editable />
                <super::profile::OfficeHoursForm ctx=ctx saved=w.settings.office_hours.clone() editable=editable />
                <LeadOptionsForm ctx=ctx plan=w.plan saved=w.lead_options.clone() editable=editable />
                <AutoCloseForm ctx=ctx saved=w.settings.auto_close editable=editable />
                <ClosingNotesForm ctx=ctx saved=w.settings.closing_notes.clone() editable=editable />
                <BotForm ctx=ctx saved=w.settings.bot.clone() editable=editable />
                <super::canned::CannedRepliesForm ctx=ctx saved=w.settings.canned_replies.clone() editable=editable />
                <ReportsForm ctx=ctx saved=w.settings.reports.clone() editable=editable />
                <super::install::AskEmailForm ctx=ctx saved=w.settings.ask_email editable=editable />
                <super::look::WidgetForm ctx=ctx saved=w.settings.widget.clone() editable=editable />
                {ctx.role.get_value().may(Permission::Team).then(|| view! { <super::team::TeamCard /> })}
                {ctx.role.get_value().may(Permission::Install).then(|| view! { <super::install::InstallCard /> })}
                {editable.then(|| view! { <super::api::ApiTokensCard /> })}
                {editable.then(|| view! { <super::webhooks::WebhooksCard /> })}
                <super::account::ChangePassword />
            </main>
        }
        .into_any(),
    }
    }
}

fn checkbox(
    label: &'static str,
    test_id: &'static str,
    value: RwSignal<bool>,
    disabled: bool,
) -> impl IntoView {
    view! {
        <label class="choice">
            <input type="checkbox" data-testid=test_id disabled=disabled
                prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

/// Saves one part of the workspace's settings; the answer becomes the inbox's copy.
pub(crate) fn save_settings<B: serde::Serialize + 'static>(
    ctx: Ctx,
    endpoint: Endpoint<B, wire::WorkspaceSettings>,
    body: B,
    status: RwSignal<Option<Result<String, String>>>,
) {
    spawn_local(async move {
        match client::call(endpoint.at(&[]), &body, None).await {
            Ok(settings) => {
                ctx.set_settings(settings);
                status.set(Some(Ok("Saved.".into())));
            }
            Err(e) => status.set(Some(Err(e.message))),
        }
    });
}

/// Shows the outcome of a save next to its form.
pub(crate) fn status_line(
    status: RwSignal<Option<Result<String, String>>>,
    test_id: &'static str,
) -> impl IntoView {
    move || {
        status.get().map(|s| match s {
            Ok(text) => {
                view! { <p class="ok" role="status" data-testid=test_id>{text}</p> }.into_any()
            }
            Err(text) => {
                view! { <p class="error" role="alert" data-testid=test_id>{text}</p> }.into_any()
            }
        })
    }
}

#[component]
fn LeadOptionsForm(ctx: Ctx, plan: Plan, saved: LeadOptions, editable: bool) -> impl IntoView {
    let locked = plan < Plan::Professional;
    let hide = RwSignal::new(saved.hide_closed);
    let disable = RwSignal::new(saved.disable_input_on_close);
    let notify = RwSignal::new(saved.notify_on_close);
    let text = RwSignal::new(saved.notification_text.clone());
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = LeadOptions {
            hide_closed: hide.get_untracked(),
            disable_input_on_close: disable.get_untracked(),
            notify_on_close: notify.get_untracked(),
            notification_text: text.get_untracked(),
        };
        spawn_local(async move {
            match client::call(agent::SET_LEAD_OPTIONS.at(&[]), &body, None).await {
                Ok(view) => {
                    ctx.workspace.set(Some(view));
                    status.set(Some(Ok("Saved. Open widgets apply it now.".into())));
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    let off = locked || !editable;
    view! {
        <form class="card" on:submit=save>
            <h3>"What the lead sees"</h3>
            {locked.then(|| view! {
                <p class="lock" data-testid="plan-lock">
                    {format!("Available on the Professional plan and higher; this workspace is on the {} plan. Saved choices are kept and apply again after an upgrade.", plan)}
                </p>
            })}
            {checkbox("Hide closed conversations from the lead's sidebar (after a reload)", "opt-hide-closed", hide, off)}
            {checkbox("Disable the chat input when a conversation closes", "opt-disable-input", disable, off)}
            {checkbox("Show a notification when a conversation closes", "opt-notify", notify, off)}
            <label>"Notification text"
                <textarea rows="2" maxlength="500" data-testid="opt-notification-text" disabled=!editable
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            {editable.then(|| view! { <button type="submit" class="primary" data-testid="save-lead-options">"Save"</button> })}
            {status_line(status, "lead-options-status")}
        </form>
    }
}

#[component]
fn AutoCloseForm(ctx: Ctx, saved: AutoCloseSettings, editable: bool) -> impl IntoView {
    let enabled = RwSignal::new(saved.enabled);
    let period = RwSignal::new(saved.period_minutes);
    let mode = RwSignal::new(saved.mode);
    let generate = RwSignal::new(saved.generate_notes);
    let apply_to_open = RwSignal::new(false);
    // The preview of exactly the values on screen; any change asks for a new one.
    let preview = RwSignal::new(None::<AutoClosePreview>);
    let status = RwSignal::new(None);
    let current = move || AutoCloseSettings {
        enabled: enabled.get_untracked(),
        period_minutes: period.get_untracked(),
        mode: mode.get_untracked(),
        generate_notes: generate.get_untracked(),
    };
    Effect::new(move |_| {
        // Read to subscribe: any change of these invalidates the preview shown.
        let _values = (enabled.get(), period.get(), mode.get(), generate.get());
        preview.set(None);
    });
    let show_preview = move |_| {
        let body = current();
        spawn_local(async move {
            match client::call(agent::PREVIEW_AUTO_CLOSE.at(&[]), &body, None).await {
                Ok(p) => {
                    preview.set(Some(p));
                    status.set(None);
                }
                Err(e) => status.set(Some(Err(e.message))),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = wire::ChangeAutoClose {
            settings: current(),
            apply_to_open: apply_to_open.get_untracked(),
        };
        save_settings(ctx, agent::SET_AUTO_CLOSE, body, status);
    };
    let periods = [
        (30, "30 minutes"),
        (60, "1 hour"),
        (240, "4 hours"),
        (720, "12 hours"),
        (1440, "24 hours"),
        (4320, "3 days"),
        (10080, "7 days"),
        (20160, "14 days"),
    ];
    view! {
        <form class="card" on:submit=save>
            <h3>"Auto-close"</h3>
            {checkbox("Close conversations automatically", "ac-enabled", enabled, !editable)}
            <label>"After"
                <select data-testid="ac-period" disabled=!editable
                    on:change=move |ev| if let Ok(m) = event_target_value(&ev).parse() { period.set(m) }>
                    {periods.into_iter().map(|(m, label)| view! { <option value=m.to_string() selected=move || period.get() == m>{label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Counting from"
                <select data-testid="ac-mode" disabled=!editable
                    on:change=move |ev| mode.set(if event_target_value(&ev) == "inactivity" { AutoCloseMode::Inactivity } else { AutoCloseMode::AfterAgentReply })>
                    <option value="after_agent_reply" selected=move || mode.get() == AutoCloseMode::AfterAgentReply>"the last reply of an agent (a lead reply stops it)"</option>
                    <option value="inactivity" selected=move || mode.get() == AutoCloseMode::Inactivity>"the last message of anyone"</option>
                </select>
            </label>
            {checkbox("Write closing notes (category and summary) automatically", "ac-generate", generate, !editable)}
            {editable.then(|| view! {
                <div class="row">
                    <button type="button" data-testid="ac-preview" on:click=show_preview>"Preview"</button>
                    {move || preview.get().map(|p| view! {
                        <p class="preview-result" data-testid="ac-preview-result" role="status">
                            {format!("Applied to open conversations now: {} would close immediately, {} more within 24 hours.", p.close_now, p.close_within_24h)}
                        </p>
                    })}
                </div>
                {move || preview.get().is_some().then(|| view! {
                    {checkbox("Apply to conversations already open (otherwise only to deadlines set from now on)", "ac-apply-open", apply_to_open, false)}
                    <button type="submit" class="primary" data-testid="ac-save">"Save"</button>
                })}
            })}
            {status_line(status, "auto-close-status")}
        </form>
    }
}

/// `left | right` per line: the text areas that edit lists of pairs.
pub(crate) fn pairs_text<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    pairs.map(|(left, right)| format!("{left} | {right}")).collect::<Vec<_>>().join("\n")
}

/// The pairs of such a text, trimmed; blank lines skipped.
pub(crate) fn parse_pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (left, right) = l.split_once('|').unwrap_or((l, ""));
            (left.trim().into(), right.trim().into())
        })
        .collect()
}

fn quick_answers_text(answers: &[QuickAnswer]) -> String {
    pairs_text(answers.iter().map(|q| (q.question.as_str(), q.answer.as_str())))
}

fn parse_quick_answers(text: &str) -> Vec<QuickAnswer> {
    let pairs = parse_pairs(text).into_iter();
    pairs.map(|(question, answer)| QuickAnswer { question, answer }).collect()
}

#[component]
fn BotForm(ctx: Ctx, saved: BotSettings, editable: bool) -> impl IntoView {
    let enabled = RwSignal::new(saved.enabled);
    let greeting = RwSignal::new(saved.greeting.clone());
    let answers = RwSignal::new(quick_answers_text(&saved.quick_answers));
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = BotSettings {
            enabled: enabled.get_untracked(),
            greeting: greeting.get_untracked(),
            quick_answers: parse_quick_answers(&answers.get_untracked()),
        };
        save_settings(ctx, agent::SET_BOT, body, status);
    };
    view! {
        <form class="card" on:submit=save>
            <h3>"Bot"</h3>
            {checkbox("Let the bot greet new conversations and offer quick answers", "bot-enabled", enabled, !editable)}
            <label>"Greeting"
                <textarea rows="2" data-testid="bot-greeting" disabled=!editable
                    prop:value=move || greeting.get() on:input=move |ev| greeting.set(event_target_value(&ev))></textarea>
            </label>
            <label>"Quick answers (one per line: question | answer)"
                <textarea rows="4" data-testid="bot-answers" disabled=!editable
                    prop:value=move || answers.get() on:input=move |ev| answers.set(event_target_value(&ev))></textarea>
            </label>
            {editable.then(|| view! { <button type="submit" class="primary" data-testid="bot-save">"Save"</button> })}
            {status_line(status, "bot-status")}
        </form>
    }
}

/// The missed threshold and the e-mailed performance report.
#[component]
fn ReportsForm(ctx: Ctx, saved: ReportSettings, editable: bool) -> impl IntoView {
    let minutes = RwSignal::new(saved.missed_after_minutes.to_string());
    let cadence = RwSignal::new(saved.email.cadence);
    let recipients = RwSignal::new(saved.email.recipients.join("\n"));
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(missed_after_minutes) = minutes.get_untracked().trim().parse() else {
            return status.set(Some(Err("The missed threshold is a number of minutes.".into())));
        };
        let recipients = recipients
            .get_untracked()
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        let body = ReportSettings {
            missed_after_minutes,
            email: ReportEmail { cadence: cadence.get_untracked(), recipients },
        };
        save_settings(ctx, agent::SET_REPORTS, body, status);
    };
    let cadences = [
        (ReportCadence::Off, "off", "Off"),
        (ReportCadence::Weekly, "weekly", "Weekly (Monday to Sunday)"),
        (ReportCadence::TwiceMonthly, "twice_monthly", "Twice a month (1st–15th, 16th–end)"),
    ];
    view! {
        <form class="card" on:submit=save>
            <h3>"Reports"</h3>
            <label>"A conversation counts as missed without a human reply within (minutes)"
                <input type="number" min="5" max="10080" data-testid="missed-after" disabled=!editable
                    prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev)) />
            </label>
            <label>"E-mail the performance report"
                <select data-testid="report-cadence" disabled=!editable on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some((c, ..)) = cadences.iter().find(|(_, v, _)| *v == value) { cadence.set(*c) }
                }>
                    {cadences.iter().map(|(c, value, label)| view! {
                        <option value=*value selected=saved.email.cadence == *c>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Recipients (one e-mail address per line)"
                <textarea rows="3" data-testid="report-recipients" disabled=!editable
                    prop:value=move || recipients.get() on:input=move |ev| recipients.set(event_target_value(&ev))></textarea>
            </label>
            {editable.then(|| view! { <button type="submit" class="primary" data-testid="reports-save">"Save"</button> })}
            {status_line(status, "reports-status")}
        </form>
    }
}

#[component]
fn ClosingNotesForm(ctx: Ctx, saved: ClosingNotesSettings, editable: bool) -> impl IntoView {
    let mode = RwSignal::new(saved.mode);
    let categories = RwSignal::new(saved.categories.join("\n"));
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ClosingNotesSettings {
            mode: mode.get_untracked(),
            categories: categories
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        save_settings(ctx, agent::SET_CLOSING_NOTES, body, status);
    };
    let modes = [
        (ClosingNotesMode::Off, "off", "Off"),
        (ClosingNotesMode::Optional, "optional", "Optional"),
        (ClosingNotesMode::CategoryRequired, "category_required", "Category required"),
        (
            ClosingNotesMode::CategoryAndSummaryRequired,
            "category_and_summary_required",
            "Category and summary required",
        ),
    ];
    view! {
        <form class="card" on:submit=save>
            <h3>"Closing notes"</h3>
            <label>"When agents close"
                <select data-testid="cn-mode" disabled=!editable on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some((m, _, _)) = modes.iter().find(|(_, v, _)| *v == value) { mode.set(*m) }
                }>
                    {modes.into_iter().map(|(m, v, label)| view! { <option value=v selected=move || mode.get() == m>{label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Categories (one per line)"
                <textarea rows="4" data-testid="cn-categories" disabled=!editable
                    prop:value=move || categories.get() on:input=move |ev| categories.set(event_target_value(&ev))></textarea>
            </label>
            {editable.then(|| view! { <button type="submit" class="primary" data-testid="cn-save">"Save"</button> })}
            {status_line(status, "closing-notes-status")}
        </form>
    }
}
