//! `mailtrace batch --format html --out DIR`: a directory a browser can open.
//!
//! - `DIR/index.html`: the totals as charts (inline SVG): how long delivery took, the slowest
//!   relays, DKIM/SPF/DMARC results by sending domain, findings by rule; and a link to
//! - `DIR/messages.html`: one row per message, in input order, each linking to
//! - `DIR/messages/NNNNNN.html`: the full report of that message (`render::html`), made by the
//!   worker that analysed it (see [`super::Config::page`]).
//!
//! Memory stays bounded: rows go to `messages.html` as they come, message pages are written and
//! dropped one by one, and the index only needs the run's totals and a small histogram.
//! Every page is rendered through minijinja with automatic escaping and carries a strict
//! Content-Security-Policy (no script at all; the one inline stylesheet allowed by its hash).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use minijinja::{Environment, context};
use serde::Serialize;

use super::Record;
use super::totals::Summary;
use super::write::Writer;
use crate::render::html::content_security_policy;
use crate::text::human_duration;

const CSS: &str = include_str!("../../templates/batch.css");

/// Delivery-time buckets of the index histogram: label and upper bound in seconds (exclusive).
const DELAY_BUCKETS: [(&str, i64); 6] = [
    ("under 10 s", 10),
    ("10 s to 1 min", 60),
    ("1 to 10 min", 600),
    ("10 min to 1 h", 3_600),
    ("1 to 6 h", 21_600),
    ("6 h or more", i64::MAX),
];

/// Writes the HTML directory of a batch run.
pub struct HtmlWriter {
    dir: PathBuf,
    list: BufWriter<File>,
    env: Environment<'static>,
    /// Messages by delivery-time bucket, then skewed, then unknown.
    histogram: [u64; DELAY_BUCKETS.len() + 2],
}

impl HtmlWriter {
    /// Create `dir` (and `dir/messages`) and start `messages.html`. Fails when `dir` exists and
    /// is not empty, so that a run never mixes its pages with another's.
    pub fn create(dir: &Path) -> io::Result<Self> {
        if dir.exists() && fs::read_dir(dir)?.next().is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not empty", dir.display()),
            ));
        }
        fs::create_dir_all(dir.join("messages"))?;
        let mut env = Environment::new();
        // message text is escaped and its control and invisible characters are shown as
        // `⟨U+202E⟩`, as on the message pages, so that none of them acts on the page
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(text) if !value.is_safe() => Ok(out.write_str(&crate::render::html::markup(
                text,
                crate::render::html::Marker::Plain,
                usize::MAX,
            ))?),
            _ => minijinja::escape_formatter(out, state, value),
        });
        for (name, text) in [
            (
                "index.html",
                include_str!("../../templates/batch_index.html"),
            ),
            (
                "list_head.html",
                include_str!("../../templates/batch_list_head.html"),
            ),
            (
                "list_row.html",
                include_str!("../../templates/batch_list_row.html"),
            ),
        ] {
            env.add_template(name, text).map_err(template_error)?;
        }
        let mut list = BufWriter::new(File::create(dir.join("messages.html"))?);
        let head = env
            .get_template("list_head.html")
            .and_then(|t| t.render(context! { csp => content_security_policy(CSS), css => CSS }))
            .map_err(template_error)?;
        list.write_all(head.as_bytes())?;
        Ok(HtmlWriter {
            dir: dir.to_path_buf(),
            list,
            env,
            histogram: [0; DELAY_BUCKETS.len() + 2],
        })
    }

    fn page_name(record: &Record) -> String {
        format!("messages/{:06}.html", record.index + 1)
    }
}

fn template_error(e: minijinja::Error) -> io::Error {
    io::Error::other(format!("html template: {e}"))
}

