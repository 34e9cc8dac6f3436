//! `DATABASE_URL` → which backend, and where.

use std::fmt;

/// Where the data lives, decided by the scheme of `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// A SQLite file (`sqlite://path`, `sqlite:path` or a bare path).
    SqliteFile(String),
    /// A private in-memory SQLite database (`sqlite::memory:` or `:memory:`),
    /// alive as long as the server; used by tests.
    SqliteMemory,
    /// A PostgreSQL connection string (`postgres://…` or `postgresql://…`),
    /// passed to libpq as it is (`sslmode=require` and the like work).
    Postgres(String),
}

impl DatabaseTarget {
    pub fn parse(url: &str) -> Result<DatabaseTarget, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path == ":memory:" {
            return Ok(DatabaseTarget::SqliteMemory);
        }
        if path.is_empty() {
            return Err("DATABASE_URL names no database".to_owned());
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "unsupported database scheme {scheme:?}: use sqlite://PATH or postgres://…"
            ));
        }
        Ok(DatabaseTarget::SqliteFile(path.to_owned()))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseTarget::Postgres(_) => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Which database engine a deployment runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// Prints the target without any password, for logs.
impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseTarget::SqliteFile(p) => write!(f, "sqlite://{p}"),
            DatabaseTarget::SqliteMemory => f.write_str("sqlite::memory:"),
            DatabaseTarget::Postgres(url) => f.write_str(&redact_postgres(url)),
        }
    }
}

impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`.
fn redact_postgres(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                let masked = if userinfo.contains(':') { ":***" } else { "" };
                format!("{scheme}://{user}{masked}@{host}")
            }
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    match query {
        None => base,
        Some(q) => {
            let q: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{base}?{}", q.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_choose_the_backend() {
        assert_eq!(
            DatabaseTarget::parse("sqlite://grassroots.db").unwrap(),
            DatabaseTarget::SqliteFile("grassroots.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite:///var/lib/g.db").unwrap(),
            DatabaseTarget::SqliteFile("/var/lib/g.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("data/g.db").unwrap(),
            DatabaseTarget::SqliteFile("data/g.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite::memory:").unwrap(),
            DatabaseTarget::SqliteMemory
        );
        assert_eq!(
            DatabaseTarget::parse("postgres://u@h/db")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert!(DatabaseTarget::parse("mysql://u@h/db").is_err());
        assert!(DatabaseTarget::parse("").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        let t = DatabaseTarget::parse("postgres://app:s3cret@db:5432/g?sslmode=require&password=x")
            .unwrap();
        let shown = t.to_string();
        assert!(
            !shown.contains("s3cret") && !shown.contains("=x"),
            "{shown}"
        );
        assert!(shown.contains("app:***@db:5432/g") && shown.contains("sslmode=require"));
    }
}
