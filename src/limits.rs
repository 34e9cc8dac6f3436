//! Every limit the server puts on what a request may cost, in one place,
//! with its default (each is listed in the README's Limits table).

use crate::auth::policy::Role;
use crate::auth::Viewer;

/// The most a request may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Deepest nesting of selections.
    pub depth: usize,
    /// async-graphql's complexity: a field costs 1, a page its size times
    /// what each item selects.
    pub complexity: usize,
    /// Fields asked for under another name.
    pub aliases: usize,
    /// Fields at the root of the operation (each a resolver of its own).
    pub root_fields: usize,
    /// Selections in all, fragments expanded where they are spread.
    pub selections: usize,
}

/// The budget of each kind of caller (README, Limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    pub anonymous: Budget,
    pub viewer: Budget,
    pub manager: Budget,
    pub admin: Budget,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            // Enough for GraphiQL's introspection query (graphql-js 16,
            // every option on: depth 15) and one sign-in.
            anonymous: Budget {
                depth: 16,
                complexity: 1_000,
                aliases: 0,
                root_fields: 1,
                selections: 400,
            },
            viewer: Budget {
                depth: 16,
                complexity: 20_000,
                aliases: 30,
                root_fields: 20,
                selections: 2_000,
            },
            manager: Budget {
                depth: 16,
                complexity: 30_000,
                aliases: 40,
                root_fields: 25,
                selections: 3_000,
            },
            admin: Budget {
                depth: 16,
                complexity: 50_000,
                aliases: 50,
                root_fields: 30,
                selections: 4_000,
            },
        }
    }
}

impl Budgets {
    /// The budget of `viewer`: by the highest role it holds anywhere.
    pub fn of(&self, viewer: &Viewer) -> Budget {
        match viewer {
            Viewer::Anonymous => self.anonymous,
            Viewer::System => self.admin,
            Viewer::Account(_) => match viewer.grants().iter().map(|g| g.role).max() {
                Some(Role::Admin) => self.admin,
                Some(Role::Manager) => self.manager,
                _ => self.viewer,
            },
        }
    }
}

/// What one file may hold (README, Limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Data rows (the header row not counted).
    pub max_rows: usize,
    /// Columns of any row.
    pub max_columns: usize,
    /// Characters of one cell.
    pub max_cell_chars: usize,
    /// Non-empty cells of the whole file.
    pub max_cells: usize,
    /// Parts of an `.xlsx` zip.
    pub max_zip_entries: usize,
    /// Bytes of an `.xlsx` once unzipped, all parts together.
    pub max_unzipped_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_rows: 200_000,
            max_columns: 64,
            max_cell_chars: 1_000,
            max_cells: 3_000_000,
            max_zip_entries: 256,
            max_unzipped_bytes: 256 * 1024 * 1024,
        }
    }
}

/// How long a `reportLink` opens its download, in seconds.
pub const REPORT_LINK_SECONDS: i64 = 60;

/// Request and sign-in limits around the budgets and the readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body of a GraphQL request without a token.
    pub anonymous_body_bytes: usize,
    /// Largest body of a signed-in GraphQL request (uploads aside).
    pub body_bytes: usize,
    /// Largest multipart upload (only for accounts that may import).
    pub upload_bytes: usize,
    /// Most problems a rejected import lists (the message counts them all).
    pub import_problems: usize,
    /// Uploaded imports (dry runs included) running at once on an
    /// instance; one more is refused with `RATE_LIMITED` at once. Each holds
    /// a database connection, and a large file a CPU, for seconds.
    pub imports_at_once: usize,
    /// Anonymous requests executed at once (sign-ins, introspection): the
    /// rest wait, spending no CPU, up to `anonymous_wait_ms`, then get
    /// `RATE_LIMITED`. Signed-in requests never wait for them.
    pub anonymous_concurrency: usize,
    pub anonymous_wait_ms: u64,
    /// Longest string argument accepted (each field has its own, shorter
    /// limit too; this one is checked before anything runs).
    pub string_chars: usize,
    /// Most operations in one JSON batch of a signed-in caller (a caller
    /// without a token sends one); each is held to the caller's budget.
    pub batch_operations: usize,
    /// Subscription sockets (`/graphql/ws`) open at once on an instance.
    pub sockets: usize,
    /// Subscriptions one socket may hold; one more closes it (4429).
    pub socket_subscriptions: usize,
    /// Largest message a socket may send.
    pub socket_message_bytes: usize,
    /// Seconds a socket has to authenticate (`connection_init`) before it
    /// is closed (4408).
    pub socket_init_seconds: u64,
    pub budgets: Budgets,
    pub read: ReadLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            anonymous_body_bytes: 16 * 1024,
            body_bytes: 1024 * 1024,
            upload_bytes: 32 * 1024 * 1024,
            import_problems: 1_000,
            imports_at_once: 2,
            anonymous_concurrency: 1,
            anonymous_wait_ms: 1_000,
            string_chars: 10_000,
            batch_operations: 10,
            sockets: 10_000,
            socket_subscriptions: 50,
            socket_message_bytes: 64 * 1024,
            socket_init_seconds: 10,
            budgets: Budgets::default(),
            read: ReadLimits::default(),
        }
    }
}
