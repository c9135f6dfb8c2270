//! Settings → Workspace (owners): the workspace's name, as the team and e-mails show it; its
//! time zone, whose days the reports count in; its office hours, outside which the widget says
//! when the team is back.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol as wire;
use porch_protocol::api::agent;

use super::settings::{save_settings, status_line};
use super::Ctx;

/// The workspace's name and time zone, saved together.
#[component]
pub(crate) fn WorkspaceForm(ctx: Ctx, view: wire::WorkspaceView, editable: bool) -> impl IntoView {
    let name = RwSignal::new(view.name);
    let zone = RwSignal::new(view.settings.time_zone.0);
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rename = wire::Rename { name: name.get_untracked() };
        let time_zone = wire::ChangeTimeZone { time_zone: zone.get_untracked() };
        spawn_local(async move {
            let saved = async {
                let view = client::call(agent::RENAME.at(&[]), &rename, None).await?;
                ctx.workspace.set(Some(view));
                client::call(agent::SET_TIME_ZONE.at(&[]), &time_zone, None).await
            };
            match saved.await {
                Ok(settings) => {
                    zone.set(settings.time_zone.0.clone());
                    ctx.set_settings(settings);
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
            <label>"Time zone: the reports' days and every date shown (an IANA name, such as Europe/Paris)"
                <input type="text" required maxlength="64" data-testid="time-zone" disabled=!editable
                    prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev)) />
            </label>
            {editable.then(|| view! { <div class="row"><button type="submit" class="primary" data-testid="workspace-save">"Save"</button></div> })}
            {status_line(status, "workspace-status")}
        </form>
    }
}

const WEEKDAYS: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// `09:30` for 570 minutes.
fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// 570 for `09:30`.
fn minutes(hhmm: &str) -> Option<u16> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// One weekday's row: open or not, from, to.
type DayRow = (RwSignal<bool>, RwSignal<String>, RwSignal<String>);

#[component]
pub(crate) fn OfficeHoursForm(ctx: Ctx, saved: wire::OfficeHours, editable: bool) -> impl IntoView {
    let enabled = RwSignal::new(saved.enabled);
    let rows: Vec<DayRow> = (0..7)
        .map(|i| {
            let opening = saved.days.get(i).copied().flatten();
            (
                RwSignal::new(opening.is_some()),
                RwSignal::new(hhmm(opening.map_or(9 * 60, |o| o.open))),
                RwSignal::new(hhmm(opening.map_or(17 * 60, |o| o.close))),
            )
        })
        .collect();
    let rows = StoredValue::new(rows);
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let days: Option<Vec<Option<wire::Opening>>> = rows.with_value(|rows| {
            rows.iter()
                .map(|(open, from, to)| match open.get_untracked() {
                    false => Some(None),
                    true => Some(Some(wire::Opening {
                        open: minutes(&from.get_untracked())?,
                        close: minutes(&to.get_untracked())?,
                    })),
                })
                .collect()
        });
        let Some(days) = days else {
            return status.set(Some(Err("Give each open day's times as HH:MM.".into())));
        };
        let body = wire::OfficeHours { enabled: enabled.get_untracked(), days };
        save_settings(ctx, agent::SET_OFFICE_HOURS, body, status);
    };
    view! {
        <form class="card" on:submit=save data-testid="office-hours">
            <h3>"Office hours"</h3>
            <label class="choice">
                <input type="checkbox" data-testid="office-hours-enabled" disabled=!editable
                    prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                "Outside these hours, tell leads when we're back (in the workspace's time zone)"
            </label>
            <table class="hours">
                <caption class="sr-only">"Opening times per day"</caption>
                <tbody>
                    {rows.get_value().into_iter().zip(WEEKDAYS).map(|((open, from, to), day)| view! {
                        <tr>
                            <th scope="row">
                                <label class="choice">
                                    <input type="checkbox" disabled=!editable data-testid="office-hours-open"
                                        prop:checked=move || open.get() on:change=move |ev| open.set(event_target_checked(&ev)) />
                                    {day}
                                </label>
                            </th>
                            <td><input type="time" aria-label=format!("{day} opens") disabled=move || !editable || !open.get()
                                prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) /></td>
                            <td><input type="time" aria-label=format!("{day} closes") disabled=move || !editable || !open.get()
                                prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) /></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {editable.then(|| view! { <div class="row"><button type="submit" class="primary" data-testid="office-hours-save">"Save"</button></div> })}
            {status_line(status, "office-hours-status")}
        </form>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    #[wasm_bindgen_test]
    fn times_are_read_and_written_as_hh_mm() {
        assert_eq!((hhmm(570), minutes("09:30")), ("09:30".to_owned(), Some(570)));
        assert_eq!(minutes("23:59:00"), Some(1439), "browsers may add seconds");
        for bad in ["", "9", "24:00", "12:60", "ab:cd"] {
            assert_eq!(minutes(bad), None, "{bad}");
        }
    }
}
