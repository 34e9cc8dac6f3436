//! `GET /graphql/ws`: subscriptions over `graphql-transport-ws` (and the
//! older `graphql-ws`). The socket authenticates in `connection_init` with
//! an access token (`{"Authorization": "Bearer …"}` or `{"token": "…"}`);
//! it is closed when that token expires (4401) or its session ends or its
//! account's access changes (4403), so a client reconnects with a fresh
//! token and sees exactly what that token may see.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols, WsMessage};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::accounts::bearer::{viewer_of_token, Freshness};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::graphql::RequestContext;
use crate::live::Effect;
use crate::state::AppState;

/// Close codes, beside the protocol's own (1002 a message that is not
/// the protocol's, 4429 a second `connection_init`).
pub mod close {
    /// The access token expired: reconnect with a fresh one.
    pub const TOKEN_EXPIRED: u16 = 4401;
    /// `connection_init` without a token that opens a session.
    pub const REFUSED: u16 = 4403;
    /// The session ended, the account was disabled, or its grants changed.
    pub const SESSION_ENDED: u16 = 4403;
    /// No `connection_init` within `socket_init_seconds`.
    pub const INIT_TIMEOUT: u16 = 4408;
    /// More subscriptions than `socket_subscriptions`.
    pub const TOO_MANY: u16 = 4429;
    /// The instance holds `sockets` sockets already.
    pub const BUSY: u16 = 1013;
}

/// Who a socket signed in as: its token, account and expiry.
struct SignedIn {
    token: String,
    viewer: Viewer,
    expires_at: i64,
}

pub async fn socket(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A socket opens without a token (it signs in with its first message),
    // so opening one counts as a request without a token from its address.
    let client = peer.map_or_else(|| "unknown".to_owned(), |p| p.0 .0.ip().to_string());
    if let Err(e) = state.auth.limiter.anonymous_request(&client) {
        return e.into_response();
    }
    // The first subprotocol offered that is spoken here.
    let Some(protocol) = headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
    else {
        return AppError::bad_input(
            "Sec-WebSocket-Protocol",
            "offer graphql-transport-ws (or graphql-ws)",
        )
        .into_response();
    };
    upgrade
        .max_message_size(state.limits.socket_message_bytes)
        .max_frame_size(state.limits.socket_message_bytes)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, protocol))
        .into_response()
}

fn closing(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// The token a `connection_init` payload carries.
fn token_in(payload: &serde_json::Value) -> Option<String> {
    let field = |name: &str| {
        payload
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    };
    let token = field("authorization")
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v))
        .or_else(|| field("token"))?;
    Some(token.trim().to_owned())
}

/// Whether a client message opens a subscription.
fn opens_subscription(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(borrow, rename = "type")]
        kind: &'a str,
    }
    serde_json::from_str::<Kind<'_>>(text).is_ok_and(|k| k.kind == "subscribe" || k.kind == "start")
}

