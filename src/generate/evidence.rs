//! The evidence of each class: the authentication steps, status details, requirement and
//! client app that make a sign-in classify as planned under evidence rules §3, with the
//! variants real logs show (details only in `status`, steps with `succeeded` null or
//! false, unknown methods, claims by method or by detail) and vocabulary in mixed case
//! with surrounding Unicode white space.

use super::class::Class;
use super::rng::Rng;
use super::signin::{SignInRec, Step};
use super::tenant::Micros;

/// How a legacy-client sign-in gets its class (rules 6–8); the planner picks the user
/// whose per-user MFA state fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    /// app-password detail + per-user requirement policy + requirement MFA (any state).
    RecordEvidence,
    /// legacy client, requirement multiFactorAuthentication (any state).
    RequirementOnly,
    /// an unknown legacy client word with a per-user requirement policy (any state).
    PerUserPolicy,
    /// legacy client, single factor, per-user MFA enforced at the time.
    StateEnforced,
    /// as `StateEnforced`, known only from a later audit change's old value.
    OldValueEnforced,
    /// modern client with the app-password detail, per-user MFA enforced.
    ModernAppPassword,
    /// legacy client, single factor, per-user MFA disabled or enabled (rule 7).
    StateOff,
    /// legacy client, single factor, per-user MFA unknown (rule 8).
    StateUnknown,
}

const LEGACY: [&str; 10] = [
    "IMAP4",
    "POP3",
    "Authenticated SMTP",
    "Exchange ActiveSync",
    "AutoDiscover",
    "Exchange Web Services",
    "MAPI Over HTTP",
    "Outlook Anywhere (RPC over HTTP)",
    "Other clients",
    "Exchange Online PowerShell",
];
const UNICODE_SPACES: [&str; 5] = [" ", "\u{a0}", "\u{2003}", "\u{3000}", "\u{2009}"];

/// Vocabulary as written: usually verbatim; sometimes re-cased and wrapped in Unicode
/// white space (the rules trim and compare case-insensitively).
pub fn word(rng: &mut Rng, s: &str) -> String {
    if !rng.chance(0.04) {
        return s.to_string();
    }
    let cased = match rng.below(3) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        _ => s
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect(),
    };
    let pad = |rng: &mut Rng| (*rng.pick(&UNICODE_SPACES)).repeat(rng.below(3) as usize);
    format!("{}{cased}{}", pad(rng), pad(rng))
}

fn step(
    rng: &mut Rng,
    at: Micros,
    method: Option<&str>,
    succeeded: Option<bool>,
    detail: Option<&str>,
    requirement: &str,
) -> Step {
    Step {
        at,
        method: method.map(|m| word(rng, m)),
        method_detail: match method {
            Some("Password") => Some("Password in the cloud"),
            Some("Mobile app notification") => Some("Microsoft Authenticator"),
            _ => None,
        },
        succeeded,
        detail: detail.map(|d| word(rng, d)),
        requirement: word(rng, requirement),
    }
}

const PRIMARY: &str = "Primary authentication";
const MFA_STEP: &str = "Multifactor authentication";

fn password(rng: &mut Rng, at: Micros) -> Step {
    step(
        rng,
        at - 15_000_000,
        Some("Password"),
        Some(true),
        Some("Correct password"),
        PRIMARY,
    )
}

/// Single sign-on on the first factor: not MFA evidence (§3 CLAIM).
fn sso(rng: &mut Rng, at: Micros) -> Step {
    step(
        rng,
        at,
        Some("Previously satisfied"),
        Some(true),
        Some("First factor requirement satisfied by claim in the token"),
        PRIMARY,
    )
}

/// A sign-in with no recognised evidence: a password, single sign-on, or no steps at all.
fn plain_steps(rng: &mut Rng, at: Micros) -> Vec<Step> {
    match rng.below(3) {
        0 => vec![password(rng, at)],
        1 => vec![sso(rng, at)],
        _ => Vec::new(),
    }
}

fn requirement(rng: &mut Rng, mfa: bool) -> String {
    let name = if mfa {
        "multiFactorAuthentication"
    } else {
        "singleFactorAuthentication"
    };
    word(rng, name)
}

/// A password, then an MFA step at the sign-in's time.
fn password_then(
    rng: &mut Rng,
    at: Micros,
    method: Option<&str>,
    succeeded: Option<bool>,
    detail: Option<&str>,
) -> Vec<Step> {
    vec![
        password(rng, at),
        step(rng, at, method, succeeded, detail, MFA_STEP),
    ]
}

