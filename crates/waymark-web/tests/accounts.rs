//! The account pages over HTTP against the real server: changing one's own
//! password (and choosing one after a one-off), one's API tokens, and the
//! administrators' accounts pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Browser, PASSWORD, Response, Server, csrf_token, send_anonymous,
};
use waymark_core::access::Role;

/// Where a redirect leads; panics when the answer is no redirect.
fn location(r: &Response) -> &str {
    r.header("location")
        .unwrap_or_else(|| panic!("no Location ({}): {}", r.status, r.body))
}

/// The secret a "shown once" page shows.
fn shown_secret(body: &str) -> String {
    common::must_find(body, "<code class=\"secret\">", "the secret")
        .split('<')
        .next()
        .unwrap()
        .trim()
        .to_string()
}

/// `GET /api/v1/me` with a token.
fn me(server: &Server, token: &str) -> Response {
    let bearer = format!("Bearer {token}");
    send_anonymous(
        server.addr,
        "GET",
        "/api/v1/me",
        &[("Authorization", &bearer)],
        None,
    )
}

/// The id of an account on the users page.
fn account_id(admin: &mut Browser, email: &str) -> String {
    let res = admin.get("/admin/users");
    assert_eq!(res.status, 200, "{}", res.body);
    let at = res
        .body
        .find(&format!(">{email}</a>"))
        .unwrap_or_else(|| panic!("{email} is not listed"));
    let start = res.body[..at].rfind("/admin/users/").unwrap() + "/admin/users/".len();
    common::digits(&res.body[start..])
}

/// POST one of an account page's forms with the version the page carries.
fn post_versioned(b: &mut Browser, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
    let (res, token) = b.get_form(page);
    let version = common::version_of(&res.body).expect("the page carries the account's version");
    let mut with = vec![
        ("csrf_token", token.as_str()),
        ("version", version.as_str()),
    ];
    with.extend_from_slice(fields);
    b.post_as_is(action, &with)
}

fn change_password(b: &mut Browser, current: &str, new: &str, confirm: &str) -> Response {
    let (_, token) = b.get_form("/account/password");
    b.post_as_is(
        "/account/password",
        &[
            ("csrf_token", &token),
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", confirm),
        ],
    )
}

#[test]
fn changing_your_password_needs_the_current_one_and_a_good_new_one() {
    let server = common::start();
    let mut b = server.signed_in("viewer@example.org", Role::Viewer);
    let page = b.get("/account/password");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(page.body.contains("name=\"current_password\""));
    assert!(
        b.get("/account")
            .body
            .contains("href=\"/account/password\"")
    );

    let wrong = change_password(
        &mut b,
        "not my password at all",
        "a new password here",
        "a new password here",
    );
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("There is a problem"));
    assert!(wrong.body.contains("Your current password is not right"));
    assert!(wrong.body.contains("id=\"current_password-error\""));
    assert!(wrong.body.contains("<title>Error: "));

    let short = change_password(&mut b, PASSWORD, "too short", "too short");
    assert_eq!(short.status, 422);
    assert!(
        short.body.contains("at least 12 characters"),
        "{}",
        short.body
    );
    assert!(short.body.contains("href=\"#new_password\""));

    let mismatch = change_password(
        &mut b,
        PASSWORD,
        "a new password here",
        "a new password there",
    );
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("do not match"), "{}", mismatch.body);
    assert!(mismatch.body.contains("href=\"#confirm_password\""));

    let same = change_password(&mut b, PASSWORD, PASSWORD, PASSWORD);
    assert_eq!(same.status, 422);
    assert!(same.body.contains("different from your current one"));

    let old_session = b.cookie_value("waymark_session").unwrap().to_string();
    let done = change_password(
        &mut b,
        PASSWORD,
        "a new password here",
        "a new password here",
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(location(&done), "/account?password=changed");
    let new_session = b.cookie_value("waymark_session").unwrap().to_string();
    assert_ne!(old_session, new_session, "a new session after the change");
    let account = b.get(location(&done));
    assert_eq!(account.status, 200, "still signed in: {}", account.body);
    assert!(account.body.contains("Your password has been changed"));

    // The old session no longer works; the new password signs in, the old does not.
    let stale = send_anonymous(
        server.addr,
        "GET",
        "/account",
        &[("Cookie", &format!("waymark_session={old_session}"))],
        None,
    );
    assert_eq!(stale.status, 303);
    let mut other = Browser::anonymous(&server);
    assert_eq!(
        other.try_sign_in("viewer@example.org", PASSWORD).status,
        422
    );
    other.sign_in("viewer@example.org", "a new password here");
}

