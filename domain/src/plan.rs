use porch_protocol::{Event, LeadOptions, Plan, MAX_NOTIFICATION_CHARS};

use crate::DomainError;

/// The lowest plan on which the lead-facing closing options apply.
pub const LEAD_OPTIONS_PLAN: Plan = Plan::Professional;

/// The options a workspace's widgets obey: the saved ones on a plan that includes them, all off
/// otherwise. Saved values are never lost by a downgrade; they simply stop applying.
pub fn effective_lead_options(plan: Plan, saved: &LeadOptions) -> LeadOptions {
    if plan >= LEAD_OPTIONS_PLAN {
        saved.clone()
    } else {
        LeadOptions { notification_text: saved.notification_text.clone(), ..LeadOptions::default() }
    }
}

/// The owner saves the lead-facing options: refused with `plan_required` (naming the plan
/// needed) when it switches one on that the plan does not include. Switching them off, or
/// editing the notification text, is always allowed, so nothing saved is lost on a downgrade.
pub fn save_lead_options(plan: Plan, saved: LeadOptions) -> Result<Vec<Event>, DomainError> {
    let text = saved.notification_text.trim().to_owned();
    if text.chars().count() > MAX_NOTIFICATION_CHARS {
        return Err(DomainError::InvalidSettings(format!(
            "the notification has at most {MAX_NOTIFICATION_CHARS} characters"
        )));
    }
    if plan < LEAD_OPTIONS_PLAN {
        let on = [
            (saved.hide_closed, "hide closed conversations"),
            (saved.disable_input_on_close, "disable chat input after close"),
            (saved.notify_on_close, "show a notification after close"),
        ];
        if let Some((_, option)) = on.iter().find(|(enabled, _)| *enabled) {
            return Err(DomainError::PlanRequired { option, needed: LEAD_OPTIONS_PLAN });
        }
    }
    let saved = LeadOptions { notification_text: text, ..saved };
    let options = effective_lead_options(plan, &saved);
    Ok(vec![Event::LeadOptionsChanged { options, saved: Some(saved) }])
}

/// The workspace changes plan: its saved options start or stop applying at once.
pub fn change_plan(from: Plan, to: Plan, saved: &LeadOptions) -> Vec<Event> {
    if from == to {
        return Vec::new();
    }
    let mut events = vec![Event::PlanChanged { plan: to }];
    let (before, after) = (effective_lead_options(from, saved), effective_lead_options(to, saved));
    if before != after {
        events.push(Event::LeadOptionsChanged { options: after, saved: None });
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabling_an_option_needs_the_plan_and_says_which() {
        for plan in Plan::ALL {
            let result = save_lead_options(plan, all_on());
            if plan >= Plan::Professional {
                assert!(result.is_ok(), "{plan:?}");
            } else {
                assert!(
                    matches!(
                        result,
                        Err(DomainError::PlanRequired { needed: Plan::Professional, .. })
                    ),
                    "{plan:?}"
                );
            }
        }
        let text_only = LeadOptions { notification_text: "Bye".into(), ..LeadOptions::default() };
        assert!(save_lead_options(Plan::Free, text_only).is_ok(), "off and text stay editable");
        let long =
            LeadOptions { notification_text: "x".repeat(MAX_NOTIFICATION_CHARS + 1), ..all_on() };
        assert!(matches!(
            save_lead_options(Plan::Enterprise, long),
            Err(DomainError::InvalidSettings(_))
        ));
    }

    #[test]
    fn a_downgrade_stops_the_options_an_upgrade_restores_them() {
        let down = change_plan(Plan::Professional, Plan::Starter, &all_on());
        assert_eq!(
            down,
            [
                Event::PlanChanged { plan: Plan::Starter },
                Event::LeadOptionsChanged {
                    options: LeadOptions {
                        notification_text: "Thanks!".into(),
                        ..LeadOptions::default()
                    },
                    saved: None,
                },
            ]
        );
        let up = change_plan(Plan::Free, Plan::Enterprise, &all_on());
        assert!(
            matches!(&up[1], Event::LeadOptionsChanged { options, .. } if *options == all_on())
        );
        assert_eq!(
            change_plan(Plan::Professional, Plan::Enterprise, &all_on()).len(),
            1,
            "nothing changes for widgets"
        );
        assert!(change_plan(Plan::Free, Plan::Free, &all_on()).is_empty());
    }

    fn all_on() -> LeadOptions {
        LeadOptions {
            hide_closed: true,
            disable_input_on_close: true,
            notify_on_close: true,
            notification_text: "Thanks!".into(),
        }
    }

    #[test]
    fn options_apply_from_professional_up() {
        for plan in Plan::ALL {
            let effective = effective_lead_options(plan, &all_on());
            let applies = matches!(plan, Plan::Professional | Plan::Enterprise);
            assert_eq!(effective.hide_closed, applies, "{plan:?}");
            assert_eq!(effective.disable_input_on_close, applies, "{plan:?}");
            assert_eq!(effective.notify_on_close, applies, "{plan:?}");
        }
    }
}
