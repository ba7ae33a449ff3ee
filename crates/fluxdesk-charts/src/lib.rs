//! Fluxdesk's charts, drawn with plotters.
//!
//! Each chart is one function generic over plotters' `DrawingBackend`, and
//! one that renders it to an SVG string. The window shows that SVG and the
//! tests read it, so what is tested is what is shown. Text reaches the SVG
//! escaped by plotters: labels from audit bundles are data, never markup.
#![deny(missing_docs)]

use fluxdesk_types::Timeline;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Series colours, in order; distinguishable in light and dark themes.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x3b, 0x82, 0xf6),
    RGBColor(0xf5, 0x9e, 0x0b),
    RGBColor(0x10, 0xb9, 0x81),
    RGBColor(0xef, 0x44, 0x44),
    RGBColor(0x8b, 0x5c, 0xf6),
    RGBColor(0x06, 0xb6, 0xd4),
    RGBColor(0xec, 0x48, 0x99),
    RGBColor(0x6b, 0x72, 0x80),
];

/// What a chart shows when there is nothing to draw.
pub const NO_EVENTS: &str = "No events match: nothing to chart.";

/// Draws `timeline` as stacked bars (one colour per action) on `area`.
pub fn draw_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    timeline: &Timeline,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let buckets = timeline.starts.len();
    if buckets == 0 || timeline.series.is_empty() {
        area.draw(&Text::new(NO_EVENTS, (12, 20), ("sans-serif", 14).into_font()))?;
        return Ok(());
    }
    let totals: Vec<u64> = (0..buckets)
        .map(|bucket| {
            timeline
                .series
                .iter()
                .map(|series| series.counts.get(bucket).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let top = totals.iter().copied().max().unwrap_or(0).max(1);
    // Headroom above the tallest bar for the legend.
    let ceiling = top + top / 3 + 1;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(0u32..buckets as u32, 0u64..ceiling)?;
    let label = |index: &u32| bucket_label(timeline, *index as usize);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(6)
        .x_label_formatter(&label)
        .y_labels(5)
        .y_desc(format!("events per {}", width_name(timeline.bucket_seconds)))
        .draw()?;
    let mut base = vec![0u64; buckets];
    for (index, series) in timeline.series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let bars: Vec<Rectangle<(u32, u64)>> = series
            .counts
            .iter()
            .enumerate()
            .take(buckets)
            .filter(|(_, count)| **count > 0)
            .map(|(bucket, count)| {
                let bottom = base[bucket];
                base[bucket] += count;
                Rectangle::new(
                    [(bucket as u32, bottom), (bucket as u32 + 1, base[bucket])],
                    colour.filled(),
                )
            })
            .collect();
        chart
            .draw_series(bars)?
            .label(series.action.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

/// `timeline` as an SVG document of `size` pixels.
pub fn timeline_svg(timeline: &Timeline, size: (u32, u32)) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        // Writing to a String cannot fail; a chart that could not be laid
        // out still leaves a valid, if empty, document.
        let _ = draw_timeline(&area, timeline).and_then(|()| area.present());
    }
    svg
}

/// A bucket's start, as short as its width allows.
fn bucket_label(timeline: &Timeline, index: usize) -> String {
    let Some(start) = timeline.starts.get(index) else {
        return String::new();
    };
    let date = start.get(..10).unwrap_or(start);
    if timeline.bucket_seconds >= 86_400 {
        date.to_owned()
    } else {
        format!(
            "{} {}",
            start.get(5..10).unwrap_or(date),
            start.get(11..16).unwrap_or("")
        )
    }
}

/// A bucket width in words.
pub fn width_name(seconds: i64) -> String {
    match seconds {
        60 => "minute".into(),
        3_600 => "hour".into(),
        86_400 => "day".into(),
        604_800 => "week".into(),
        seconds if seconds % 86_400 == 0 => format!("{} days", seconds / 86_400),
        seconds if seconds % 3_600 == 0 => format!("{} hours", seconds / 3_600),
        seconds if seconds % 60 == 0 => format!("{} minutes", seconds / 60),
        seconds => format!("{seconds} s"),
    }
}

/// One line of a time series: `(seconds, value)` points, oldest first, with
/// seconds counted back from now (so the newest is 0 or close to it).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// Draws `series` as lines over the last minutes, titled and with a unit.
pub fn draw_time_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    series: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let points = series.iter().flat_map(|line| line.points.iter());
    let (mut earliest, mut top) = (0.0f64, 0.0f64);
    for (seconds, value) in points {
        earliest = earliest.min(*seconds);
        if value.is_finite() {
            top = top.max(*value);
        }
    }
    if series.iter().all(|line| line.points.is_empty()) {
        area.draw(&Text::new(
            format!("{title}: no samples yet."),
            (12, 20),
            ("sans-serif", 14).into_font(),
        ))?;
        return Ok(());
    }
    let top = if top > 0.0 { top * 1.25 } else { 1.0 };
    let earliest = earliest.min(-1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(52)
        .build_cartesian_2d(earliest..0.0, 0.0..top)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&|seconds| seconds_ago(*seconds, earliest))
        .y_labels(5)
        .y_desc(unit)
        .draw()?;
    for (index, line) in series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let points: Vec<(f64, f64)> = line
            .points
            .iter()
            .copied()
            .filter(|(_, value)| value.is_finite())
            .collect();
        chart
            .draw_series(std::iter::once(PathElement::new(points, colour.stroke_width(2))))?
            .label(line.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

/// An x-axis label: seconds back from now, with a decimal when the span is
/// short enough for whole seconds to repeat; never "-0".
fn seconds_ago(seconds: f64, earliest: f64) -> String {
    let text = if earliest > -30.0 {
        format!("{seconds:.1} s")
    } else if earliest > -600.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{:.0} min", seconds / 60.0)
    };
    match text.strip_prefix('-') {
        Some(rest) if rest.trim_start_matches(['0', '.']).starts_with(' ') => rest.to_owned(),
        _ => text,
    }
}

/// `series` as an SVG document of `size` pixels.
pub fn time_series_svg(title: &str, unit: &str, series: &[Series], size: (u32, u32)) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let _ = draw_time_series(&area, title, unit, series).and_then(|()| area.present());
    }
    svg
}

