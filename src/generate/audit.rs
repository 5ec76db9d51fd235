//! The directory audit events of the synthetic tenant: the per-user MFA and
//! security-defaults changes the timelines of `tenant.rs` say happened (these decide
//! sign-ins), and realistic noise the rules must ignore — failed changes, conditional
//! access policy edits, security-info registrations and deletions, app passwords, other
//! user updates and an "Update policy" with `IsEnabled` on a policy that is not security
//! defaults.

use super::rng::Rng;
use super::tenant::{DAY, DefaultsChange, MfaPlan, Micros, PerUser, Tenant, User};

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

/// What an audit event did: its activity, category, logging service and operation type.
#[derive(Debug, Clone, Copy)]
struct Activity {
    name: &'static str,
    category: &'static str,
    service: &'static str,
    operation: &'static str,
}

impl Activity {
    const fn new(name: &'static str, area: Area, operation: &'static str) -> Activity {
        Activity {
            name,
            category: area.0,
            service: area.1,
            operation,
        }
    }
}

/// (category, logging service) of a kind of activity.
type Area = (&'static str, &'static str);

const CORE_DIRECTORY: Area = ("UserManagement", "Core Directory");
const AUTH_METHODS: Area = ("UserManagement", "Authentication Methods");
const CONDITIONAL_ACCESS: Area = ("Policy", "Conditional Access");

const UPDATE_USER: Activity = Activity::new("Update user", CORE_DIRECTORY, "Update");
const DISABLE_STRONG_AUTH: Activity =
    Activity::new("Disable Strong Authentication", CORE_DIRECTORY, "Update");
const CREATE_APP_PASSWORD: Activity = Activity::new(
    "Create application password for user",
    CORE_DIRECTORY,
    "Add",
);
const REGISTERED_SECURITY_INFO: Activity =
    Activity::new("User registered security info", AUTH_METHODS, "Add");
const DELETED_SECURITY_INFO: Activity =
    Activity::new("User deleted security info", AUTH_METHODS, "Delete");
const UPDATE_SECURITY_DEFAULTS: Activity =
    Activity::new("Update security defaults", CONDITIONAL_ACCESS, "Update");
const UPDATE_POLICY: Activity = Activity::new("Update policy", CONDITIONAL_ACCESS, "Update");
const ADD_CA_POLICY: Activity =
    Activity::new("Add conditional access policy", CONDITIONAL_ACCESS, "Add");
const UPDATE_CA_POLICY: Activity = Activity::new(
    "Update conditional access policy",
    CONDITIONAL_ACCESS,
    "Update",
);

/// Every audit event of the tenant, sorted by time then id.
pub fn plan(tenant: &Tenant, seed: u64) -> Vec<AuditPlan> {
    let mut events = Events {
        rng: Rng::new(seed, 2),
        start: tenant.start,
        span: (tenant.end - tenant.start) as u64,
        out: Vec::new(),
    };
    for user in &tenant.users {
        events.user_events(user);
    }
    for change in &tenant.defaults {
        events.defaults_change(change);
    }
    events.defaults_noise(tenant);
    events.ca_policies();
    let mut out = events.out;
    out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    out
}

/// A user as the target of an event.
fn user_target(user: &User, props: Vec<Prop>) -> Target {
    Target {
        id: user.id.clone(),
        display_name: None,
        kind: "User",
        upn: Some(user.upn.clone()),
        props,
    }
}

/// A policy as the target of an event, with one modified property.
fn policy_target(id: String, display_name: String, prop: Prop) -> Target {
    Target {
        id,
        display_name: Some(display_name),
        kind: "Policy",
        upn: None,
        props: vec![prop],
    }
}

/// The audit events planned so far and the random stream they draw from; the order of
/// the draws is part of what a seed means.
struct Events {
    rng: Rng,
    start: Micros,
    span: u64,
    out: Vec<AuditPlan>,
}

impl Events {
    /// A successful event by the admin, with a fresh id.
    fn event(&mut self, at: Micros, activity: Activity) -> AuditPlan {
        AuditPlan {
            id: format!("Directory_{}", self.rng.guid().to_uppercase()),
            at,
            tick: self.rng.below(10) as u8,
            activity: activity.name,
            category: activity.category,
            service: activity.service,
            operation: activity.operation,
            success: true,
            initiator: (ADMIN_ID.to_string(), ADMIN_UPN.to_string()),
            targets: Vec::new(),
            details: Vec::new(),
        }
    }

    /// A time anywhere in the window.
    fn in_window(&mut self) -> Micros {
        self.start + self.rng.below(self.span) as i64
    }

    /// The user's per-user MFA change (if the plan has one) and the noise around it.
    fn user_events(&mut self, user: &User) {
        if let MfaPlan::Change {
            at,
            old,
            new,
            disable_activity,
        } = user.mfa
        {
            self.mfa_change(user, at, old, new, disable_activity);
        }
        // A failed per-user MFA change: the rules count only successful events.
        if self.rng.chance(0.1) {
            self.failed_mfa_change(user);
        }
        if self.rng.chance(0.25) {
            self.security_info(user);
        }
        if self.rng.chance(0.1) {
            self.job_title_change(user);
        }
    }

