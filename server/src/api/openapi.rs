//! The OpenAPI 3.1 description, generated from the handlers' annotations and the view types.
//! Every operation also lists the error responses it can give, all in the one error shape.
use std::sync::OnceLock;

use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::{
        Content, OpenApi as Spec, Ref, RefOr, Response, ResponseBuilder,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::{accounts, attachments, chats, contacts, email, groups, me, messages, passkeys, search, strangers};

/// `{"error": {"code", "message", "field"}}`, the body of every error.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case name for programs, e.g. `code_expired`, `invalid_phone`, `not_found`.
    pub code: String,
    /// Written for people.
    pub message: String,
    /// The request field the error is about, if any.
    pub field: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confab API",
        version = "1",
        description = "The JSON API behind Confab's web app, for mobile and other clients. Authenticate with \
            `Authorization: Bearer <access_token>` from the sign-up, login or refresh responses. Errors are \
            always `{\"error\": {\"code\", \"message\", \"field\"}}`. Lists are pages: `{\"items\": [...], \"next\": \
            \"<cursor>\" | null}`; pass `next` back as `?cursor=`. Live updates come over the WebSocket at `/ws`: \
            see the protocol at /api/docs/protocol.md."
    ),
    paths(
        accounts::register, accounts::register_verify, accounts::login, accounts::login_verify, accounts::resend,
        accounts::refresh, accounts::logout,
        email::email_register, email::email_login, email::password_forgot, email::password_reset,
        me::me, me::add_email, me::add_phone, me::add_verify, me::settings, me::save_settings, me::devices,
        me::revoke_device, me::sign_out_others, me::confirm_by_code, me::confirm_by_code_verify,
        passkeys::list, passkeys::register_options, passkeys::register, passkeys::rename, passkeys::remove,
        passkeys::sign_in_options, passkeys::sign_in, passkeys::confirm_options, passkeys::confirm,
        chats::list, chats::start_direct, chats::open, chats::history, chats::mark_read, chats::set_muted,
        chats::set_calls, chats::answer_request,
        messages::send, messages::edit, messages::delete_message, messages::react,
        attachments::upload, attachments::content, attachments::thumbnail,
        groups::create_group, groups::join_group, groups::edit_group, groups::delete_group, groups::leave_group,
        groups::members, groups::add_member, groups::invitations, groups::answer_invitation, groups::remove_member, groups::set_role, groups::invites,
        groups::create_invite, groups::revoke_invite,
        contacts::list, contacts::invite, contacts::unseen, contacts::mark_seen, contacts::answer, contacts::remove,
        contacts::profile, contacts::set_blocked,
        search::search, search::people, search::chats, search::messages,
        strangers::state, strangers::confirm_adult, strangers::look, strangers::leave, strangers::here, strangers::send,
        strangers::typing, strangers::report, strangers::block, strangers::stay_in_touch,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAndErrors),
    security(("bearer" = [])),
    tags(
        (name = "accounts", description = "Sign-up, login, tokens"),
        (name = "me", description = "The caller's account, settings and devices"),
        (name = "passkeys", description = "Passkeys (WebAuthn): adding them, signing in, confirming it is you"),
        (name = "chats", description = "The chat list and conversations"),
        (name = "messages", description = "History, sending, editing, reactions"),
        (name = "attachments", description = "Pictures, voice notes and files: upload, then send by id"),
        (name = "groups", description = "Groups, members, roles and invite links"),
        (name = "contacts", description = "Contacts, people and blocking"),
        (name = "search", description = "Search"),
        (name = "strangers", description = "Talk to a stranger: anonymous chats with a random person"),
    )
)]
struct ApiDoc;

/// The description as served at `/api/openapi.json` (built once).
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(ApiDoc::openapi)
}

struct BearerAndErrors;

impl Modify for BearerAndErrors {
    fn modify(&self, spec: &mut Spec) {
        let bearer = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT")
            .description(Some("An access token from sign-up, login or /api/token/refresh (valid 15 minutes)"))
            .build();
        spec.components.get_or_insert_with(Default::default).add_security_scheme("bearer", SecurityScheme::Http(bearer));
        for item in spec.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten();
            for operation in operations {
                let mut errors = vec![
                    ("400", "Malformed request: bad JSON, query or path"),
                    ("401", "Missing, expired or forged token, or wrong credentials"),
                    ("403", "Not allowed (e.g. not an admin of the group)"),
                    ("404", "No such thing, or not visible to the caller"),
                    ("409", "Already taken (username, phone, email)"),
                    ("422", "A field is invalid; `field` names it"),
                    ("429", "Too many attempts; see Retry-After"),
                    ("500", "Failed on the server; nothing more is said"),
                ];
                if operation.request_body.is_some() {
                    errors.push(("413", "Body larger than 64 KiB"));
                    errors.push(("415", "Body is not application/json"));
                }
                for (status, description) in errors {
                    operation.responses.responses.entry(status.to_owned()).or_insert_with(|| error_response(description));
                }
            }
        }
    }
}

fn error_response(description: &str) -> RefOr<Response> {
    let content = Content::new(Some(RefOr::Ref(Ref::from_schema_name("Error"))));
    RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
}
