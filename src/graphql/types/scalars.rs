//! The `Date` scalar: a calendar day, ISO-8601 (`2022-11-02`).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

use crate::domain::text::{date_in_range, EARLIEST_YEAR, LATEST_YEAR};

/// A calendar day in ISO-8601 form, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar day in ISO-8601 form, `YYYY-MM-DD`, from 1900-01-01 to
/// 2999-12-31.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if date_in_range(d) => Ok(Date(d)),
                Ok(d) => Err(InputValueError::custom(format!(
                    "{d} is outside {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"
                ))),
                Err(_) => Err(InputValueError::custom(format!(
                    "{:?} is not a date (YYYY-MM-DD)",
                    s.chars().take(40).collect::<String>()
                ))),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Lets validation reject a bad literal with the argument's path.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s)
            if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok_and(date_in_range))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
