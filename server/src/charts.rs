//! Report charts, drawn with plotters: SVG for the inbox, PNG for e-mails (most mail clients
//! drop SVG). Text is set in the bundled DejaVu Sans, so a chart looks the same on every
//! machine. Each chart also has a text equivalent ([`Chart::alt`]).

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use porch_domain::reports::ReportParts;
use porch_domain::Calendar;
use porch_protocol::{
    ActivityReport, ChatbotReport, ClosingReport, ContactCentreReport, Count, Millis,
};

const SIZE: (u32, u32) = (720, 320);
const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(31, 35, 40);
/// Teal, amber, violet, rose, blue, green: distinguishable for the common colour blindnesses.
const PALETTE: [RGBColor; 6] = [
    RGBColor(15, 118, 110),
    RGBColor(217, 119, 6),
    RGBColor(109, 40, 217),
    RGBColor(190, 18, 60),
    RGBColor(29, 78, 216),
    RGBColor(77, 124, 15),
];

/// A chart's data, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    /// One line per series, one point per day.
    /// `days`: each day's label ("11-22", in the workspace's time zone).
    Daily { title: String, unit: String, days: Vec<String>, series: Vec<(String, Vec<f64>)> },
    /// Labelled counts as horizontal bars, largest first.
    Bars { title: String, items: Vec<(String, f64)> },
}

#[derive(Debug, thiserror::Error)]
#[error("drawing a chart: {0}")]
pub struct ChartError(String);

fn failed(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// Registers the bundled font once; plotters looks fonts up by family name.
fn font() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
        // The bytes are a valid TrueType font, checked by the tests.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, bytes);
    });
}

/// `11-22` for a day starting at `day` in `calendar`.
fn short_date(calendar: &Calendar, day: Millis) -> String {
    calendar.format(day, "%m-%d")
}

impl Chart {
    pub fn title(&self) -> &str {
        match self {
            Chart::Daily { title, .. } | Chart::Bars { title, .. } => title,
        }
    }

    /// What the chart shows, in words: for `alt` text and screen readers.
    pub fn alt(&self) -> String {
        match self {
            Chart::Daily { title, unit, days, series } => {
                let lines: Vec<String> = series
                    .iter()
                    .map(|(name, values)| {
                        let total: f64 = values.iter().sum();
                        let (peak_at, peak) =
                            values.iter().enumerate().fold((0, 0.0), |best, (i, v)| {
                                if *v > best.1 {
                                    (i, *v)
                                } else {
                                    best
                                }
                            });
                        let when = days.get(peak_at).cloned().unwrap_or_default();
                        format!(
                            "{name}: {} {unit} in all, most on {when} ({})",
                            round(total),
                            round(peak)
                        )
                    })
                    .collect();
                format!("{title}, daily over {} days. {}.", days.len(), lines.join("; "))
            }
            Chart::Bars { title, items } if items.is_empty() => format!("{title}: nothing yet."),
            Chart::Bars { title, items } => {
                let parts: Vec<String> =
                    items.iter().map(|(label, v)| format!("{label} {}", round(*v))).collect();
                format!("{title}: {}.", parts.join(", "))
            }
        }
    }

