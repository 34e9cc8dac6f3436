//! The permission matrix ([`super::policy::RULES`]) as the README shows it.

use super::policy::{ActionKind, Position, Role, RULES};

/// The permission matrix as a Markdown table, for the README.
pub fn matrix_markdown() -> String {
    let mut out =
        String::from("| action | VIEWER | MANAGER | ADMIN | where |\n|---|---|---|---|---|\n");
    for rule in RULES {
        let cell = |role: Role| if role >= rule.min_role { "✓" } else { "" };
        let wher: Vec<&str> = if rule.action == ActionKind::ConfigureRegion {
            vec!["the region (region grants only)"]
        } else {
            rule.positions
                .iter()
                .map(|p| match p {
                    Position::Itself => "the scope unit",
                    Position::Inside => "strictly below it",
                    Position::Ancestor => "above it",
                    Position::Outside => "elsewhere",
                })
                .collect()
        };
        let reserved = matches!(
            rule.action,
            ActionKind::CreateUnder | ActionKind::Move | ActionKind::Dissolve
        );
        let depth = match rule.scope_from {
            Some(level) => format!(
                " (only grants at level {} ({}) or deeper)",
                level.number(),
                level.label()
            ),
            None => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {}{}{depth} |\n",
            rule.description,
            cell(Role::Viewer),
            cell(Role::Manager),
            cell(Role::Admin),
            wher.join(" and "),
            if reserved {
                " (townships: region ADMIN only)"
            } else {
                ""
            }
        ));
    }
    out
}