#[test]
fn a_new_account_signs_in_with_its_one_off_password_and_must_choose_its_own() {
    let server = common::start();
    let mut admin = Browser::new(&server);
    let (_, token) = admin.get_form("/admin/users");
    let added = admin.post_as_is(
        "/admin/users",
        &[
            ("csrf_token", &token),
            ("email", "New.Person@Example.org"),
            ("name", "New Person"),
            ("role", "contributor"),
            ("owner_names", "Head of ICT\r\n\r\nHead of Finance\r\n"),
        ],
    );
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.header("cache-control"), Some("no-store"));
    let one_off = shown_secret(&added.body);
    assert_eq!(one_off.len(), 20, "{one_off}");
    let list = admin.get("/admin/users");
    assert!(list.body.contains("new.person@example.org"));
    assert!(
        list.body.contains("Head of ICT, Head of Finance"),
        "{}",
        list.body
    );
    assert!(list.body.contains("Contributor"));
    assert!(!list.body.contains(&one_off), "never shown again");

    // The same address again is refused beside the field.
    let (_, token) = admin.get_form("/admin/users");
    let again = admin.post_as_is(
        "/admin/users",
        &[
            ("csrf_token", &token),
            ("email", "new.person@example.org"),
            ("name", "Someone else"),
            ("role", "viewer"),
        ],
    );
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("already has this email address"));
    assert!(again.body.contains("id=\"email-error\""));

    let mut person = Browser::anonymous(&server);
    let signed = person.sign_in("new.person@example.org", &one_off);
    assert_eq!(location(&signed), "/account/password");
    // Every other page sends them to choose a password first.
    let elsewhere = person.get("/");
    assert_eq!(elsewhere.status, 303);
    assert_eq!(location(&elsewhere), "/account/password");
    assert_eq!(location(&person.get("/account")), "/account/password");
    // The API is not sent anywhere: scripts get answers, not redirects.
    let api = send_anonymous(
        server.addr,
        "GET",
        "/api/v1/me",
        &[("Cookie", person.cookie.as_deref().unwrap())],
        None,
    );
    assert_eq!(api.status, 200, "{}", api.body);
    let page = person.get("/account/password");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Choose your password"));
    assert!(
        !page.body.contains("name=\"current_password\""),
        "not asked for the one-off again"
    );

    let (_, token) = person.get_form("/account/password");
    let chosen = person.post_as_is(
        "/account/password",
        &[
            ("csrf_token", &token),
            ("new_password", "my very own password"),
            ("confirm_password", "my very own password"),
        ],
    );
    assert_eq!(chosen.status, 303, "{}", chosen.body);
    let home = person.get("/");
    assert_eq!(home.status, 200, "{}", home.body);
    // The one-off no longer works; the chosen one does, with no detour.
    let mut later = Browser::anonymous(&server);
    assert_eq!(
        later.try_sign_in("new.person@example.org", &one_off).status,
        422
    );
    let res = later.sign_in("new.person@example.org", "my very own password");
    assert_eq!(location(&res), "/");
}