    pub fn svg(&self) -> Result<String, ChartError> {
        font();
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(failed)?;
        }
        Ok(out)
    }

    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        font();
        let (w, h) = SIZE;
        let mut pixels = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(failed)?;
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&pixels).map_err(failed)?;
        writer.finish().map_err(failed)?;
        Ok(out)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        root.fill(&WHITE).map_err(failed)?;
        match self {
            Chart::Daily { title, unit, days, series } => {
                let top = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
                let last = days.len().saturating_sub(1).max(1) as i32;
                let mut chart = ChartBuilder::on(root)
                    .caption(title, (FONT, 18).into_font().color(&INK))
                    .margin(14)
                    .x_label_area_size(30)
                    .y_label_area_size(52)
                    .build_cartesian_2d(0..last, 0.0..(top * 1.15).max(1.0))
                    .map_err(failed)?;
                chart
                    .configure_mesh()
                    .x_labels(days.len().clamp(2, 8))
                    .x_label_formatter(&|i| days.get(*i as usize).cloned().unwrap_or_default())
                    .y_desc(unit.as_str())
                    .y_label_formatter(&|v| round(*v))
                    .label_style((FONT, 12).into_font().color(&INK))
                    .light_line_style(RGBColor(234, 238, 242))
                    .draw()
                    .map_err(failed)?;
                for (k, (name, values)) in series.iter().enumerate() {
                    let color = PALETTE[k % PALETTE.len()];
                    let points = values.iter().enumerate().map(|(i, v)| (i as i32, *v));
                    chart
                        .draw_series(LineSeries::new(points, color.stroke_width(2)))
                        .map_err(failed)?
                        .label(name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                        });
                }
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .label_font((FONT, 12).into_font().color(&INK))
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(208, 215, 222))
                    .draw()
                    .map_err(failed)?;
            }
            Chart::Bars { title, items } => {
                let top = items.iter().map(|i| i.1).fold(0.0, f64::max);
                // At least two rows: plotters labels no row of a one-segment axis.
                let n = items.len().max(2) as i32;
                let mut chart = ChartBuilder::on(root)
                    .caption(title, (FONT, 18).into_font().color(&INK))
                    .margin(14)
                    .x_label_area_size(28)
                    .y_label_area_size(190)
                    // Segments 0..=n-1: one row per item, the first on top.
                    .build_cartesian_2d(0.0..(top * 1.15).max(1.0), (0..n - 1).into_segmented())
                    .map_err(failed)?;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .y_labels(n as usize)
                    .y_label_formatter(&|v| match v {
                        SegmentValue::CenterOf(i) => items
                            .get((n - 1 - *i) as usize)
                            .map(|(label, _)| ellipsize(label, 28))
                            .unwrap_or_default(),
                        _ => String::new(),
                    })
                    .x_label_formatter(&|v| round(*v))
                    .label_style((FONT, 12).into_font().color(&INK))
                    .light_line_style(WHITE)
                    .draw()
                    .map_err(failed)?;
                // The largest on top: item k is drawn in row n-1-k.
                chart
                    .draw_series(items.iter().enumerate().map(|(k, (_, v))| {
                        let row = n - 1 - k as i32;
                        let mut bar = Rectangle::new(
                            [(0.0, SegmentValue::Exact(row)), (*v, SegmentValue::Exact(row + 1))],
                            PALETTE[0].filled(),
                        );
                        bar.set_margin(4, 4, 0, 0);
                        bar
                    }))
                    .map_err(failed)?;
            }
        }
        Ok(())
    }
}

