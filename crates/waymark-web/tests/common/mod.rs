//! Test helpers: start the real server on a random port against a fresh SQLite
//! database holding the seed plan, and speak HTTP/1.1 to it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use waymark_core::access::Role;
use waymark_core::import::{Format, ImportOptions, import};
use waymark_store::{AccountId, NewAccount, OnExisting, PlanStore, secret};

mod api;
#[allow(unused_imports)] // not every suite speaks to the API
pub use api::*;

pub const SEED: &[u8] = waymark_demo::CYPS_PLAN;
pub const PLAN_TITLE: &str = "CYPS ICT strategy action plan";
/// The administrator every test server has, and its password.
pub const ADMIN_EMAIL: &str = "admin@example.org";
pub const ADMIN_PASSWORD: &str = "admin password for tests";

/// The password of the accounts the tests make ([`Server::token_as`],
/// [`Server::signed_in`], [`Browser::as_account`]).
pub const PASSWORD: &str = "a password for the tests";

/// A running server with its own database, an administrator account and
/// that administrator's API token (which [`send`] adds to every request
/// that names no `Authorization` of its own).
pub struct Server {
    pub addr: SocketAddr,
    pub dir: PathBuf,
    pub store: Arc<dyn PlanStore>,
    pub token: String,
}

/// The token [`send`] adds for each server.
fn tokens() -> &'static Mutex<HashMap<SocketAddr, String>> {
    static TOKENS: std::sync::OnceLock<Mutex<HashMap<SocketAddr, String>>> =
        std::sync::OnceLock::new();
    TOKENS.get_or_init(|| Mutex::new(HashMap::new()))
}

impl Server {
    /// A new account with `role` and a password; answers its id.
    pub fn account(&self, email: &str, role: Role, password: &str) -> AccountId {
        self.account_owning(email, role, password, &[])
    }

    /// A new account that owns the packages under `owner_names`.
    pub fn account_owning(
        &self,
        email: &str,
        role: Role,
        password: &str,
        owner_names: &[&str],
    ) -> AccountId {
        self.store
            .create_account(
                &NewAccount {
                    email: email.parse().unwrap(),
                    name: format!("{role} of the tests"),
                    role,
                    owner_names: owner_names.iter().map(|n| n.parse().unwrap()).collect(),
                    password_hash: Some(secret::hash_password(password).unwrap()),
                    must_change_password: false,
                },
                &cli(),
            )
            .unwrap()
    }

    /// An API token of a new account with `role` (its password [`PASSWORD`]).
    pub fn token_as(&self, email: &str, role: Role) -> String {
        self.token_for(self.account(email, role, PASSWORD))
    }

    /// A browser signed in as a new account with `role` (its password
    /// [`PASSWORD`]).
    pub fn signed_in(&self, email: &str, role: Role) -> Browser {
        self.account(email, role, PASSWORD);
        Browser::as_account(self, email)
    }

    /// A new API token for an account.
    pub fn token_for(&self, account: AccountId) -> String {
        let token = secret::new_token().unwrap();
        self.store
            .create_token(account, "tests", &secret::digest(&token), &cli())
            .unwrap();
        token
    }
}

fn cli() -> waymark_store::Actor {
    waymark_store::Actor::Cli {
        user: String::new(),
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fresh_dir() -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "waymark-web-test-{}-{n}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Start the server with the seed plan imported. The server runs on its own
/// runtime in a background thread until the test process ends.
pub fn start() -> Server {
    start_with(waymark_web::AccessSettings::default())
}

/// [`start`] with other access settings (anonymous reading, session times).
pub fn start_with(access: waymark_web::AccessSettings) -> Server {
    let dir = fresh_dir();
    let db = dir.join("waymark.db");
    let store: Arc<dyn PlanStore> = waymark_store::open(db.to_str().unwrap()).unwrap();
    let imported = import(
        SEED,
        Format::PlanText,
        &ImportOptions {
            default_title: Some(PLAN_TITLE.into()),
            ..Default::default()
        },
    )
    .unwrap();
    store
        .import_plan(
            &imported.plan,
            OnExisting::Refuse,
            &waymark_store::Actor::Cli {
                user: String::new(),
            },
        )
        .unwrap();
    let admin = store
        .create_account(
            &NewAccount {
                email: ADMIN_EMAIL.parse().unwrap(),
                name: "Admin of the tests".into(),
                role: Role::Admin,
                owner_names: Vec::new(),
                password_hash: Some(secret::hash_password(ADMIN_PASSWORD).unwrap()),
                must_change_password: false,
            },
            &cli(),
        )
        .unwrap();
    let token = secret::new_token().unwrap();
    store
        .create_token(admin, "tests", &secret::digest(&token), &cli())
        .unwrap();
    let addr = serve_on(store.clone(), access);
    tokens().lock().unwrap().insert(addr, token.clone());
    Server {
        addr,
        dir,
        store,
        token,
    }
}

/// The server running on `store` in a background thread; its address.
fn serve_on(store: Arc<dyn PlanStore>, access: waymark_web::AccessSettings) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            waymark_web::serve(
                listener,
                waymark_web::AppState::new(store).with_access(access),
            )
            .await
            .unwrap();
        });
    });
    rx.recv().unwrap()
}

