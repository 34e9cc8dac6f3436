//! What one request may cost, by who sends it, checked on the whole
//! document before anything runs.
//!
//! Two checks, one extension:
//! - after parsing, a walk of every operation with its fragments expanded
//!   (spreads and inline fragments alike) counts root fields, aliases and
//!   selections, stopping as soon as one is over the caller's budget (so a
//!   fragment bomb costs at most the budget to refuse); anonymous callers
//!   may reach nothing but `login`, `refreshToken` and, where allowed,
//!   introspection, wherever in the document they ask for it;
//! - after validation, the computed depth and complexity are held against
//!   the caller's budget.
//!
//! A refusal is `BAD_USER_INPUT` with `extensions.limitName`, `cost` and
//! `limit` (or `UNAUTHENTICATED` for an anonymous caller reaching past
//! sign-in).

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Variables};

use super::context::RequestContext;
use crate::auth::Viewer;
use crate::error::AppError;
pub use crate::limits::{Budget, Budgets};

/// Registers the budget check on the schema.
pub struct RequestBudget {
    pub budgets: Budgets,
    /// Longest string argument accepted.
    pub string_chars: usize,
    /// Whether anonymous callers may introspect (`__schema`, `__type`).
    pub introspection: bool,
}

impl ExtensionFactory for RequestBudget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(BudgetCheck {
            budgets: self.budgets,
            string_chars: self.string_chars,
            introspection: self.introspection,
        })
    }
}

struct BudgetCheck {
    budgets: Budgets,
    string_chars: usize,
    introspection: bool,
}

/// Root fields an anonymous caller may reach.
const OPEN_FIELDS: [&str; 2] = ["login", "refreshToken"];

/// A refusal as the engine carries it: the [`AppError`] is its source, so
/// `errors::code_errors` gives it its code and extensions like any other.
fn refusal(err: AppError, pos: Option<async_graphql::Pos>) -> ServerError {
    async_graphql::Error::new_with_source(err).into_server_error(pos.unwrap_or_default())
}

fn over(name: &'static str, what: &str, cost: usize, limit: usize) -> ServerError {
    refusal(
        AppError::OverBudget {
            message: format!(
                "this request asks for more than its budget allows: {what} {cost}, at most {limit}"
            ),
            limit_name: name,
            cost,
            limit,
        },
        None,
    )
}

fn sign_in_first(pos: async_graphql::Pos) -> ServerError {
    let mut err = ServerError::new(
        "sign in first: send `Authorization: Bearer <accessToken>`",
        Some(pos),
    );
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "UNAUTHENTICATED");
    err.extensions = Some(ext);
    err
}

/// Counts one more of something; refuses past `limit`.
fn tally(count: &mut usize, limit: usize, name: &'static str, what: &str) -> ServerResult<()> {
    *count += 1;
    if *count > limit {
        return Err(over(name, what, *count, limit));
    }
    Ok(())
}

/// Counts of a walk, and where it stops.
struct Walk<'a> {
    doc: &'a ExecutableDocument,
    budget: Budget,
    anonymous: bool,
    introspection: bool,
    aliases: usize,
    root_fields: usize,
    selections: usize,
    /// Fragments being expanded (a cycle is left to validation to name).
    open: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn set(&mut self, set: &'a Positioned<SelectionSet>, root: bool) -> ServerResult<()> {
        for sel in &set.node.items {
            match &sel.node {
                Selection::Field(f) => {
                    tally(
                        &mut self.selections,
                        self.budget.selections,
                        "selections",
                        "selections",
                    )?;
                    if f.node.alias.is_some() {
                        tally(&mut self.aliases, self.budget.aliases, "aliases", "aliases")?;
                    }
                    let name = f.node.name.node.as_str();
                    if root && name != "__typename" {
                        if self.anonymous {
                            let introspecting = matches!(name, "__schema" | "__type");
                            if !(OPEN_FIELDS.contains(&name)
                                || (introspecting && self.introspection))
                            {
                                return Err(sign_in_first(f.pos));
                            }
                        }
                        tally(
                            &mut self.root_fields,
                            self.budget.root_fields,
                            "rootFields",
                            "root fields",
                        )?;
                    }
                    self.set(&f.node.selection_set, false)?;
                }
                Selection::InlineFragment(frag) => {
                    self.set(&frag.node.selection_set, root)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    else {
                        continue; // validation names unknown fragments
                    };
                    if !self.open.insert(name) {
                        // A cycle: refused here, before async-graphql's own
                        // depth check would expand it exponentially.
                        return Err(over("fragmentCycles", "fragment cycles", 1, 0));
                    }
                    self.set(&fragment.node.selection_set, root)?;
                    self.open.remove(name);
                }
            }
        }
        Ok(())
    }
}

