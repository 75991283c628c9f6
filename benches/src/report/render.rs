//! The report as text: a markdown table (also printed), and an SVG plot of the concurrency
//! curve.

use std::fmt::Write as _;

use super::Row;

/// `1234567.8` as `1.23 M`, `45678` as `45.7 k`, `950` as `950`.
pub fn rate(events_per_s: f64) -> String {
    if events_per_s >= 1e6 {
        format!("{:.2} M", events_per_s / 1e6)
    } else if events_per_s >= 1e4 {
        format!("{:.1} k", events_per_s / 1e3)
    } else if events_per_s >= 1e3 {
        format!("{:.2} k", events_per_s / 1e3)
    } else {
        format!("{events_per_s:.0}")
    }
}

/// The rows as a markdown table: workload, provider, events/s, raw events/s, ratio, spread,
/// and a note (an unstable figure, and the row's own [`note`](Row::note)).
pub fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| workload | provider | events/s | raw events/s | ratio | spread | note |\n|---|---|---:|---:|---:|---:|---|\n",
    );
    for row in rows {
        let raw = row.raw_per_s.map_or_else(|| "–".to_owned(), rate);
        let ratio = row
            .ratio
            .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"));
        let unstable = row.unstable().then(|| {
            format!(
                "unstable over {} rounds: do not read as one number",
                row.rounds
            )
        });
        let note = [unstable.as_deref(), row.note.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {raw} | {ratio} | ±{:.0} % | {note} |",
            row.workload,
            row.provider,
            rate(row.events_per_s),
            row.spread * 100.0
        );
    }
    out
}

/// Delivery latencies as a markdown table: store, path, p50, p99, events.
pub fn latency_table(rows: &[(String, super::latency::Latency)]) -> String {
    let mut out = String::from(
        "| subscriber | p50 | p99 | timed events | delivered before their append returned | load reached |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for (name, latency) in rows {
        let _ = writeln!(
            out,
            "| {name} | {:.1} ms | {:.1} ms | {} | {} | {} |",
            latency.p50.as_secs_f64() * 1e3,
            latency.p99.as_secs_f64() * 1e3,
            latency.delivered,
            latency.before_ack,
            rate(latency.load_per_s)
        );
    }
    out
}

/// A line plot of events per second over writers (log scale on both axes) for every provider
/// with concurrency rows, plus the raw limit where it was measured.
pub fn concurrency_svg(rows: &[Row]) -> String {
    let mut series = Series::default();
    for row in rows {
        let Some(writers) = row.writers else { continue };
        series.add(row.provider.clone(), (writers as f64, row.events_per_s));
        // pgbench's partner is the sqlx raw insert, the line the postgres rows draw already.
        if let Some(raw) = row.raw_per_s
            && row.provider != super::pgbench::PROVIDER
        {
            series.add(format!("{} raw SQL", row.provider), (writers as f64, raw));
        }
    }
    let max_writers = series.max_x().max(1.0);
    let mut ticks = Vec::new();
    let mut writers = 1usize;
    while writers as f64 <= max_writers {
        ticks.push((writers as f64, writers.to_string()));
        writers *= 2;
    }
    plot(
        "events/s by concurrent writers (log scales)",
        &series.0,
        &ticks,
    )
}

/// A line plot of events per second over the events already in the table (log scale on both
/// axes): one line per growth workload and provider, plus its raw limit.
pub fn growth_svg(rows: &[Row]) -> String {
    let mut series = Series::default();
    for row in rows {
        let Some(growth) = &row.growth else { continue };
        let x = growth.table_events as f64;
        series.add(
            format!("{}: {}", row.provider, growth.workload),
            (x, row.events_per_s),
        );
        if let Some(raw) = row.raw_per_s {
            series.add(format!("raw SQL: {}", growth.workload), (x, raw));
        }
    }
    let mut sizes: Vec<f64> = series
        .0
        .iter()
        .flat_map(|(_, p)| p.iter().map(|p| p.0))
        .collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let ticks: Vec<(f64, String)> = sizes.iter().map(|&n| (n, size(n))).collect();
    plot(
        "events/s by events already in the table (log scales)",
        &series.0,
        &ticks,
    )
}

/// A table size as a short tick label: `10 k`, `1 M`, `1.5 M`.
fn size(events: f64) -> String {
    if events >= 1e6 {
        format!("{} M", events / 1e6)
    } else if events >= 1e3 {
        format!("{} k", events / 1e3)
    } else {
        format!("{events}")
    }
}

/// Named lines of (x, events/s) points, in the order they were first seen.
#[derive(Default)]
struct Series(Vec<(String, Vec<(f64, f64)>)>);

