//! Prometheus metrics: GraphQL requests and latency per operation, errors by
//! code, pool usage and SQL statements. The registry lives in app state.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::db::Db;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

/// Longest operation name kept as a label.
const MAX_OPERATION_LABEL: usize = 64;
/// Most distinct operation labels; later names are counted as `other`.
pub const MAX_OPERATION_LABELS: usize = 100;

pub struct Metrics {
    registry: Registry,
    latency: Family<OperationLabels, Histogram>,
    errors: Family<CodeLabels, Counter>,
    /// Operation names admitted as labels so far (at most
    /// [`MAX_OPERATION_LABELS`]).
    labels: Mutex<HashSet<String>>,
}

/// Who sent a request, for the operation label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Anonymous,
    SignedIn,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ])
}

impl Metrics {
    pub fn new(db: Db) -> Metrics {
        let mut registry = Registry::with_prefix("grassroots");
        let latency = Family::<OperationLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "graphql_request_duration_seconds",
            "GraphQL requests and their server time, per operation name",
            latency.clone(),
        );
        let errors = Family::<CodeLabels, Counter>::default();
        registry.register(
            "graphql_errors",
            "GraphQL errors returned, per extensions.code",
            errors.clone(),
        );
        registry.register_collector(Box::new(DbCollector(db)));
        Metrics {
            registry,
            latency,
            errors,
            labels: Mutex::new(HashSet::new()),
        }
    }

    /// The label an operation is counted under: `anonymous` for callers
    /// without a token whatever they name; a signed-in caller's operation
    /// name when it is a plain GraphQL name and one of the first
    /// [`MAX_OPERATION_LABELS`] seen; `other` otherwise. The series stay
    /// bounded whatever the requests.
    pub fn label(&self, sender: Sender, operation: Option<&str>) -> String {
        let Some(name) = operation else {
            return "unnamed".to_owned();
        };
        if sender == Sender::Anonymous {
            return "anonymous".to_owned();
        }
        let plain = !name.is_empty()
            && name.len() <= MAX_OPERATION_LABEL
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !plain {
            return "other".to_owned();
        }
        let mut labels = self.labels.lock().unwrap_or_else(|p| p.into_inner());
        if labels.contains(name) {
            return name.to_owned();
        }
        if labels.len() < MAX_OPERATION_LABELS {
            labels.insert(name.to_owned());
            return name.to_owned();
        }
        "other".to_owned()
    }

    /// Records one executed GraphQL request.
    pub fn observe(
        &self,
        operation: &str,
        elapsed: Duration,
        error_codes: impl Iterator<Item = String>,
    ) {
        self.latency
            .get_or_create(&OperationLabels {
                operation: operation.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
        for code in error_codes {
            self.errors.get_or_create(&CodeLabels { code }).inc();
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Reads pool and statement figures at scrape time.
#[derive(Clone)]
struct DbCollector(Db);

impl std::fmt::Debug for DbCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbCollector")
    }
}

impl Collector for DbCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let (open, idle) = self.0.pool_state();
        let gauges = [
            ("db_pool_connections", "Database connections open", open),
            (
                "db_pool_idle_connections",
                "Database connections idle",
                idle,
            ),
            (
                "db_pool_busy_connections",
                "Database connections in use",
                open.saturating_sub(idle),
            ),
        ];
        for (name, help, value) in gauges {
            let m = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
            ConstGauge::new(i64::from(value)).encode(m)?;
        }
        let m = encoder.encode_descriptor(
            "db_statements",
            "SQL statements run",
            None,
            MetricType::Counter,
        )?;
        ConstCounter::new(self.0.stats().statements()).encode(m)?;
        Ok(())
    }
}

pub type SharedMetrics = Arc<Metrics>;
