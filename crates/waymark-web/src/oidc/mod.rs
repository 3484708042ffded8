//! Single sign-on with OpenID Connect (the `openidconnect` crate; no JOSE of
//! our own): discovery from the issuer, the authorization code flow with
//! PKCE (S256), state and nonce, and the ID token checked — its signature
//! against the keys the provider publishes, its issuer, audience, expiry and
//! nonce — before anything in it is believed.
//!
//! [`Oidc::begin`] starts a sign-in: it keeps the pending login (state, nonce,
//! PKCE verifier, where to return) in server memory under a random id that
//! goes to the browser in a short-lived HttpOnly, SameSite=Lax cookie, and
//! gives the provider's authorization address. [`Oidc::finish`] takes that
//! pending login out (once: a second callback with the same cookie finds
//! nothing), checks the provider's answer, exchanges the code and checks the
//! ID token, and gives the [`Identity`] with the role the role map gives its
//! groups. The page handlers are in `pages::sso`.

mod pending;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::url::Url;
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, CsrfToken, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenClaims, IdTokenFields, IssuerUrl, Nonce,
    PkceCodeChallenge, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use waymark_core::access::Role;
use waymark_core::limits;
use waymark_core::sso::{ReturnTo, RoleMap};

pub use pending::{COOKIE, PENDING_TTL, is_id as is_pending_id};
use pending::{Pending, PendingLogins};

/// The claim the groups are read from unless `WAYMARK_OIDC_GROUPS_CLAIM`
/// names another.
pub const DEFAULT_GROUPS_CLAIM: &str = "groups";

/// Where the provider sends the browser back, under `WAYMARK_PUBLIC_URL`.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

/// How long discovered metadata and keys are used before they are fetched
/// again (providers publish a new key well before they sign with it).
const DISCOVERY_TTL: Duration = Duration::from_secs(300);

/// How long one request to the provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The signature algorithms an ID token may use: the provider's published
/// (public) keys only. A MAC under the client secret (HS256) is refused: it
/// is not the provider's key.
const SIGNING_ALGORITHMS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The client secret. Never printed: `Debug` and `Display` show
/// `[redacted]`.
#[derive(Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: String) -> Self {
        ClientSecret(secret)
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Single sign-on's settings, checked (see `docs/sso.md`).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    role_map: RoleMap,
    groups_claim: String,
    secure_cookie: bool,
}

/// What the settings give, before they are checked.
pub struct OidcSettings<'a> {
    /// `WAYMARK_PUBLIC_URL`: the address people use to reach Waymark.
    pub public_url: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: ClientSecret,
    pub role_map: RoleMap,
    /// `None`: [`DEFAULT_GROUPS_CLAIM`].
    pub groups_claim: Option<&'a str>,
}

impl OidcConfig {
    /// Checks the settings: the public address and the issuer are `http(s)`
    /// URLs, the issuer `https` unless it is on this machine (a test
    /// provider), a client id and secret are given, the groups claim is a
    /// plain name.
    pub fn new(s: OidcSettings<'_>) -> Result<OidcConfig, String> {
        let public = Url::parse(s.public_url.trim())
            .map_err(|e| format!("WAYMARK_PUBLIC_URL \"{}\" is not a URL: {e}", s.public_url))?;
        if !matches!(public.scheme(), "http" | "https")
            || public.host_str().is_none()
            || public.query().is_some()
            || public.fragment().is_some()
        {
            return Err(format!(
                "WAYMARK_PUBLIC_URL \"{}\" should be http(s)://host[:port][/path], without a query",
                s.public_url
            ));
        }
        let redirect = format!("{}{CALLBACK_PATH}", public.as_str().trim_end_matches('/'));
        let redirect = RedirectUrl::new(redirect).map_err(|e| format!("redirect URI: {e}"))?;

        let issuer_url = Url::parse(s.issuer.trim())
            .map_err(|e| format!("WAYMARK_OIDC_ISSUER \"{}\" is not a URL: {e}", s.issuer))?;
        let loopback = match issuer_url.host() {
            Some(openidconnect::url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match issuer_url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(format!(
                    "WAYMARK_OIDC_ISSUER \"{}\" should be an https:// address (http:// only on this machine, for tests)",
                    s.issuer
                ));
            }
        }
        if issuer_url.query().is_some() || issuer_url.fragment().is_some() {
            return Err(format!(
                "WAYMARK_OIDC_ISSUER \"{}\" should have no query or fragment",
                s.issuer
            ));
        }
        // As written (less surrounding space): the ID token's `iss` must be
        // exactly this, so it is not normalised.
        let issuer = IssuerUrl::new(s.issuer.trim().to_string())
            .map_err(|e| format!("WAYMARK_OIDC_ISSUER: {e}"))?;

        let client_id = s.client_id.trim();
        if client_id.is_empty() {
            return Err("WAYMARK_OIDC_CLIENT_ID is empty".into());
        }
        if s.client_secret.0.is_empty() {
            return Err(
                "WAYMARK_OIDC_CLIENT_SECRET is not set (Waymark is a confidential client)".into(),
            );
        }
        let groups_claim = s
            .groups_claim
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(DEFAULT_GROUPS_CLAIM);
        if groups_claim.len() > 100 || !groups_claim.chars().all(|c| c.is_ascii_graphic()) {
            return Err(format!(
                "WAYMARK_OIDC_GROUPS_CLAIM \"{groups_claim}\" should be a claim's name"
            ));
        }
        Ok(OidcConfig {
            issuer,
            client_id: ClientId::new(client_id.to_string()),
            client_secret: s.client_secret,
            redirect,
            role_map: s.role_map,
            groups_claim: groups_claim.to_string(),
            secure_cookie: public.scheme() == "https",
        })
    }

    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// `{WAYMARK_PUBLIC_URL}/auth/oidc/callback`.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    pub fn role_map(&self) -> &RoleMap {
        &self.role_map
    }

    pub fn groups_claim(&self) -> &str {
        &self.groups_claim
    }

    /// Whether cookies get `Secure` (the public address is https).
    pub fn secure_cookie(&self) -> bool {
        self.secure_cookie
    }
}