async fn serve(state: AppState, socket: WebSocket, protocol: WebSocketProtocols) {
    let (mut sink, stream) = socket.split();
    let Ok(_slot) = state.sockets.clone().try_acquire_owned() else {
        let _ = sink
            .send(closing(close::BUSY, "too many sockets; try again later"))
            .await;
        return;
    };
    let most = state.limits.socket_subscriptions;
    let mut opened = 0usize;
    let over = Arc::new(tokio::sync::Notify::new());
    let over_in = over.clone();
    let input = stream
        .take_while(|m| std::future::ready(m.is_ok()))
        .filter_map(move |m| {
            let bytes = match m {
                Ok(Message::Text(t)) => {
                    if opens_subscription(t.as_str()) {
                        opened += 1;
                        if opened > most {
                            over_in.notify_one();
                        }
                    }
                    Some(t.as_bytes().to_vec())
                }
                Ok(Message::Binary(b)) => Some(b.to_vec()),
                _ => None,
            };
            std::future::ready(bytes)
        });
    let signed_in: Arc<OnceLock<SignedIn>> = Arc::new(OnceLock::new());
    let signer = signed_in.clone();
    // A refused `connection_init` closes with 4403 (graphql-ws: Forbidden).
    let refused = Arc::new(OnceLock::new());
    let refuser = refused.clone();
    let (auth, db) = (state.auth.clone(), state.db.clone());
    let outgoing = Protocol::new(state.schema.clone(), input, protocol)
        .on_connection_init(move |payload| async move {
            let refuse = |why: String| {
                let _ = refuser.set(());
                async_graphql::Error::new(why)
            };
            let token = token_in(&payload)
                .ok_or_else(|| refuse("connection_init carries no access token".to_owned()))?;
            let (viewer, expires_at) = viewer_of_token(&auth, &db, &token, Freshness::Cached)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            let mut data = Data::default();
            data.insert(RequestContext::live(db.clone(), viewer.clone()));
            let _ = signer.set(SignedIn {
                token,
                viewer,
                expires_at,
            });
            Ok(data)
        })
        .map(move |m| match m {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(_, reason) if refused.get().is_some() => {
                closing(close::REFUSED, &reason)
            }
            WsMessage::Close(code, reason) => closing(code, &reason),
        });
    tokio::pin!(outgoing);
    // Changes are followed once the socket has signed in: a socket that
    // never does costs the hub nothing.
    let mut changes = None;
    let init_by =
        tokio::time::Instant::now() + Duration::from_secs(state.limits.socket_init_seconds);
    loop {
        if changes.is_none() && signed_in.get().is_some() {
            changes = Some(state.live.subscribe());
        }
        let expiry = signed_in.get().map(|s| s.expires_at);
        let until_expiry = expiry.map(|at| {
            let left = at - chrono::Utc::now().timestamp();
            tokio::time::Instant::now() + Duration::from_secs(left.max(0) as u64)
        });
        let verdict = tokio::select! {
            message = outgoing.next() => match message {
                Some(m) => {
                    let ended = matches!(m, Message::Close(_));
                    if sink.send(m).await.is_err() || ended {
                        return;
                    }
                    None
                }
                None => return,
            },
            () = over.notified() => {
                Some((close::TOO_MANY, format!("at most {most} subscriptions per socket")))
            }
            () = tokio::time::sleep_until(init_by), if expiry.is_none() => {
                Some((close::INIT_TIMEOUT, "connection_init did not come in time".to_owned()))
            }
            () = sleep_until_some(until_expiry), if until_expiry.is_some() => {
                Some((close::TOKEN_EXPIRED, "the access token expired".to_owned()))
            }
            change = next_change(&mut changes) => match change {
                Ok(c) if c.effect == Effect::Access => recheck(&state, &signed_in, Some(&c)).await,
                Ok(_) => None,
                // Missed changes may have been about this account.
                Err(RecvError::Lagged(_)) => recheck(&state, &signed_in, None).await,
                Err(RecvError::Closed) => return,
            },
        };
        if let Some((code, reason)) = verdict {
            let _ = sink.send(closing(code, &reason)).await;
            return;
        }
    }
}

/// The next change, once the socket follows them (never before).
async fn next_change(
    changes: &mut Option<tokio::sync::broadcast::Receiver<std::sync::Arc<crate::live::Change>>>,
) -> Result<std::sync::Arc<crate::live::Change>, RecvError> {
    match changes {
        Some(r) => r.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// After a change to accounts or sessions (`None`: after missing some):
/// if it may concern this socket's account, checks its token again against
/// the database; a token that no longer opens the same access closes the
/// socket.
async fn recheck(
    state: &AppState,
    signed_in: &OnceLock<SignedIn>,
    change: Option<&crate::live::Change>,
) -> Option<(u16, String)> {
    let who = signed_in.get()?;
    let me = who.viewer.account_id()?;
    if change.is_some_and(|c| !c.concerns_account(me)) {
        return None;
    }
    match viewer_of_token(&state.auth, &state.db, &who.token, Freshness::Database).await {
        Ok((now, _)) if now.grants() == who.viewer.grants() => None,
        Ok(_) => Some((
            close::SESSION_ENDED,
            "the account's access changed; reconnect".to_owned(),
        )),
        Err(AppError::Unavailable(_)) => None,
        Err(_) => Some((close::SESSION_ENDED, "the session ended".to_owned())),
    }
}
