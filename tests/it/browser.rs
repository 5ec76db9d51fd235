//! The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
//! `.ci/run`) loads `report.html` of the samples plus hostile account names from a
//! `file://` URL. Checked: no console message at all (errors, CSP violations, uncaught
//! exceptions are all console messages), no network request, the headline and every
//! section present, the hostile names inert, the sorting script allowed by the CSP, and
//! the accounts table's filter box shown by it and filtering the rows. A screenshot (`target/report-screenshot.png`) and a print (`target/report.pdf`) are
//! written for people to look at.
//!
//! How: the Chromium command line, not a DevTools client crate (none is needed, and the
//! crates add a large generated protocol to the build). `--enable-logging=stderr` prints
//! every console message as a `CONSOLE` line; `--log-net-log` records every request the
//! network stack starts: a request with an initiator (the page's origin; browser-internal
//! background requests have none) is a page request. A control test shows both checks
//! catch a page that logs an error and loads a remote image.
//!
//! Without `chromium` the tests are skipped with a loud message, unless `CI` is set:
//! then they fail.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::common::{run_ok, samples};

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The Chromium binary (`CHROMIUM` if it names a file, else `chromium` or
/// `chromium-browser` on PATH); `CHROMIUM` naming no file means none.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Chromium and a temporary folder for the test's pages and profiles; `None` (skip)
/// without Chromium, unless `CI` is set: then the test fails.
fn require_chromium(test: &str) -> Option<(PathBuf, TempDir)> {
    match chromium() {
        Some(p) => Some((p, TempDir::new().unwrap())),
        None if on_ci() => {
            panic!("{test}: chromium is not installed and CI is set (.ci/run installs it)")
        }
        None => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!! {test} SKIPPED: chromium not found (apt-get install -y chromium); \
                 under CI=true this fails !!!!!!!!\n"
            );
            None
        }
    }
}

/// What one page load showed.
struct Load {
    stdout: String,
    console: Vec<String>,
    requests: Vec<String>,
}

impl Load {
    /// Whether a console message contains `text`.
    fn logged(&self, text: &str) -> bool {
        self.console.iter().any(|c| c.contains(text))
    }
}

static RUNS: AtomicUsize = AtomicUsize::new(0);

/// Loads `page` in headless Chromium with `extra` flags (`--dump-dom`, `--screenshot=…`).
/// Loads `page` writing its output to `out` through `flag` (`--screenshot`,
/// `--print-to-pdf`): no console message, no request, and a file starting with `magic`.
fn render_to(
    chromium: &Path,
    page: &Path,
    work: &Path,
    extra: &[&str],
    flag: &str,
    out: &Path,
    magic: &[u8],
) {
    let _ = std::fs::remove_file(out);
    let arg = format!("{flag}={}", out.display());
    let args: Vec<&str> = extra.iter().copied().chain([arg.as_str()]).collect();
    let l = load(chromium, page, work, &args);
    assert!(
        l.console.is_empty() && l.requests.is_empty(),
        "{:?} {:?}",
        l.console,
        l.requests
    );
    assert!(
        std::fs::read(out).unwrap().starts_with(magic),
        "{} written",
        out.display()
    );
}

fn load(chromium: &Path, page: &Path, work: &Path, extra: &[&str]) -> Load {
    let n = RUNS.fetch_add(1, Ordering::SeqCst);
    let profile = work.join(format!("profile-{n}"));
    let netlog = work.join(format!("netlog-{n}.json"));
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--enable-logging=stderr",
            "--v=0",
            "--net-log-capture-mode=Everything",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish loading {url} in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out_t.join().unwrap();
    let stderr = err_t.join().unwrap();
    assert!(
        status.success(),
        "chromium failed on {url}: {status}\n{stderr}"
    );
    Load {
        stdout,
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_owned)
            .collect(),
        requests: page_requests(&netlog),
    }
}

