//! GraphQL's rule for field errors, which async-graphql leaves out: a field
//! that fails is `null` in `data` (beside its error) when its type is
//! nullable; when it is non-null, the null goes up to the nearest nullable
//! field (or `data` itself). async-graphql instead drops the failed field's
//! key, which clients (Apollo, Relay) report as a missing field.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextResolve, ResolveInfo,
};
use async_graphql::{PathSegment, Response, ServerError, ServerResult, Value};

/// Registers [`NullsExtension`] on the schema (inside `ErrorCodes`, so the
/// errors it keeps get their codes too).
pub struct Nulls;

impl ExtensionFactory for Nulls {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NullsExtension::default())
    }
}

/// Per request: the errors of nullable fields (answered `null`), and the
/// paths of non-null fields that failed, whose nearest nullable ancestor
/// must become `null`.
#[derive(Default)]
struct NullsExtension {
    kept: Mutex<Vec<ServerError>>,
    any_failed: AtomicBool,
    failed: Mutex<Vec<Vec<String>>>,
}

/// Whether `child` is a field directly inside `parent` (list indices in
/// between are part of the parent's value).
fn is_direct_child(parent: &[String], child: &[String]) -> bool {
    child.len() > parent.len()
        && child.starts_with(parent)
        && child[parent.len()..child.len() - 1]
            .iter()
            .all(|s| s.parse::<usize>().is_ok())
}

fn segments(path: &[String]) -> Vec<PathSegment> {
    path.iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSegment::Index(i),
            Err(_) => PathSegment::Field(s.clone()),
        })
        .collect()
}

impl NullsExtension {
    fn note_failed(&self, path: Vec<String>) {
        self.any_failed.store(true, Ordering::Relaxed);
        if let Ok(mut failed) = self.failed.lock() {
            failed.push(path);
        }
    }

    fn child_failed(&self, path: &[String]) -> bool {
        self.failed
            .lock()
            .map(|f| f.iter().any(|c| is_direct_child(path, c)))
            .unwrap_or(false)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for NullsExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        if let Ok(mut kept) = self.kept.lock() {
            response.errors.append(&mut kept);
        }
        let root_failed = self
            .failed
            .lock()
            .map(|f| f.iter().any(|p| p.len() == 1))
            .unwrap_or(false);
        if root_failed {
            // A non-null root field failed: `data` itself is null.
            response.data = Value::Null;
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        let node = *info.path_node;
        let result = next.run(ctx, info).await;
        match result {
            Err(mut e) => {
                let path = node.to_string_vec();
                if !nullable {
                    self.note_failed(path);
                    return Err(e);
                }
                if e.path.is_empty() {
                    e.path = segments(&path);
                }
                if let Ok(mut kept) = self.kept.lock() {
                    kept.push(e);
                }
                Ok(Some(Value::Null))
            }
            Ok(value) if self.any_failed.load(Ordering::Relaxed) => {
                let path = node.to_string_vec();
                if !self.child_failed(&path) {
                    return Ok(value);
                }
                if nullable {
                    Ok(Some(Value::Null))
                } else {
                    self.note_failed(path);
                    Ok(value)
                }
            }
            ok => ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn direct_children_may_sit_in_lists() {
        assert!(is_direct_child(&p("a"), &p("a.b")));
        assert!(is_direct_child(&p("a"), &p("a.0.b")));
        assert!(is_direct_child(&p("a.nodes"), &p("a.nodes.3.name")));
        assert!(!is_direct_child(&p("a"), &p("a.b.c")));
        assert!(!is_direct_child(&p("a"), &p("a")));
        assert!(!is_direct_child(&p("a"), &p("ab.c")));
    }
}
