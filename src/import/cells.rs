//! Reading cells as spreadsheets write them (dates, yes/no, enum labels),
//! and turning a write's error into a row problem naming its column.

use super::{Cells, Problem};
use crate::error::AppError;

/// Dates as spreadsheets write them: 2021-03-05, 2021/3/5, 2021.3.5, 20210305.
pub(super) fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    let s = s.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, f) {
            return crate::domain::text::date("date", d).map_err(|e| e.to_string());
        }
    }
    Err("not a date (use YYYY-MM-DD)".to_owned())
}

/// 是/否, yes/no, true/false, 1/0.
pub(super) fn yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "√" => Ok(true),
        "否" | "no" | "n" | "false" | "0" => Ok(false),
        _ => Err("expected 是 or 否 (yes or no)".to_owned()),
    }
}

/// How an enum value shows: its name and its Chinese label.
pub(super) type Shown<T> = (fn(T) -> &'static str, fn(T) -> &'static str);

/// An enum value by its name or Chinese label.
pub(super) fn named<T: Copy + 'static>(
    from: fn(&str) -> Option<T>,
    all: &'static [T],
    (name, label): Shown<T>,
) -> impl Fn(&str) -> Result<T, String> {
    move |s| {
        from(s).ok_or_else(|| {
            let names: Vec<String> = all
                .iter()
                .map(|v| format!("{} ({})", name(*v), label(*v)))
                .collect();
            format!("expected one of: {}", names.join(", "))
        })
    }
}

/// The new value when it differs from the old one.
pub(super) fn differs<T: PartialEq + Copy>(new: Option<T>, old: Option<T>) -> Option<T> {
    new.filter(|n| Some(*n) != old)
}

/// A write's error as a problem of `row`: the field it names becomes the
/// column (`parentId` → `parent_code`), with that cell's value.
pub(super) fn problem_of(cells: &Cells<'_>, e: &AppError, default_column: &str) -> Problem {
    let field = match e {
        AppError::BadInput { field, .. } => Some(field.as_str()),
        AppError::Conflict { field, .. } => field.as_deref(),
        _ => None,
    };
    let column = field.map_or_else(|| default_column.to_owned(), column_of);
    let value = cells.get(&column).unwrap_or_default().to_owned();
    let message = e.public_message();
    Problem::new(cells.row.number, column, value, message)
}

/// `parentId` → `parent_code`, `foundedOn` → `founded_on`.
fn column_of(field: &str) -> String {
    let mut out = String::new();
    for ch in field.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    match out.as_str() {
        "parent_id" | "new_parent_id" => "parent_code".to_owned(),
        "host_unit_id" => "host_code".to_owned(),
        "unit_id" => "unit_code".to_owned(),
        "item_id" => "item".to_owned(),
        "household_id" => "address".to_owned(),
        "head_person_id" => "head_name".to_owned(),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_their_columns() {
        assert_eq!(column_of("parentId"), "parent_code");
        assert_eq!(column_of("newParentId"), "parent_code");
        assert_eq!(column_of("hostUnitId"), "host_code");
        assert_eq!(column_of("foundedOn"), "founded_on");
        assert_eq!(column_of("code"), "code");
    }

    #[test]
    fn dates_and_yes_no_as_spreadsheets_write_them() {
        let d = chrono::NaiveDate::from_ymd_opt(2021, 3, 5);
        for s in [
            "2021-03-05",
            "2021/3/5",
            "2021.03.05",
            "20210305",
            "2021年3月5日",
        ] {
            assert_eq!(date(s).ok(), d, "{s}");
        }
        assert!(date("5/3/2021").is_err());
        assert_eq!(yes_no("是"), Ok(true));
        assert_eq!(yes_no("否"), Ok(false));
        assert!(yes_no("maybe").is_err());
    }
}
