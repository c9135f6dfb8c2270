//! Days as a workspace lives them: from midnight to midnight in its time zone (an IANA name,
//! UTC by default). Where clocks change a day is 23 or 25 hours long, so days are found from
//! the zone's rules, never by adding 24 hours.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use porch_protocol::Millis;

use crate::DomainError;

/// Longest time zone name accepted (the longest IANA name is 32 characters).
const MAX_NAME: usize = 64;

#[derive(Clone, Debug)]
pub struct Calendar {
    name: String,
    zone: TimeZone,
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar { name: "UTC".into(), zone: TimeZone::UTC }
    }
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Calendar) -> bool {
        self.name == other.name
    }
}

impl Eq for Calendar {}

impl Calendar {
    /// The calendar of an IANA time zone name ("Europe/Paris"); refused when unknown.
    pub fn named(name: &str) -> Result<Calendar, DomainError> {
        let unknown = || {
            DomainError::InvalidSettings(format!(
                "{name:?} is not a known time zone (use an IANA name such as Europe/Paris)"
            ))
        };
        if name.len() > MAX_NAME {
            return Err(unknown());
        }
        let zone = TimeZone::get(name).map_err(|_| unknown())?;
        let name = zone.iana_name().unwrap_or(name).to_owned();
        Ok(Calendar { name, zone })
    }

    /// The calendar of a stored name; UTC if the name is no longer known.
    pub fn or_utc(name: &str) -> Calendar {
        Calendar::named(name).unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, at: Millis) -> Option<Zoned> {
        Some(Timestamp::from_millisecond(at).ok()?.to_zoned(self.zone.clone()))
    }

    /// The start of the day holding `at`.
    pub fn day_of(&self, at: Millis) -> Millis {
        self.zoned(at)
            .and_then(|z| z.start_of_day().ok())
            .map_or(at - at.rem_euclid(crate::reports::DAY), |z| z.timestamp().as_millisecond())
    }

    /// The start of the day after the one holding `at`.
    pub fn next_day(&self, at: Millis) -> Millis {
        self.zoned(at)
            .and_then(|z| z.tomorrow().ok()?.start_of_day().ok())
            .map_or(self.day_of(at) + crate::reports::DAY, |z| z.timestamp().as_millisecond())
    }

    /// The starts of the days meeting `[from, to)`, for daily series (empty days included).
    pub fn days(&self, from: Millis, to: Millis) -> impl Iterator<Item = Millis> + '_ {
        std::iter::successors(Some(self.day_of(from)), move |&day| Some(self.next_day(day)))
            .take_while(move |&day| day < to)
    }

    /// The local civil date (year, month, day) and ISO weekday (Monday 1) of `at`.
    pub fn date(&self, at: Millis) -> Option<(i16, i8, i8, i8)> {
        let z = self.zoned(at)?;
        Some((z.year(), z.month(), z.day(), z.weekday().to_monday_one_offset()))
    }

    /// The start of the local civil date `year-month-day`.
    pub fn start_of(&self, year: i16, month: i8, day: i8) -> Option<Millis> {
        let date = jiff::civil::Date::new(year, month, day).ok()?;
        Some(date.to_zoned(self.zone.clone()).ok()?.timestamp().as_millisecond())
    }

    /// `at` in local time, as `strftime` `format` puts it ("%Y-%m-%d %H:%M").
    pub fn format(&self, at: Millis, format: &str) -> String {
        self.zoned(at).map_or_else(String::new, |z| z.strftime(format).to_string())
    }

    /// The instant `minute` minutes after the local midnight of the day `days_later` days after
    /// the one holding `at` (a time a clock change skips moves past the gap).
    pub fn at_minute(&self, at: Millis, days_later: i64, minute: u16) -> Option<Millis> {
        let date = self.zoned(at)?.date().checked_add(jiff::Span::new().days(days_later)).ok()?;
        let (hour, minute) = (i8::try_from(minute / 60).ok()?, i8::try_from(minute % 60).ok()?);
        let zoned = if hour >= 24 {
            date.tomorrow().ok()?.to_zoned(self.zone.clone()).ok()?
        } else {
            date.at(hour, minute, 0, 0).to_zoned(self.zone.clone()).ok()?
        };
        Some(zoned.timestamp().as_millisecond())
    }

    /// `at` as minutes since the local midnight, with the local ISO weekday (Monday 1).
    pub fn minute_of_week(&self, at: Millis) -> Option<(i8, u16)> {
        let z = self.zoned(at)?;
        let minutes = u16::try_from(i32::from(z.hour()) * 60 + i32::from(z.minute())).ok()?;
        Some((z.weekday().to_monday_one_offset(), minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Millis = 3_600_000;

    #[test]
    fn days_follow_the_zone_and_its_clock_changes() {
        let utc = Calendar::default();
        let paris = Calendar::named("Europe/Paris").unwrap();
        // 2026-03-29: Paris moves from +01:00 to +02:00; the day is 23 hours long.
        let march_29 = paris.start_of(2026, 3, 29).unwrap();
        assert_eq!(utc.day_of(march_29), march_29 - 23 * HOUR, "its midnight is 23:00 UTC");
        assert_eq!(paris.day_of(march_29 + 20 * HOUR), march_29);
        assert_eq!(paris.next_day(march_29) - march_29, 23 * HOUR);
        let october_25 = paris.start_of(2026, 10, 25).unwrap();
        assert_eq!(paris.next_day(october_25) - october_25, 25 * HOUR);
        let days: Vec<_> = paris.days(march_29 + HOUR, march_29 + 48 * HOUR).collect();
        assert_eq!(days, [march_29, march_29 + 23 * HOUR, march_29 + 47 * HOUR]);
        assert_eq!(paris.date(march_29), Some((2026, 3, 29, 7)), "a Sunday");
        assert_eq!(paris.minute_of_week(march_29 + 90 * 60_000), Some((7, 90)));
        assert_eq!(paris.format(march_29 + 90 * 60_000, "%Y-%m-%d %H:%M"), "2026-03-29 01:30");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(Calendar::named("America/New_York").unwrap().name(), "America/New_York");
        for bad in ["", "Mars/Olympus", "UTC+5", &"x".repeat(200)] {
            assert!(Calendar::named(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Calendar::or_utc("Gone/Zone"), Calendar::default());
    }
}
