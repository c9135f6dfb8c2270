//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`: every endpoint of
//! [`porch_protocol::api`] with its auth, parameters, and the schemas of its request and answer
//! types, every error code, and the two WebSockets with their frames. A test holds this table
//! and the router equal both ways (`tests/it/openapi.rs`).

use std::collections::BTreeMap;

use porch_protocol as wire;
use porch_protocol::api::{self, Endpoint};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr,
    Required, ResponseBuilder, Schema,
};
use utoipa::ToSchema;

mod account;
mod chat;
mod errors;

pub use errors::ERROR_CODES;

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Anyone.
    Anyone,
    /// A signed-in member (session cookie) or an API token, within the token's reach.
    Member,
    /// A signed-in member only (no API token).
    Person,
    /// A lead: the visitor token as a bearer token.
    Lead,
    /// The operator's bearer token.
    Operator,
}

/// What an operation answers when it succeeds.
enum Answer {
    Json(u16, RefOr<Schema>),
    Empty(u16),
    /// Another media type (CSV, SVG, PNG).
    Media(&'static [&'static str]),
    /// A WebSocket: 101, then frames of this schema.
    Socket(RefOr<Schema>),
}

/// What a body type of [`porch_protocol::api`] is in the document.
enum Body {
    None,
    Json(RefOr<Schema>),
    /// Another media type (CSV, SVG, PNG).
    Media(&'static [&'static str]),
    /// A WebSocket's frames.
    Socket(RefOr<Schema>),
}

trait Described {
    fn describe(doc: &mut Doc) -> Body;
}

impl Described for () {
    fn describe(_: &mut Doc) -> Body {
        Body::None
    }
}

impl<T: ToSchema> Described for Vec<T> {
    fn describe(doc: &mut Doc) -> Body {
        Body::Json(doc.list::<T>())
    }
}

impl<F: ToSchema> Described for api::Socket<F> {
    fn describe(doc: &mut Doc) -> Body {
        Body::Socket(doc.schema::<F>())
    }
}

macro_rules! media {
    ($($type:ty => $media:expr),* $(,)?) => {$(
        impl Described for $type {
            fn describe(_: &mut Doc) -> Body {
                Body::Media($media)
            }
        }
    )*};
}

media!(
    api::Csv => &["text/csv"],
    api::Chart => &["image/svg+xml", "image/png"],
    api::Document => &["application/json"],
);

/// The JSON bodies: each a schema of its own.
macro_rules! json {
    ($($type:ident),* $(,)?) => {$(
        impl Described for wire::$type {
            fn describe(doc: &mut Doc) -> Body {
                Body::Json(doc.schema::<Self>())
            }
        }
    )*};
}

json!(
    AcceptInvitation,
    ActivityReport,
    AdvanceClock,
    Assign,
    AutoClosePreview,
    AutoCloseSettings,
    BulkClose,
    BulkClosed,
    BotChoice,
    BotSettings,
    CannedReply,
    ChangeAskEmail,
    ChangeAutoClose,
    ChangeOutcome,
    ChangePassword,
    ChangePlan,
    ChangeRole,
    ChangeTimeZone,
    ChatbotReport,
    Clock,
    CloseConversation,
    ClosingNotesSettings,
    ClosingReport,
    ContactCentreReport,
    ContactView,
    Conversation,
    ConversationDetail,
    CreateToken,
    CreatedToken,
    ForgotPassword,
    Identified,
    Identify,
    InstallView,
    InvitationInfo,
    InvitationToken,
    Invite,
    Invited,
    LeadConversation,
    LeadConversationDetail,
    LeadEmail,
    LeadOptions,
    Login,
    MarkRead,
    Me,
    Message,
    Note,
    OfficeHours,
    OpenSession,
    PlanChanged,
    PostMessage,
    PostNote,
    Refusal,
    Rename,
    ReportList,
    ReportSettings,
    SaveWebhook,
    SetAllowedOrigins,
    SetPassword,
    Signup,
    SignupStatus,
    Snooze,
    StartConversation,
    Summary,
    SwitchWorkspace,
    TeamView,
    UnreadCount,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookWithSecret,
    WidgetSession,
    WidgetSettings,
    WorkspaceSettings,
    WorkspaceView,
);

struct Doc {
    paths: Paths,
    schemas: BTreeMap<String, RefOr<Schema>>,
}