/// Every claim of the ID token beyond the standard ones, so the groups can be
/// read from whichever claim the settings name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OtherClaims(serde_json::Map<String, serde_json::Value>);

impl AdditionalClaims for OtherClaims {}

type Fields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<Fields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Who the provider says signed in, checked, with the role the role map gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The issuer, as configured (the ID token's `iss` equals it).
    pub issuer: String,
    /// The provider's stable id for the person (`sub`); with the issuer, the
    /// account's key. An email address can change hands; this does not.
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// `name`, else `preferred_username`.
    pub name: Option<String>,
    pub groups: Vec<String>,
    pub role: Role,
    /// Where to go once signed in.
    pub return_to: ReturnTo,
}

/// What the provider sent back to the callback (its query string).
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// RFC 9207: the issuer that answered, when the provider says.
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Why a sign-in did not happen. [`SsoError::message`] is for the person;
/// [`fmt::Display`] is for the log (never a secret or a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoError {
    /// Discovery or the token request could not reach the provider, or it
    /// answered with something that is not OpenID Connect.
    Provider(String),
    /// Too many sign-ins are waiting for the provider.
    Busy,
    /// No pending sign-in for this browser: expired, already used, or the
    /// cookie was not sent.
    NoPendingLogin,
    /// The state in the callback is not the one this browser's sign-in sent.
    StateMismatch,
    /// The callback names another issuer (RFC 9207 mix-up).
    IssuerMismatch(String),
    /// The provider sent an error instead of a code (the person cancelled,
    /// or is not allowed to use the application).
    Refused { error: String },
    /// The callback has no code.
    NoCode,
    /// The ID token is missing, or fails a check (signature, issuer,
    /// audience, expiry, nonce).
    BadToken(String),
    /// The person is in no group the role map names.
    NoRole { subject: String },
}

impl fmt::Display for SsoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SsoError::Provider(e) => write!(f, "provider: {e}"),
            SsoError::Busy => f.write_str("too many pending sign-ins"),
            SsoError::NoPendingLogin => f.write_str("no pending sign-in for this browser"),
            SsoError::StateMismatch => f.write_str("state does not match"),
            SsoError::IssuerMismatch(iss) => write!(f, "callback from another issuer: {iss}"),
            SsoError::Refused { error } => write!(f, "provider refused: {error}"),
            SsoError::NoCode => f.write_str("callback without a code"),
            SsoError::BadToken(e) => write!(f, "ID token refused: {e}"),
            SsoError::NoRole { subject } => {
                write!(f, "subject {subject} is in no group of the role map")
            }
        }
    }
}

