//! API tokens: found by their secret's hash while live, counted per workspace, revoked only in
//! their own workspace, their last use noted at most once a minute.

use super::*;

fn token(ws: &Workspace, by: &AgentId, scope: TokenScope) -> NewToken {
    NewToken {
        workspace_id: ws.id.clone(),
        token: ApiToken {
            id: TokenId(id("tok")),
            name: "CRM sync".into(),
            scope,
            prefix: "porch_ab12cd".into(),
            created_at: NOW,
            created_by: by.clone(),
            last_used_at: None,
        },
        secret_hash: id("hash"),
    }
}

pub async fn api_tokens_are_found_live_and_revoked_in_their_workspace(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let other = workspace(&store).await;
    let owner = member(&store, &ws, Role::Owner, &id("s")).await;
    let read = token(&ws, owner.id(), TokenScope::Read);
    let write = token(&ws, owner.id(), TokenScope::Write);
    assert!(store.create_token(&read, 2).await.unwrap());
    assert!(store.create_token(&write, 2).await.unwrap());
    assert!(!store.create_token(&token(&ws, owner.id(), TokenScope::Read), 2).await.unwrap());
    assert_eq!(store.tokens(&ws.id).await.unwrap(), [read.token.clone(), write.token.clone()]);
    assert_eq!(store.tokens(&other.id).await.unwrap(), []);

    // Found by the hash; the first use is noted, the next within a minute is not.
    let (found_ws, found) =
        store.token_by_secret(&read.secret_hash, NOW + 5).await.unwrap().unwrap();
    assert_eq!((found_ws, found.last_used_at), (ws.id.clone(), Some(NOW + 5)));
    let again = store.token_by_secret(&read.secret_hash, NOW + 59_000).await.unwrap().unwrap();
    assert_eq!(again.1.last_used_at, Some(NOW + 5));
    let later = store.token_by_secret(&read.secret_hash, NOW + 60_005).await.unwrap().unwrap();
    assert_eq!(later.1.last_used_at, Some(NOW + 60_005));
    assert_eq!(store.token_by_secret("unknown", NOW).await.unwrap(), None);

    // Another workspace cannot revoke it; its own can, once, and then it is dead.
    assert!(!store.revoke_token(&other.id, &read.token.id, NOW).await.unwrap());
    assert!(store.revoke_token(&ws.id, &read.token.id, NOW).await.unwrap());
    assert!(!store.revoke_token(&ws.id, &read.token.id, NOW).await.unwrap());
    assert_eq!(store.token_by_secret(&read.secret_hash, NOW + 70_000).await.unwrap(), None);
    assert_eq!(store.tokens(&ws.id).await.unwrap(), std::slice::from_ref(&write.token));
    // A revoked token no longer counts against the limit.
    assert!(store.create_token(&token(&ws, owner.id(), TokenScope::Read), 2).await.unwrap());
}