impl Writer for HtmlWriter {
    fn record(&mut self, record: &Record) -> io::Result<()> {
        let number = record.index + 1;
        let row = match (record.report(), &record.page) {
            (Some(report), page) => {
                let page_name = Self::page_name(record);
                if let Some(page) = page {
                    fs::write(self.dir.join(&page_name), page)?;
                }
                let total = report.time.total_seconds;
                let skewed = report
                    .hops
                    .iter()
                    .any(|h| h.delay_seconds.is_some_and(|d| d < 0));
                let slot = match total {
                    _ if skewed => DELAY_BUCKETS.len(),
                    None => DELAY_BUCKETS.len() + 1,
                    Some(s) => DELAY_BUCKETS
                        .iter()
                        .position(|&(_, below)| s < below)
                        .unwrap_or(DELAY_BUCKETS.len() - 1),
                };
                self.histogram[slot] += 1;
                let m = &report.message;
                context! {
                    number,
                    page => page.as_ref().map(|_| page_name),
                    from => m.from.clone().unwrap_or_default(),
                    subject => m.subject.clone().unwrap_or_default(),
                    date => m.date.clone().unwrap_or_default(),
                    hops => report.hops.len(),
                    total => total.map(human_duration).unwrap_or_default(),
                    spf => report.spf.as_ref().map(|s| s.result.as_str()).unwrap_or("none"),
                    dmarc => report.dmarc.as_ref().map(|d| d.result.as_str()).unwrap_or("none"),
                    dkim => if report.dkim.is_empty() {
                        "none".to_string()
                    } else {
                        report.dkim.iter().map(|d| d.result.as_str()).collect::<Vec<_>>().join(", ")
                    },
                    worst => report.worst().map(|s| s.as_str()).unwrap_or(""),
                    findings => report.findings.iter().map(|f| f.code).collect::<Vec<_>>().join(" "),
                }
            }
            (None, _) => context! {
                number,
                error => record.error().unwrap_or("could not be analysed"),
                source => format!("{} at byte {}", record.path.display(), record.offset),
            },
        };
        let html = self
            .env
            .get_template("list_row.html")
            .and_then(|t| t.render(row))
            .map_err(template_error)?;
        self.list.write_all(html.as_bytes())
    }

    fn finish(&mut self, summary: Option<&Summary>) -> io::Result<()> {
        self.list
            .write_all(b"</table>\n</main>\n</body>\n</html>\n")?;
        self.list.flush()?;
        let Some(summary) = summary else {
            return Err(io::Error::other("the html index needs the run's totals"));
        };
        let index = self
            .env
            .get_template("index.html")
            .and_then(|t| {
                t.render(context! {
                    csp => content_security_policy(CSS),
                    css => CSS,
                    title => self.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    generator => concat!("mailtrace ", env!("CARGO_PKG_VERSION")),
                    messages => summary.messages,
                    analysed => summary.analysed,
                    errored => summary.errored,
                    delay_chart => delay_chart(&self.histogram),
                    relays => relays(summary),
                    auth_chart => auth_chart(summary),
                    rule_chart => rule_chart(summary),
                })
            })
            .map_err(template_error)?;
        fs::write(self.dir.join("index.html"), index)
    }
}

/// Geometry of a horizontal bar chart.
#[derive(Serialize)]
struct BarChart {
    width: u32,
    height: u32,
    /// Where bars start (labels are left of it).
    left: u32,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    count: u64,
    y: u32,
    width: u32,
    class: &'static str,
}

const ROW: u32 = 22;
const BAR_SPACE: u32 = 420;

fn bar_chart(left: u32, rows: Vec<(String, u64, &'static str)>) -> BarChart {
    let most = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, count, class))| Bar {
            label,
            count,
            y: i as u32 * ROW,
            // a bar of at least 2 px for any non-zero count, so that one message shows
            width: if count == 0 {
                0
            } else {
                ((count as f64 / most as f64) * f64::from(BAR_SPACE))
                    .round()
                    .max(2.0) as u32
            },
            class,
        })
        .collect();
    BarChart {
        width: left + BAR_SPACE + 80,
        height: (bars.len() as u32 * ROW).max(ROW),
        left,
        bars,
    }
}