impl SsoError {
    /// A short heading and a sentence or two for the person, naming what
    /// they can do.
    pub fn message(&self) -> (&'static str, String) {
        match self {
            SsoError::Provider(_) => (
                "Your organisation's sign-in service did not answer",
                "Waymark could not reach your organisation's sign-in service, or did not understand its answer. Try again in a few minutes; if it keeps happening, tell whoever runs Waymark.".into(),
            ),
            SsoError::Busy => (
                "Too many people are signing in",
                "Too many sign-ins are waiting for your organisation's sign-in service. Try again in a few minutes.".into(),
            ),
            SsoError::NoPendingLogin => (
                "This sign-in has expired",
                format!(
                    "The sign-in was not finished within {} minutes, was already used, or this browser did not send it back. Start again.",
                    PENDING_TTL.as_secs() / 60
                ),
            ),
            SsoError::StateMismatch | SsoError::IssuerMismatch(_) | SsoError::NoCode => (
                "The sign-in could not be checked",
                "The answer from the sign-in service does not belong to the sign-in this browser started, so you have not been signed in. Start again.".into(),
            ),
            SsoError::Refused { error } => (
                "Your organisation's sign-in service did not sign you in",
                match error.as_str() {
                    "access_denied" => "The sign-in was cancelled or refused by your organisation's sign-in service. You have not been signed in.".into(),
                    _ => "Your organisation's sign-in service answered with an error, so you have not been signed in. Try again; if it keeps happening, tell whoever runs Waymark.".into(),
                },
            ),
            SsoError::BadToken(_) => (
                "The sign-in could not be verified",
                "The sign-in service's answer failed Waymark's checks (its signature, who issued it, who it is for, or its expiry), so you have not been signed in. Tell whoever runs Waymark.".into(),
            ),
            SsoError::NoRole { .. } => (
                "Your account does not have access to Waymark",
                "You signed in, but your account is in none of the groups that Waymark gives access to, so you have not been signed in. Ask whoever runs Waymark to add you to one.".into(),
            ),
        }
    }

    /// The page's status.
    pub fn status(&self) -> u16 {
        match self {
            SsoError::Provider(_) => 502,
            SsoError::Busy => 503,
            SsoError::NoRole { .. } | SsoError::Refused { .. } => 403,
            _ => 400,
        }
    }
}

/// An error and its causes, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

struct Discovered {
    at: Instant,
    client: Arc<OidcClient>,
}

/// Single sign-on, configured: the settings, an HTTP client for the
/// provider, the discovered provider (cached for a few minutes) and the
/// pending sign-ins.
pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Discovered>>,
    pending: PendingLogins,
}

impl fmt::Debug for Oidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Oidc")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Oidc, String> {
        let http = openidconnect::reqwest::Client::builder()
            // Following a redirect from the provider could be steered to
            // an address of the attacker's choosing (SSRF): never.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot make the HTTP client for single sign-on: {e}"))?;
        Ok(Oidc {
            config,
            http,
            discovered: tokio::sync::Mutex::new(None),
            pending: PendingLogins::default(),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The provider's client, discovered (again when the last discovery is
    /// older than a few minutes).
    async fn client(&self) -> Result<Arc<OidcClient>, SsoError> {
        let mut slot = self.discovered.lock().await;
        if let Some(d) = slot.as_ref().filter(|d| d.at.elapsed() < DISCOVERY_TTL) {
            return Ok(d.client.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.config.issuer.clone(), &self.http)
            .await
            .map_err(|e| SsoError::Provider(format!("discovery: {}", chain(&e))))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            self.config.client_id.clone(),
            Some(openidconnect::ClientSecret::new(
                self.config.client_secret.0.clone(),
            )),
        )
        .set_redirect_uri(self.config.redirect.clone());
        let client = Arc::new(client);
        *slot = Some(Discovered {
            at: Instant::now(),
            client: client.clone(),
        });
        Ok(client)
    }

    /// Starts a sign-in: the pending login's id (for the cookie) and the
    /// provider's authorization address to send the browser to.
    pub async fn begin(&self, return_to: ReturnTo) -> Result<(String, Url), SsoError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let id = self
            .pending
            .insert(Pending::new(state, nonce, verifier, return_to, client))?;
        Ok((id, url))
    }

    /// Finishes a sign-in from the callback: the pending login `id` (from the
    /// cookie; taken out whatever happens next) and the provider's answer.
    pub async fn finish(
        &self,
        id: Option<&str>,
        query: CallbackQuery,
    ) -> Result<Identity, SsoError> {
        let pending = id
            .and_then(|id| self.pending.take(id))
            .ok_or(SsoError::NoPendingLogin)?;
        if !pending.state_matches(query.state.as_deref()) {
            return Err(SsoError::StateMismatch);
        }
        if let Some(iss) = query.iss.as_deref()
            && iss != self.config.issuer.as_str()
        {
            return Err(SsoError::IssuerMismatch(shorten(iss)));
        }
        if let Some(error) = query.error {
            return Err(SsoError::Refused {
                error: shorten(&error),
            });
        }
        let code = query
            .code
            .filter(|c| !c.is_empty())
            .ok_or(SsoError::NoCode)?;
        let Pending {
            nonce,
            verifier,
            return_to,
            client,
            ..
        } = pending;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SsoError::Provider(format!("token endpoint: {}", chain(&e))))?
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Provider(format!("token request: {}", chain(&e))))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| SsoError::BadToken("the token response has no ID token".into()))?;
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(SIGNING_ALGORITHMS);
        let claims = id_token
            .claims(&verifier, &nonce)
            .map_err(|e| SsoError::BadToken(chain(&e)))?;
        self.identity(claims, return_to)
    }

    /// The identity in checked claims, with its role.
    fn identity(
        &self,
        claims: &IdTokenClaims<OtherClaims, CoreGenderClaim>,
        return_to: ReturnTo,
    ) -> Result<Identity, SsoError> {
        let subject = claims.subject().as_str().to_string();
        let email = claims.email().map(|e| e.as_str().to_string());
        let groups = if self.config.groups_claim == "email" {
            // Mapping people one by one: only an address the provider has
            // verified.
            email
                .iter()
                .filter(|_| claims.email_verified() != Some(false))
                .cloned()
                .collect()
        } else {
            groups_in(claims.additional_claims(), &self.config.groups_claim)
        };
        let role = self
            .config
            .role_map
            .role_for(groups.iter().map(String::as_str))
            .ok_or_else(|| SsoError::NoRole {
                subject: shorten(&subject),
            })?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()));
        Ok(Identity {
            issuer: self.config.issuer.as_str().to_string(),
            subject,
            email,
            email_verified: claims.email_verified(),
            name,
            groups,
            role,
            return_to,
        })
    }
}

