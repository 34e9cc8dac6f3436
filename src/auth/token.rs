//! Access tokens (JWT, jsonwebtoken) and refresh tokens (opaque, stored
//! only as a SHA-256 hash).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// `iss` and `aud` of the tokens this server issues.
pub const ISSUER: &str = "grassroots";
pub const AUDIENCE: &str = "grassroots";
/// `aud` of report links: they open one download, never the API.
pub const REPORT_AUDIENCE: &str = "grassroots-report";
/// Shortest HS256 secret accepted.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    /// `iat` in milliseconds: compared with the account's `tokens_valid_after`.
    pub iat_ms: i64,
    pub jti: String,
    /// The sign-in session (refresh-token family) the token belongs to:
    /// ending the session ends the token. Tokens the operator issues
    /// (command line, tests) have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// A signed link to one report download (`reportLink`).
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportClaims {
    /// The account id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat_ms: i64,
    /// The report's route name, e.g. `coverage.xlsx`.
    pub report: String,
    /// The `under` it was issued for, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under: Option<String>,
}

/// What a valid report link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLink {
    pub account_id: i64,
    pub issued_at_ms: i64,
    pub report: String,
    pub under: Option<String>,
}

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub account_id: i64,
    pub issued_at_ms: i64,
    /// When it expires (seconds since the epoch).
    pub expires_at: i64,
    /// The sign-in session it belongs to, if any.
    pub session: Option<String>,
}

/// How tokens are signed and checked. The algorithm is pinned: a token
/// signed any other way (`none`, HS with a public key, …) is rejected.
#[derive(Clone)]
pub struct TokenKeys {
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenKeys({:?}, keys hidden)", self.algorithm)
    }
}

