//! Reports, for owners and managers: a date range, five tabs (the conversation list, Closing,
//! Contact centre, Activity, Chatbot), figures with their definitions, charts drawn by the
//! server (each with a table of the same figures), and the list's CSV export. Each figure
//! links to the conversations behind it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::{agent, Endpoint};
use porch_protocol::{
    ActivityReport, ChatbotReport, ClosingReport, ContactCentreReport, Count, Durations, Millis,
};
use serde::de::DeserializeOwned;

use super::Ctx;
use list::{ConversationList, Filters};

mod list;
use crate::zone;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Conversations,
    Closing,
    ContactCentre,
    Activity,
    Chatbot,
}

impl Tab {
    const ALL: [(Tab, &'static str, &'static str); 5] = [
        (Tab::Conversations, "Conversations", "tab-conversations"),
        (Tab::Closing, "Closing", "tab-closing"),
        (Tab::ContactCentre, "Contact centre", "tab-contact-centre"),
        (Tab::Activity, "Activity", "tab-activity"),
        (Tab::Chatbot, "Chatbot", "tab-chatbot"),
    ];
}

/// `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`.
pub fn duration(ms: Option<Millis>) -> String {
    let Some(ms) = ms else { return "—".into() };
    let s = ms / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

fn durations(d: &Durations) -> String {
    format!("median {}, mean {} ({} measured)", duration(d.median_ms), duration(d.mean_ms), d.count)
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0} %", part as f64 * 100.0 / whole as f64)
    }
}

/// GETs a report into `into` whenever the range changes.
fn load<T: DeserializeOwned + Send + Sync + 'static>(
    ctx: Ctx,
    report: Endpoint<(), T>,
    range: Memo<Option<String>>,
    into: RwSignal<Option<T>>,
) {
    Effect::new(move |_| {
        let Some(query) = range.get() else { return };
        spawn_local(async move {
            match client::call(report.at(&[]).query(&query), &(), None).await {
                Ok(report) => into.set(Some(report)),
                Err(e) => ctx.fail(e),
            }
        });
    });
}

