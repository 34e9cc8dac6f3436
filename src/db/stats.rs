//! Counts the SQL statements every pooled connection runs (diesel
//! instrumentation), for the metrics and for tests that bound them, and
//! logs the slow ones when the operator asks for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};

#[derive(Debug, Default)]
pub struct QueryStats {
    statements: Arc<AtomicU64>,
    slow_statement: Option<Duration>,
}

impl QueryStats {
    /// Counts statements and logs those slower than `threshold`, if any.
    pub fn logging_slower_than(threshold: Option<Duration>) -> QueryStats {
        QueryStats {
            statements: Arc::default(),
            slow_statement: threshold,
        }
    }

    /// Statements started since the pool opened.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub(super) fn instrument(&self) -> StatementCounter {
        StatementCounter {
            statements: self.statements.clone(),
            slow_statement: self.slow_statement,
            started: None,
        }
    }
}

/// Installed on each connection (one statement runs at a time on it).
pub(super) struct StatementCounter {
    statements: Arc<AtomicU64>,
    slow_statement: Option<Duration>,
    started: Option<Instant>,
}

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                self.statements.fetch_add(1, Ordering::Relaxed);
                if self.slow_statement.is_some() {
                    self.started = Some(Instant::now());
                }
            }
            InstrumentationEvent::FinishQuery { query, .. } => {
                let (Some(threshold), Some(started)) = (self.slow_statement, self.started.take())
                else {
                    return;
                };
                let took = started.elapsed();
                if took >= threshold {
                    // The statement's text only: bound values (names, phone
                    // numbers, password hashes) never reach the log.
                    let text = query.to_string();
                    let sql = without_binds(&text);
                    tracing::warn!(
                        target: "grassroots::slow_statement",
                        ms = format!("{:.2}", took.as_secs_f64() * 1e3),
                        sql,
                        "slow SQL statement"
                    );
                }
            }
            _ => {}
        }
    }
}

/// Diesel prints a statement as `SQL -- binds: [values]`; the log keeps the SQL.
fn without_binds(statement: &str) -> &str {
    statement
        .split(" -- binds:")
        .next()
        .unwrap_or_default()
        .trim_end()
}

#[cfg(test)]
mod tests {
    #[test]
    fn bound_values_never_reach_the_log() {
        let printed = r#"SELECT "persons"."id" FROM "persons" WHERE "persons"."phone" = $1 -- binds: ["13812345678"]"#;
        let logged = super::without_binds(printed);
        assert_eq!(
            logged,
            r#"SELECT "persons"."id" FROM "persons" WHERE "persons"."phone" = $1"#
        );
        assert!(!logged.contains("138"));
    }
}
