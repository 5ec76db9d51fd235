//! Placeholder replaced by the CSV sources branch (companion naming only).

/// The authentication-details companion of a portal sign-ins CSV.
pub fn companion_name(sign_ins_file_name: &str) -> Option<String> {
    let (stem, rest) = sign_ins_file_name.split_once('_')?;
    if stem.to_ascii_lowercase().ends_with("signins")
        && !rest.to_ascii_lowercase().starts_with("authdetails")
    {
        Some(format!("{stem}_AuthDetails_{rest}"))
    } else {
        None
    }
}
