//! Settings → Team in Chromium: an owner invites (no SMTP: the link is shown to pass on), the
//! invitee accepts and is signed in, the owner deactivates them and their open inbox is cut off
//! (back to signing in).

use porch_protocol::Plan;
use porch_tests::browser::Browser;
use porch_tests::{TestServer, PASSWORD};

use crate::accessibility::{axe_source, violations};

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn an_owner_invites_a_member_who_joins_and_is_later_deactivated() {
    let server = TestServer::start().await;
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let owner = Browser::start().await;
    owner.sign_in(&server.base, &team.agents[0].1, PASSWORD).await;
    owner.click("open-settings").await;
    owner.find("team").await;
    owner.type_into("invite-email", "mia@shop.example").await;
    owner.click("invite-submit").await;
    owner.wait_for_text("team-status", "pass the link on").await;
    let link = owner.find("invite-link").await.text().await.unwrap();
    assert!(link.contains("/app/#invite="), "{link}");
    owner.wait_for_text("invitation", "mia@shop.example").await;
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "team settings");

    let mia = Browser::start().await;
    mia.goto(&link).await;
    mia.wait_for_text("invitation-info", "mia@shop.example").await;
    assert_eq!(violations(&mia, &axe_source()).await, Vec::<String>::new(), "invitation");
    mia.type_into("accept-name", "Mia").await;
    mia.type_into("accept-password", "mia's passphrase").await;
    mia.click("accept-submit").await;
    mia.wait_live().await;
    mia.wait_for_text("agent-name", "Mia").await;

    // The owner sees Mia in the team and deactivates her.
    owner.goto(&format!("{}/app/", server.base)).await;
    owner.click("open-settings").await;
    owner.wait_for_text("member", "Mia").await;
    let rows = owner.all("member").await;
    let mut deactivated = false;
    for row in rows {
        if row.text().await.unwrap_or_default().contains("Mia") {
            let button = row
                .find(fantoccini::Locator::Css("[data-testid=\"member-deactivate\"]"))
                .await
                .expect("a deactivate button");
            button.click().await.expect("click");
            deactivated = true;
        }
    }
    assert!(deactivated);
    owner.wait_for_text("team-status", "Deactivated").await;
    // Her open inbox is cut off and goes back to signing in, saying why.
    mia.wait_for_text("session-ended", "Your session has ended").await;
    assert!(mia.all("connection").await.is_empty(), "no inbox left behind");
    for browser in [owner, mia] {
        browser.close().await;
    }
}