/// The same database served by a new server, as after a restart (the
/// first one keeps running, as an old process would until it stops).
pub fn restart(server: &Server) -> Server {
    let db = server.dir.join("waymark.db");
    let store: Arc<dyn PlanStore> = waymark_store::open(db.to_str().unwrap()).unwrap();
    let addr = serve_on(store.clone(), waymark_web::AccessSettings::default());
    tokens().lock().unwrap().insert(addr, server.token.clone());
    Server {
        addr,
        // Its own (empty) directory to remove; the database stays the first's.
        dir: fresh_dir(),
        store,
        token: server.token.clone(),
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-encode a form value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One form request over a fresh connection, with the browser's cookie.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> Response {
    let mut headers = Vec::new();
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    // Without a cookie, as the administrator (its token), as `send` does.
    send(addr, method, path, &headers, body)
}

/// Any request over a fresh connection (`Connection: close`), as the
/// server's administrator (its API token) unless `headers` name an
/// `Authorization` or a `Cookie` of their own.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Response {
    let own = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("cookie"));
    let token = tokens().lock().unwrap().get(&addr).cloned();
    match token {
        Some(token) if !own => {
            let bearer = format!("Bearer {token}");
            let mut with = headers.to_vec();
            with.push(("Authorization", &bearer));
            send_anonymous(addr, method, path, &with, body)
        }
        _ => send_anonymous(addr, method, path, headers, body),
    }
}

/// A request with exactly these headers: no token added.
pub fn send_anonymous(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

/// A request as a careful API client sends it: a PATCH or DELETE without
/// its own `If-Match` sends the version a GET of the same address gives just
/// before (or `*` where a GET gives none, as for a dependency).
pub fn send_careful(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Response {
    let given = headers
        .iter()
        .any(|(h, _)| h.eq_ignore_ascii_case("if-match"));
    if !matches!(method, "PATCH" | "DELETE") || given {
        return send(addr, method, path, headers, body);
    }
    let tag = send(addr, "GET", path, &[], None)
        .header("etag")
        .map_or_else(|| "*".to_string(), str::to_string);
    let mut with = headers.to_vec();
    with.push(("If-Match", &tag));
    send(addr, method, path, &with, body)
}

pub fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    // A binary download (an .xlsx workbook) is kept lossily, for checks such
    // as its first bytes; every text answer must be UTF-8.
    let binary = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.starts_with("application/vnd."));
    let body = if binary {
        String::from_utf8_lossy(&body).into_owned()
    } else {
        String::from_utf8(body).unwrap()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

/// A browser-like client: keeps the cookies the server sets (the form
/// token's and, once signed in, the session's).
pub struct Browser {
    pub addr: SocketAddr,
    /// The `Cookie` header it sends.
    pub cookie: Option<String>,
    jar: Vec<(String, String)>,
}

impl Browser {
    /// A browser signed in as the server's administrator.
    pub fn new(server: &Server) -> Self {
        let mut b = Browser::anonymous(server);
        b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD);
        b
    }

    /// A browser signed in as an account the test made with [`PASSWORD`].
    pub fn as_account(server: &Server, email: &str) -> Self {
        let mut b = Browser::anonymous(server);
        b.sign_in(email, PASSWORD);
        b
    }

    /// A browser that has not signed in.
    pub fn anonymous(server: &Server) -> Self {
        Browser {
            addr: server.addr,
            cookie: None,
            jar: Vec::new(),
        }
    }

    /// Sign in through the sign-in page; panics unless it succeeds.
    pub fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let res = self.try_sign_in(email, password);
        assert_eq!(res.status, 303, "sign-in as {email}: {}", res.body);
        res
    }

    /// Post the sign-in form and answer what the server says.
    pub fn try_sign_in(&mut self, email: &str, password: &str) -> Response {
        let (_, token) = self.get_form("/sign-in");
        self.post_as_is(
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", password),
            ],
        )
    }

    /// The value of a cookie the browser holds.
    pub fn cookie_value(&self, name: &str) -> Option<&str> {
        self.jar
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn remember(&mut self, res: &Response) {
        for (k, v) in &res.headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((name, value)) = v.split(';').next().and_then(|p| p.split_once('='))
            {
                self.jar.retain(|(n, _)| n != name);
                if !value.is_empty() && !v.contains("Max-Age=0") {
                    self.jar.push((name.to_string(), value.to_string()));
                }
            }
        }
        self.cookie = (!self.jar.is_empty()).then(|| {
            self.jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        });
    }

    pub fn get(&mut self, path: &str) -> Response {
        let res = self.request("GET", path, None);
        self.remember(&res);
        res
    }

    /// A request with this browser's cookies and nothing else (no token).
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> Response {
        let mut headers = Vec::new();
        if let Some(c) = &self.cookie {
            headers.push(("Cookie", c.as_str()));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
        }
        send_anonymous(self.addr, method, path, &headers, body)
    }

    /// POST a form. A form with a token but without the record's version
    /// (a test that types its fields) gets the version the page at the same
    /// address carries now, as the browser would have had it from the page.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let has = |name: &str| fields.iter().any(|(k, _)| *k == name);
        let mut with: Vec<(&str, &str)> = fields.to_vec();
        let version;
        if has("csrf_token") && !has("version") {
            version = version_of(&self.get(path).body);
            if let Some(v) = &version {
                with.push(("version", v));
            }
        }
        self.post_as_is(path, &with)
    }

    /// POST exactly these fields.
    pub fn post_as_is(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let res = self.request("POST", path, Some(&form_body(fields)));
        self.remember(&res);
        res
    }

    /// GET a page and return it with the CSRF token of its forms.
    pub fn get_form(&mut self, path: &str) -> (Response, String) {
        let res = self.get(path);
        let token = csrf_token(&res.body);
        (res, token)
    }
}

