//! Which audit lines each committed write added, announced after the
//! commit (never before) to every instance: in-process on SQLite, through
//! PostgreSQL `LISTEN/NOTIFY` when several instances share one database.
//! Live updates (subscriptions) start here.
//!
//! A write transaction keeps the ids of the audit lines it records in a
//! journal of its own thread (it runs on one blocking thread from start to
//! commit); after the commit the ids go out as one announcement.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use tokio::sync::broadcast;

use super::{DatabaseTarget, DbConnection};

/// The PostgreSQL channel announcements travel on, as SQL: one per schema
/// (channels are database-wide; deployments, and test runs, that share a
/// database in schemas of their own must not hear each other).
const CHANNEL_SQL: &str =
    "'grassroots_' || substr(encode(sha256(current_schema()::bytea), 'hex'), 1, 16)";

/// How many announcements an instance buffers for a slow reader before
/// the oldest are dropped (the reader is told it lagged).
const BUFFER: usize = 1024;

/// A NOTIFY payload stays below PostgreSQL's 8,000-byte limit.
const PAYLOAD_BYTES: usize = 7_000;

/// The audit line ids one committed transaction added, ascending.
pub type Announcement = Arc<[i64]>;

thread_local! {
    static JOURNAL: RefCell<Option<Vec<i64>>> = const { RefCell::new(None) };
    /// Whether the current write transaction changed access.
    static ACCESS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks an announcement that changed access (grants, accounts, sign-in
/// sessions): its first payload starts `a<origin>:`, `origin` naming the
/// instance that made the change (which forgot its own cached access
/// already, precisely, and ignores its own mark).
const ACCESS_MARK: &str = "a";

/// Notes that the current write transaction changed access.
pub fn note_access_change() {
    ACCESS.with(|a| a.set(true));
}

/// Notes an audit line the current write transaction recorded (outside a
/// write transaction, nothing is announced).
pub fn note(audit_id: i64) {
    JOURNAL.with(|j| {
        if let Some(ids) = j.borrow_mut().as_mut() {
            ids.push(audit_id);
        }
    });
}

/// Opens the journal of a write transaction on this thread.
pub(super) fn begin() {
    JOURNAL.with(|j| *j.borrow_mut() = Some(Vec::new()));
    ACCESS.with(|a| a.set(false));
}

/// Closes the journal, returning what it holds and whether access changed.
pub(super) fn finish() -> (Vec<i64>, bool) {
    let ids = JOURNAL.with(|j| j.borrow_mut().take().unwrap_or_default());
    (ids, ACCESS.with(|a| a.replace(false)))
}

/// Ids as ranges, `"3-9,12,15-16"`, in payloads of at most [`PAYLOAD_BYTES`].
pub fn encode(ids: &[i64]) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        let mut end = start;
        while i + 1 < ids.len() && ids[i + 1] == end + 1 {
            i += 1;
            end = ids[i];
        }
        i += 1;
        let part = if end == start {
            start.to_string()
        } else {
            format!("{start}-{end}")
        };
        if !current.is_empty() && current.len() + part.len() + 1 > PAYLOAD_BYTES {
            payloads.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(',');
        }
        current.push_str(&part);
    }
    if !current.is_empty() {
        payloads.push(current);
    }
    payloads
}

/// The ids of one payload; `None` for a payload this server did not write.
pub fn decode(payload: &str) -> Option<Vec<i64>> {
    let mut ids = Vec::new();
    for part in payload.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (i64, i64) = (a.parse().ok()?, b.parse().ok()?);
                if b < a || b - a > 1_000_000 {
                    return None;
                }
                ids.extend(a..=b);
            }
            None => ids.push(part.parse().ok()?),
        }
    }
    Some(ids)
}

/// Where announcements go: every subscriber of this instance, fed directly
/// (SQLite) or by the instance's listener on the PostgreSQL channel.
pub struct Commits {
    local: broadcast::Sender<Announcement>,
    /// Announcements of commits that changed access, made by other
    /// instances.
    access: broadcast::Sender<()>,
    /// This instance, in access marks.
    origin: u64,
    /// The PostgreSQL database to listen on; `None` on SQLite.
    postgres: Option<String>,
    listening: OnceLock<()>,
    /// Whether announcements of every instance are heard right now.
    hearing: tokio::sync::watch::Sender<bool>,
}

impl Commits {
    pub fn new(target: &DatabaseTarget) -> Commits {
        Commits {
            local: broadcast::channel(BUFFER).0,
            access: broadcast::channel(BUFFER).0,
            origin: uuid::Uuid::new_v4().as_u64_pair().0,
            postgres: match target {
                DatabaseTarget::Postgres(url) => Some(url.clone()),
                _ => None,
            },
            listening: OnceLock::new(),
            // In-process delivery is always on.
            hearing: tokio::sync::watch::Sender::new(!matches!(
                target,
                DatabaseTarget::Postgres(_)
            )),
        }
    }

    /// Waits until announcements are heard (on PostgreSQL, until this
    /// instance's LISTEN is in place), after [`Commits::subscribe`].
    pub async fn heard(&self) {
        let mut hearing = self.hearing.subscribe();
        let _ = hearing.wait_for(|on| *on).await;
    }