impl Series {
    fn add(&mut self, name: String, point: (f64, f64)) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, points)) => points.push(point),
            None => self.0.push((name, vec![point])),
        }
    }

    fn max_x(&self) -> f64 {
        self.0
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| p.0))
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// The plot both figures share: log scales on both axes, x ticks where given, a legend on the
/// right.
fn plot(title: &str, series: &[(String, Vec<(f64, f64)>)], x_ticks: &[(f64, String)]) -> String {
    // The legend takes what its longest name needs (about 7 px a character), at least 170 px.
    let longest = series
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    let right = (longest as f64 * 7.0 + 20.0).max(170.0);
    let (w, h, left, bottom, top) = (470.0 + right, 400.0, 70.0, 40.0, 20.0);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut xlo, mut xhi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in series.iter().flat_map(|(_, p)| p.iter()) {
        lo = lo.min(y);
        hi = hi.max(y);
        xlo = xlo.min(x);
        xhi = xhi.max(x);
    }
    for (x, _) in x_ticks {
        xlo = xlo.min(*x);
        xhi = xhi.max(*x);
    }
    if !lo.is_finite() || lo <= 0.0 {
        lo = 1.0;
        hi = 10.0;
    }
    if !xlo.is_finite() || xlo <= 0.0 {
        xlo = 1.0;
        xhi = 2.0;
    }
    let (llo, lhi) = (
        lo.log10().floor(),
        hi.log10().ceil().max(lo.log10().floor() + 1.0),
    );
    // One point alone (a smoke run's single growth step) still needs a width to sit in.
    let (xllo, xlhi) = (xlo.log10(), xhi.log10().max(xlo.log10() + 2f64.log10()));
    let x = |v: f64| left + (v.log10() - xllo) / (xlhi - xllo) * (w - left - right);
    let y = |v: f64| top + (lhi - v.log10()) / (lhi - llo) * (h - top - bottom);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(out, "<text x=\"{left}\" y=\"14\">{title}</text>");
    let mut decade = llo;
    while decade <= lhi {
        let yy = y(10f64.powf(decade));
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{:.1}\">{}</text>",
            w - right,
            yy + 4.0,
            rate(10f64.powf(decade))
        );
        decade += 1.0;
    }
    for (value, label) in x_ticks {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{label}</text>",
            x(*value) - 4.0,
            h - bottom + 16.0
        );
    }
    let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
    for (index, (name, points)) in series.iter().enumerate() {
        let colour = colours[index % colours.len()];
        let path: Vec<String> = points
            .iter()
            .map(|&(px, v)| format!("{:.1},{:.1}", x(px), y(v)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            path.join(" ")
        );
        // A dot on every point: a line of one point (one growth step) is otherwise invisible.
        for &(px, v) in points {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>",
                x(px),
                y(v)
            );
        }
        let ly = top + 20.0 * index as f64 + 10.0;
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{ly:.1}\" fill=\"{colour}\">{name}</text>",
            w - right + 10.0
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_at_a_glance() {
        assert_eq!(rate(950.0), "950");
        assert_eq!(rate(2_013.0), "2.01 k");
        assert_eq!(rate(45_678.0), "45.7 k");
        assert_eq!(rate(1_234_567.0), "1.23 M");
    }

    #[test]
    fn an_unstable_row_says_so() {
        let row = Row::compared("w", "postgres", &[(500.0, 1000.0), (1000.0, 1000.0)]);
        assert!(row.unstable());
        assert!(markdown_table(&[row]).contains("unstable over 2 rounds"));
    }

    #[test]
    fn a_rows_note_joins_the_unstable_warning() {
        let row = Row::compared("w", "postgres", &[(500.0, 1000.0), (1000.0, 1000.0)])
            .with_note("0.50 retries per command");
        let table = markdown_table(&[row]);
        assert!(
            table.contains("do not read as one number; 0.50 retries per command |"),
            "{table}"
        );
    }

    #[test]
    fn the_growth_plot_has_a_line_per_workload_provider_and_raw_limit() {
        let rows: Vec<Row> = [10_000u64, 100_000, 1_000_000]
            .iter()
            .flat_map(|&n| {
                ["append", "read"].map(|w| {
                    Row::compared(w, "postgres", &[(1e5 / n as f64, 2e5 / n as f64)])
                        .with_growth(w, n)
                })
            })
            .collect();
        let svg = growth_svg(&rows);
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.contains(">raw SQL: read<"));
        assert!(svg.contains(">10 k<") && svg.contains(">1 M<"), "{svg}");
        assert!(concurrency_svg(&rows).matches("<polyline").count() == 0);
    }

    #[test]
    fn the_plot_has_a_line_per_provider_and_raw_limit() {
        let rows: Vec<Row> = [1usize, 4, 16]
            .iter()
            .map(|&n| {
                Row::compared(
                    "writers",
                    "postgres",
                    &[(n as f64 * 100.0, n as f64 * 90.0)],
                )
                .with_writers(n)
            })
            .collect();
        let svg = concurrency_svg(&rows);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(">postgres raw SQL<"));
    }
}