impl Doc {
    /// `T`'s schema, by reference, with what it references.
    fn schema<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let mut nested = Vec::new();
        T::schemas(&mut nested);
        self.schemas.extend(nested);
        self.schemas.insert(T::name().into_owned(), T::schema());
        Ref::from_schema_name(T::name()).into()
    }

    fn list<T: ToSchema>(&mut self) -> RefOr<Schema> {
        utoipa::openapi::schema::ArrayBuilder::new().items(self.schema::<T>()).into()
    }

    /// `endpoint`, callable by `who`, taking `query`: its body and answer schemas are those of
    /// its types.
    fn add<Req: Described, Res: Described>(
        &mut self,
        endpoint: Endpoint<Req, Res>,
        who: Who,
        summary: &str,
        query: &[(&str, &str)],
    ) {
        let body = match Req::describe(self) {
            Body::Json(schema) => Some(schema),
            _ => None,
        };
        let answer = match Res::describe(self) {
            Body::None => Answer::Empty(endpoint.status),
            Body::Json(schema) => Answer::Json(endpoint.status, schema),
            Body::Media(types) => Answer::Media(types),
            Body::Socket(frames) => Answer::Socket(frames),
        };
        let method = match endpoint.method {
            api::Method::Get => HttpMethod::Get,
            api::Method::Post => HttpMethod::Post,
            api::Method::Put => HttpMethod::Put,
            api::Method::Delete => HttpMethod::Delete,
        };
        self.op(method, endpoint.path, who, summary, body, answer, query);
    }

    /// One operation on `path` (under `/api/v1`).
    #[allow(clippy::too_many_arguments)]
    fn op(
        &mut self,
        method: HttpMethod,
        path: &str,
        who: Who,
        summary: &str,
        body: Option<RefOr<Schema>>,
        answer: Answer,
        query: &[(&str, &str)],
    ) {
        let id = operation_id(&method, path);
        let mut op = OperationBuilder::new()
            .operation_id(Some(id))
            .summary(Some(summary))
            .tag(path.split('/').nth(1).unwrap_or("api"));
        for name in path.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(n, _)| n) {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(string())),
            );
        }
        for (name, description) in query {
            let schema = if ["after", "from", "to", "limit"].contains(name) {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .into()
            } else {
                string()
            };
            op = op.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(*description))
                    .schema(Some(schema)),
            );
        }
        if let Some(body) = body {
            let content = ContentBuilder::new().schema(Some(body)).build();
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", content)
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        op = match answer {
            Answer::Json(status, schema) => op.response(
                status.to_string(),
                ResponseBuilder::new().description("Done").content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                ),
            ),
            Answer::Empty(status) => {
                op.response(status.to_string(), ResponseBuilder::new().description("Done"))
            }
            Answer::Media(types) => {
                let mut response = ResponseBuilder::new().description("Done");
                for media in types {
                    response = response.content(*media, ContentBuilder::new().build());
                }
                op.response("200", response)
            }
            Answer::Socket(frames) => op.response(
                "101",
                ResponseBuilder::new()
                    .description("Switching to a WebSocket whose server frames follow this schema")
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(frames)).build(),
                    ),
            ),
        };
        let error = self.schema::<wire::ApiError>();
        op = op.response(
            "default",
            ResponseBuilder::new()
                .description("An error: `{code, message}` with a 4xx status for the caller's mistakes (codes in the description), a bare 500 otherwise")
                .content("application/json", ContentBuilder::new().schema(Some(error)).build()),
        );
        for scheme in match who {
            Who::Anyone => vec![],
            Who::Member => vec!["session", "apiToken"],
            Who::Person => vec!["session"],
            Who::Lead => vec!["visitorToken"],
            Who::Operator => vec!["operatorToken"],
        } {
            op = op.security(SecurityRequirement::new::<_, [&str; 0], &str>(scheme, []));
        }
        self.paths.add_path_operation(format!("/api/v1{path}"), vec![method], op.build());
    }
}

fn string() -> RefOr<Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .into()
}

/// `get_agent_conversations_id_close` and the like: unique, stable, readable.
fn operation_id(method: &HttpMethod, path: &str) -> String {
    let method = match method {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Delete => "delete",
        _ => "other",
    };
    let words: String =
        path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let words: Vec<&str> = words.split('_').filter(|w| !w.is_empty()).collect();
    format!("{method}_{}", words.join("_"))
}

/// The whole document.
pub fn document(public_url: &str) -> OpenApi {
    let mut doc = Doc { paths: Paths::new(), schemas: BTreeMap::new() };
    account::add(&mut doc);
    let mut components = ComponentsBuilder::new()
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "porch_session",
                "A member's session, set by sign-in (HttpOnly, SameSite=Strict).",
            ))),
        )
        .security_scheme("apiToken", bearer("A workspace API token (Settings → API): `porch_…`."))
        .security_scheme(
            "visitorToken",
            bearer("A lead's visitor token, from `POST /widget/session`."),
        )
        .security_scheme("operatorToken", bearer("The operator's token (`PORCH_OPERATOR_TOKEN`)."));
    for (name, schema) in std::mem::take(&mut doc.schemas) {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Porch API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(errors::description())),
        )
        .servers(Some([utoipa::openapi::Server::new(public_url.trim_end_matches('/'))]))
        .paths(doc.paths)
        .components(Some(components.build()))
        .build()
}

fn bearer(description: &str) -> SecurityScheme {
    let mut http = Http::new(HttpAuthScheme::Bearer);
    http.description = Some(description.to_owned());
    SecurityScheme::Http(http)
}

/// `GET /api/v1/openapi.json`.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let json = serde_json::to_string(&document(&state.public_url)).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response()
}