/// The URLs of the requests the page started, from a Chromium NetLog.
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(netlog).expect("chromium wrote its net log");
    let log: serde_json::Value = serde_json::from_str(&text).expect("the net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("the net log names URL_REQUEST_START_JOB");
    let events = log["events"].as_array().expect("net log events");
    events
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter(|e| {
            let p = &e["params"];
            let initiator = p["initiator"].as_str().unwrap_or("");
            let from_file = [&p["network_isolation_key"], &p["site_for_cookies"]]
                .iter()
                .any(|v| v.as_str().unwrap_or("").contains("file://"));
            (!initiator.is_empty() && initiator != "not an origin") || from_file
        })
        .map(|e| e["params"]["url"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Whether any start tag in `dom` carries attribute `name` (text mentioning it does not).
fn has_attribute(dom: &str, name: &str) -> bool {
    dom.split('<').skip(1).any(|t| {
        let tag = t.split('>').next().unwrap_or("");
        tag.starts_with(|c: char| c.is_ascii_alphabetic())
            && tag
                .split(|c: char| c.is_whitespace())
                .skip(1)
                .any(|a| a.to_ascii_lowercase().starts_with(&format!("{name}=")))
    })
}

fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("CARGO_TARGET_DIR").map_or(root.join("target"), |d| root.join(d))
}

/// The samples plus a sign-in with hostile names, through `mfaproof run`.
fn hostile_report(dir: &Path) -> PathBuf {
    let hostile = dir.join("hostile.json");
    let line = serde_json::json!({
        "id": "hostile-1", "createdDateTime": "2026-11-02T20:00:00Z", "userId": "u-hostile",
        "userPrincipalName": "<script>alert(1)</script>", "userDisplayName": "\"onload=\"x",
        "userType": "member", "clientAppUsed": "Browser", "signInEventTypes": ["interactiveUser"],
        "status": {"errorCode": 0}, "authenticationRequirement": "singleFactorAuthentication",
        "authenticationDetails": []
    });
    std::fs::write(&hostile, format!("{line}\n")).unwrap();
    let (lake, out) = (dir.join("lake"), dir.join("report"));
    run_ok([
        "run",
        samples().to_str().unwrap(),
        hostile.to_str().unwrap(),
        "--lake",
        lake.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    out.join("report.html")
}

#[test]
fn the_report_loads_in_chromium_without_errors_or_requests() {
    let Some((chromium, dir)) = require_chromium("browser test") else {
        return;
    };
    let page = hostile_report(dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));

    let l = load(&chromium, &page, dir.path(), &["--dump-dom"]);
    assert!(
        l.console.is_empty(),
        "console messages:\n{}",
        l.console.join("\n")
    );
    assert!(l.requests.is_empty(), "network requests: {:?}", l.requests);
    let dom = l.stdout;
    for id in [
        "headline", "verdict", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "problems",
        "method", "glossary", "queries",
    ] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "#{id} missing");
    }
    assert!(dom.contains("Verdict:") && dom.contains("Not compliant"));
    // The holes: counted in the headline, linked to R6, listed in R6's own table.
    assert!(dom.contains(
        "1 hole(s) in the evidence (1 of them make R6 fail), each with what it prevents \
         proving: <a href=\"#r6\">listed under R6</a>."
    ));
    assert!(dom.contains("Holes in the evidence, and what each prevents proving"));
    assert!(
        dom.contains("<td class=\"word\">cut_last_line</td>") || dom.contains(">cut_last_line<")
    );
    for r in ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"] {
        assert!(dom.contains(&format!("<h2>{r} — ")), "{r} heading missing");
    }
    assert!(
        dom.matches("<svg class=\"plot\"").count() >= 6,
        "charts drawn"
    );
    // The hostile names are text: one script element (ours), no injected attribute.
    assert_eq!(dom.matches("<script").count(), 1);
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        dom.contains("\"onload=\"x"),
        "the quote name is shown as text"
    );
    assert!(!has_attribute(&dom, "onload"));
    // The sorting script ran (the CSP hash matches): it makes sortable headers focusable.
    assert!(dom.contains("tabindex=\"0\""), "sorting script did not run");
    // It shows the filter boxes, hidden without it.
    assert!(
        dom.contains("<p class=\"filter\"><label>Filter the rows of “Every other account"),
        "filter box not shown"
    );
    assert!(html.contains("<p class=\"filter\" hidden>"));

    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    let shot = target.join("report-screenshot.png");
    let size: &[&str] = &["--window-size=1280,2400", "--hide-scrollbars"];
    render_to(
        &chromium,
        &page,
        dir.path(),
        size,
        "--screenshot",
        &shot,
        b"\x89PNG",
    );
    let pdf = target.join("report.pdf");
    let no_header: &[&str] = &["--no-pdf-header-footer"];
    render_to(
        &chromium,
        &page,
        dir.path(),
        no_header,
        "--print-to-pdf",
        &pdf,
        b"%PDF",
    );
    eprintln!("screenshot: {}\nprint: {}", shot.display(), pdf.display());
}

