//! Anonymous callers may only sign in (`login`, `refreshToken`) and, when
//! allowed, introspect; anything else is `UNAUTHENTICATED` before any
//! resolver runs.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::{ServerError, ServerResult, Variables};

use super::context::RequestContext;
use crate::auth::Viewer;

/// Registers the gate; `introspection` allows `__schema`/`__type` anonymously.
pub struct AnonymousGate {
    pub introspection: bool,
}

impl ExtensionFactory for AnonymousGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Gate {
            introspection: self.introspection,
        })
    }
}

struct Gate {
    introspection: bool,
}

const OPEN_FIELDS: [&str; 3] = ["login", "refreshToken", "__typename"];

#[async_graphql::async_trait::async_trait]
impl Extension for Gate {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let anonymous = ctx
            .data_opt::<RequestContext>()
            .is_none_or(|r| matches!(r.viewer, Viewer::Anonymous));
        if !anonymous {
            return Ok(doc);
        }
        for (_, op) in doc.operations.iter() {
            for sel in &op.node.selection_set.node.items {
                if let Selection::Field(f) = &sel.node {
                    let name = f.node.name.node.as_str();
                    let introspecting = matches!(name, "__schema" | "__type");
                    if !(OPEN_FIELDS.contains(&name) || (introspecting && self.introspection)) {
                        let mut err = ServerError::new(
                            "sign in first: send `Authorization: Bearer <accessToken>`",
                            Some(f.pos),
                        );
                        err.extensions = Some({
                            let mut e = async_graphql::ErrorExtensionValues::default();
                            e.set("code", "UNAUTHENTICATED");
                            e
                        });
                        return Err(err);
                    }
                }
            }
        }
        Ok(doc)
    }
}