fn delay_chart(histogram: &[u64]) -> BarChart {
    let mut rows: Vec<(String, u64, &'static str)> = DELAY_BUCKETS
        .iter()
        .zip(histogram)
        .map(|(&(label, _), &n)| (label.to_string(), n, ""))
        .collect();
    rows.push((
        "clock skew".to_string(),
        histogram[DELAY_BUCKETS.len()],
        "skew",
    ));
    rows.push((
        "unknown".to_string(),
        histogram[DELAY_BUCKETS.len() + 1],
        "unknown",
    ));
    bar_chart(130, rows)
}

fn rule_chart(summary: &Summary) -> BarChart {
    let rows = summary
        .findings_by_rule
        .iter()
        .take(25)
        .map(|r| (format!("{} {}", r.code, r.name), r.count, ""))
        .collect();
    bar_chart(300, rows)
}

#[derive(Serialize)]
struct Relay {
    name: String,
    messages: usize,
    p50: String,
    p90: String,
    p99: String,
    max: String,
    slowest: i64,
}

/// The ten relays with the slowest 90th percentile.
fn relays(summary: &Summary) -> Vec<Relay> {
    let mut all: Vec<Relay> = summary
        .delay_by_relay
        .iter()
        .map(|(name, p)| Relay {
            name: name.clone(),
            messages: p.messages,
            p50: human_duration(p.p50),
            p90: human_duration(p.p90),
            p99: human_duration(p.p99),
            max: human_duration(p.max),
            slowest: p.p90,
        })
        .collect();
    all.sort_by(|a, b| b.slowest.cmp(&a.slowest).then_with(|| a.name.cmp(&b.name)));
    all.truncate(10);
    all
}

#[derive(Serialize)]
struct AuthChart {
    width: u32,
    height: u32,
    left: u32,
    column: u32,
    rows: Vec<AuthRow>,
}

#[derive(Serialize)]
struct AuthRow {
    domain: String,
    y: u32,
    segments: Vec<Segment>,
}

#[derive(Serialize)]
struct Segment {
    what: &'static str,
    result: String,
    count: u64,
    x: f64,
    width: f64,
    class: &'static str,
}

/// For the busiest 20 sending domains, one stacked bar each for DKIM, SPF and DMARC.
fn auth_chart(summary: &Summary) -> AuthChart {
    const LEFT: u32 = 220;
    const COLUMN: u32 = 170;
    const BAR: f64 = 150.0;
    let mut domains: Vec<_> = summary.auth_by_domain.iter().collect();
    domains.sort_by_key(|(name, counts)| {
        (
            std::cmp::Reverse(counts.dmarc.values().sum::<u64>()),
            (*name).clone(),
        )
    });
    let rows: Vec<AuthRow> = domains
        .into_iter()
        .take(20)
        .enumerate()
        .map(|(i, (domain, counts))| {
            let mut segments = Vec::new();
            for (column, (what, results)) in [
                ("DKIM", &counts.dkim),
                ("SPF", &counts.spf),
                ("DMARC", &counts.dmarc),
            ]
            .into_iter()
            .enumerate()
            {
                let total = results.values().sum::<u64>().max(1) as f64;
                let mut x = f64::from(LEFT + column as u32 * COLUMN);
                for (result, &count) in results {
                    let width = count as f64 / total * BAR;
                    segments.push(Segment {
                        what,
                        result: result.clone(),
                        count,
                        x,
                        width,
                        class: match result.as_str() {
                            "pass" => "pass",
                            "fail" => "fail",
                            "none" => "none",
                            _ => "other",
                        },
                    });
                    x += width;
                }
            }
            AuthRow {
                domain: domain.clone(),
                y: 20 + i as u32 * ROW,
                segments,
            }
        })
        .collect();
    AuthChart {
        width: LEFT + 3 * COLUMN,
        height: 20 + (rows.len() as u32 * ROW).max(ROW),
        left: LEFT,
        column: COLUMN,
        rows,
    }
}