/// At most 200 characters of what the provider sent, for a log line.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(200).filter(|c| !c.is_control()).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The groups in a claim: an array of strings (Entra ID, Keycloak), or one
/// string (Google's `hd`); anything else holds none. At most
/// [`limits::SSO_TOKEN_GROUPS`] are read.
fn groups_in(claims: &OtherClaims, name: &str) -> Vec<String> {
    match claims.0.get(name) {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str())
            .take(limits::SSO_TOKEN_GROUPS)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> OtherClaims {
        match serde_json::from_str(json) {
            Ok(c) => c,
            Err(e) => panic!("{json}: {e}"),
        }
    }

    fn settings<'a>(public_url: &'a str, issuer: &'a str) -> OidcSettings<'a> {
        OidcSettings {
            public_url,
            issuer,
            client_id: "waymark",
            client_secret: ClientSecret::new("s3cret-value".into()),
            role_map: match "staff=viewer".parse() {
                Ok(m) => m,
                Err(e) => panic!("{e}"),
            },
            groups_claim: None,
        }
    }

    #[test]
    fn groups_come_from_an_array_or_one_string() {
        let c = claims(r#"{"groups":["a","b",3,null,"c"],"hd":"example.org","roles":{"x":1}}"#);
        assert_eq!(groups_in(&c, "groups"), ["a", "b", "c"]);
        assert_eq!(groups_in(&c, "hd"), ["example.org"]);
        assert!(groups_in(&c, "roles").is_empty());
        assert!(groups_in(&c, "missing").is_empty());
        let many = format!(
            r#"{{"groups":[{}]}}"#,
            (0..limits::SSO_TOKEN_GROUPS + 5)
                .map(|i| format!("\"g{i}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(
            groups_in(&claims(&many), "groups").len(),
            limits::SSO_TOKEN_GROUPS
        );
    }

    fn oidc(role_map: &str, groups_claim: Option<&str>) -> Oidc {
        let mut s = settings("https://w.example.org", "https://id.example.org");
        s.role_map = match role_map.parse() {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        s.groups_claim = groups_claim;
        match OidcConfig::new(s).and_then(Oidc::new) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        }
    }

    /// ID token claims as openidconnect reads them (after the checks).
    fn id_claims(extra: &str) -> IdTokenClaims<OtherClaims, CoreGenderClaim> {
        let json = format!(
            r#"{{"iss":"https://id.example.org","aud":"waymark","sub":"248289761001",
                "exp":4102444800,"iat":1700000000,"nonce":"n",
                "email":"jane@council.example","name":"Jane Smith"{extra}}}"#
        );
        match serde_json::from_str(&json) {
            Ok(c) => c,
            Err(e) => panic!("{json}: {e}"),
        }
    }

    #[test]
    fn the_identity_and_its_role_come_from_the_checked_claims() {
        let sso = oidc("ict=manager,staff=viewer", None);
        let claims =
            id_claims(r#","email_verified":true,"groups":["staff","ict"],"hd":"council.example""#);
        let to: ReturnTo = match "/plans/1".parse() {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        match sso.identity(&claims, to.clone()) {
            Ok(id) => assert_eq!(
                id,
                Identity {
                    issuer: "https://id.example.org".into(),
                    subject: "248289761001".into(),
                    email: Some("jane@council.example".into()),
                    email_verified: Some(true),
                    name: Some("Jane Smith".into()),
                    groups: vec!["staff".into(), "ict".into()],
                    role: Role::Manager,
                    return_to: to,
                }
            ),
            Err(e) => panic!("{e}"),
        }
        // Another claim, named by WAYMARK_OIDC_GROUPS_CLAIM: Google's domain.
        let by_domain = oidc("council.example=viewer", Some("hd"));
        assert_eq!(
            by_domain
                .identity(&claims, ReturnTo::home())
                .map(|i| i.role),
            Ok(Role::Viewer)
        );
        // In no mapped group: refused, naming the subject for the log.
        let none = oidc("admins=admin", None);
        assert_eq!(
            none.identity(&claims, ReturnTo::home()),
            Err(SsoError::NoRole {
                subject: "248289761001".into()
            })
        );
        // No groups claim at all: refused too, unless `*` is mapped.
        let bare = id_claims("");
        assert!(
            oidc("staff=viewer", None)
                .identity(&bare, ReturnTo::home())
                .is_err()
        );
        assert_eq!(
            oidc("*=viewer", None)
                .identity(&bare, ReturnTo::home())
                .map(|i| i.role),
            Ok(Role::Viewer)
        );
    }

    #[test]
    fn mapping_by_email_needs_an_address_the_provider_has_not_called_unverified() {
        let sso = oidc("jane@council.example=approver", Some("email"));
        let verified = id_claims(r#","email_verified":true"#);
        assert_eq!(
            sso.identity(&verified, ReturnTo::home()).map(|i| i.role),
            Ok(Role::Approver)
        );
        let unverified = id_claims(r#","email_verified":false"#);
        assert!(sso.identity(&unverified, ReturnTo::home()).is_err());
    }

    #[test]
    fn the_secret_is_never_printed() {
        let config = match OidcConfig::new(settings(
            "https://waymark.example.org/",
            "https://login.example.org/tenant/v2.0",
        )) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-value"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(
            config.redirect_uri(),
            "https://waymark.example.org/auth/oidc/callback"
        );
        assert!(config.secure_cookie());
        assert_eq!(config.groups_claim(), "groups");
        let oidc = match Oidc::new(config) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        assert!(!format!("{oidc:?}").contains("s3cret-value"));
    }

    #[test]
    fn settings_are_checked() {
        let err = |public: &str, issuer: &str| match OidcConfig::new(settings(public, issuer)) {
            Ok(_) => panic!("{public} {issuer} should be refused"),
            Err(e) => e,
        };
        assert!(
            err("waymark.example.org", "https://id.example.org").contains("WAYMARK_PUBLIC_URL")
        );
        assert!(err("https://w.example.org/?a=1", "https://id.example.org").contains("query"));
        assert!(err("https://w.example.org", "http://id.example.org").contains("https://"));
        assert!(err("https://w.example.org", "ftp://id.example.org").contains("https://"));
        assert!(err("https://w.example.org", "not a url").contains("WAYMARK_OIDC_ISSUER"));
        for loopback in [
            "http://127.0.0.1:9000",
            "http://localhost:9000/realms/x",
            "http://[::1]:9000",
        ] {
            match OidcConfig::new(settings("http://127.0.0.1:8080/waymark/", loopback)) {
                Ok(c) => {
                    assert_eq!(
                        c.redirect_uri(),
                        "http://127.0.0.1:8080/waymark/auth/oidc/callback"
                    );
                    assert!(!c.secure_cookie());
                }
                Err(e) => panic!("{loopback}: {e}"),
            }
        }
        let mut s = settings("https://w.example.org", "https://id.example.org");
        s.client_secret = ClientSecret::new(String::new());
        assert!(OidcConfig::new(s).is_err_and(|e| e.contains("CLIENT_SECRET")));
        let mut s = settings("https://w.example.org", "https://id.example.org");
        s.client_id = " ";
        assert!(OidcConfig::new(s).is_err_and(|e| e.contains("CLIENT_ID")));
        let mut s = settings("https://w.example.org", "https://id.example.org");
        s.groups_claim = Some("has space");
        assert!(OidcConfig::new(s).is_err_and(|e| e.contains("GROUPS_CLAIM")));
    }
}