#[test]
fn api_tokens_are_made_shown_once_used_and_revoked_from_the_account_page() {
    let server = common::start();
    let mut b = server.signed_in("viewer@example.org", Role::Viewer);
    let (_, token) = b.get_form("/account");
    let empty = b.post_as_is("/account/tokens", &[("csrf_token", &token), ("name", " ")]);
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Enter a name for the token"));

    let made = b.post_as_is(
        "/account/tokens",
        &[("csrf_token", &token), ("name", "Nightly export")],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let api_token = shown_secret(&made.body);
    assert!(api_token.starts_with("wmk_"), "{api_token}");

    let account = b.get("/account");
    assert!(account.body.contains("Nightly export"));
    assert!(account.body.contains("Never"), "not used yet");
    assert!(!account.body.contains(&api_token), "shown once only");

    let who = me(&server, &api_token);
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(who.json()["email"], "viewer@example.org");
    let account = b.get("/account");
    assert!(account.body.contains(" GMT") || account.body.contains(" BST"));

    // Someone else's token cannot be revoked from one's own page.
    let admin_tokens = server.store.tokens(None).unwrap();
    let admins = admin_tokens
        .iter()
        .find(|t| t.account_email.as_str() == ADMIN_EMAIL)
        .unwrap();
    let refused = b.post_as_is(
        &format!("/account/tokens/{}/revoke", admins.id),
        &[("csrf_token", &csrf_token(&account.body))],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    let action = common::must_find(&account.body, "action=\"/account/tokens/", "revoke form");
    let id = common::digits(action);
    let revoked = b.post_as_is(
        &format!("/account/tokens/{id}/revoke"),
        &[("csrf_token", &csrf_token(&account.body))],
    );
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    assert_eq!(me(&server, &api_token).status, 401);
    let account = b.get(location(&revoked).split('#').next().unwrap());
    assert!(account.body.contains("Revoked "), "{}", account.body);
    assert!(account.body.contains("has been revoked"));
}

#[test]
fn administrators_change_roles_disable_and_reset_accounts() {
    let server = common::start();
    let mut admin = Browser::new(&server);
    let mut person = server.signed_in("viewer@example.org", Role::Viewer);
    let id = account_id(&mut admin, "viewer@example.org");
    let page = format!("/admin/users/{id}");
    let plan = common::plan_id(&mut admin);
    let settings = format!("/plans/{plan}/settings");
    assert_eq!(person.get(&settings).status, 403);

    // Owner names that cannot be one are said beside the field.
    let wrong = post_versioned(
        &mut admin,
        &page,
        &page,
        &[
            ("name", "Viewer Person"),
            ("role", "manager"),
            ("owner_names", "Head of ICT / Finance"),
        ],
    );
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("id=\"owner_names-error\""));

    // The role changes on the person's next request.
    let saved = post_versioned(
        &mut admin,
        &page,
        &page,
        &[
            ("name", "Viewer Person"),
            ("role", "manager"),
            ("owner_names", "Head of ICT"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(person.get(&settings).status, 200);
    let shown = admin.get(location(&saved));
    assert!(shown.body.contains("The account has been changed"));
    assert!(shown.body.contains("Manager"));

    // A form opened before someone else's change comes back with a message.
    let stale = admin.post_as_is(
        &page,
        &[
            ("csrf_token", &csrf_token(&shown.body)),
            ("version", "1"),
            ("name", "Typed over"),
            ("role", "viewer"),
            ("owner_names", ""),
        ],
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Someone else changed this account"));
    assert!(
        stale.body.contains("value=\"Typed over\""),
        "what was typed is kept"
    );
    assert_eq!(person.get(&settings).status, 200, "nothing was saved");

    // Disabling ends the person's sessions and stops their tokens.
    let account = waymark_store::AccountId(id.parse().unwrap());
    let token = server.token_for(account);
    assert_eq!(me(&server, &token).status, 200);
    let disabled = post_versioned(&mut admin, &page, &format!("{page}/disable"), &[]);
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    let out = person.get("/");
    assert_eq!(out.status, 303);
    assert!(location(&out).starts_with("/sign-in"));
    assert_eq!(me(&server, &token).status, 401);
    assert_eq!(
        Browser::anonymous(&server)
            .try_sign_in("viewer@example.org", PASSWORD)
            .status,
        422
    );
    let enabled = post_versioned(&mut admin, &page, &format!("{page}/enable"), &[]);
    assert_eq!(enabled.status, 303, "{}", enabled.body);
    person.sign_in("viewer@example.org", PASSWORD);

    // A reset gives a new one-off and ends the sessions.
    let reset = post_versioned(&mut admin, &page, &format!("{page}/reset-password"), &[]);
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(reset.header("cache-control"), Some("no-store"));
    let one_off = shown_secret(&reset.body);
    assert!(location(&person.get("/")).starts_with("/sign-in"));
    let mut again = Browser::anonymous(&server);
    assert_eq!(
        again.try_sign_in("viewer@example.org", PASSWORD).status,
        422
    );
    assert_eq!(
        location(&again.sign_in("viewer@example.org", &one_off)),
        "/account/password"
    );

    // An administrator sees and revokes anyone's tokens.
    let token = server.token_for(account);
    let shown = admin.get(&page);
    let action = common::must_find(&shown.body, "action=\"/admin/tokens/", "revoke form");
    let tid = common::digits(action);
    let revoked = admin.post_as_is(
        &format!("/admin/tokens/{tid}/revoke"),
        &[("csrf_token", &csrf_token(&shown.body))],
    );
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    assert!(location(&revoked).starts_with(&page));
    assert_eq!(me(&server, &token).status, 401);
}

#[test]
fn the_last_enabled_admin_is_kept() {
    let server = common::start();
    let mut admin = Browser::new(&server);
    let id = account_id(&mut admin, ADMIN_EMAIL);
    let page = format!("/admin/users/{id}");
    let demoted = post_versioned(
        &mut admin,
        &page,
        &page,
        &[
            ("name", "Admin of the tests"),
            ("role", "viewer"),
            ("owner_names", ""),
        ],
    );
    assert_eq!(demoted.status, 422, "{}", demoted.body);
    assert!(demoted.body.contains("at least one enabled admin"));
    assert!(demoted.body.contains("id=\"role-error\""));
    let disabled = post_versioned(&mut admin, &page, &format!("{page}/disable"), &[]);
    assert_eq!(disabled.status, 422, "{}", disabled.body);
    assert!(disabled.body.contains("at least one enabled admin"));
    assert!(disabled.body.contains("id=\"disabled-error\""));
    // Still an admin, still signed in.
    assert_eq!(admin.get("/admin/users").status, 200);
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD);
}

#[test]
fn only_administrators_manage_accounts() {
    let server = common::start();
    let mut viewer = server.signed_in("viewer@example.org", Role::Viewer);
    let users = viewer.get("/admin/users");
    assert_eq!(users.status, 403, "{}", users.body);
    assert!(users.body.contains("You cannot do this"));
    let home = viewer.get("/");
    assert!(!home.body.contains("href=\"/admin/users\""));
    let (_, token) = viewer.get_form("/account");
    let add = viewer.post_as_is(
        "/admin/users",
        &[
            ("csrf_token", &token),
            ("email", "sneaky@example.org"),
            ("name", "Sneaky"),
            ("role", "admin"),
        ],
    );
    assert_eq!(add.status, 403);
    assert!(
        server
            .store
            .account_by_email(&"sneaky@example.org".parse().unwrap())
            .unwrap()
            .is_none()
    );
    let mut admin = Browser::new(&server);
    assert!(admin.get("/").body.contains("href=\"/admin/users\""));
}
