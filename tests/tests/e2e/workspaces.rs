//! A member of two workspaces in the browser (issue 14): joining a second one with their own
//! password, switching between them from the header, and the profile settings (time zone,
//! office hours) that make the widget tell leads when the team is back.

use porch_protocol::{self as wire, Plan};
use porch_server::demo;
use porch_tests::browser::Browser;
use porch_tests::*;
use serde_json::json;

use crate::accessibility::{axe_source, violations};

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_member_of_two_workspaces_joins_with_their_password_and_switches() {
    let server = TestServer::start().await;
    let shop = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let (ann_name, ann_email) = shop.agents[0].clone();
    LeadClient::open(&server, &shop.key).await.start("a question for the shop").await;
    let demo_owner = AgentClient::owner(&server).await;
    server.advance(1_000); // her shop membership stays her first
    let invited: wire::Invited = demo_owner
        .http
        .post("/api/v1/agent/team/invitations", json!({"email": ann_email, "role": "agent"}))
        .await
        .json();

    // The invitation page knows her: only her password, no new name.
    let ann = Browser::start().await;
    ann.goto(&invited.link.unwrap()).await;
    ann.wait_for_text("invitation-existing", "already have a Porch account").await;
    assert!(ann.all("accept-name").await.is_empty(), "no name asked");
    assert_eq!(violations(&ann, &axe_source()).await, Vec::<String>::new(), "joining");
    ann.type_into("accept-password", PASSWORD).await;
    ann.click("accept-submit").await;
    ann.wait_live().await;
    ann.wait_for_text("agent-name", &ann_name).await;
    let demo_id = server.demo_workspace().await;
    assert_eq!(ann.value("workspace-switcher").await, demo_id.as_str(), "in the demo now");
    assert_eq!(violations(&ann, &axe_source()).await, Vec::<String>::new(), "with the switcher");

    // Switching to the shop reloads the app in it: the shop's conversation is there.
    let me: wire::Me = AgentClient::login(&server, &ann_email, PASSWORD).await.me;
    let shop_id = me.workspaces.iter().find(|m| m.workspace_id != demo_id).unwrap();
    ann.select("workspace-switcher", shop_id.workspace_id.as_str()).await;
    ann.wait_for_text("conversation-item", "a question for the shop").await;
    ann.wait_live().await;
    assert_eq!(ann.value("workspace-switcher").await, shop_id.workspace_id.as_str());
    // Signing in again opens the workspace she used last.
    ann.click("sign-out").await;
    ann.sign_in(&server.base, &ann_email, PASSWORD).await;
    ann.wait_for_text("conversation-item", "a question for the shop").await;
    ann.close().await;
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn an_owner_sets_office_hours_and_the_widget_says_when_the_team_is_back() {
    let server = TestServer::start().await;
    let owner = Browser::start().await;
    owner.sign_in(&server.base, demo::OWNER.1, demo::OWNER.2).await;
    owner.click("open-settings").await;
    owner.find("office-hours").await;
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "settings");
    owner.type_into("time-zone", "\u{8}\u{8}\u{8}Mars/Base").await;
    owner.click("workspace-save").await;
    owner.wait_for_text("workspace-status", "not a known time zone").await;

    // Open tomorrow only (UTC, the demo's time zone): closed now, and the widget says when
    // the team is back.
    let utc = porch_domain::Calendar::default();
    let now = server.clock_now();
    let (today, _) = utc.minute_of_week(now).unwrap();
    let tomorrow = usize::try_from(today).unwrap() % 7; // Monday first, from 0
    let boxes = owner.all("office-hours-open").await;
    assert_eq!(boxes.len(), 7);
    boxes[tomorrow].click().await.unwrap();
    owner.click("office-hours-enabled").await;
    owner.click("office-hours-save").await;
    owner.wait_for_text("office-hours-status", "Saved").await;
    let view: wire::WorkspaceView =
        AgentClient::owner(&server).await.http.get("/api/v1/agent/workspace").await.json();
    let hours = &view.settings.office_hours;
    assert!(hours.enabled);
    assert_eq!(hours.days[tomorrow], Some(wire::Opening { open: 9 * 60, close: 17 * 60 }));
    assert_eq!(hours.days.iter().flatten().count(), 1);
    let porch_domain::Availability::Away(Some(back_at)) =
        porch_domain::availability(hours, &utc, now)
    else {
        panic!("closed until tomorrow")
    };
    assert!(utc.format(back_at, "%A at %H:%M %Z").ends_with("at 09:00 UTC"));

    let lead = Browser::start().await;
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    // In the lead's own clock and language (the test browser's: UTC, American English).
    lead.wait_for_text("away", &format!("Back {} 09:00 AM", utc.format(back_at, "%A"))).await;
    assert_eq!(violations(&lead, &axe_source()).await, Vec::<String>::new(), "widget");
    owner.close().await;
    lead.close().await;
}