/// An MFA step of `method` with the "MFA successfully completed" detail.
fn mfa_done(rng: &mut Rng, at: Micros, method: &str, succeeded: Option<bool>) -> Step {
    step(
        rng,
        at,
        Some(method),
        succeeded,
        Some("MFA successfully completed"),
        MFA_STEP,
    )
}

/// Fills the evidence fields of `rec` so that it classifies as `class`; legacy classes
/// follow the planner's `legacy` choice.
pub fn fill(rec: &mut SignInRec, class: Class, legacy: Option<Legacy>, rng: &mut Rng) {
    conditional_access_mfa(rec, class, rng);
    match class {
        Class::Workload => workload(rec, rng),
        Class::MfaInterrupted => mfa_interrupted(rec, rng),
        Class::Failed => failed(rec, rng),
        Class::StrongAuth => strong_auth(rec, rng),
        Class::MfaCompleted => mfa_completed(rec, rng),
        Class::AppPassword | Class::LegacySingleFactor | Class::LegacyUnverified => {
            fill_legacy(rec, legacy.expect("legacy sign-ins have a plan"), rng);
        }
        Class::MfaSkippedLocation => mfa_skipped_location(rec, rng),
        Class::RememberedDevice => remembered_device(rec, rng),
        Class::MfaSkippedOther => mfa_skipped_other(rec, rng),
        Class::ExternalMfa => external_mfa(rec, rng),
        Class::MfaClaim => mfa_claim(rec, rng),
        Class::MfaRequiredSuccess => mfa_required_success(rec, rng),
        Class::SessionMfa | Class::SecurityDefaults | Class::SingleFactor | Class::NoEvidence => {
            no_mfa_evidence(rec, class, rng);
        }
    }
}

/// The starting point every class changes: a successful sign-in from a modern client
/// (3% with no client app) under a conditional access policy that required MFA.
fn conditional_access_mfa(rec: &mut SignInRec, class: Class, rng: &mut Rng) {
    rec.error_code = Some(0);
    let client = if rec.is_interactive() && rng.chance(0.7) {
        "Browser"
    } else {
        "Mobile Apps and Desktop clients"
    };
    rec.client_app = Some(word(rng, client));
    if rng.chance(0.03) && class != Class::Workload {
        rec.client_app = None; // empty client app: not legacy
    }
    rec.ca_status = "success";
    rec.ca_mfa = true;
    rec.requirement = Some(requirement(rng, true));
    rec.policies = vec![("multiConditionalAccess".to_string(), "Conditional Access")];
}

/// A service principal or managed identity; some fail on their secret.
fn workload(rec: &mut SignInRec, rng: &mut Rng) {
    rec.client_app = None;
    rec.requirement = None;
    rec.policies.clear();
    rec.ca_status = "notApplied";
    rec.ca_mfa = false;
    if rng.chance(0.08) {
        rec.error_code = Some(7_000_215);
        rec.failure_reason = "Invalid client secret provided.";
    }
}

/// An interrupt code, sometimes after a failed MFA step.
fn mfa_interrupted(rec: &mut SignInRec, rng: &mut Rng) {
    let at = rec.at;
    let code = *rng.pick(&[50_074, 50_076, 50_079, 500_121, 50_158, 50_072, 50_078]);
    rec.error_code = Some(code);
    rec.failure_reason = "Strong Authentication is required.";
    rec.additional_details = Some("The user is required to satisfy MFA requirement.".into());
    rec.ca_status = "failure";
    rec.steps = vec![password(rng, at)];
    if rng.chance(0.5) {
        let s = step(
            rng,
            at,
            Some("Mobile app notification"),
            Some(false),
            Some("MFA required in Azure AD"),
            MFA_STEP,
        );
        rec.steps.push(s);
    }
}

/// Failure codes (or none); some carry MFA steps or a legacy client, which rule 3 precedes.
fn failed(rec: &mut SignInRec, rng: &mut Rng) {
    let at = rec.at;
    let (code, reason) = *rng.pick(&[
        (
            Some(50_126),
            "Error validating credentials due to invalid username or password.",
        ),
        (
            Some(53_003),
            "Access has been blocked by Conditional Access policies.",
        ),
        (
            Some(50_053),
            "Account is locked because user tried to sign in too many times.",
        ),
        (
            Some(700_082),
            "The refresh token has expired due to inactivity.",
        ),
        (None, "Other."),
    ]);
    rec.error_code = code;
    rec.failure_reason = reason;
    rec.ca_status = if code == Some(53_003) {
        "failure"
    } else {
        "notApplied"
    };
    if code == Some(50_126) {
        rec.steps = vec![step(
            rng,
            at,
            Some("Password"),
            Some(false),
            Some("Invalid username or password or Invalid on-premise username or password."),
            PRIMARY,
        )];
    } else if rng.chance(0.3) {
        // MFA evidence on a failure still classifies as failed (rule 3 comes first).
        let s = mfa_done(rng, at, "Mobile app notification", Some(true));
        rec.steps = vec![password(rng, at), s];
    }
    if rng.chance(0.2) {
        let client = *rng.pick(&LEGACY);
        rec.client_app = Some(word(rng, client));
    }
}

