//! The team: invitations used once, members, roles, deactivation, and the last active owner.

use super::*;

fn invitation(ws: &Workspace, email: &str, token: &str, by: &AgentId) -> NewInvitation {
    NewInvitation {
        invitation: Invitation {
            id: id("inv"),
            email: email.into(),
            role: Role::Agent,
            invited_by: by.clone(),
            created_at: NOW,
            expires_at: NOW + 100,
        },
        workspace_id: ws.id.clone(),
        token_hash: token.into(),
    }
}

pub async fn an_invitation_is_accepted_once_renewed_or_revoked(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let owner = member(&store, &ws, Role::Owner, &id("s")).await;
    let email = format!("{}@example.com", id("bob"));
    let bob = invitation(&ws, &email, &id("t1"), owner.id());
    store.create_invitation(&bob).await.unwrap();
    assert_eq!(store.invitations(&ws.id).await.unwrap(), std::slice::from_ref(&bob.invitation));
    let (found, found_ws, name) =
        store.invitation_by_token(&bob.token_hash, NOW).await.unwrap().unwrap();
    assert_eq!(
        (found, &found_ws, name.as_str()),
        (bob.invitation.clone(), &ws.id, ws.name.as_str())
    );
    assert_eq!(store.invitation_by_token(&bob.token_hash, NOW + 100).await.unwrap(), None);

    // Resent: a new link, the old one dead.
    let renewed = store.renew_invitation(&ws.id, &bob.invitation.id, "t2", NOW + 500).await;
    assert_eq!(renewed.unwrap().unwrap().expires_at, NOW + 500);
    assert_eq!(store.invitation_by_token(&bob.token_hash, NOW).await.unwrap(), None);
    let other = workspace(&store).await;
    assert_eq!(
        store.renew_invitation(&other.id, &bob.invitation.id, "t3", NOW).await.unwrap(),
        None
    );

    let agent_id = AgentId(id("bob"));
    let joined =
        store.accept_invitation("t2", (&agent_id, "Bob"), Some("hb"), NOW + 1).await.unwrap();
    let joined = joined.expect("accepted");
    assert_eq!((joined.agent.email.as_str(), joined.agent.role), (email.as_str(), Role::Agent));
    assert_eq!(joined.workspace_id, ws.id);
    assert_eq!(store.person(&email).await.unwrap().unwrap().password_hash, "hb");
    let again = store.accept_invitation("t2", (&AgentId(id("x")), "X"), Some("h"), NOW + 2).await;
    assert_eq!(again.unwrap(), None, "used");
    assert!(store.invitations(&ws.id).await.unwrap().is_empty());

    // Revoked: unusable. An address with a password or a member already: refused, the
    // invitation stays pending.
    let carol = invitation(&ws, &format!("{}@example.com", id("carol")), &id("t4"), owner.id());
    store.create_invitation(&carol).await.unwrap();
    assert!(!store.revoke_invitation(&other.id, &carol.invitation.id, NOW).await.unwrap());
    assert!(store.revoke_invitation(&ws.id, &carol.invitation.id, NOW).await.unwrap());
    let c = AgentId(id("c"));
    let revoked = store.accept_invitation(&carol.token_hash, (&c, "C"), Some("h"), NOW).await;
    assert_eq!(revoked.unwrap(), None);
    let taken = invitation(&ws, &email, &id("t5"), owner.id());
    store.create_invitation(&taken).await.unwrap();
    let d = AgentId(id("d"));
    let refused = store.accept_invitation(&taken.token_hash, (&d, "D"), Some("h"), NOW).await;
    assert!(matches!(refused, Err(StoreError::Conflict("email"))), "{refused:?}");
    let refused = store.accept_invitation(&taken.token_hash, (&d, "D"), None, NOW).await;
    assert!(matches!(refused, Err(StoreError::Conflict("member"))), "{refused:?}");
    assert_eq!(store.person(&email).await.unwrap().unwrap().password_hash, "hb");
    assert_eq!(store.invitations(&ws.id).await.unwrap(), [taken.invitation]);
}

pub async fn a_workspace_keeps_an_active_owner(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let ann = member(&store, &ws, Role::Owner, &id("s")).await;
    let bob_session = id("s");
    let bob = member(&store, &ws, Role::Agent, &bob_session).await;
    let last = store.set_role(&ws.id, ann.id(), Role::Manager).await;
    assert!(matches!(last, Err(StoreError::Conflict("last_owner"))), "{last:?}");
    let last = store.deactivate(&ws.id, ann.id()).await;
    assert!(matches!(last, Err(StoreError::Conflict("last_owner"))), "{last:?}");
    let other = workspace(&store).await;
    let foreign = store.set_role(&other.id, bob.id(), Role::Owner).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");

    store.set_role(&ws.id, bob.id(), Role::Owner).await.unwrap();
    store.set_role(&ws.id, ann.id(), Role::Manager).await.unwrap();
    store.set_role(&ws.id, ann.id(), Role::Owner).await.unwrap();
    store.deactivate(&ws.id, bob.id()).await.unwrap();
    assert_eq!(store.session_agent(&bob_session, NOW).await.unwrap(), None, "signed out");
    assert!(store.membership(&bob.agent.email, None).await.unwrap().is_none(), "no sign-in");

    store.agent_present("p1", &ws.id, ann.id(), NOW).await.unwrap();
    let members = store.members(&ws.id, NOW + 1).await.unwrap();
    let shown: Vec<_> =
        members.iter().map(|m| (m.agent.id.clone(), m.active, m.last_seen_at, m.online)).collect();
    assert_eq!(
        shown,
        [(ann.id().clone(), true, Some(NOW), true), (bob.id().clone(), false, None, false)]
    );
    let later = store.members(&ws.id, NOW + 600_000).await.unwrap();
    assert!(!later[0].online, "not seen for ten minutes");
}

