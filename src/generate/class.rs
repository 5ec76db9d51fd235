//! The 18 classes of evidence rules §3 as the generator plans them, and the `--mix`
//! proportions (`class=weight,…`).

use std::str::FromStr;

crate::words::word_enum! {
    /// A class of evidence rules §3, in rule order.
    ///
    /// Its word is the class word of the contract.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Class {
        Workload => "workload",
        MfaInterrupted => "mfa_interrupted",
        Failed => "failed",
        StrongAuth => "strong_auth",
        MfaCompleted => "mfa_completed",
        AppPassword => "app_password",
        LegacySingleFactor => "legacy_single_factor",
        LegacyUnverified => "legacy_unverified",
        MfaSkippedLocation => "mfa_skipped_location",
        RememberedDevice => "remembered_device",
        MfaSkippedOther => "mfa_skipped_other",
        ExternalMfa => "external_mfa",
        MfaClaim => "mfa_claim",
        MfaRequiredSuccess => "mfa_required_success",
        SessionMfa => "session_mfa",
        SecurityDefaults => "security_defaults",
        SingleFactor => "single_factor",
        NoEvidence => "no_evidence",
    }
}

impl Class {
    /// The verdict the contract gives the class.
    pub fn verdict(self) -> &'static str {
        match self {
            Class::Workload | Class::MfaInterrupted | Class::Failed => "not_applicable",
            Class::StrongAuth
            | Class::MfaCompleted
            | Class::AppPassword
            | Class::RememberedDevice
            | Class::ExternalMfa
            | Class::MfaClaim
            | Class::MfaRequiredSuccess
            | Class::SessionMfa => "satisfied",
            Class::SecurityDefaults => "accepted",
            Class::LegacySingleFactor | Class::MfaSkippedLocation | Class::SingleFactor => {
                "violation"
            }
            Class::LegacyUnverified | Class::MfaSkippedOther | Class::NoEvidence => "unproven",
        }
    }

    /// ROOT classes (§5): the sign-ins session chaining leads back to.
    pub fn is_root(self) -> bool {
        matches!(
            self,
            Class::StrongAuth | Class::MfaCompleted | Class::ExternalMfa
        )
    }

    /// Classes whose export row carries `origin_sign_in_id` (§5).
    pub fn has_origin_column(self) -> bool {
        matches!(
            self,
            Class::MfaClaim | Class::SessionMfa | Class::RememberedDevice
        )
    }
}

impl FromStr for Class {
    type Err = String;
    fn from_str(s: &str) -> Result<Class, String> {
        let word = s.trim().to_ascii_lowercase();
        Class::from_word(&word).ok_or_else(|| format!("unknown class {s:?}"))
    }
}

/// Planned proportions of the classes: a weight per class (0 = never planned).
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    weights: [f64; 18],
}

impl Default for Mix {
    /// A plausible tenant: most sign-ins non-interactive token refreshes chained to an
    /// interactive MFA, a minority of workload identities and failures, a few legacy clients.
    fn default() -> Mix {
        let mut weights = [0.0; 18];
        for (class, w) in [
            (Class::Workload, 8.0),
            (Class::MfaInterrupted, 3.0),
            (Class::Failed, 5.0),
            (Class::StrongAuth, 4.0),
            (Class::MfaCompleted, 11.0),
            (Class::AppPassword, 2.0),
            (Class::LegacySingleFactor, 1.0),
            (Class::LegacyUnverified, 1.0),
            (Class::MfaSkippedLocation, 1.5),
            (Class::RememberedDevice, 3.0),
            (Class::MfaSkippedOther, 1.5),
            (Class::ExternalMfa, 1.0),
            (Class::MfaClaim, 18.0),
            (Class::MfaRequiredSuccess, 3.0),
            (Class::SessionMfa, 24.0),
            (Class::SecurityDefaults, 6.0),
            (Class::SingleFactor, 4.0),
            (Class::NoEvidence, 3.0),
        ] {
            weights[class as usize] = w;
        }
        Mix { weights }
    }
}

impl Mix {
    /// The weight of a class.
    pub fn weight(&self, class: Class) -> f64 {
        self.weights[class as usize]
    }

    /// Draws a class from `u` uniform in `[0, 1)`.
    pub fn draw(&self, u: f64) -> Class {
        let total: f64 = self.weights.iter().sum();
        let mut target = u * total;
        for class in Class::ALL {
            let w = self.weights[class as usize];
            if target < w {
                return class;
            }
            target -= w;
        }
        // Rounding at the top end: the last class with a weight.
        *Class::ALL
            .iter()
            .rev()
            .find(|c| self.weights[**c as usize] > 0.0)
            .expect("a mix has a positive weight")
    }
}

impl FromStr for Mix {
    type Err = String;
    /// `class=weight,…`; classes not named get weight 0, so `--mix session_mfa=1` plans
    /// only session_mfa (and the ROOT sign-ins it needs).
    fn from_str(s: &str) -> Result<Mix, String> {
        let mut weights = [0.0; 18];
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("--mix: {part:?} is not class=weight"))?;
            let class: Class = name.parse().map_err(|e| format!("--mix: {e}"))?;
            let w: f64 = weight
                .trim()
                .parse()
                .map_err(|_| format!("--mix: weight {weight:?} of {name} is not a number"))?;
            if !(w.is_finite() && w >= 0.0) {
                return Err(format!("--mix: weight of {name} must be 0 or more"));
            }
            weights[class as usize] = w;
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err("--mix: at least one class needs a positive weight".to_string());
        }
        Ok(Mix { weights })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_parses_and_draws_only_named_classes() {
        let mix: Mix = "session_mfa=3, failed=1".parse().unwrap();
        assert_eq!(mix.weight(Class::SessionMfa), 3.0);
        assert_eq!(mix.weight(Class::Workload), 0.0);
        assert_eq!(mix.draw(0.0), Class::Failed);
        assert_eq!(mix.draw(0.9), Class::SessionMfa);
        assert_eq!(mix.draw(0.999_999_9), Class::SessionMfa);
    }

    #[test]
    fn bad_mixes_are_refused() {
        assert!("x=1".parse::<Mix>().is_err());
        assert!("failed".parse::<Mix>().is_err());
        assert!("failed=-1".parse::<Mix>().is_err());
        assert!("failed=0".parse::<Mix>().is_err());
    }

    #[test]
    fn words_and_verdicts_follow_the_contract() {
        assert_eq!(Class::ALL.len(), 18);
        assert_eq!(Class::SecurityDefaults.verdict(), "accepted");
        assert!(Class::ExternalMfa.is_root());
        assert!(!Class::MfaClaim.is_root());
        assert_eq!("NO_EVIDENCE".parse::<Class>().unwrap(), Class::NoEvidence);
    }
}
