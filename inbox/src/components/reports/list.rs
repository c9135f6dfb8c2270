//! The reports' conversation list: the closed cycles of the range, filtered, sorted and paged,
//! each opening its conversation, and the same list as CSV.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::{self as wire, ReportList, ReportSort};

use super::super::{Ctx, Page};
use super::{duration, Definitions};

/// The list's filters, as the page holds them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Filters {
    pub(super) agent: String,
    pub(super) category: String,
    pub(super) source: String,
    pub(super) outcome: String,
    pub(super) missed: String,
    pub(super) sort: String,
    pub(super) desc: bool,
    pub(super) page: u32,
}

#[component]
pub(super) fn ConversationList(
    ctx: Ctx,
    range: Memo<Option<String>>,
    filters: RwSignal<Filters>,
) -> impl IntoView {
    let list = RwSignal::new(None::<ReportList>);
    // The query for the current range and filters (the CSV link uses it too).
    let query = Memo::new(move |_| {
        let mut q = range.get()?;
        filters.with(|f| {
            for (key, value) in [
                ("agent", &f.agent),
                ("category", &f.category),
                ("source", &f.source),
                ("outcome", &f.outcome),
                ("missed", &f.missed),
                ("sort", &f.sort),
            ] {
                if !value.is_empty() {
                    let value = String::from(js_sys::encode_uri_component(value));
                    q += &format!("&{key}={value}");
                }
            }
            if f.desc {
                q += "&desc=true";
            }
        });
        Some(q)
    });
    Effect::new(move |_| {
        let Some(q) = query.get() else { return };
        let page = filters.with(|f| f.page);
        spawn_local(async move {
            let query = format!("{q}&page={page}&per_page=25");
            match client::call(agent::REPORT_CONVERSATIONS.at(&[]).query(&query), &(), None).await {
                Ok(l) => list.set(Some(l)),
                Err(e) => ctx.fail(e),
            }
        });
    });
    let agents =
        move || ctx.workspace.with(|w| w.as_ref().map(|w| w.agents.clone()).unwrap_or_default());
    let select = move |label: &'static str,
                       id: &'static str,
                       field: fn(&mut Filters) -> &mut String,
                       options: Vec<(String, String)>| {
        view! {
            <label>{label}
                <select data-testid=id on:change=move |ev| {
                    let value = event_target_value(&ev);
                    filters.update(|f| { *field(f) = value; f.page = 1; });
                }>
                    {options.into_iter().map(|(value, text)| {
                        let selected = filters.with_untracked(|f| { let mut f = f.clone(); field(&mut f).clone() == value });
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let any = || ("".to_owned(), "Any".to_owned());
    let pair = |v: &str, t: &str| (v.to_owned(), t.to_owned());
    let sort_options = [
        (ReportSort::StartedAt, "started_at", "Start"),
        (ReportSort::Messages, "messages", "Messages"),
        (ReportSort::FirstResponse, "first_response", "First response"),
        (ReportSort::Resolution, "resolution", "Resolution"),
    ];
    view! {
        <Definitions />
        <div class="row filters">
            {move || select("Agent", "filter-agent", |f| &mut f.agent,
                std::iter::once(any()).chain(agents().into_iter().map(|a| (a.id.0, a.name))).collect())}
            {select("Closing", "filter-source", |f| &mut f.source, vec![any(), pair("manual", "Manual"), pair("auto_close", "Auto-close"), pair("lead", "Lead")])}
            {select("Outcome", "filter-outcome", |f| &mut f.outcome, vec![any(), pair("resolved", "Resolved"), pair("unresolved", "Unresolved")])}
            {select("Missed", "filter-missed", |f| &mut f.missed, vec![any(), pair("true", "Missed"), pair("false", "Handled")])}
            <label>"Category"
                <input type="text" data-testid="filter-category" prop:value=move || filters.with(|f| f.category.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); filters.update(|f| { f.category = v; f.page = 1; }) } />
            </label>
            {select("Sort by", "filter-sort", |f| &mut f.sort,
                sort_options.iter().map(|(_, v, t)| pair(v, t)).collect())}
            <label class="choice"><input type="checkbox" data-testid="filter-desc" prop:checked=move || filters.with(|f| f.desc)
                on:change=move |ev| { let v = event_target_checked(&ev); filters.update(|f| { f.desc = v; f.page = 1; }) } />"Descending"</label>
            {move || query.get().map(|q| view! {
                <a class="button" data-testid="csv" href=agent::REPORT_CSV.at(&[]).query(&q).url download="conversations.csv">"Export CSV"</a>
            })}
        </div>
        {move || list.get().map(|l| {
            let pages = l.total.div_ceil(u64::from(l.per_page)).max(1);
            let page = u64::from(l.page);
            view! {
                <p class="muted small" data-testid="list-total">{format!("{} conversations (cycles)", l.total)}</p>
                <div class="table-scroll">
                <table class="data wide" data-testid="report-table">
                    <thead><tr>
                        <th scope="col">"Started"</th><th scope="col">"Lead"</th><th scope="col">"Agent"</th>
                        <th scope="col">"Messages"</th><th scope="col">"First response"</th>
                        <th scope="col">"Resolution (active)"</th><th scope="col">"Wait"</th>
                        <th scope="col">"Missed"</th><th scope="col">"Closing"</th><th scope="col">"Outcome"</th>
                        <th scope="col">"Category"</th><th scope="col">"Summary"</th><th scope="col">"Began with"</th>
                    </tr></thead>
                    <tbody>{l.rows.into_iter().map(|r| {
                        let id = r.conversation_id.clone();
                        view! {
                            <tr data-testid="report-row" data-conversation=r.conversation_id.0.clone()>
                                <td><button type="button" class="link" title="Open the conversation"
                                    on:click=move |_| { ctx.page.set(Page::Conversations); ctx.select(id.clone()); }>
                                    {super::super::time_of(r.started_at)}{(r.cycle > 1).then(|| format!(" (cycle {})", r.cycle))}</button></td>
                                <td>{r.lead_name.clone().unwrap_or_else(|| porch_protocol::visitor_label(&r.contact_id))}</td>
                                <td>{r.agent_name.unwrap_or_else(|| "—".into())}</td>
                                <td>{r.messages}</td>
                                <td>{duration(r.first_response_ms)}</td>
                                <td>{duration(r.resolution_ms)}
                                    {(r.active_resolution_ms != r.resolution_ms).then(|| format!(" ({})", duration(r.active_resolution_ms)))}</td>
                                <td>{duration(r.mean_wait_ms)}</td>
                                <td>{match r.missed { Some(true) => "Missed", Some(false) => "No", None => "—" }}</td>
                                <td>{r.closing_source.map(|s| match s { wire::ClosingSource::Manual => "Manual", wire::ClosingSource::AutoClose => "Auto-close", wire::ClosingSource::Lead => "Lead" }).unwrap_or("Open")}</td>
                                <td>{r.outcome.map(|o| match o { wire::Outcome::Resolved => "Resolved", wire::Outcome::Unresolved => "Unresolved" }).unwrap_or("—")}</td>
                                <td>{r.category.unwrap_or_default()}</td>
                                <td class="summary">{r.summary.unwrap_or_default()}</td>
                                <td>{r.start_flow.label()}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
                </div>
                <div class="row pager">
                    <button type="button" data-testid="page-previous" disabled={page <= 1}
                        on:click=move |_| filters.update(|f| f.page = f.page.saturating_sub(1).max(1))>"Previous"</button>
                    <span data-testid="page-of">{format!("Page {page} of {pages}")}</span>
                    <button type="button" data-testid="page-next" disabled={page >= pages}
                        on:click=move |_| filters.update(|f| f.page += 1)>"Next"</button>
                </div>
            }
        })}
    }
}