#[component]
pub fn Reports(ctx: Ctx) -> impl IntoView {
    // The last seven days of the workspace's time zone.
    let today = zone::date(super::now());
    let from = RwSignal::new(zone::midnight(&today, -6).map(zone::date).unwrap_or_default());
    let to = RwSignal::new(today);
    let tab = RwSignal::new(Tab::Conversations);
    let filters = RwSignal::new(Filters { page: 1, desc: true, ..Filters::default() });
    // `from=…&to=…` for the chosen days (to inclusive), or None while a date is unreadable.
    let range = Memo::new(move |_| {
        let (from, to) = (zone::midnight(&from.get(), 0)?, zone::midnight(&to.get(), 1)?);
        (from < to).then(|| format!("from={from}&to={to}"))
    });
    let chart = move |name: &'static str, title: &'static str| {
        view! {
            <figure class="chart">
                {move || range.get().map(|q| view! {
                    <img src=agent::REPORT_CHART.at(&[name]).query(&q).url width="720" height="320"
                        alt=format!("Chart: {title}. The table below lists the same figures.")
                        data-testid="chart" />
                })}
            </figure>
        }
    };
    // Opens the list with a filter: the conversations behind a figure.
    let drill = move |set: fn(&mut Filters)| {
        move |_| {
            filters.update(|f| {
                *f = Filters { page: 1, desc: true, ..Filters::default() };
                set(f);
            });
            tab.set(Tab::Conversations);
        }
    };
    view! {
        <main class="reports" data-testid="reports" aria-labelledby="reports-title">
            <h2 id="reports-title">"Reports"</h2>
            <div class="row range">
                <label>"From" <input type="date" data-testid="report-from" prop:value=move || from.get()
                    on:change=move |ev| from.set(event_target_value(&ev)) /></label>
                <label>"To" <input type="date" data-testid="report-to" prop:value=move || to.get()
                    on:change=move |ev| to.set(event_target_value(&ev)) /></label>
                <span class="muted small">"Days are UTC."</span>
            </div>
            <div class="tabs" role="tablist" aria-label="Reports">
                {Tab::ALL.into_iter().map(|(t, label, id)| view! {
                    <button type="button" role="tab" data-testid=id aria-selected=move || (tab.get() == t).to_string()
                        on:click=move |_| tab.set(t)>{label}</button>
                }).collect_view()}
            </div>
            {move || match tab.get() {
                Tab::Conversations => view! { <ConversationList ctx=ctx range=range filters=filters /> }.into_any(),
                Tab::Closing => {
                    let report = RwSignal::new(None::<ClosingReport>);
                    load(ctx, agent::CLOSING_REPORT, range, report);
                    view! {
                        <Definitions />
                        {move || report.get().map(|r| view! {
                            <dl class="figures" data-testid="closing-figures">
                                <div><dt>"Closed"</dt><dd>{r.closed}</dd></div>
                                <div><dt>"Resolved"</dt><dd>{percent(r.resolved, r.closed)}</dd></div>
                                <div><dt>"Unresolved"</dt>
                                    <dd><button type="button" class="link" on:click=drill(|f| f.outcome = "unresolved".into())>
                                        {percent(r.unresolved, r.closed)}</button></dd></div>
                            </dl>
                            <CountTable title="Closing sources" counts=r.by_source />
                            <CountTable title="Closing categories" counts=r.by_category />
                            <CountTable title="Quick answers picked in unresolved conversations" counts=r.unresolved_quick_answers />
                        })}
                        {chart("outcomes", "Outcomes of closed conversations")}
                        {chart("categories", "Closing categories")}
                        {chart("closing-sources", "How conversations were closed")}
                    }.into_any()
                }
                Tab::ContactCentre => {
                    let report = RwSignal::new(None::<ContactCentreReport>);
                    load(ctx, agent::CONTACT_CENTRE_REPORT, range, report);
                    view! {
                        <Definitions />
                        {move || report.get().map(|r| view! {
                            <dl class="figures" data-testid="contact-centre-figures">
                                <div><dt>"Total conversations"</dt><dd>{r.total_conversations}</dd></div>
                                <div><dt>"Handled"</dt><dd><button type="button" class="link" data-testid="drill-handled"
                                    on:click=drill(|f| f.missed = "false".into())>{r.handled}</button></dd></div>
                                <div><dt>"Missed"</dt><dd><button type="button" class="link" data-testid="drill-missed"
                                    on:click=drill(|f| f.missed = "true".into())>{r.missed}</button></dd></div>
                                <div><dt>"Missed, an agent online"</dt><dd>{r.missed_with_agent_online}</dd></div>
                                <div><dt>"Missed, nobody online"</dt><dd>{r.missed_with_nobody_online}</dd></div>
                                <div><dt>"Total messages"</dt><dd>{r.total_messages}</dd></div>
                                <div><dt>"Unique users"</dt><dd>{r.unique_users}</dd></div>
                                <div><dt>"First response"</dt><dd>{durations(&r.first_response)}</dd></div>
                                <div><dt>"Conversation time (resolution)"</dt><dd>{durations(&r.resolution)}</dd></div>
                                <div><dt>"Active resolution"</dt><dd>{durations(&r.active_resolution)}</dd></div>
                                <div><dt>"Average wait"</dt><dd>{duration(r.wait.mean_ms)}</dd></div>
                            </dl>
                            <p class="muted small">"Every assignment counts as a conversation, each transfer as a new one: agents' figures need not add up to the total. Missed: no human reply within "
                                {duration(Some(r.missed_threshold_ms))} "."</p>
                            <table class="data" data-testid="agent-table">
                                <caption>"Per agent"</caption>
                                <thead><tr><th scope="col">"Agent"</th><th scope="col">"Conversations"</th>
                                    <th scope="col">"Conversation minutes"</th><th scope="col">"Connection hours"</th></tr></thead>
                                <tbody>{r.agents.into_iter().map(|a| view! {
                                    <tr><th scope="row">{a.name}</th><td>{a.conversations}</td>
                                        <td>{a.conversation_ms / 60_000}</td>
                                        <td>{format!("{:.1}", a.connection_ms as f64 / 3_600_000.0)}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        })}
                        {chart("agent-conversations", "Conversations per agent per day")}
                        {chart("agent-minutes", "Conversation minutes per agent per day")}
                        {chart("agent-connection", "Connection hours per agent per day")}
                    }.into_any()
                }
                Tab::Activity => {
                    let report = RwSignal::new(None::<ActivityReport>);
                    load(ctx, agent::ACTIVITY_REPORT, range, report);
                    view! {
                        <Definitions />
                        {move || report.get().map(|r| view! {
                            <dl class="figures" data-testid="activity-figures">
                                <div><dt>"New users"</dt><dd>{r.new_users}</dd></div>
                                <div><dt>"Active users"</dt><dd>{r.active_users}</dd></div>
                                <div><dt>"Total messages"</dt><dd>{r.total_messages}</dd></div>
                                <div><dt>"Incoming messages"</dt><dd>{r.incoming_messages}</dd></div>
                                <div><dt>"Conversations"</dt><dd>{r.conversations}</dd></div>
                                <div><dt>"Messages per conversation"</dt>
                                    <dd>{if r.conversations == 0 { "—".to_owned() } else { format!("{:.1}", r.total_messages as f64 / r.conversations as f64) }}</dd></div>
                                <div><dt>"Peak messages per minute"</dt>
                                    <dd>{r.peak_messages} {r.peak_minute.map(|m| format!(" at {}", super::time_of(m)))}</dd></div>
                            </dl>
                            <table class="data">
                                <caption>"Per day"</caption>
                                <thead><tr><th scope="col">"Day"</th><th scope="col">"Messages"</th>
                                    <th scope="col">"Conversations"</th><th scope="col">"Max per minute"</th></tr></thead>
                                <tbody>{r.daily.into_iter().map(|d| view! {
                                    <tr><th scope="row">{zone::date(d.day)}</th><td>{d.messages}</td>
                                        <td>{d.conversations}</td><td>{d.max_per_minute}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        })}
                        {chart("messages", "Messages per day")}
                        {chart("conversations", "Conversations per day")}
                        {chart("peak", "Busiest minute per day")}
                    }.into_any()
                }
                Tab::Chatbot => {
                    let report = RwSignal::new(None::<ChatbotReport>);
                    load(ctx, agent::CHATBOT_REPORT, range, report);
                    view! {
                        <Definitions />
                        {move || report.get().map(|r| view! {
                            <CountTable title="Most frequent intents" counts=r.intents />
                            <CountTable title="Languages of lead messages" counts=r.languages />
                            <CountTable title="How conversations begin" counts=r.start_flows />
                        })}
                        {chart("intents", "Most frequent intents")}
                        {chart("languages", "Languages of lead messages")}
                        {chart("start-flows", "How conversations begin")}
                    }.into_any()
                }
            }}
        </main>
    }
}

#[component]
fn CountTable(title: &'static str, counts: Vec<Count>) -> impl IntoView {
    view! {
        <table class="data">
            <caption>{title}</caption>
            <tbody>
                {counts.is_empty().then(|| view! { <tr><td class="muted">"None in this range."</td></tr> })}
                {counts.into_iter().map(|c| view! {
                    <tr><th scope="row">{c.label}</th><td>{c.count}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// How each figure is counted (the same text as `docs/reports.md`).
#[component]
fn Definitions() -> impl IntoView {
    view! {
        <details class="definitions" data-testid="definitions">
            <summary>"How these figures are counted"</summary>
            <dl>
                <dt>"Cycle"</dt><dd>"A conversation from its start, or from a reopening, to its close. Figures count cycles that started in the range."</dd>
                <dt>"First response time"</dt><dd>"From the lead's first message of a cycle (or the hand-off from the bot, if later) to the first message of a human agent."</dd>
                <dt>"Resolution time"</dt><dd>"From the start of the cycle to its close. Active resolution, for auto-closed cycles: to the last human message instead, so waiting for the automatic close does not count."</dd>
                <dt>"Wait time"</dt><dd>"For each run of lead messages no human has answered yet: from the first of them to the next human message."</dd>
                <dt>"Missed"</dt><dd>"No human reply within the threshold set in Settings (3 hours unless changed); a cycle closed without any human reply is missed. Split by whether an agent had the live chat app open when the lead started waiting."</dd>
                <dt>"Total conversations"</dt><dd>"Every assignment counts, each transfer as a new one."</dd>
                <dt>"Conversation minutes"</dt><dd>"Per agent: from their first to their last message in each of their conversations, summed."</dd>
                <dt>"Connection hours"</dt><dd>"The time an agent had the live chat app open (tabs overlapping count once)."</dd>
                <dt>"Peak volume"</dt><dd>"The most messages in a single minute, and that minute."</dd>
            </dl>
        </details>
    }
}