pub async fn one_person_belongs_to_several_workspaces(store: Arc<dyn Store>) {
    let (shop, blog) = (workspace(&store).await, workspace(&store).await);
    let ann = member(&store, &shop, Role::Owner, "ann-shop").await;
    let email = ann.agent.email.clone();
    // Joining a second workspace keeps the person's password; the e-mail is unique per
    // workspace only.
    let in_blog = Agent { id: AgentId(id("agent")), role: Role::Agent, ..ann.agent.clone() };
    let new = NewAgent {
        workspace_id: blog.id.clone(),
        agent: in_blog.clone(),
        password_hash: "ignored".into(),
        created_at: NOW + 1,
    };
    store.create_agent(&new).await.unwrap();
    let twice = NewAgent { agent: Agent { id: AgentId(id("agent")), ..in_blog.clone() }, ..new };
    assert!(matches!(store.create_agent(&twice).await, Err(StoreError::Conflict("email"))));
    assert_eq!(store.person(&email).await.unwrap().unwrap().password_hash, "h");
    let blog_ann =
        AgentRecord { workspace_id: blog.id.clone(), agent: in_blog.clone(), token: None };
    assert_eq!(store.membership(&email, Some(&blog.id)).await.unwrap(), Some(blog_ann.clone()));
    assert_eq!(store.membership(&email, None).await.unwrap(), Some(ann.clone()), "the first");
    let foreign = workspace(&store).await;
    assert_eq!(store.membership(&email, Some(&foreign.id)).await.unwrap(), None);
    let ids: Vec<_> = store
        .memberships(&email)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.workspace_id, m.agent_id, m.role))
        .collect();
    let mut expected = vec![
        (shop.id.clone(), ann.agent.id.clone(), Role::Owner),
        (blog.id.clone(), in_blog.id.clone(), Role::Agent),
    ];
    expected.sort_by(|a, b| a.0 .0.cmp(&b.0 .0)); // both are named "Acme": by id then
    assert_eq!(ids, expected);

    // One password: set from either workspace, it ends the sessions in both but the one kept.
    store.create_session("ann-blog", &blog_ann, NOW + 1_000_000).await.unwrap();
    store.create_session("ann-blog-2", &blog_ann, NOW + 1_000_000).await.unwrap();
    store.set_password(&in_blog.id, "h2", Some("ann-blog")).await.unwrap();
    assert_eq!(store.person(&email).await.unwrap().unwrap().password_hash, "h2");
    assert_eq!(store.session_agent("ann-shop", NOW).await.unwrap(), None, "other workspace");
    assert_eq!(store.session_agent("ann-blog-2", NOW).await.unwrap(), None);
    assert_eq!(store.session_agent("ann-blog", NOW).await.unwrap(), Some(blog_ann.clone()));

    // Deactivated in the blog: the shop stays theirs.
    let keeper = member(&store, &blog, Role::Owner, &id("s")).await;
    store.deactivate(&blog.id, &in_blog.id).await.unwrap();
    assert_eq!(store.membership(&email, Some(&blog.id)).await.unwrap(), None);
    assert_eq!(store.memberships(&email).await.unwrap().len(), 1);
    assert_eq!(store.session_agent("ann-blog", NOW).await.unwrap(), None);

    // Invited back: the same member returns with the invitation's role, their password kept.
    let mut back = invitation(&blog, &email, &id("back"), keeper.id());
    back.invitation.role = Role::Manager;
    store.create_invitation(&back).await.unwrap();
    let fresh = AgentId(id("new"));
    let returned = store.accept_invitation(&back.token_hash, (&fresh, "Ann"), None, NOW);
    let returned = returned.await.unwrap().unwrap();
    assert_eq!((returned.agent.id, returned.agent.role), (in_blog.id.clone(), Role::Manager));
    assert_eq!(store.person(&email).await.unwrap().unwrap().password_hash, "h2");

    // Joining "with an account" needs one.
    let nobody = format!("{}@example.com", id("nobody"));
    let lost = invitation(&blog, &nobody, &id("lost"), keeper.id());
    store.create_invitation(&lost).await.unwrap();
    let n = AgentId(id("n"));
    let refused = store.accept_invitation(&lost.token_hash, (&n, "N"), None, NOW).await;
    assert!(matches!(refused, Err(StoreError::Conflict("person"))), "{refused:?}");
    assert!(store.person(&nobody).await.unwrap().is_none());
    assert_eq!(store.invitations(&blog.id).await.unwrap(), [lost.invitation], "still pending");
}