    /// The change the per-user MFA timeline says happened, and sometimes an app password
    /// created after an enforcement.
    fn mfa_change(
        &mut self,
        user: &User,
        at: Micros,
        old: Option<PerUser>,
        new: PerUser,
        disable_activity: bool,
    ) {
        let mut e = if disable_activity {
            let mut e = self.event(at, DISABLE_STRONG_AUTH);
            e.targets.push(user_target(user, Vec::new()));
            e
        } else {
            let mut e = self.event(at, UPDATE_USER);
            let old_text = old.map(|s| requirement_value(s, &mut self.rng));
            let new_text = requirement_value(new, &mut self.rng);
            e.targets.push(user_target(
                user,
                vec![
                    Prop {
                        name: "StrongAuthenticationRequirement",
                        old: old_text,
                        new: Some(new_text),
                    },
                    included("StrongAuthenticationRequirement"),
                ],
            ));
            e
        };
        let user_type = if user.guest { "Guest" } else { "Member" };
        e.details.push(("UserType", user_type.to_string()));
        self.out.push(e);
        if new == PerUser::Enforced && self.rng.chance(0.5) {
            let mut e = self.event(at + 3_600_000_000, CREATE_APP_PASSWORD);
            e.initiator = (user.id.clone(), user.upn.clone());
            e.targets.push(user_target(user, Vec::new()));
            self.out.push(e);
        }
    }

    fn failed_mfa_change(&mut self, user: &User) {
        let at = self.in_window();
        let mut e = self.event(at, UPDATE_USER);
        e.success = false;
        let new_text = requirement_value(PerUser::Enforced, &mut self.rng);
        e.targets.push(user_target(
            user,
            vec![Prop {
                name: "StrongAuthenticationRequirement",
                old: Some("[]".to_string()),
                new: Some(new_text),
            }],
        ));
        self.out.push(e);
    }

    /// A method registered or deleted by the user.
    fn security_info(&mut self, user: &User) {
        let deleted = self.rng.chance(0.3);
        let at = self.in_window();
        let activity = if deleted {
            DELETED_SECURITY_INFO
        } else {
            REGISTERED_SECURITY_INFO
        };
        let mut e = self.event(at, activity);
        e.initiator = (user.id.clone(), user.upn.clone());
        e.targets.push(user_target(user, Vec::new()));
        let method = *self.rng.pick(&[
            "Microsoft Authenticator",
            "Phone",
            "FIDO2 security key",
            "Email",
            "Passkey (Microsoft Authenticator)",
        ]);
        e.details.push(("Method", method.to_string()));
        self.out.push(e);
    }

    /// "Update user" of a property that is not per-user MFA.
    fn job_title_change(&mut self, user: &User) {
        let at = self.in_window();
        let mut e = self.event(at, UPDATE_USER);
        e.targets.push(user_target(
            user,
            vec![
                Prop {
                    name: "JobTitle",
                    old: Some("[\"Analyst\"]".to_string()),
                    new: Some("[\"Senior Analyst\"]".to_string()),
                },
                included("JobTitle"),
            ],
        ));
        self.out.push(e);
    }

    /// One change of the security-defaults timeline.
    fn defaults_change(&mut self, change: &DefaultsChange) {
        let (activity, display) = if change.as_update_policy {
            (UPDATE_POLICY, "Security Defaults")
        } else {
            (UPDATE_SECURITY_DEFAULTS, "Security Defaults Policy")
        };
        let mut e = self.event(change.at, activity);
        let name = if self.rng.chance(0.2) {
            "isEnabled"
        } else {
            "IsEnabled"
        };
        let prop = Prop {
            name,
            old: Some(enabled_value(change.old, &mut self.rng)),
            new: Some(enabled_value(change.new, &mut self.rng)),
        };
        e.targets.push(policy_target(
            DEFAULTS_POLICY_ID.to_string(),
            display.to_string(),
            prop,
        ));
        self.out.push(e);
    }

    /// Noise the security-defaults timeline must ignore: a failed toggle, and IsEnabled
    /// on another policy.
    fn defaults_noise(&mut self, tenant: &Tenant) {
        for (k, display) in [
            "Security Defaults Policy",
            "CA003: Require compliant device",
        ]
        .iter()
        .enumerate()
        {
            let at = self.in_window();
            let activity = if k == 0 {
                UPDATE_SECURITY_DEFAULTS
            } else {
                UPDATE_POLICY
            };
            let mut e = self.event(at, activity);
            e.success = k != 0;
            let on = tenant.defaults_on_at(at);
            let prop = Prop {
                name: "IsEnabled",
                old: Some(on.to_string()),
                new: Some((!on).to_string()),
            };
            e.targets.push(policy_target(
                format!("3f2e1d0c-0000-4000-8000-00000000ca0{}", k + 3),
                (*display).to_string(),
                prop,
            ));
            self.out.push(e);
        }
    }

    /// A conditional access policy added, then updated twice.
    fn ca_policies(&mut self) {
        for k in 0..3 {
            let at = self.in_window() - 2 * DAY;
            let activity = if k == 0 {
                ADD_CA_POLICY
            } else {
                UPDATE_CA_POLICY
            };
            let mut e = self.event(at, activity);
            let policy = |state: &str| {
                format!(
                    r#"{{"id":"3f2e1d0c-0000-4000-8000-00000000ca0{k}","displayName":"CA00{k}: Require MFA for all users","state":"{state}","conditions":{{"applications":{{"includeApplications":["All"]}},"users":{{"includeUsers":["All"]}},"clientAppTypes":["all"]}},"grantControls":{{"operator":"OR","builtInControls":["mfa"]}}}}"#
                )
            };
            let prop = Prop {
                name: "ConditionalAccessPolicy",
                old: (k > 0).then(|| policy("enabledForReportingButNotEnforced")),
                new: Some(policy("enabled")),
            };
            e.targets.push(policy_target(
                format!("3f2e1d0c-0000-4000-8000-00000000ca0{k}"),
                format!("CA00{k}: Require MFA for all users"),
                prop,
            ));
            self.out.push(e);
        }
    }
}

/// The "Included Updated Properties" element naming the changed property.
fn included(name: &str) -> Prop {
    Prop {
        name: "Included Updated Properties",
        old: None,
        new: Some(format!("\"{name}\"")),
    }
}
