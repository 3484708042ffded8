//! Settings from flags, environment variables (clap reads both), an optional
//! TOML config file, then defaults — in that order of precedence.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use waymark_core::sso::RoleMap;
use waymark_web::oidc::{ClientSecret, OidcConfig, OidcSettings};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    db: Option<String>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    anonymous_read: Option<bool>,
    session_idle_minutes: Option<u32>,
    session_max_hours: Option<u32>,
    #[serde(default)]
    oidc: FileOidc,
}

/// The config file's `[oidc]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOidc {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    role_map: Option<String>,
    groups_claim: Option<String>,
}

/// A secret read from the environment or the config file: never printed.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Single sign-on's settings from the command line (clap reads each flag's
/// environment variable too). The client secret has no flag: a command line
/// is visible to every user of the machine. It comes from
/// `WAYMARK_OIDC_CLIENT_SECRET` or the config file.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct SsoArgs {
    /// The address people use to reach Waymark (https://waymark.example.org);
    /// single sign-on's redirect URI is PUBLIC_URL/auth/oidc/callback.
    #[arg(long, env = "WAYMARK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// OpenID Connect issuer for single sign-on (discovery at
    /// ISSUER/.well-known/openid-configuration) [default: no single sign-on].
    #[arg(long, env = "WAYMARK_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The client id Waymark is registered under at the provider.
    #[arg(long, env = "WAYMARK_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Which role each group gives: `group=role,…` (`*` is anyone the
    /// provider signs in; someone in no listed group is refused).
    #[arg(long, env = "WAYMARK_OIDC_ROLE_MAP")]
    pub oidc_role_map: Option<String>,
    /// The ID token claim holding the groups [default: groups].
    #[arg(long, env = "WAYMARK_OIDC_GROUPS_CLAIM")]
    pub oidc_groups_claim: Option<String>,
}

/// Who may read without signing in, and how long sessions last.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct AccessArgs {
    /// Whether visitors who are not signed in may read the plans (writes
    /// always need a signed-in account) [default: false for serve, true for demo].
    #[arg(long, env = "WAYMARK_ANONYMOUS_READ", value_name = "true|false")]
    pub anonymous_read: Option<bool>,
    /// Minutes a session may sit unused before it ends [default: 120].
    #[arg(long, env = "WAYMARK_SESSION_IDLE_MINUTES", value_parser = clap::value_parser!(u32).range(1..=43_200))]
    pub session_idle_minutes: Option<u32>,
    /// Hours after signing in that a session ends, however busy [default: 12].
    #[arg(long, env = "WAYMARK_SESSION_MAX_HOURS", value_parser = clap::value_parser!(u32).range(1..=8_760))]
    pub session_max_hours: Option<u32>,
}

pub struct Settings {
    pub data_dir: PathBuf,
    pub db: String,
    addr: Option<String>,
    public_url: Option<String>,
    anonymous_read: Option<bool>,
    session_idle_minutes: Option<u32>,
    session_max_hours: Option<u32>,
    oidc: FileOidc,
}

impl Settings {
    pub fn resolve(
        db: Option<String>,
        data_dir: Option<PathBuf>,
        config: Option<PathBuf>,
    ) -> Result<Self> {
        let default_dir = default_data_dir();
        let config_path = config.clone().or_else(|| {
            let p = data_dir
                .clone()
                .unwrap_or_else(|| default_dir.clone())
                .join("waymark.toml");
            p.exists().then_some(p)
        });
        let file = match &config_path {
            Some(path) => read_config(path)?,
            None => FileConfig::default(),
        };
        let data_dir = data_dir.or(file.data_dir).unwrap_or(default_dir);
        let db = db
            .or(file.db)
            .unwrap_or_else(|| data_dir.join("waymark.db").to_string_lossy().to_string());
        Ok(Settings {
            data_dir,
            db,
            addr: file.addr,
            public_url: file.public_url,
            anonymous_read: file.anonymous_read,
            session_idle_minutes: file.session_idle_minutes,
            session_max_hours: file.session_max_hours,
            oidc: file.oidc,
        })
    }