    /// Announces what a transaction that has just committed added. On
    /// PostgreSQL every instance (this one included) hears it on the
    /// channel; a failed NOTIFY is logged (the write itself stands).
    pub(super) fn announce(&self, conn: &mut DbConnection, (ids, access): (Vec<i64>, bool)) {
        if ids.is_empty() {
            return;
        }
        match conn {
            // One instance: the writer has forgotten what it changed.
            DbConnection::Sqlite(_) => {
                let _ = self.local.send(Arc::from(ids));
            }
            DbConnection::Pg(_) => {
                for (i, payload) in encode(&ids).into_iter().enumerate() {
                    let payload = if access && i == 0 {
                        format!("{ACCESS_MARK}{}:{payload}", self.origin)
                    } else {
                        payload
                    };
                    // The payload is digits, commas and dashes, after the mark.
                    let sql = format!("SELECT pg_notify({CHANNEL_SQL}, '{payload}')");
                    if let Err(e) = conn.batch_execute(&sql) {
                        tracing::warn!(error = %e, "could not announce a commit");
                    }
                }
            }
        }
    }

    /// A receiver of every announcement from now on. On PostgreSQL the
    /// first call starts this instance's listener (on the async runtime).
    pub fn subscribe(&self) -> broadcast::Receiver<Announcement> {
        let receiver = self.local.subscribe();
        self.listen();
        receiver
    }

    /// A receiver of a signal per announced commit of another instance that
    /// changed access, from now on (PostgreSQL; on SQLite, one instance,
    /// there is never one).
    pub fn subscribe_access(&self) -> broadcast::Receiver<()> {
        let receiver = self.access.subscribe();
        self.listen();
        receiver
    }

    /// On PostgreSQL, starts this instance's listener (on the async
    /// runtime) if it is not running yet.
    fn listen(&self) {
        if let Some(url) = &self.postgres {
            self.listening.get_or_init(|| {
                tokio::spawn(listen(
                    url.clone(),
                    (self.local.clone(), self.access.clone(), self.origin),
                    self.hearing.clone(),
                ));
            });
        }
    }
}

/// Keeps one connection listening on the schema's channel, reconnecting (after a
/// second, then up to 30) when it drops. What is announced while it is down
/// is not heard; aggregates catch up with the next change.
async fn listen(
    url: String,
    local: (broadcast::Sender<Announcement>, broadcast::Sender<()>, u64),
    hearing: tokio::sync::watch::Sender<bool>,
) {
    let mut pause = Duration::from_secs(1);
    loop {
        match listen_once(&url, &local, &hearing).await {
            Ok(()) => pause = Duration::from_secs(1),
            Err(e) => tracing::warn!(error = %e, "commit listener lost its connection"),
        }
        hearing.send_replace(false);
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(30));
    }
}

async fn listen_once(
    url: &str,
    (local, access, origin): &(broadcast::Sender<Announcement>, broadcast::Sender<()>, u64),
    hearing: &tokio::sync::watch::Sender<bool>,
) -> Result<(), String> {
    use futures_util::StreamExt;
    use tokio_postgres::AsyncMessage;

    let config: tokio_postgres::Config = listener_url(url).parse().map_err(|e| format!("{e}"))?;
    let tls = tls(url.contains("sslmode=verify-")).map_err(|e| e.to_string())?;
    let (client, mut connection) = config.connect(tls).await.map_err(|e| e.to_string())?;
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let listening = async {
        let row = client
            .query_one(&format!("SELECT {CHANNEL_SQL}"), &[])
            .await?;
        let channel: String = row.get(0);
        client.batch_execute(&format!("LISTEN \"{channel}\"")).await
    };
    tokio::pin!(listening);
    // The connection is driven by polling its messages; the LISTEN
    // completes while they are polled.
    let mut listened = false;
    loop {
        tokio::select! {
            done = &mut listening, if !listened => {
                done.map_err(|e| e.to_string())?;
                listened = true;
                hearing.send_replace(true);
                tracing::info!("listening for commits of other instances");
            }
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    let payload = match n
                        .payload()
                        .strip_prefix(ACCESS_MARK)
                        .and_then(|rest| rest.split_once(':'))
                    {
                        Some((from, rest)) => {
                            if from != origin.to_string() {
                                let _ = access.send(());
                            }
                            rest
                        }
                        None => n.payload(),
                    };
                    if let Some(ids) = decode(payload) {
                        let _ = local.send(Arc::from(ids));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.to_string()),
                None => return Ok(()),
            }
        }
    }
}

/// libpq's `sslmode=verify-ca|verify-full` as the listener's client knows
/// them (`require`, with the certificate checked: see [`tls`]).
fn listener_url(url: &str) -> String {
    url.replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require")
}

/// TLS as libpq does it: `prefer` and `require` encrypt without checking
/// the server's certificate; `verify-*` check it against the system roots.
fn tls(verify: bool) -> Result<postgres_openssl::MakeTlsConnector, openssl::error::ErrorStack> {
    let mut builder = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls())?;
    if !verify {
        builder.set_verify(openssl::ssl::SslVerifyMode::NONE);
    }
    Ok(postgres_openssl::MakeTlsConnector::new(builder.build()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_travel_as_ranges() {
        let ids = vec![3, 4, 5, 9, 12, 13];
        let payloads = encode(&ids);
        assert_eq!(payloads, vec!["3-5,9,12-13".to_owned()]);
        assert_eq!(decode(&payloads[0]), Some(ids));
        assert_eq!(decode("x"), None);
        assert_eq!(decode("9-3"), None);
    }

    #[test]
    fn long_announcements_are_split_below_the_notify_limit() {
        let ids: Vec<i64> = (0..20_000).map(|i| i * 2).collect();
        let payloads = encode(&ids);
        assert!(payloads.len() > 1);
        assert!(payloads.iter().all(|p| p.len() <= PAYLOAD_BYTES));
        let back: Vec<i64> = payloads.iter().flat_map(|p| decode(p).unwrap()).collect();
        assert_eq!(back, ids);
    }
}