/// The record's version a page's form carries (its hidden `version` field).
pub fn version_of(body: &str) -> Option<String> {
    after(body, "name=\"version\" value=\"")
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
}

/// The CSRF token of the page's first form; panics when the page has none, so a
/// test can never go on with an empty token by mistake.
pub fn csrf_token(body: &str) -> String {
    let token = after(body, "name=\"csrf_token\" value=\"")
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| {
            panic!(
                "no csrf_token field in the page: {}",
                body.chars().take(2000).collect::<String>()
            )
        });
    assert!(!token.is_empty(), "the page's csrf_token field is empty");
    token.to_string()
}

/// Undo askama's HTML escaping of a value.
pub fn unescape(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Every `<input type="hidden" name=… value=…>` of a page, in order; panics
/// when there is none.
pub fn hidden_fields(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[i + 27..];
        let name = rest.split('"').next().unwrap_or_default().to_string();
        let value = after(rest, "value=\"")
            .and_then(|v| v.split('"').next())
            .unwrap_or_else(|| panic!("hidden field {name} has no value"));
        out.push((unescape(&name), unescape(value)));
    }
    assert!(!out.is_empty(), "no hidden fields in the page");
    out
}

pub fn after<'a>(body: &'a str, marker: &str) -> Option<&'a str> {
    body.find(marker).map(|i| &body[i + marker.len()..])
}

/// The leading digits of a string (an id after its marker); panics when
/// there are none, so a test never goes on with an empty id.
pub fn digits(s: &str) -> String {
    id_digits(s, "an id")
}

/// The text after `marker`, or a panic naming the marker (for helpers that
/// must find what they look for).
pub fn must_find<'a>(body: &'a str, marker: &str, what: &str) -> &'a str {
    after(body, marker).unwrap_or_else(|| {
        panic!(
            "{what}: no {marker:?} in: {}",
            body.chars().take(2000).collect::<String>()
        )
    })
}

/// Leading digits that must be there: a panic naming `what` when there are none.
fn id_digits(s: &str, what: &str) -> String {
    let d: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    assert!(
        !d.is_empty(),
        "{what}: no id digits at {:?}",
        s.chars().take(80).collect::<String>()
    );
    d
}

/// The id of the (only) plan, from the plan list.
pub fn plan_id(b: &mut Browser) -> String {
    let res = b.get("/");
    id_digits(must_find(&res.body, "href=\"/plans/", "plan id"), "plan id")
}

/// The id of the package with a reference, from the overview table.
pub fn package_id(b: &mut Browser, plan: &str, reference: &str) -> String {
    let res = b.get(&format!("/plans/{plan}"));
    let what = format!("package {reference}");
    let row = must_find(&res.body, &format!(">{reference}</td>"), &what);
    id_digits(must_find(row, "href=\"/work-packages/", &what), &what)
}

/// The value of the option whose label starts with `label`.
pub fn option_value(body: &str, label: &str) -> String {
    let i = body
        .find(&format!(">{label}</option>"))
        .unwrap_or_else(|| panic!("no option labelled {label:?} in the page"));
    let start = body[..i]
        .rfind("<option value=\"")
        .unwrap_or_else(|| panic!("the option {label:?} has no value attribute"))
        + 15;
    let value = body[start..].split('"').next().unwrap_or_default();
    assert!(!value.is_empty(), "the option {label:?} has an empty value");
    value.to_string()
}