    /// The access settings: flags and environment, then the file, then the
    /// defaults (anonymous reading on for the demo only). Cookies are
    /// `Secure` when the public URL is https.
    pub fn access(
        &self,
        args: &AccessArgs,
        sso: &SsoArgs,
        demo: bool,
    ) -> Result<waymark_web::AccessSettings> {
        let defaults = waymark_web::AccessSettings::default();
        let idle = args.session_idle_minutes.or(self.session_idle_minutes);
        let max = args.session_max_hours.or(self.session_max_hours);
        if idle == Some(0) || max == Some(0) {
            bail!("session_idle_minutes and session_max_hours must be at least 1");
        }
        let public_url = sso.public_url.clone().or_else(|| self.public_url.clone());
        Ok(waymark_web::AccessSettings {
            anonymous_read: args.anonymous_read.or(self.anonymous_read).unwrap_or(demo),
            session: waymark_store::SessionPolicy {
                idle_ms: idle.map_or(defaults.session.idle_ms, |m| i64::from(m) * 60_000),
                max_ms: max.map_or(defaults.session.max_ms, |h| i64::from(h) * 3_600_000),
            },
            secure_cookies: public_url
                .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://")),
        })
    }

    /// Single sign-on's settings, checked: `None` when no issuer is set
    /// anywhere (and no other single sign-on setting either). The secret
    /// comes from `secret_env` (`WAYMARK_OIDC_CLIENT_SECRET`), else the file.
    pub fn oidc(&self, args: &SsoArgs, secret_env: Option<String>) -> Result<Option<OidcConfig>> {
        let pick = |flag: &Option<String>, file: &Option<String>| {
            flag.clone()
                .or_else(|| file.clone())
                .filter(|v| !v.trim().is_empty())
        };
        let issuer = pick(&args.oidc_issuer, &self.oidc.issuer);
        let client_id = pick(&args.oidc_client_id, &self.oidc.client_id);
        let role_map = pick(&args.oidc_role_map, &self.oidc.role_map);
        let groups_claim = pick(&args.oidc_groups_claim, &self.oidc.groups_claim);
        let secret = secret_env
            .filter(|s| !s.is_empty())
            .or_else(|| self.oidc.client_secret.clone().map(|s| s.0));
        let public_url = pick(&args.public_url, &self.public_url);
        let Some(issuer) = issuer else {
            let given: Vec<&str> = [
                (client_id.is_some(), "WAYMARK_OIDC_CLIENT_ID"),
                (secret.is_some(), "WAYMARK_OIDC_CLIENT_SECRET"),
                (role_map.is_some(), "WAYMARK_OIDC_ROLE_MAP"),
                (groups_claim.is_some(), "WAYMARK_OIDC_GROUPS_CLAIM"),
            ]
            .into_iter()
            .filter_map(|(set, name)| set.then_some(name))
            .collect();
            if !given.is_empty() {
                bail!(
                    "{} set but WAYMARK_OIDC_ISSUER is not: set the issuer to turn single sign-on on, or unset the rest",
                    given.join(", ")
                );
            }
            return Ok(None);
        };
        let missing = |name: &str| anyhow!("single sign-on (WAYMARK_OIDC_ISSUER) needs {name} too");
        let public_url = public_url.ok_or_else(|| {
            missing(
                "WAYMARK_PUBLIC_URL (the redirect URI is WAYMARK_PUBLIC_URL/auth/oidc/callback)",
            )
        })?;
        let client_id = client_id.ok_or_else(|| missing("WAYMARK_OIDC_CLIENT_ID"))?;
        let secret = secret.ok_or_else(|| missing("WAYMARK_OIDC_CLIENT_SECRET"))?;
        let role_map = role_map.ok_or_else(|| {
            missing("WAYMARK_OIDC_ROLE_MAP (group=role,…: who may sign in, with which role)")
        })?;
        let role_map: RoleMap = role_map
            .parse()
            .map_err(|e| anyhow!("WAYMARK_OIDC_ROLE_MAP: {e}"))?;
        let config = OidcConfig::new(OidcSettings {
            public_url: &public_url,
            issuer: &issuer,
            client_id: &client_id,
            client_secret: ClientSecret::new(secret),
            role_map,
            groups_claim: groups_claim.as_deref(),
        })
        .map_err(|e| anyhow!(e))?;
        Ok(Some(config))
    }

    pub fn addr(&self, flag: Option<String>) -> String {
        flag.or_else(|| self.addr.clone())
            .unwrap_or_else(|| "127.0.0.1:8080".into())
    }
}

fn read_config(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("the config file {} is not valid", path.display()))
}

fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("waymark");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/waymark"),
        None => PathBuf::from("waymark-data"),
    }
}