/// Walks every operation of `doc` against `budget`.
pub fn check_document(
    doc: &ExecutableDocument,
    budget: Budget,
    anonymous: bool,
    introspection: bool,
) -> ServerResult<()> {
    let mut walk = Walk {
        doc,
        budget,
        anonymous,
        introspection,
        aliases: 0,
        root_fields: 0,
        selections: 0,
        open: HashSet::new(),
    };
    for (_, op) in doc.operations.iter() {
        walk.set(&op.node.selection_set, true)?;
    }
    Ok(())
}

/// Refuses a string argument (a variable or a literal) holding a NUL or
/// longer than `max_chars`: `BAD_USER_INPUT` naming it, before any
/// resolver or statement sees it.
pub fn check_strings(
    doc: &ExecutableDocument,
    variables: &Variables,
    max_chars: usize,
) -> ServerResult<()> {
    fn walk(field: &str, value: &async_graphql::Value, max: usize) -> ServerResult<()> {
        use async_graphql::Value;
        match value {
            Value::String(s) => {
                let bad = if s.contains('\0') {
                    Some(format!("{field} contains a NUL byte"))
                } else if s.len() > max && s.chars().count() > max {
                    Some(format!("{field} is longer than {max} characters"))
                } else {
                    None
                };
                match bad {
                    Some(message) => Err(refusal(AppError::bad_input(field, message), None)),
                    None => Ok(()),
                }
            }
            Value::List(items) => items.iter().try_for_each(|v| walk(field, v, max)),
            Value::Object(map) => map.iter().try_for_each(|(k, v)| walk(k.as_str(), v, max)),
            _ => Ok(()),
        }
    }
    for (name, value) in variables.iter() {
        walk(name.as_str(), value, max_chars)?;
    }
    fn literals(set: &SelectionSet, max: usize) -> ServerResult<()> {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    for (name, value) in &f.node.arguments {
                        if let Ok(v) = value.node.clone().into_const_with(|_| Err::<_, ()>(())) {
                            walk(name.node.as_str(), &v, max)?;
                        }
                    }
                    literals(&f.node.selection_set.node, max)?;
                }
                Selection::InlineFragment(frag) => literals(&frag.node.selection_set.node, max)?,
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }
    for (_, op) in doc.operations.iter() {
        literals(&op.node.selection_set.node, max_chars)?;
    }
    for fragment in doc.fragments.values() {
        literals(&fragment.node.selection_set.node, max_chars)?;
    }
    Ok(())
}

impl BudgetCheck {
    fn viewer<'a>(ctx: &'a ExtensionContext<'_>) -> Option<&'a Viewer> {
        ctx.data_opt::<RequestContext>().map(RequestContext::caller)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for BudgetCheck {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Checked on a parse of our own *before* the engine's: its recursion
        // check expands every fragment spread, so a fragment bomb must be
        // refused before it runs. (The engine's parse is cached on the
        // request by the HTTP endpoint, so the document is parsed twice.)
        let own = async_graphql::parser::parse_query(query)?;
        let viewer = Self::viewer(ctx).unwrap_or(&Viewer::Anonymous);
        let anonymous = matches!(viewer, Viewer::Anonymous);
        check_document(&own, self.budgets.of(viewer), anonymous, self.introspection)?;
        check_strings(&own, variables, self.string_chars)?;
        next.run(ctx, query, variables).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let budget = self
            .budgets
            .of(Self::viewer(ctx).unwrap_or(&Viewer::Anonymous));
        if result.depth > budget.depth {
            return Err(vec![over("depth", "depth", result.depth, budget.depth)]);
        }
        if result.complexity > budget.complexity {
            return Err(vec![over(
                "complexity",
                "complexity",
                result.complexity,
                budget.complexity,
            )]);
        }
        Ok(result)
    }
}