/// The accounts table of the samples' report filters on the words typed: the report's own
/// page, its CSP taken out so a test script can type into the filter box and read the
/// rows left visible.
#[test]
fn the_accounts_table_filters_in_chromium() {
    let Some((chromium, dir)) = require_chromium("accounts filter test") else {
        return;
    };
    let page = hostile_report(dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = start + html[start..].find('>').unwrap() + 1;
    let typing = "var t = Array.from(document.querySelectorAll('table.filterable')).find(function (t) { \
          return t.caption.textContent.indexOf('Every other account') === 0; }); \
        var box = t.parentNode.previousElementSibling.querySelector('input'); \
        var visible = function () { return Array.from(t.tBodies[0].rows).filter(function (r) { return !r.hidden; }) \
          .map(function (r) { return r.cells[0].textContent; }).join(','); }; \
        var all = t.tBodies[0].rows.length; \
        box.value = 'BREAKGLASS no'; box.dispatchEvent(new Event('input')); \
        document.body.setAttribute('data-breakglass', visible()); \
        box.value = 'bob@contoso.example'; box.dispatchEvent(new Event('input')); \
        document.body.setAttribute('data-bob', visible()); \
        box.value = ''; box.dispatchEvent(new Event('input')); \
        document.body.setAttribute('data-cleared', String(all === t.tBodies[0].querySelectorAll('tr:not([hidden])').length));";
    let test_page = dir.path().join("filter.html");
    let html = format!("{}{}", &html[..start], &html[end..])
        .replace("</body>", &format!("<script>{typing}</script></body>"));
    std::fs::write(&test_page, html).unwrap();
    let l = load(&chromium, &test_page, dir.path(), &["--dump-dom"]);
    assert!(l.console.is_empty(), "{:?}", l.console);
    // Words match any cell, ignoring case, all of them: the break-glass account is the one
    // not covered; two accounts are named bob (two object ids).
    assert!(
        l.stdout
            .contains("data-breakglass=\"breakglass@contoso.example\""),
        "{}",
        l.stdout
    );
    assert!(
        l.stdout
            .contains("data-bob=\"bob@contoso.example,bob@contoso.example\""),
        "{}",
        l.stdout
    );
    assert!(l.stdout.contains("data-cleared=\"true\""), "{}", l.stdout);
}

#[test]
fn the_browser_checks_catch_console_errors_and_requests() {
    let Some((chromium, dir)) = require_chromium("browser control test") else {
        return;
    };
    // A page without a CSP that logs an error and loads a remote image: both are caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>bad</title></head><body>\
         <img src=\"http://127.0.0.1:9/remote.png\"><script>console.error(\"control-error\")</script></body></html>",
    )
    .unwrap();
    let l = load(&chromium, &bad, dir.path(), &["--dump-dom"]);
    assert!(l.logged("control-error"), "{:?}", l.console);
    assert!(
        l.requests
            .iter()
            .any(|u| u.contains("127.0.0.1:9/remote.png")),
        "{:?}",
        l.requests
    );
    // The report's CSP blocks an injected image (a console error, not a request) and an
    // injected inline script.
    let page = hostile_report(dir.path());
    let html = std::fs::read_to_string(&page).unwrap().replace(
        "<main>",
        "<main><img src=\"http://127.0.0.1:9/remote.png\"><script>console.log(\"ran\")</script>",
    );
    let injected = dir.path().join("injected.html");
    std::fs::write(&injected, html).unwrap();
    let l = load(&chromium, &injected, dir.path(), &["--dump-dom"]);
    assert!(l.requests.is_empty(), "{:?}", l.requests);
    assert!(l.logged("Content Security Policy"), "{:?}", l.console);
    assert!(!l.logged("\"ran\""), "{:?}", l.console);
}

#[test]
fn the_sorting_script_sorts_numbers_and_text() {
    let Some((chromium, dir)) = require_chromium("sorting script test") else {
        return;
    };
    let page = dir.path().join("sort.html");
    let table = "<table class=\"sortable\"><thead><tr><th>n</th><th>name</th></tr></thead><tbody>\
        <tr><td class=\"num\">10</td><td>b</td></tr><tr><td class=\"num\">9</td><td>c</td></tr>\
        <tr><td class=\"num\">100</td><td>a</td></tr></tbody></table>";
    let js = mfaproof::report::html::SORT_JS;
    let click = "var h = document.querySelectorAll('th'); h[0].click(); \
        document.body.setAttribute('data-by-n', Array.from(document.querySelectorAll('td.num')).map(function (c) { return c.textContent; }).join(',')); \
        h[1].click(); h[1].click(); \
        document.body.setAttribute('data-by-name-desc', Array.from(document.querySelectorAll('tbody tr td:nth-child(2)')).map(function (c) { return c.textContent; }).join(','));";
    std::fs::write(
        &page,
        format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>s</title></head><body>{table}<script>{js}</script><script>{click}</script></body></html>"),
    )
    .unwrap();
    let l = load(&chromium, &page, dir.path(), &["--dump-dom"]);
    assert!(l.console.is_empty(), "{:?}", l.console);
    assert!(l.stdout.contains("data-by-n=\"9,10,100\""), "{}", l.stdout);
    assert!(
        l.stdout.contains("data-by-name-desc=\"c,b,a\""),
        "{}",
        l.stdout
    );
}
