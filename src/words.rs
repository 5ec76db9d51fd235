//! Enums named by fixed words (input formats, pull streams, generator formats and classes):
//! each member is declared once, with its word, and the list of members, the word, the
//! lookup by word and `Display` all follow from that one declaration.

/// Declares an enum whose members each have one fixed word:
///
/// ```text
/// word_enum! {
///     /// Docs and derives as on any enum.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Name {
///         /// Docs of a member.
///         Member => "member-word",
///     }
/// }
/// ```
///
/// and gives it `ALL` (every member, in declaration order), `as_str` (the member's word),
/// `from_word` (the member whose word is exactly the text given) and a `Display` that
/// prints the word, so a word on the command line, in the lake and in messages is always
/// the same text.
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$member_meta:meta])* $member:ident => $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$member_meta])* $member, )+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: [$name; [$($word),+].len()] = [$($name::$member),+];

            /// The member's word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$member => $word, )+
                }
            }

            /// The member whose word is exactly `word`.
            pub fn from_word(word: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|m| m.as_str() == word)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;
