//! The one place strings and dates from callers are checked and
//! normalized, before any rule or statement sees them:
//! - text is NFC-normalized; NUL and other control characters are refused
//!   (free text keeps line breaks and tabs); so are the invisible format
//!   characters that make one name look like another (zero-width spaces
//!   and joiners, bidi embeddings, overrides, isolates and marks);
//! - codes are ASCII letters, digits, `.`, `_` and `-` only: a full-width
//!   `４３１３` is refused rather than stored beside `4313`;
//! - dates lie between [`EARLIEST_DATE`] and the year 2999 (and, where a
//!   field says so, not in the future).

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use crate::error::{AppError, AppResult};

/// The earliest date any field accepts.
pub const EARLIEST_YEAR: i32 = 1900;
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// The latest year any date field accepts (future dates are refused per field).
pub const LATEST_YEAR: i32 = 2999;

/// Whether `c` is an invisible formatting character that can disguise text.
fn disguising(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space, joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{061C}'              // Arabic letter mark
        | '\u{FEFF}'              // zero-width no-break space
        | '\u{00AD}'              // soft hyphen
    )
}

/// How much a text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A single line: names, codes' neighbours, short labels.
    Line,
    /// Free text: notes, reasons (line breaks and tabs kept).
    Free,
}

/// `value` trimmed and NFC-normalized, or `BAD_USER_INPUT` on `field`.
pub fn clean(field: &str, value: &str, max_chars: usize, kind: TextKind) -> AppResult<String> {
    let v: String = value.trim().nfc().collect();
    if v.chars().count() > max_chars {
        return Err(AppError::bad_input(
            field,
            format!("{field} is longer than {max_chars} characters"),
        ));
    }
    if v.contains('\0') {
        return Err(AppError::bad_input(
            field,
            format!("{field} contains a NUL byte"),
        ));
    }
    let allowed_control = |c: char| kind == TextKind::Free && (c == '\n' || c == '\t' || c == '\r');
    if v.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(AppError::bad_input(
            field,
            format!("{field} contains control characters"),
        ));
    }
    if v.chars().any(disguising) {
        return Err(AppError::bad_input(
            field,
            format!(
                "{field} contains invisible formatting characters (zero-width or bidi controls)"
            ),
        ));
    }
    Ok(v)
}

/// A code: ASCII letters, digits, `.`, `_`, `-`, at most `max_chars`.
pub fn code(field: &str, value: &str, max_chars: usize) -> AppResult<String> {
    let v = value.trim();
    if v.chars().count() > max_chars {
        return Err(AppError::bad_input(
            field,
            format!("{field} is longer than {max_chars} characters"),
        ));
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(AppError::bad_input(
            field,
            format!("{field} may hold only ASCII letters, digits, '.', '_' and '-' (no spaces, no full-width characters)"),
        ));
    }
    Ok(v.to_owned())
}

/// Longest search string (a part of a name or code).
pub const MAX_SEARCH_CHARS: usize = 100;

/// A search string: one line, NFC, at most [`MAX_SEARCH_CHARS`]; empty
/// means no search.
pub fn search(value: Option<String>) -> AppResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => {
            let v = clean("search", &v, MAX_SEARCH_CHARS, TextKind::Line)?;
            Ok(Some(v).filter(|v| !v.is_empty()))
        }
    }
}

/// Whether a date lies in the range every date field accepts.
pub fn date_in_range(d: NaiveDate) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&d.year())
}

/// `d`, or `BAD_USER_INPUT` on `field` when outside the accepted range.
pub fn date(field: &str, d: NaiveDate) -> AppResult<NaiveDate> {
    if date_in_range(d) {
        Ok(d)
    } else {
        Err(AppError::bad_input(
            field,
            format!("{field} {d} is outside {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized_and_disguises_refused() {
        // "é" as e + combining acute becomes one code point.
        assert_eq!(
            clean("name", " e\u{301} ", 10, TextKind::Line).unwrap(),
            "\u{e9}"
        );
        for bad in ["a\0b", "a\u{202E}b", "a\u{200B}b", "a\nb", "\u{7}"] {
            assert!(clean("name", bad, 10, TextKind::Line).is_err(), "{bad:?}");
        }
        assert!(clean("notes", "line\nline", 10, TextKind::Free).is_ok());
        assert!(clean("notes", "x\u{2066}", 10, TextKind::Free).is_err());
        assert!(clean("name", &"长".repeat(11), 10, TextKind::Line).is_err());
    }

    #[test]
    fn codes_are_plain_ascii() {
        assert_eq!(code("code", " 431322004201 ", 64).unwrap(), "431322004201");
        assert!(code("code", "４３１３", 64).is_err());
        assert!(code("code", "43 13", 64).is_err());
        assert!(code("code", "g-1.a_b", 64).is_ok());
    }

    #[test]
    fn dates_stay_in_range() {
        assert!(date("d", NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()).is_err());
        assert!(date("d", NaiveDate::from_ymd_opt(0, 1, 1).unwrap()).is_err());
        assert!(date("d", NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()).is_ok());
    }
}
