//! Signing in and out against the real server: sessions in the database
//! (new id at each sign-in, ended on the server at sign-out, idle and
//! absolute expiry, surviving a restart), cookie flags, the same answer
//! whether or not an account exists, throttling, CSRF on the sign-in form,
//! where a sign-in returns to, and `GET /api/v1/me`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser};
use waymark_core::access::Role;
use waymark_store::SessionPolicy;

fn session_cookie(res: &common::Response) -> Option<String> {
    res.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.clone())
        .find(|v| v.starts_with("waymark_session="))
}

#[test]
fn a_visitor_is_sent_to_sign_in_and_back_to_the_page_afterwards() {
    let server = common::start();
    let mut b = Browser::anonymous(&server);
    let page = b.get("/plans/1/timeline?view=list");
    assert_eq!(page.status, 303);
    let to = page.header("location").unwrap().to_string();
    assert_eq!(to, "/sign-in?next=%2Fplans%2F1%2Ftimeline%3Fview%3Dlist");
    let form = b.get(&to);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<h1>Sign in</h1>"));
    assert!(
        form.body
            .contains("name=\"next\" value=\"/plans/1/timeline?view=list\"")
    );
    assert!(form.body.contains("autocomplete=\"current-password\""));
    assert_eq!(form.header("cache-control"), Some("no-store"));
    let token = common::csrf_token(&form.body);
    let res = b.post_as_is(
        "/sign-in",
        &[
            ("csrf_token", &token),
            ("email", "  Admin@Example.org "),
            ("password", ADMIN_PASSWORD),
            ("next", "/plans/1/timeline?view=list"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.header("location"), Some("/plans/1/timeline?view=list"));
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let page = b.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Admin of the tests"),
        "the header names them"
    );
    assert!(page.body.contains(">Sign out</button>"));
}

#[test]
fn a_sign_in_never_returns_to_another_site() {
    let server = common::start();
    let mut b = Browser::anonymous(&server);
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let (_, token) = b.get_form("/sign-in");
        let res = b.post_as_is(
            "/sign-in",
            &[
                ("csrf_token", &token),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ],
        );
        assert_eq!(res.status, 303);
        assert_eq!(res.header("location"), Some("/"), "{next}");
    }
}

#[test]
fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let server = common::start();
    let mut b = Browser::anonymous(&server);
    let wrong = b.try_sign_in(ADMIN_EMAIL, "not the password at all");
    let unknown = b.try_sign_in("nobody@example.org", "not the password at all");
    for res in [&wrong, &unknown] {
        assert_eq!(res.status, 422);
        assert!(res.body.contains("<title>Error: Sign in – Waymark</title>"));
        assert!(res.body.contains("There is a problem"));
        assert!(res.body.contains("href=\"#email\""));
        assert!(session_cookie(res).is_none());
        assert!(
            !res.body.contains("not the password at all"),
            "never echoed"
        );
    }
    let message = |body: &str| {
        body.split("id=\"email-error\"")
            .nth(1)
            .unwrap()
            .split("</p>")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(message(&wrong.body), message(&unknown.body));
    // Empty fields are named.
    let (_, token) = b.get_form("/sign-in");
    let empty = b.post_as_is("/sign-in", &[("csrf_token", &token)]);
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Enter your email address"));
    assert!(empty.body.contains("Enter your password"));
}

#[test]
fn repeated_failures_are_slowed_down_and_a_success_is_not_blocked_elsewhere() {
    let server = common::start();
    server.account("viewer@example.org", Role::Viewer, "a viewer's password");
    let mut b = Browser::anonymous(&server);
    for _ in 0..5 {
        assert_eq!(b.try_sign_in(ADMIN_EMAIL, "wrong password!").status, 422);
    }
    let slowed = b.try_sign_in(ADMIN_EMAIL, "wrong password!");
    assert_eq!(slowed.status, 429, "{}", slowed.body);
    assert!(slowed.header("retry-after").is_some());
    assert!(slowed.body.contains("too many attempts"));
    // Even the right password waits now: the throttle comes first.
    let right = b.try_sign_in(ADMIN_EMAIL, ADMIN_PASSWORD);
    assert_eq!(right.status, 429);
    // Another account from the same address is not slowed (the address
    // has more room than one account).
    let other = b.try_sign_in("viewer@example.org", "a viewer's password");
    assert_eq!(other.status, 303, "{}", other.body);
}

