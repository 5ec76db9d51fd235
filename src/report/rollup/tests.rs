//! The roll-up's order, its folders and its Markdown and HTML renderings.

use super::*;

fn tenant(id: &str, verdict: Verdict, failing: usize, problems: u64) -> TenantSummary {
    let requirements = (0..3)
        .map(|i| RequirementSummary {
            decides: true,
            evidenced: true,
            holds: i >= failing,
            id: ["R1", "R2", "R3"][i],
            title: "t",
        })
        .collect();
    TenantSummary {
        holes: 0,
        problems,
        report: format!("{id}/report.json"),
        requirements,
        sign_ins: 10,
        tenant_id: id.to_owned(),
        verdict,
        window: None,
    }
}

#[test]
fn tenants_are_listed_worst_first() {
    let mut t = vec![
        tenant("a", Verdict::Compliant, 0, 0),
        tenant("b", Verdict::NotCompliant, 1, 50),
        tenant("c", Verdict::CompliantOnAvailableEvidence, 0, 0),
        tenant("d", Verdict::NotCompliant, 2, 1),
        tenant("e", Verdict::NotCompliant, 1, 70),
        tenant("f", Verdict::NotCompliant, 1, 70),
    ];
    worst_first(&mut t);
    let order: Vec<&str> = t.iter().map(|t| t.tenant_id.as_str()).collect();
    assert_eq!(order, ["d", "e", "f", "b", "c", "a"]);
}

#[test]
fn a_tenant_id_names_a_folder_only_inside_the_output() {
    let out = Path::new("r");
    assert_eq!(folder(out, "abc-1").unwrap(), out.join("abc-1"));
    for bad in ["", ".", "..", "a/b", "..\\x", "c:"] {
        assert!(folder(out, bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_markdown_lists_each_tenant_with_its_requirements() {
    let rollup = Rollup {
        generated_at: "2026-01-01T00:00:00.000000Z".into(),
        lake: "lake".into(),
        options: Options::default().recorded(),
        rollup_version: ROLLUP_VERSION,
        tenants: vec![
            tenant("b|x", Verdict::NotCompliant, 1, 1234),
            tenant("a", Verdict::Compliant, 0, 0),
        ],
        tool: Tool::this(),
        verdict: Verdict::NotCompliant,
    };
    let md = render::markdown(&rollup);
    assert!(md.contains("Worst verdict: **not compliant**, over 2 tenants"));
    assert!(md.contains(
        "| tenant | verdict | sign-ins | violating or unproven | holes | R1 | R2 | R3 | report |"
    ));
    assert!(md.contains(
        "| b\\|x | not compliant | 10 | 1,234 | 0 | FAILS | holds | holds | [report.md](b\\|x/report.md) |"
    ));
    assert!(md.contains(
        "| a | compliant | 10 | 0 | 0 | holds | holds | holds | [report.md](a/report.md) |"
    ));
    let html = render::html(&rollup).unwrap();
    assert!(html.contains("<a href=\"a/report.html\">a</a>"));
    assert!(html.contains("<code>b|x</code>"));
}
