//! Enums named by fixed words (input formats, pull streams, generator formats and classes):
//! each has an `as_str` word, and prints as exactly that word.

/// `Display` for enums that print as their `as_str` word, so a word on the command line,
/// in the lake and in messages is always the same text.
macro_rules! display_as_str {
    ($($name:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}
pub(crate) use display_as_str;
