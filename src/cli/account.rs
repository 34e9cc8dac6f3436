//! `grassroots account …`: bootstrap and manage accounts from the shell.

use clap::Subcommand;

use super::unit_by_key;
use crate::state::AppState;

#[derive(Subcommand, Debug)]
pub(super) enum AccountCommand {
    /// Create an account with one grant; the password is read from a prompt,
    /// or from the first line of standard input when it is not a terminal.
    Create {
        #[arg(long)]
        username: String,
        /// Shown to others (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// VIEWER, MANAGER or ADMIN.
        #[arg(long)]
        role: String,
        /// `region`, or a unit's code or numeric id.
        #[arg(long)]
        scope: String,
    },
    /// List accounts with their grants.
    List,
    /// Disable an account (its tokens stop working).
    Disable {
        #[arg(long)]
        username: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let again = rpassword::prompt_password("again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

pub(super) fn account_command(state: &AppState, command: AccountCommand) -> anyhow::Result<()> {
    use crate::accounts::{bootstrap, grants, store};
    use crate::auth::policy::Role;
    match command {
        AccountCommand::Create {
            username,
            display_name,
            role,
            scope,
        } => {
            let role = Role::parse(&role.to_uppercase())
                .ok_or_else(|| anyhow::anyhow!("role must be VIEWER, MANAGER or ADMIN"))?;
            let scope_id = if scope == "region" {
                None
            } else {
                Some(unit_by_key(state, &scope)?.id)
            };
            let password = read_password()?;
            let display = display_name.unwrap_or_else(|| username.clone());
            let account = bootstrap::create_with_grant(
                &state.db, &username, &display, &password, role, scope_id,
            )?;
            println!(
                "created {} ({}) as {} of {}",
                account.username,
                account.id,
                role.as_str(),
                scope
            );
            Ok(())
        }
        AccountCommand::List => {
            let rows = state.db.read_blocking(|c| {
                let accounts = store::list_all(c)?;
                let mut out = Vec::new();
                for a in accounts {
                    let g = grants::rows_of(c, a.id)?;
                    out.push((a, g));
                }
                Ok(out)
            })?;
            for (a, g) in rows {
                let grants: Vec<String> = g
                    .iter()
                    .map(|g| {
                        format!(
                            "{}@{}",
                            g.role,
                            g.scope_unit_id
                                .map_or("region".to_owned(), |id| id.to_string())
                        )
                    })
                    .collect();
                println!(
                    "{:<20} {:<6} {}",
                    a.username,
                    if a.disabled { "off" } else { "on" },
                    grants.join(", ")
                );
            }
            Ok(())
        }
        AccountCommand::Disable { username } => {
            let account = state
                .db
                .read_blocking(|c| store::find_by_username(c, &username))?
                .ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
            state.db.write_blocking(|c| {
                store::set_disabled(c, account.id, true)?;
                state.auth.void_all(c, account.id, chrono::Utc::now())
            })?;
            println!("disabled {username}");
            Ok(())
        }
    }
}