/// A strong method's step, or only the status detail.
fn strong_auth(rec: &mut SignInRec, rng: &mut Rng) {
    const STRONG: &str = "MFA requirement satisfied by strong authentication";
    if rng.below(4) == 0 {
        rec.additional_details = Some(word(rng, STRONG));
        return;
    }
    let method = *rng.pick(&[
        "FIDO2 security key",
        "Windows Hello for Business",
        "Passkey (device-bound)",
        "Passkey (Microsoft Authenticator)",
        "X.509 Certificate",
        "Passwordless phone sign-in",
        "Platform Credential for MacOS",
        "Temporary Access Pass",
    ]);
    let at = rec.at;
    let detail = if rng.chance(0.5) {
        STRONG
    } else {
        "Signed in with a passwordless method"
    };
    rec.steps = vec![step(
        rng,
        at,
        Some(method),
        Some(true),
        Some(detail),
        PRIMARY,
    )];
}

/// A succeeded second factor; or only the status detail; or the detail on a step with
/// `succeeded` null; or a denied attempt followed by a success.
fn mfa_completed(rec: &mut SignInRec, rng: &mut Rng) {
    let at = rec.at;
    match rng.below(5) {
        0 => {
            let d = *rng.pick(&[
                "MFA completed in Azure AD",
                "MFA completed in the cloud",
                "MFA successfully completed",
            ]);
            rec.additional_details = Some(word(rng, d));
        }
        1 => {
            // The detail counts when succeeded is null (only false disqualifies it).
            let s = mfa_done(rng, at, "Mobile app notification", None);
            rec.steps = vec![password(rng, at), s];
        }
        2 => {
            let denied = step(
                rng,
                at - 9_000_000,
                Some("Text message"),
                Some(false),
                Some("MFA denied; user declined the authentication"),
                MFA_STEP,
            );
            let ok = mfa_done(rng, at, "Mobile app notification", Some(true));
            rec.steps = vec![password(rng, at), denied, ok];
        }
        _ => second_factor(rec, rng),
    }
}

/// A password and a succeeded second-factor method.
fn second_factor(rec: &mut SignInRec, rng: &mut Rng) {
    let at = rec.at;
    let method = *rng.pick(&[
        "Mobile app notification",
        "Text message",
        "Phone call (mobile phone)",
        "OATH verification code",
        "Microsoft Authenticator App",
        "Verification code",
        "Voice",
        "SMS",
    ]);
    let detail = *rng.pick(&[
        "MFA successfully completed",
        "MFA completed in Azure AD",
        "Verified by the user",
    ]);
    let s = step(rng, at, Some(method), Some(true), Some(detail), MFA_STEP);
    rec.steps = vec![password(rng, at), s];
    if rng.chance(0.5) {
        rec.additional_details = Some("MFA completed in Azure AD".into());
    }
}

/// Skipped for a trusted location (rule 9), from a named network.
fn mfa_skipped_location(rec: &mut SignInRec, rng: &mut Rng) {
    let d = *rng.pick(&[
        "MFA requirement skipped due to location",
        "MFA requirement skipped due to IP address",
        "MFA requirement skipped due to ADFS-issued InsideCorpNet claim",
    ]);
    rec.steps = password_then(rng, rec.at, None, Some(true), Some(d));
    rec.named_network = Some("Head office");
    rec.policies = vec![("user".to_string(), "Per-user MFA")];
}

fn remembered_device(rec: &mut SignInRec, rng: &mut Rng) {
    rec.steps = password_then(
        rng,
        rec.at,
        Some("Previously satisfied"),
        Some(true),
        Some("MFA requirement skipped due to remembered device"),
    );
}

/// Skipped for a registered device or the Windows broker flow (rule 11).
fn mfa_skipped_other(rec: &mut SignInRec, rng: &mut Rng) {
    let d = *rng.pick(&[
        "MFA requirement skipped due to registered device",
        "MFA requirement skipped as flow exercised was Windows broker logon flow",
    ]);
    rec.steps = password_then(rng, rec.at, None, Some(true), Some(d));
}

