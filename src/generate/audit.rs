//! The directory audit events of the synthetic tenant: the per-user MFA and
//! security-defaults changes the timelines of `tenant.rs` say happened (these decide
//! sign-ins), and realistic noise the rules must ignore — failed changes, conditional
//! access policy edits, security-info registrations and deletions, app passwords, other
//! user updates and an "Update policy" with `IsEnabled` on a policy that is not security
//! defaults.

use super::rng::Rng;
use super::tenant::{DAY, MfaPlan, Micros, PerUser, Tenant};

/// One `modifiedProperties` element (values are the raw JSON text Entra writes).
#[derive(Debug, Clone)]
pub struct Prop {
    pub name: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One `targetResources` element.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub display_name: Option<String>,
    pub kind: &'static str,
    pub upn: Option<String>,
    pub props: Vec<Prop>,
}

/// One planned audit event.
#[derive(Debug, Clone)]
pub struct AuditPlan {
    pub id: String,
    pub at: Micros,
    /// The 7th fractional digit (100 ns), dropped at ingest.
    pub tick: u8,
    pub activity: &'static str,
    pub category: &'static str,
    pub service: &'static str,
    pub operation: &'static str,
    pub success: bool,
    /// Initiating user: (id, UPN).
    pub initiator: (String, String),
    pub targets: Vec<Target>,
    pub details: Vec<(&'static str, String)>,
}

const ADMIN_ID: &str = "1a2b3c4d-0000-4000-8000-0000000000ad";
const ADMIN_UPN: &str = "admin@contoso.example";
const DEFAULTS_POLICY_ID: &str = "00000000-0000-0000-0000-000000000005";

/// The `StrongAuthenticationRequirement` value text of a state; several entries take the
/// highest State, an object is an unrecognised shape (unknown).
fn requirement_value(state: PerUser, rng: &mut Rng) -> String {
    let entry = |s: u8| {
        format!(
            r#"{{"RelyingParty":"*","State":{s},"RememberDevicesNotIssuedBefore":"2026-10-01T09:00:00.1234567Z"}}"#
        )
    };
    match state {
        PerUser::Disabled => "[]".to_string(),
        PerUser::Enabled => format!("[{}]", entry(0)),
        PerUser::Enforced if rng.chance(0.3) => format!("[{},{}]", entry(0), entry(1)),
        PerUser::Enforced => format!("[{}]", entry(1)),
        PerUser::Unknown => r#"{"RelyingParty":"*","State":1}"#.to_string(),
    }
}

/// `IsEnabled` in one of the shapes §4 accepts.
fn enabled_value(on: bool, rng: &mut Rng) -> String {
    let word = if on { "true" } else { "false" };
    match rng.below(4) {
        0 => word.to_string(),
        1 => format!("\"{word}\""),
        2 => format!("[{word}]"),
        _ => format!("[\"{word}\"]"),
    }
}

/// Every audit event of the tenant, sorted by time then id.
pub fn plan(tenant: &Tenant, seed: u64) -> Vec<AuditPlan> {
    let mut rng = Rng::new(seed, 2);
    let mut out = Vec::new();
    let span = (tenant.end - tenant.start) as u64;
    let event = |rng: &mut Rng, at: Micros, activity, category, service, operation| AuditPlan {
        id: format!("Directory_{}", rng.guid().to_uppercase()),
        at,
        tick: rng.below(10) as u8,
        activity,
        category,
        service,
        operation,
        success: true,
        initiator: (ADMIN_ID.to_string(), ADMIN_UPN.to_string()),
        targets: Vec::new(),
        details: Vec::new(),
    };
    for user in &tenant.users {
        let target = |props| Target {
            id: user.id.clone(),
            display_name: None,
            kind: "User",
            upn: Some(user.upn.clone()),
            props,
        };
        let user_type = if user.guest { "Guest" } else { "Member" };
        if let MfaPlan::Change {
            at,
            old,
            new,
            disable_activity,
        } = user.mfa
        {
            let mut e = if disable_activity {
                let mut e = event(
                    &mut rng,
                    at,
                    "Disable Strong Authentication",
                    "UserManagement",
                    "Core Directory",
                    "Update",
                );
                e.targets.push(target(Vec::new()));
                e
            } else {
                let mut e = event(
                    &mut rng,
                    at,
                    "Update user",
                    "UserManagement",
                    "Core Directory",
                    "Update",
                );
                let old_text = old.map(|s| requirement_value(s, &mut rng));
                let new_text = requirement_value(new, &mut rng);
                e.targets.push(target(vec![
                    Prop {
                        name: "StrongAuthenticationRequirement",
                        old: old_text,
                        new: Some(new_text),
                    },
                    Prop {
                        name: "Included Updated Properties",
                        old: None,
                        new: Some("\"StrongAuthenticationRequirement\"".to_string()),
                    },
                ]));
                e
            };
            e.details.push(("UserType", user_type.to_string()));
            out.push(e);
            if new == PerUser::Enforced && rng.chance(0.5) {
                let mut e = event(
                    &mut rng,
                    at + 3_600_000_000,
                    "Create application password for user",
                    "UserManagement",
                    "Core Directory",
                    "Add",
                );
                e.initiator = (user.id.clone(), user.upn.clone());
                e.targets.push(target(Vec::new()));
                out.push(e);
            }
        }
        // A failed per-user MFA change: the rules count only successful events.
        if rng.chance(0.1) {
            let at = tenant.start + rng.below(span) as i64;
            let mut e = event(
                &mut rng,
                at,
                "Update user",
                "UserManagement",
                "Core Directory",
                "Update",
            );
            e.success = false;
            let new_text = requirement_value(PerUser::Enforced, &mut rng);
            e.targets.push(target(vec![Prop {
                name: "StrongAuthenticationRequirement",
                old: Some("[]".to_string()),
                new: Some(new_text),
            }]));
            out.push(e);
        }
        if rng.chance(0.25) {
            let deleted = rng.chance(0.3);
            let at = tenant.start + rng.below(span) as i64;
            let activity = if deleted {
                "User deleted security info"
            } else {
                "User registered security info"
            };
            let mut e = event(
                &mut rng,
                at,
                activity,
                "UserManagement",
                "Authentication Methods",
                if deleted { "Delete" } else { "Add" },
            );
            e.initiator = (user.id.clone(), user.upn.clone());
            e.targets.push(target(Vec::new()));
            let method = *rng.pick(&[
                "Microsoft Authenticator",
                "Phone",
                "FIDO2 security key",
                "Email",
                "Passkey (Microsoft Authenticator)",
            ]);
            e.details.push(("Method", method.to_string()));
            out.push(e);
        }
        if rng.chance(0.1) {
            let at = tenant.start + rng.below(span) as i64;
            let mut e = event(
                &mut rng,
                at,
                "Update user",
                "UserManagement",
                "Core Directory",
                "Update",
            );
            e.targets.push(target(vec![
                Prop {
                    name: "JobTitle",
                    old: Some("[\"Analyst\"]".to_string()),
                    new: Some("[\"Senior Analyst\"]".to_string()),
                },
                Prop {
                    name: "Included Updated Properties",
                    old: None,
                    new: Some("\"JobTitle\"".to_string()),
                },
            ]));
            out.push(e);
        }
    }
    for change in &tenant.defaults {
        let (activity, display) = if change.as_update_policy {
            ("Update policy", "Security Defaults")
        } else {
            ("Update security defaults", "Security Defaults Policy")
        };
        let mut e = event(
            &mut rng,
            change.at,
            activity,
            "Policy",
            "Conditional Access",
            "Update",
        );
        let name = if rng.chance(0.2) {
            "isEnabled"
        } else {
            "IsEnabled"
        };
        e.targets.push(Target {
            id: DEFAULTS_POLICY_ID.to_string(),
            display_name: Some(display.to_string()),
            kind: "Policy",
            upn: None,
            props: vec![Prop {
                name,
                old: Some(enabled_value(change.old, &mut rng)),
                new: Some(enabled_value(change.new, &mut rng)),
            }],
        });
        out.push(e);
    }
    // Noise the security-defaults timeline must ignore: a failed toggle, and IsEnabled on
    // another policy.
    for (k, display) in [
        "Security Defaults Policy",
        "CA003: Require compliant device",
    ]
    .iter()
    .enumerate()
    {
        let at = tenant.start + rng.below(span) as i64;
        let activity = if k == 0 {
            "Update security defaults"
        } else {
            "Update policy"
        };
        let mut e = event(
            &mut rng,
            at,
            activity,
            "Policy",
            "Conditional Access",
            "Update",
        );
        e.success = k != 0;
        let on = tenant.defaults_on_at(at);
        e.targets.push(Target {
            id: format!("3f2e1d0c-0000-4000-8000-00000000ca0{}", k + 3),
            display_name: Some((*display).to_string()),
            kind: "Policy",
            upn: None,
            props: vec![Prop {
                name: "IsEnabled",
                old: Some(on.to_string()),
                new: Some((!on).to_string()),
            }],
        });
        out.push(e);
    }
    for k in 0..3 {
        let at = tenant.start - 2 * DAY + rng.below(span) as i64;
        let (activity, operation) = if k == 0 {
            ("Add conditional access policy", "Add")
        } else {
            ("Update conditional access policy", "Update")
        };
        let mut e = event(
            &mut rng,
            at,
            activity,
            "Policy",
            "Conditional Access",
            operation,
        );
        let policy = |state: &str| {
            format!(
                r#"{{"id":"3f2e1d0c-0000-4000-8000-00000000ca0{k}","displayName":"CA00{k}: Require MFA for all users","state":"{state}","conditions":{{"applications":{{"includeApplications":["All"]}},"users":{{"includeUsers":["All"]}},"clientAppTypes":["all"]}},"grantControls":{{"operator":"OR","builtInControls":["mfa"]}}}}"#
            )
        };
        e.targets.push(Target {
            id: format!("3f2e1d0c-0000-4000-8000-00000000ca0{k}"),
            display_name: Some(format!("CA00{k}: Require MFA for all users")),
            kind: "Policy",
            upn: None,
            props: vec![Prop {
                name: "ConditionalAccessPolicy",
                old: (k > 0).then(|| policy("enabledForReportingButNotEnforced")),
                new: Some(policy("enabled")),
            }],
        });
        out.push(e);
    }
    out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    out
}