impl TokenKeys {
    /// HS256 with a shared secret of at least 32 bytes.
    pub fn hs256(secret: &[u8], access_ttl: Duration) -> AppResult<TokenKeys> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AppError::internal(format!(
                "the JWT secret must be at least {MIN_SECRET_BYTES} bytes"
            )));
        }
        Ok(TokenKeys {
            algorithm: Algorithm::HS256,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access_ttl,
        })
    }

    /// EdDSA or RS256 from PEM files, for deployments that verify tokens elsewhere.
    pub fn from_pem(
        algorithm: Algorithm,
        private_pem: &[u8],
        public_pem: &[u8],
        access_ttl: Duration,
    ) -> AppResult<TokenKeys> {
        let bad = |e: jsonwebtoken::errors::Error| AppError::internal(format!("JWT key file: {e}"));
        let (encoding, decoding) = match algorithm {
            Algorithm::EdDSA => (
                EncodingKey::from_ed_pem(private_pem).map_err(bad)?,
                DecodingKey::from_ed_pem(public_pem).map_err(bad)?,
            ),
            Algorithm::RS256 => (
                EncodingKey::from_rsa_pem(private_pem).map_err(bad)?,
                DecodingKey::from_rsa_pem(public_pem).map_err(bad)?,
            ),
            other => {
                return Err(AppError::internal(format!(
                    "unsupported JWT algorithm {other:?}: use EdDSA or RS256"
                )))
            }
        };
        Ok(TokenKeys {
            algorithm,
            encoding,
            decoding,
            access_ttl,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// A signed access token for `account_id` and when it expires, outside
    /// any sign-in session (issued by the operator).
    pub fn issue(&self, account_id: i64, now: DateTime<Utc>) -> AppResult<(String, DateTime<Utc>)> {
        self.issue_in(account_id, None, now)
    }

    /// A signed access token of sign-in session `session`.
    pub fn issue_in(
        &self,
        account_id: i64,
        session: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let expires = now + self.access_ttl;
        let claims = Claims {
            sub: account_id.to_string(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            exp: expires.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
            iat_ms: now.timestamp_millis(),
            jti: random_token(),
            sid: session.map(str::to_owned),
        };
        Ok((self.sign(&claims)?, expires))
    }

    fn sign(&self, claims: &impl Serialize) -> AppResult<String> {
        encode(&Header::new(self.algorithm), claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("signing a token: {e}")))
    }

    /// How a token for `audience` is checked: this server's algorithm,
    /// issuer and audience, every time claim required, `leeway` seconds.
    fn validation(&self, audience: &str, leeway: u64) -> Validation {
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = leeway;
        validation
    }

    /// The claims of a valid token for `audience`, and its account id;
    /// `UNAUTHENTICATED` otherwise.
    fn open<C: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
        leeway: u64,
        sub: impl Fn(&C) -> &str,
    ) -> AppResult<(C, i64)> {
        let validation = self.validation(audience, leeway);
        let claims = decode::<C>(token, &self.decoding, &validation)
            .map_err(|e| {
                tracing::debug!(error = %e, audience, "rejected token");
                AppError::Unauthenticated
            })?
            .claims;
        let account_id = sub(&claims)
            .parse()
            .map_err(|_| AppError::Unauthenticated)?;
        Ok((claims, account_id))
    }

    /// The account id of a valid token; `UNAUTHENTICATED` otherwise.
    pub fn verify(&self, token: &str) -> AppResult<Verified> {
        let (claims, account_id) = self.open::<Claims>(token, AUDIENCE, 5, |c| &c.sub)?;
        Ok(Verified {
            account_id,
            issued_at_ms: claims.iat_ms,
            expires_at: claims.exp,
            session: claims.sid,
        })
    }
}

impl TokenKeys {
    /// A link token for `report` (and `under`) of `account_id`, valid for
    /// `ttl`: signed like access tokens, but for another audience, so it
    /// opens that download and nothing else.
    pub fn issue_report_link(
        &self,
        account_id: i64,
        report: &str,
        under: Option<&str>,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let expires = now + ttl;
        let claims = ReportClaims {
            sub: account_id.to_string(),
            iss: ISSUER.to_owned(),
            aud: REPORT_AUDIENCE.to_owned(),
            exp: expires.timestamp(),
            nbf: now.timestamp(),
            iat_ms: now.timestamp_millis(),
            report: report.to_owned(),
            under: under.map(str::to_owned),
        };
        Ok((self.sign(&claims)?, expires))
    }

    /// A valid report link; `UNAUTHENTICATED` otherwise (expired included).
    pub fn verify_report_link(&self, token: &str) -> AppResult<ReportLink> {
        let (claims, account_id) =
            self.open::<ReportClaims>(token, REPORT_AUDIENCE, 0, |c| &c.sub)?;
        Ok(ReportLink {
            account_id,
            issued_at_ms: claims.iat_ms,
            report: claims.report,
            under: claims.under,
        })
    }
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a refresh token is stored.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::hs256(&[7u8; 32], Duration::minutes(15)).unwrap()
    }

    #[test]
    fn issued_tokens_verify() {
        let (token, exp) = keys().issue(42, Utc::now()).unwrap();
        assert!(exp > Utc::now());
        assert_eq!(keys().verify(&token).unwrap().account_id, 42);
    }

    #[test]
    fn report_links_open_reports_only() {
        let now = Utc::now();
        let (link, _) = keys()
            .issue_report_link(42, "coverage.xlsx", Some("T1"), now, Duration::seconds(60))
            .unwrap();
        let opened = keys().verify_report_link(&link).unwrap();
        assert_eq!(
            (opened.account_id, opened.report.as_str()),
            (42, "coverage.xlsx")
        );
        assert_eq!(opened.under.as_deref(), Some("T1"));
        // Not an access token, and an access token is no link.
        assert!(keys().verify(&link).is_err());
        let (access, _) = keys().issue(42, now).unwrap();
        assert!(keys().verify_report_link(&access).is_err());
        let (old, _) = keys()
            .issue_report_link(
                42,
                "coverage.xlsx",
                None,
                now - Duration::seconds(120),
                Duration::seconds(60),
            )
            .unwrap();
        assert!(keys().verify_report_link(&old).is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenKeys::hs256(&[1u8; 31], Duration::minutes(1)).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
