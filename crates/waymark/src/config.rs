//! Settings from flags, environment variables (clap reads both), an optional
//! TOML config file, then defaults — in that order of precedence.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    db: Option<String>,
    data_dir: Option<PathBuf>,
}

pub struct Settings {
    pub data_dir: PathBuf,
    pub db: String,
    addr: Option<String>,
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
        })
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
