//! The widget's endpoints, and the operator's and the development clock's.

pub mod widget {
    use crate::api::{Endpoint, Socket};
    use crate::*;

    /// Whether a widget key is live, and how its launcher looks: the loader asks before it
    /// shows one.
    pub const CHECK_KEY: Endpoint<(), WidgetSettings> = Endpoint::get("/widget/keys/{key}");
    pub const OPEN_SESSION: Endpoint<OpenSession, WidgetSession> =
        Endpoint::post("/widget/session");
    pub const END_SESSION: Endpoint<(), ()> = Endpoint::post("/widget/session/end").answers(204);
    /// 201 when started; 200 for the same `client_id` again.
    pub const START: Endpoint<StartConversation, LeadConversation> =
        Endpoint::post("/widget/conversations").answers(201);
    pub const CONVERSATION: Endpoint<(), LeadConversationDetail> =
        Endpoint::get("/widget/conversations/{id}");
    pub const WRITE: Endpoint<PostMessage, Message> =
        Endpoint::post("/widget/conversations/{id}/messages").answers(201);
    /// The lead is writing: the team sees it for a few seconds.
    pub const TYPING: Endpoint<(), ()> =
        Endpoint::post("/widget/conversations/{id}/typing").answers(204);
    /// The lead ends their conversation, where the owner allows it.
    pub const END: Endpoint<(), LeadConversation> =
        Endpoint::post("/widget/conversations/{id}/end");
    pub const BOT_CHOICE: Endpoint<BotChoice, LeadConversation> =
        Endpoint::post("/widget/conversations/{id}/bot");
    /// The lead's live socket: the visitor token rides in `Sec-WebSocket-Protocol` as
    /// `porch.token.<token>`; resume with `?after=<seq>`.
    pub const SOCKET: Endpoint<(), Socket<LeadServerFrame>> =
        Endpoint::get("/widget/ws").answers(101);
    pub const IDENTIFY: Endpoint<Identify, Identified> = Endpoint::post("/widget/identify");
    pub const GIVE_EMAIL: Endpoint<LeadEmail, ()> = Endpoint::post("/widget/email").answers(204);
}

pub mod operator {
    use crate::api::Endpoint;
    use crate::*;

    pub const SET_PLAN: Endpoint<ChangePlan, PlanChanged> =
        Endpoint::put("/operator/workspaces/{workspace}/plan");
}

/// Only on a server started with `--dev-clock`; 404 elsewhere.
pub mod dev {
    use crate::api::Endpoint;
    use crate::*;

    pub const CLOCK: Endpoint<(), Clock> = Endpoint::get("/dev/clock");
    pub const ADVANCE_CLOCK: Endpoint<AdvanceClock, Clock> = Endpoint::post("/dev/clock/advance");
}

/// This API's OpenAPI document.
pub const OPENAPI: super::Endpoint<(), super::Document> = super::Endpoint::get("/openapi.json");
