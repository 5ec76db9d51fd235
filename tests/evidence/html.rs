//! `report.html`: its structure on `data-samples/` (an insta snapshot of an outline:
//! sections, headings, facts, captions, row and shape counts) and hostile account names
//! rendered as text, never as markup.

use std::path::PathBuf;

use super::*;

/// The text of `html` with tags removed and white space collapsed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let key = format!("{name}=\"");
    tag.find(&key)
        .map(|i| &tag[i + key.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

/// An outline of the page: one line per section, heading, fact, chart, table and folded
/// block, with the number of rows and shapes, so the snapshot shows structure, not CSS.
pub fn outline(html: &str) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = html[i..].find('<') {
        let s = i + start;
        let Some(len) = html[s..].find('>') else {
            break;
        };
        let tag = &html[s + 1..s + len];
        i = s + len + 1;
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let inner = |close: &str| html[i..].find(close).map_or("", |e| &html[i..i + e]);
        match name {
            "section" | "header" | "nav" => out.push(format!("{name}#{}", attr(tag, "id"))),
            "h1" | "h2" | "h3" | "dt" | "dd" | "caption" | "figcaption" | "summary" => out.push(
                format!("  {name}: {}", text_of(inner(&format!("</{name}>")))),
            ),
            "thead" => out.push(format!(
                "    columns: {}",
                text_of(&inner("</thead>").replace("</th>", " |"))
            )),
            "tbody" => out.push(format!(
                "    rows: {}",
                inner("</tbody>").matches("<tr>").count()
            )),
            "svg" if attr(tag, "class") == "plot" => {
                let body = inner("</svg>");
                out.push(format!(
                    "    svg: {} rects, {} labels",
                    body.matches("<rect").count(),
                    body.matches("<text").count()
                ));
            }
            "ul" if attr(tag, "class") == "legend" => out.push(format!(
                "    legend: {}",
                text_of(&inner("</ul>").replace("</li>", " |"))
            )),
            "script" => out.push(format!("script ({} bytes)", inner("</script>").len())),
            _ => {}
        }
    }
    out.join("\n")
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples")
}

#[test]
fn html_report_structure_on_the_samples() {
    let lake = tempfile::tempdir().unwrap();
    let opts = mfaproof::ingest::IngestOptions::default();
    mfaproof::ingest::ingest(
        lake.path(),
        &[mfaproof::storage::Location::local(samples())],
        &opts,
        &mut mfaproof::ingest::Quiet,
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(report::evaluate(
        lake.path(),
        out.path(),
        &report::Options::default(),
    ))
    .unwrap();
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.len() < 512 * 1024, "{} bytes", html.len());
    super::report_tests::volatile(&lake).bind(|| {
        insta::assert_snapshot!("report_html_outline", outline(&html));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_are_text_never_markup() {
    let mut script = S::new("h1", at(9, 0), "h1")
        .requirement("singleFactorAuthentication")
        .0;
    script.user_principal_name = Some("<script>alert(1)</script>".into());
    script.user_display_name = Some("<img src=x onerror=alert(2)>".into());
    let mut quote = S::new("h2", at(9, 5), "h2")
        .requirement("singleFactorAuthentication")
        .0;
    quote.user_principal_name = Some("\"onload=\"x".into());
    quote.user_display_name = Some("\"onload=\"x".into());
    let records = testlake::Records {
        sign_ins: vec![script, quote],
        ..testlake::Records::default()
    };
    let lake = tempfile::tempdir().unwrap();
    testlake::write(lake.path(), &records, "0").unwrap();
    let out = tempfile::tempdir().unwrap();
    report::evaluate(lake.path(), out.path(), &report::Options::default())
        .await
        .unwrap();
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    // The names are listed (accounts, bars, violations) ...
    assert!(
        html.matches("&#60;script&#62;alert(1)&#60;/script&#62;")
            .count()
            >= 3
    );
    assert!(html.matches("&#34;onload=&#34;x").count() >= 3);
    assert!(html.contains("&#60;img src=x onerror=alert(2)&#62;"));
    // ... and never as markup: one script element (the sorting script), no raw quote.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("<img"));
    assert!(!html.contains("\"onload=\"x"));
    assert!(!html.contains("alert(1)</script>"));
    let outline = outline(&html);
    assert!(outline.contains("script ("), "{outline}");
}
