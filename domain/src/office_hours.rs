//! Office hours: one opening per weekday in the workspace's time zone, and whether the team is
//! in at a given moment (and when it is back if not).

use porch_protocol::{Millis, OfficeHours, Opening};

use crate::{Calendar, DomainError};

const DAY_MINUTES: u16 = 24 * 60;

/// Seven days, each closed or open for a positive span within the day.
pub fn validate_office_hours(hours: OfficeHours) -> Result<OfficeHours, DomainError> {
    let invalid = |message: &str| Err(DomainError::InvalidSettings(message.into()));
    if hours.days.len() != 7 {
        return invalid("office hours name seven days, Monday first");
    }
    for opening in hours.days.iter().flatten() {
        if opening.open >= opening.close || opening.close > DAY_MINUTES {
            return invalid("each day opens before it closes, within the day (00:00 to 24:00)");
        }
    }
    if hours.enabled && hours.days.iter().all(Option::is_none) {
        return invalid("office hours need at least one open day");
    }
    Ok(hours)
}

/// Whether the team is in at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// Within office hours, or no office hours set.
    In,
    /// Outside them: back at this moment (`None` when no day has hours).
    Away(Option<Millis>),
}

pub fn availability(hours: &OfficeHours, calendar: &Calendar, now: Millis) -> Availability {
    if !hours.enabled {
        return Availability::In;
    }
    let Some((weekday, minute)) = calendar.minute_of_week(now) else { return Availability::In };
    let opening = |days_later: i64| -> Option<Opening> {
        let index = (i64::from(weekday) - 1 + days_later).rem_euclid(7);
        *hours.days.get(usize::try_from(index).ok()?)?
    };
    if opening(0).is_some_and(|o| o.open <= minute && minute < o.close) {
        return Availability::In;
    }
    // Later today, or the next day with hours within a week.
    let next = (0..=7).find_map(|days_later| {
        let o = opening(days_later)?;
        (days_later > 0 || o.open > minute).then(|| calendar.at_minute(now, days_later, o.open))?
    });
    Availability::Away(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Millis = 3_600_000;

    /// Monday to Friday 09:00–17:30.
    fn weekdays() -> OfficeHours {
        let open = Some(Opening { open: 9 * 60, close: 17 * 60 + 30 });
        OfficeHours { enabled: true, days: vec![open, open, open, open, open, None, None] }
    }

    #[test]
    fn the_team_is_in_within_the_hours_of_its_time_zone() {
        let paris = Calendar::named("Europe/Paris").unwrap();
        let hours = weekdays();
        // Friday 2026-11-27 in Paris (UTC+1).
        let friday = paris.start_of(2026, 11, 27).unwrap();
        let monday = paris.start_of(2026, 11, 30).unwrap();
        assert_eq!(availability(&hours, &paris, friday + 9 * HOUR), Availability::In);
        assert_eq!(
            availability(&hours, &paris, friday + 17 * HOUR + 29 * 60_000),
            Availability::In
        );
        let back_friday = Availability::Away(Some(friday + 9 * HOUR));
        assert_eq!(availability(&hours, &paris, friday + 8 * HOUR), back_friday, "later today");
        let back_monday = Availability::Away(Some(monday + 9 * HOUR));
        assert_eq!(availability(&hours, &paris, friday + 17 * HOUR + 30 * 60_000), back_monday);
        assert_eq!(availability(&hours, &paris, friday + 30 * HOUR), back_monday, "Saturday");
        // 17:45 in Paris is 16:45 in UTC: out in Paris, in for a workspace on UTC.
        let utc = Calendar::default();
        let late = friday + 17 * HOUR + 45 * 60_000;
        assert_eq!(availability(&hours, &paris, late), back_monday);
        assert_eq!(availability(&hours, &utc, late), Availability::In);
        let off = OfficeHours { enabled: false, ..weekdays() };
        assert_eq!(availability(&off, &paris, friday + 30 * HOUR), Availability::In);
    }

    #[test]
    fn office_hours_are_checked() {
        assert!(validate_office_hours(weekdays()).is_ok());
        assert!(validate_office_hours(OfficeHours::default()).is_err(), "seven days");
        let mut hours = weekdays();
        hours.days[0] = Some(Opening { open: 600, close: 600 });
        assert!(validate_office_hours(hours.clone()).is_err());
        hours.days[0] = Some(Opening { open: 600, close: 1441 });
        assert!(validate_office_hours(hours).is_err());
        let closed = OfficeHours { enabled: true, days: vec![None; 7] };
        assert!(validate_office_hours(closed.clone()).is_err());
        assert!(validate_office_hours(OfficeHours { enabled: false, ..closed }).is_ok());
        let all_day = Some(Opening { open: 0, close: DAY_MINUTES });
        assert!(
            validate_office_hours(OfficeHours { enabled: true, days: vec![all_day; 7] }).is_ok()
        );
    }
}