fn external_mfa(rec: &mut SignInRec, rng: &mut Rng) {
    rec.steps = password_then(
        rng,
        rec.at,
        Some("Federated identity provider"),
        Some(true),
        Some("MFA requirement satisfied by claim provided by external provider"),
    );
    rec.protocol = "wsFederation";
}

/// A claim in the token: the status detail, a "Satisfied by token" step with an MFA
/// requirement, or a "Previously satisfied" MFA step (sometimes after single sign-on).
fn mfa_claim(rec: &mut SignInRec, rng: &mut Rng) {
    const CLAIM: &str = "MFA requirement satisfied by claim in the token";
    let at = rec.at;
    rec.incoming_token = "primaryRefreshToken";
    match rng.below(4) {
        0 => rec.additional_details = Some(word(rng, CLAIM)),
        1 => {
            let req = *rng.pick(&[
                "Multi-factor authentication",
                "multifactor authentication",
                MFA_STEP,
            ]);
            rec.steps = vec![step(
                rng,
                at,
                Some("Satisfied by token"),
                Some(true),
                None,
                req,
            )];
        }
        _ => {
            let s = step(
                rng,
                at,
                Some("Previously satisfied"),
                Some(true),
                Some(CLAIM),
                MFA_STEP,
            );
            rec.steps = if rng.chance(0.3) {
                vec![sso(rng, at), s]
            } else {
                vec![s]
            };
        }
    }
}

/// Requirement MFA on a success with nothing recognised (rule 14).
fn mfa_required_success(rec: &mut SignInRec, rng: &mut Rng) {
    let at = rec.at;
    rec.steps = match rng.below(4) {
        0 => vec![password(rng, at)],
        // A detail of a step that did not succeed is no evidence.
        1 => password_then(
            rng,
            at,
            Some("Mobile app notification"),
            Some(false),
            Some("MFA successfully completed"),
        ),
        // A claim method that did not succeed, and an unknown method.
        2 => vec![step(
            rng,
            at,
            Some("Previously satisfied"),
            None,
            None,
            MFA_STEP,
        )],
        _ => password_then(rng, at, Some("Quantum token"), Some(true), Some("Verified")),
    };
}

/// No MFA evidence on the record: session chaining, security defaults or the
/// requirement decide (rules 15–18).
fn no_mfa_evidence(rec: &mut SignInRec, class: Class, rng: &mut Rng) {
    rec.steps = plain_steps(rng, rec.at);
    rec.ca_mfa = false;
    rec.ca_status = "notApplied";
    rec.policies.clear();
    rec.requirement = match class {
        Class::SingleFactor => Some(requirement(rng, false)),
        Class::NoEvidence => match rng.below(3) {
            0 => None,
            1 => Some("unknownFutureValue".to_string()),
            _ => Some(word(rng, "")),
        },
        _ if rng.chance(0.3) => None,
        _ => Some(requirement(rng, false)),
    };
    if class == Class::SessionMfa {
        rec.incoming_token = "refreshToken";
    }
}

/// A legacy client (rules 6–8) as the planner's `how` says.
fn fill_legacy(rec: &mut SignInRec, how: Legacy, rng: &mut Rng) {
    const APP_PASSWORD: &str = "MFA requirement skipped due to app password";
    let at = rec.at;
    let client = *rng.pick(&LEGACY);
    rec.client_app = Some(word(rng, client));
    rec.ca_status = "notApplied";
    rec.ca_mfa = false;
    rec.protocol = "ropc";
    rec.requirement = Some(requirement(rng, false));
    rec.policies.clear();
    rec.steps = if rng.chance(0.7) {
        vec![password(rng, at)]
    } else {
        Vec::new()
    };
    match how {
        Legacy::RecordEvidence => {
            rec.steps = password_then(rng, at, None, Some(true), Some(APP_PASSWORD));
            rec.additional_details = Some(APP_PASSWORD.into());
            rec.requirement = Some(requirement(rng, true));
            rec.policies = vec![(word(rng, "user"), "Per-user MFA")];
        }
        Legacy::RequirementOnly => rec.requirement = Some(requirement(rng, true)),
        Legacy::PerUserPolicy => {
            rec.client_app = Some("Contoso Legacy Mail Connector".to_string());
            rec.policies = vec![(word(rng, "user"), "Per-user MFA")];
        }
        Legacy::StateEnforced | Legacy::OldValueEnforced | Legacy::StateUnknown => {}
        Legacy::ModernAppPassword | Legacy::StateOff => {
            if how == Legacy::ModernAppPassword || rng.chance(0.25) {
                rec.client_app = Some("Mobile Apps and Desktop clients".to_string());
                rec.steps = password_then(rng, at, None, Some(true), Some(APP_PASSWORD));
            }
        }
    }
}
