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

/// The rows as a markdown table: workload, provider, events/s, raw events/s, ratio, spread.
pub fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| workload | provider | events/s | raw events/s | ratio | spread | note |\n|---|---|---:|---:|---:|---:|---|\n",
    );
    for row in rows {
        let raw = row.raw_per_s.map_or_else(|| "–".to_owned(), rate);
        let ratio = row
            .ratio
            .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"));
        let note = if row.unstable() {
            format!(
                "unstable over {} rounds: do not read as one number",
                row.rounds
            )
        } else {
            String::new()
        };
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
        "| subscriber | p50 | p99 | timed events | delivered before their append returned |\n|---|---:|---:|---:|---:|\n",
    );
    for (name, latency) in rows {
        let _ = writeln!(
            out,
            "| {name} | {:.1} ms | {:.1} ms | {} | {} |",
            latency.p50.as_secs_f64() * 1e3,
            latency.p99.as_secs_f64() * 1e3,
            latency.delivered,
            latency.before_ack
        );
    }
    out
}

/// A line plot of events per second over writers (log scale on both axes) for every provider
/// with concurrency rows, plus the raw limit where it was measured.
pub fn concurrency_svg(rows: &[Row]) -> String {
    let mut series: Vec<(String, Vec<(usize, f64)>)> = Vec::new();
    let mut add =
        |name: String, point: (usize, f64)| match series.iter_mut().find(|(n, _)| *n == name) {
            Some((_, points)) => points.push(point),
            None => series.push((name, vec![point])),
        };
    for row in rows {
        let Some(writers) = row.writers else { continue };
        add(row.provider.clone(), (writers, row.events_per_s));
        if let Some(raw) = row.raw_per_s {
            add(format!("{} raw SQL", row.provider), (writers, raw));
        }
    }
    let (w, h, left, bottom, top, right) = (640.0, 400.0, 70.0, 40.0, 20.0, 170.0);
    let points = series.iter().flat_map(|(_, p)| p.iter());
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut max_writers = 1usize;
    for &(writers, y) in points {
        lo = lo.min(y);
        hi = hi.max(y);
        max_writers = max_writers.max(writers);
    }
    if !lo.is_finite() || lo <= 0.0 {
        lo = 1.0;
        hi = 10.0;
    }
    let (llo, lhi) = (
        lo.log10().floor(),
        hi.log10().ceil().max(lo.log10().floor() + 1.0),
    );
    let wmax = (max_writers as f64).log2().max(1.0);
    let x = |writers: usize| left + (writers as f64).log2() / wmax * (w - left - right);
    let y = |v: f64| top + (lhi - v.log10()) / (lhi - llo) * (h - top - bottom);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        out,
        "<text x=\"{left}\" y=\"14\">events/s by concurrent writers (log scales)</text>"
    );
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
    let mut writers = 1;
    while writers <= max_writers {
        let xx = x(writers);
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{writers}</text>",
            xx - 4.0,
            h - bottom + 16.0
        );
        writers *= 2;
    }
    let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
    for (index, (name, points)) in series.iter().enumerate() {
        let colour = colours[index % colours.len()];
        let path: Vec<String> = points
            .iter()
            .map(|&(writers, v)| format!("{:.1},{:.1}", x(writers), y(v)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            path.join(" ")
        );
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