#[test]
fn the_sign_in_form_needs_its_token_and_never_carries_a_password_back() {
    let server = common::start();
    let mut b = Browser::anonymous(&server);
    b.get("/sign-in");
    let res = b.post_as_is(
        "/sign-in",
        &[
            ("csrf_token", "0000"),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("The sign-in form had expired"));
    assert!(!res.body.contains(ADMIN_PASSWORD));
    assert!(session_cookie(&res).is_none());
    // From another site: refused outright.
    let cross = common::send_anonymous(
        server.addr,
        "POST",
        "/sign-in",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        Some("email=admin%40example.org&password=x"),
    );
    assert_eq!(cross.status, 403);
}

#[test]
fn each_sign_in_is_a_new_session_and_signing_out_ends_it_on_the_server() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let first = b.cookie_value("waymark_session").unwrap().to_string();
    let mut again = Browser::new(&server);
    let second = again.cookie_value("waymark_session").unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(first.len(), 64);
    // Signing out: the cookie is cleared and the session is gone from the
    // server, so a copy of the cookie no longer works.
    let (_, token) = b.get_form("/account");
    let out = b.post_as_is("/sign-out", &[("csrf_token", &token)]);
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), Some("/sign-in?signed_out=1"));
    assert!(session_cookie(&out).unwrap().contains("Max-Age=0"));
    let stolen = common::send_anonymous(
        server.addr,
        "GET",
        "/account",
        &[("Cookie", &format!("waymark_session={first}"))],
        None,
    );
    assert_eq!(stolen.status, 303, "the old session no longer works");
    let page = b.get("/sign-in?signed_out=1");
    assert!(page.body.contains("You have signed out"));
    // The other browser is still signed in.
    assert_eq!(again.get("/account").status, 200);
}

#[test]
fn a_session_ends_when_idle_and_at_its_age_limit() {
    // Windows of seconds, not milliseconds, so a busy machine's slow request
    // is not taken for an idle one.
    let idle = common::start_with(waymark_web::AccessSettings {
        session: SessionPolicy {
            idle_ms: 1_500,
            max_ms: 60_000,
        },
        ..Default::default()
    });
    let mut b = Browser::new(&idle);
    assert_eq!(b.get("/account").status, 200);
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    assert_eq!(b.get("/account").status, 303, "idle too long");

    let aged = common::start_with(waymark_web::AccessSettings {
        session: SessionPolicy {
            idle_ms: 60_000,
            max_ms: 3_000,
        },
        ..Default::default()
    });
    let mut b = Browser::new(&aged);
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(b.get("/account").status, 200, "busy and young");
    }
    std::thread::sleep(std::time::Duration::from_millis(3_000));
    assert_eq!(b.get("/account").status, 303, "past its age, however busy");
}

#[test]
fn a_disabled_account_is_signed_out_everywhere() {
    let server = common::start();
    let id = server.account("leaver@example.org", Role::Manager, "a leaver's password");
    let token = server.token_for(id);
    let mut b = Browser::anonymous(&server);
    b.sign_in("leaver@example.org", "a leaver's password");
    assert_eq!(b.get("/account").status, 200);
    server
        .store
        .change_account(
            id,
            &waymark_store::AccountChange {
                disabled: Some(true),
                ..Default::default()
            },
            None,
            &waymark_store::Actor::Cli {
                user: String::new(),
            },
        )
        .unwrap();
    assert_eq!(b.get("/account").status, 303);
    let api = common::send_anonymous(
        server.addr,
        "GET",
        "/api/v1/me",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(api.status, 401);
    assert_eq!(
        b.try_sign_in("leaver@example.org", "a leaver's password")
            .status,
        422
    );
}

#[test]
fn me_says_who_the_caller_is() {
    let server = common::start();
    let me = common::send(server.addr, "GET", "/api/v1/me", &[], None);
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["via"], "token");
    let nobody = common::send_anonymous(server.addr, "GET", "/api/v1/me", &[], None);
    assert_eq!(nobody.status, 401);
    assert_eq!(
        nobody.header("content-type"),
        Some("application/problem+json")
    );
}

#[test]
fn sessions_and_forms_survive_a_restart() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let (_, token) = b.get_form("/plans/1/sections");
    let restarted = common::restart(&server);
    b.addr = restarted.addr;
    assert_eq!(b.get("/account").status, 200, "still signed in");
    let res = b.post(
        "/plans/1/sections",
        &[
            ("csrf_token", &token),
            ("number", "11"),
            ("title", "Added after a restart"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        b.get("/plans/1/sections")
            .body
            .contains("Added after a restart")
    );
}

#[test]
fn cookies_are_secure_behind_https() {
    let server = common::start_with(waymark_web::AccessSettings {
        secure_cookies: true,
        ..Default::default()
    });
    let mut b = Browser::anonymous(&server);
    let page = b.get("/sign-in");
    assert!(
        page.header("set-cookie")
            .is_some_and(|c| c.contains("; Secure")),
        "the form cookie"
    );
    let res = b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD);
    assert!(session_cookie(&res).unwrap().contains("; Secure"));
}