/// One horizontal bar, made of named parts stacked left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Its label, left of the bar.
    pub label: String,
    /// `(part, value)`; each part keeps one colour across bars.
    pub parts: Vec<(String, f64)>,
}

/// Draws `bars` top to bottom, the parts stacked and named in the legend.
pub fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    bars: &[Bar],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    if bars.is_empty() {
        area.draw(&Text::new(
            format!("{title}: nothing to show."),
            (12, 20),
            ("sans-serif", 14).into_font(),
        ))?;
        return Ok(());
    }
    let mut names: Vec<&str> = Vec::new();
    for bar in bars {
        for (name, _) in &bar.parts {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    let widest = bars
        .iter()
        .map(|bar| bar.parts.iter().map(|(_, value)| value.max(0.0)).sum::<f64>())
        .fold(0.0, f64::max);
    let count = bars.len();
    // One segment per bar, so each label sits at its bar's centre.
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(180)
        // (plotters' integer ranges include their end: 0..count - 1 is count rows.)
        .build_cartesian_2d(0.0..(widest * 1.05).max(1.0), (0..count - 1).into_segmented())?;
    let label = |position: &SegmentValue<usize>| match position {
        // Row 0 is the bottom; the first bar is at the top.
        SegmentValue::CenterOf(row) => count
            .checked_sub(1 + row)
            .and_then(|index| bars.get(index))
            .map(|bar| bar.label.chars().take(28).collect())
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        // More than the rows: integer ticks then step by one, a label per bar.
        .y_labels(count + 2)
        .y_label_formatter(&label)
        .x_labels(5)
        .x_desc(unit)
        .draw()?;
    for (part, name) in names.iter().enumerate() {
        let colour = PALETTE[part % PALETTE.len()];
        let mut rectangles = Vec::new();
        for (index, bar) in bars.iter().enumerate() {
            // The first bar at the top.
            let row = count - 1 - index;
            let before: f64 = bar
                .parts
                .iter()
                .take_while(|(other, _)| other != name)
                .map(|(_, value)| value.max(0.0))
                .sum();
            if let Some((_, value)) = bar.parts.iter().find(|(other, _)| other == name)
                && *value > 0.0
            {
                let mut rectangle = Rectangle::new(
                    [
                        (before, SegmentValue::Exact(row)),
                        (before + value, SegmentValue::Exact(row + 1)),
                    ],
                    colour.filled(),
                );
                // A gap between neighbouring bars.
                rectangle.set_margin(2, 2, 0, 0);
                rectangles.push(rectangle);
            }
        }
        chart
            .draw_series(rectangles)?
            .label(name.to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

/// `bars` as an SVG document of `size` pixels.
pub fn bars_svg(title: &str, unit: &str, bars: &[Bar], size: (u32, u32)) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let _ = draw_bars(&area, title, unit, bars).and_then(|()| area.present());
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::TimelineSeries;

    fn timeline(series: Vec<(&str, Vec<u64>)>) -> Timeline {
        let buckets = series.first().map(|(_, counts)| counts.len()).unwrap_or(0);
        Timeline {
            bucket_seconds: 3_600,
            starts: (0..buckets)
                .map(|hour| format!("2026-11-24T{hour:02}:00:00.000000Z"))
                .collect(),
            series: series
                .into_iter()
                .map(|(action, counts)| TimelineSeries {
                    action: action.to_owned(),
                    counts,
                })
                .collect(),
        }
    }

    fn filled_with(svg: &str, colour: RGBColor) -> usize {
        let hex = format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2);
        svg.split("<rect")
            .skip(1)
            .filter(|rect| rect.split('>').next().is_some_and(|attrs| attrs.contains(&hex)))
            .count()
    }

    #[test]
    fn one_bar_per_nonzero_bucket_and_series_plus_a_legend_swatch() {
        let chart = timeline_svg(
            &timeline(vec![
                ("user.lock", vec![3, 0, 1, 0]),
                ("admin.sign_in", vec![0, 2, 2, 5]),
            ]),
            (640, 240),
        );
        // Bars plus one legend swatch each.
        assert_eq!(filled_with(&chart, PALETTE[0]), 2 + 1, "{chart}");
        assert_eq!(filled_with(&chart, PALETTE[1]), 3 + 1);
        assert!(chart.contains("user.lock") && chart.contains("admin.sign_in"));
        assert!(chart.contains("events per hour"));
        assert!(chart.contains("11-24 00:00"), "bucket labels name the hour");
    }

    #[test]
    fn labels_from_the_data_are_escaped_not_markup() {
        let chart = timeline_svg(
            &timeline(vec![("<script>alert(1)</script>", vec![1])]),
            (320, 200),
        );
        assert!(!chart.contains("<script>"), "{chart}");
        assert!(chart.contains("&lt;script&gt;"));
    }

    #[test]
    fn an_empty_timeline_says_so() {
        let chart = timeline_svg(&Timeline::default(), (320, 200));
        assert!(chart.contains(NO_EVENTS));
        assert!(chart.starts_with("<svg"));
    }

    #[test]
    fn time_series_draw_one_line_each_and_say_when_empty() {
        let series = vec![
            Series {
                name: "active".into(),
                points: vec![(-20.0, 1.0), (-10.0, 3.0), (0.0, 2.0)],
            },
            Series {
                name: "idle <b>".into(),
                points: vec![(-20.0, 5.0), (0.0, 4.0)],
            },
        ];
        let chart = time_series_svg("Connections by state", "connections", &series, (480, 200));
        assert!(chart.contains("Connections by state") && chart.contains("connections"));
        assert!(
            chart.contains("active") && chart.contains("idle &lt;b&gt;"),
            "{chart}"
        );
        for colour in [PALETTE[0], PALETTE[1]] {
            let hex = format!("stroke=\"#{:02X}{:02X}{:02X}\"", colour.0, colour.1, colour.2);
            let lines = chart
                .split("<polyline")
                .skip(1)
                .filter(|line| line.split('>').next().is_some_and(|attrs| attrs.contains(&hex)))
                .count();
            assert_eq!(lines, 2, "the series' line and its legend mark: {chart}");
        }
        let empty = time_series_svg("Transactions per second", "tps", &[], (480, 200));
        assert!(empty.contains("no samples yet"));
    }

    #[test]
    fn time_labels_never_repeat_a_rounded_second_or_say_minus_zero() {
        assert_eq!(seconds_ago(-2.5, -4.0), "-2.5 s");
        assert_eq!(seconds_ago(-0.0, -4.0), "0.0 s");
        assert_eq!(seconds_ago(-0.01, -4.0), "0.0 s");
        assert_eq!(seconds_ago(-120.0, -300.0), "-120 s");
        assert_eq!(seconds_ago(-1800.0, -3600.0), "-30 min");
    }

    #[test]
    fn bars_stack_their_parts_in_one_colour_each() {
        let bars = vec![
            Bar {
                label: "public.events".into(),
                parts: vec![
                    ("heap".into(), 100.0),
                    ("indexes".into(), 40.0),
                    ("toast".into(), 0.0),
                ],
            },
            Bar {
                label: "auth.users".into(),
                parts: vec![
                    ("heap".into(), 10.0),
                    ("indexes".into(), 5.0),
                    ("toast".into(), 2.0),
                ],
            },
        ];
        let chart = bars_svg("Largest tables", "MiB", &bars, (640, 240));
        assert_eq!(
            filled_with(&chart, PALETTE[0]),
            2 + 1,
            "heap in both bars, plus the legend"
        );
        assert_eq!(
            filled_with(&chart, PALETTE[2]),
            1 + 1,
            "a zero part draws nothing"
        );
        assert!(chart.contains("public.events") && chart.contains("Largest tables"));
        assert!(bars_svg("Buckets", "MiB", &[], (320, 200)).contains("nothing to show"));
    }

    #[test]
    fn twenty_bars_each_get_their_label_once_centred_on_the_bar() {
        let bars: Vec<Bar> = (0..20)
            .map(|n| Bar {
                label: format!("public.table_{n:02}"),
                parts: vec![("heap".into(), 100.0 - n as f64)],
            })
            .collect();
        let chart = bars_svg("Largest tables", "MiB", &bars, (640, 420));
        // (y, text) of every text element.
        let texts: Vec<(f64, String)> = chart
            .split("<text ")
            .skip(1)
            .filter_map(|element| {
                let y = element.split(" y=\"").nth(1)?.split('"').next()?.parse().ok()?;
                let text = element.split('>').nth(1)?.split('<').next()?.trim().to_owned();
                Some((y, text))
            })
            .collect();
        // The bars' rectangles in the heap colour, top to bottom (the last is the legend's).
        let colour = format!("#{:02X}{:02X}{:02X}", PALETTE[0].0, PALETTE[0].1, PALETTE[0].2);
        let rows: Vec<(f64, f64)> = chart
            .split("<rect ")
            .skip(1)
            .filter(|element| element.contains(&format!("fill=\"{colour}\"")))
            .filter_map(|element| {
                let number = |name: &str| -> Option<f64> {
                    element
                        .split(&format!(" {name}=\""))
                        .nth(1)?
                        .split('"')
                        .next()?
                        .parse()
                        .ok()
                };
                Some((number("y")?, number("y")? + number("height")?))
            })
            .take(20)
            .collect();
        assert_eq!(rows.len(), 20);
        for (n, (top, bottom)) in rows.iter().enumerate() {
            let label = format!("public.table_{n:02}");
            let at: Vec<f64> = texts
                .iter()
                .filter(|(_, text)| *text == label)
                .map(|(y, _)| *y)
                .collect();
            assert_eq!(at.len(), 1, "{label} is labelled exactly once");
            assert!(
                (at[0] - (top + bottom) / 2.0).abs() <= 2.0,
                "{label} at y={} beside its bar {top}..{bottom}",
                at[0]
            );
        }
    }
}
