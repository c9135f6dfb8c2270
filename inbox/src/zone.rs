//! The workspace's time zone for every date and time the inbox shows, and for the days a
//! report range names: the browser's `Intl` knows the zones, so the inbox carries no database.

use std::cell::RefCell;

use js_sys::{Array, Date, Intl, Object, Reflect};
use porch_protocol::Millis;
use wasm_bindgen::JsValue;

thread_local! {
    static ZONE: RefCell<String> = RefCell::new("UTC".to_owned());
}

/// Follows the workspace's time zone from now on (when it loads or changes).
pub fn set(zone: &str) {
    ZONE.with(|z| *z.borrow_mut() = zone.to_owned());
}

fn zone() -> String {
    ZONE.with(|z| z.borrow().clone())
}

/// `Intl` options naming the zone, with the given fields.
fn options(fields: &[(&str, &str)]) -> Object {
    let options = Object::new();
    let set = |key: &str, value: &str| {
        let _ = Reflect::set(&options, &key.into(), &value.into());
    };
    set("timeZone", &zone());
    fields.iter().for_each(|(k, v)| set(k, v));
    options
}

/// Date and time in the workspace's zone, as the browser's locale writes them.
pub fn time_of(at: Millis) -> String {
    let options = options(&[("dateStyle", "medium"), ("timeStyle", "short")]);
    let date = Date::new(&JsValue::from_f64(at as f64));
    String::from(date.to_locale_string("default", &options))
}

/// (year, month, day, hour, minute, second) of `at` in the workspace's zone.
fn parts(at: Millis) -> Option<[i64; 6]> {
    let numeric = [
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("second", "numeric"),
        ("hourCycle", "h23"),
    ];
    let format = Intl::DateTimeFormat::new(&Array::of1(&"en-US".into()), &options(&numeric));
    let parts = format.format_to_parts(&Date::new(&JsValue::from_f64(at as f64)));
    let mut found = [0i64; 6];
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        // Literal parts ("/", ", ") are skipped.
        let fields = ["year", "month", "day", "hour", "minute", "second"];
        let Some(slot) = fields.iter().position(|k| *k == kind) else { continue };
        found[slot] = Reflect::get(&part, &"value".into()).ok()?.as_string()?.parse().ok()?;
    }
    Some(found)
}

/// `YYYY-MM-DD` of `at` in the workspace's zone.
pub fn date(at: Millis) -> String {
    parts(at).map_or_else(String::new, |[y, m, d, ..]| format!("{y:04}-{m:02}-{d:02}"))
}

/// The workspace's midnight starting `YYYY-MM-DD` plus `days_later` days.
pub fn midnight(text: &str, days_later: i64) -> Option<Millis> {
    let mut fields = text.splitn(3, '-').map(|f| f.parse::<f64>().ok());
    let (y, m, d) = (fields.next()??, fields.next()??, fields.next()??);
    let guess = Date::utc(y, m - 1.0) as Millis; // the 1st of the month, 00:00 UTC
    let guess = guess + (d as Millis - 1 + days_later) * 86_400_000;
    if !(0..253_402_300_800_000).contains(&guess) {
        return None;
    }
    // The zone's offset at the guess, then again at the answer (a clock change between).
    let offset = |at: Millis| {
        let [y, m, d, h, min, s] = parts(at)?;
        let local = Date::utc(y as f64, (m - 1) as f64) as Millis
            + ((d - 1) * 86_400 + h * 3600 + min * 60 + s) * 1000;
        Some(local - at)
    };
    let first = guess - offset(guess)?;
    Some(guess - offset(first)?)
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    #[wasm_bindgen_test]
    fn days_and_midnights_are_the_workspaces() {
        set("Europe/Paris");
        // 2026-03-29 is 23 hours long in Paris.
        assert_eq!(midnight("2026-03-29", 0), Some(1_774_738_800_000));
        assert_eq!(midnight("2026-03-29", 1), Some(1_774_821_600_000));
        assert_eq!(date(1_774_738_800_000), "2026-03-29");
        assert_eq!(date(1_774_738_800_000 - 1), "2026-03-28");
        set("America/New_York");
        assert_eq!(midnight("2023-11-05", 1), Some(1_699_246_800_000), "after 25 hours");
        set("Asia/Tokyo");
        assert_eq!(midnight("2026-11-30", 0), Some(1_795_964_400_000));
        assert_eq!(midnight("not a date", 0), None);
        set("UTC");
        assert_eq!(date(0), "1970-01-01");
    }
}