fn round(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn bars(title: &str, counts: &[Count]) -> Chart {
    Chart::Bars {
        title: title.to_owned(),
        items: counts.iter().take(12).map(|c| (c.label.clone(), c.count as f64)).collect(),
    }
}

/// The parts of the report data each chart needs, by the chart's name
/// (`GET …/reports/charts/{name}`).
pub fn parts(name: &str) -> Option<ReportParts> {
    Some(match name {
        "messages" | "peak" | "conversations" => ReportParts::ACTIVITY,
        "agent-conversations" | "agent-minutes" | "agent-connection" => {
            ReportParts { agents: true, ..ReportParts::NONE }
        }
        "intents" | "languages" | "start-flows" => ReportParts::CHATBOT,
        "outcomes" | "categories" | "closing-sources" => ReportParts::CLOSING,
        _ => return None,
    })
}

pub fn activity(report: &ActivityReport, name: &str, calendar: &Calendar) -> Option<Chart> {
    let days: Vec<String> = report.daily.iter().map(|d| short_date(calendar, d.day)).collect();
    let daily = |title: &str,
                 unit: &str,
                 series: &str,
                 value: fn(&porch_protocol::ActivityDay) -> u64| {
        Chart::Daily {
            title: title.into(),
            unit: unit.into(),
            days: days.clone(),
            series: vec![(series.into(), report.daily.iter().map(|d| value(d) as f64).collect())],
        }
    };
    Some(match name {
        "messages" => daily("Messages per day", "messages", "Messages", |d| d.messages),
        "peak" => daily("Busiest minute per day", "messages per minute", "Max per minute", |d| {
            d.max_per_minute
        }),
        "conversations" => {
            daily("Conversations per day", "conversations", "Conversations", |d| d.conversations)
        }
        _ => return None,
    })
}

pub fn contact_centre(
    report: &ContactCentreReport,
    name: &str,
    calendar: &Calendar,
) -> Option<Chart> {
    let days: Vec<String> = report
        .agents
        .first()
        .map(|a| a.daily.iter().map(|d| short_date(calendar, d.day)).collect())
        .unwrap_or_default();
    let per_agent =
        |title: &str, unit: &str, value: fn(&porch_protocol::AgentDay) -> f64| Chart::Daily {
            title: title.into(),
            unit: unit.into(),
            days: days.clone(),
            series: report
                .agents
                .iter()
                .map(|a| (a.name.clone(), a.daily.iter().map(value).collect()))
                .collect(),
        };
    Some(match name {
        "agent-conversations" => {
            per_agent("Conversations per agent", "conversations", |d| d.conversations as f64)
        }
        "agent-minutes" => per_agent("Conversation minutes per agent", "minutes", |d| {
            d.conversation_ms as f64 / 60_000.0
        }),
        "agent-connection" => per_agent("Connection hours per agent", "hours", |d| {
            d.connection_ms as f64 / 3_600_000.0
        }),
        _ => return None,
    })
}

pub fn chatbot(report: &ChatbotReport, name: &str) -> Option<Chart> {
    Some(match name {
        "intents" => bars("Most frequent intents", &report.intents),
        "languages" => bars("Languages of lead messages", &report.languages),
        "start-flows" => bars("How conversations begin", &report.start_flows),
        _ => return None,
    })
}

pub fn closing(report: &ClosingReport, name: &str) -> Option<Chart> {
    Some(match name {
        "outcomes" => Chart::Bars {
            title: "Outcomes of closed conversations".into(),
            items: vec![
                ("Resolved".into(), report.resolved as f64),
                ("Unresolved".into(), report.unresolved as f64),
                ("No outcome".into(), (report.closed - report.resolved - report.unresolved) as f64),
            ],
        },
        "categories" => bars("Closing categories", &report.by_category),
        "closing-sources" => bars("How conversations were closed", &report.by_source),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use porch_domain::reports::DAY;

    fn daily() -> Chart {
        Chart::Daily {
            title: "Messages per day".into(),
            unit: "messages".into(),
            days: [0, DAY, 2 * DAY].map(|d| short_date(&Calendar::default(), d)).to_vec(),
            series: vec![("Messages".into(), vec![3.0, 9.0, 4.0])],
        }
    }

    #[test]
    fn the_bundled_font_loads() {
        let bytes: &'static [u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
        assert!(plotters::style::register_font("check", FontStyle::Normal, bytes).is_ok());
    }

    #[test]
    fn days_are_labelled_in_the_workspaces_time_zone() {
        // Kiritimati (UTC+14) starts 2026-11-30 at 10:00 UTC on the 29th.
        let kiritimati = Calendar::named("Pacific/Kiritimati").unwrap();
        let day = kiritimati.start_of(2026, 11, 30).unwrap();
        assert_eq!(porch_domain::reports::iso(day), "2026-11-29T10:00:00Z");
        assert_eq!(short_date(&kiritimati, day), "11-30");
    }

    #[test]
    fn charts_render_as_svg_with_their_labels() {
        let svg = daily().svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("Messages per day"), "{}", &svg[..200]);
        assert!(svg.contains("01-02"), "dates label the x axis");
        let bars = Chart::Bars {
            title: "Languages".into(),
            items: vec![("eng".into(), 5.0), ("spa".into(), 2.0)],
        };
        let svg = bars.svg().unwrap();
        assert!(svg.contains("eng") && svg.contains("spa"));
    }

    #[test]
    fn charts_render_as_png() {
        let png = daily().png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), SIZE);
    }

    #[test]
    fn every_chart_has_a_text_equivalent() {
        assert_eq!(
            daily().alt(),
            "Messages per day, daily over 3 days. Messages: 16 messages in all, most on 01-02 (9)."
        );
        let empty = Chart::Bars { title: "Intents".into(), items: vec![] };
        assert_eq!(empty.alt(), "Intents: nothing yet.");
        assert!(empty.svg().is_ok(), "an empty chart still draws");
    }
}
