//! Counts the SQL statements every pooled connection runs (diesel
//! instrumentation), for the metrics and for tests that bound them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};

#[derive(Debug, Default)]
pub struct QueryStats {
    statements: Arc<AtomicU64>,
}

impl QueryStats {
    /// Statements started since the pool opened.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub(super) fn instrument(&self) -> StatementCounter {
        StatementCounter(self.statements.clone())
    }
}

/// Installed on each connection.
pub(super) struct StatementCounter(Arc<AtomicU64>);

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}
