use porch_protocol::{LeadOptions, Plan};

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

#[cfg(test)]
mod tests {
    use super::*;

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
