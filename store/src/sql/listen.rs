//! Commit notifications between servers sharing one PostgreSQL database: a trigger (migration
//! 0018, 0019) notifies `porch_commits` with "<workspace> <last seq> <previous> <deadlines>" as
//! each commit lands, and every server listens on a connection of its own; on the same
//! connection, `porch_signals` carries the fleeting signals servers broadcast (typing, seen).

use std::time::Duration;

use porch_protocol::WorkspaceId;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use crate::{Commit, Result};

const CHANNEL: &str = "porch_commits";
const SIGNALS: &str = "porch_signals";
/// PostgreSQL refuses longer notification payloads.
const MAX_PAYLOAD: usize = 7_999;
/// Notifications waiting for the server to take them; beyond, the listener waits (PostgreSQL
/// keeps them meanwhile).
const QUEUE: usize = 4096;

/// Listens until the receiver is dropped. A lost connection is re-opened; the notifications
/// missed meanwhile are announced as one [`Commit::Resync`].
pub async fn listen(url: &str) -> Result<mpsc::Receiver<Commit>> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen_all([CHANNEL, SIGNALS]).await?;
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(async move {
        loop {
            let heard = match listener.try_recv().await {
                Ok(Some(n)) if n.channel() == SIGNALS => Some(Commit::Signal(n.payload().into())),
                Ok(Some(notification)) => parse(notification.payload()),
                // The connection dropped; the next call reconnects and listens again.
                Ok(None) => Some(Commit::Resync),
                Err(_) => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    None
                }
            };
            if let Some(commit) = heard {
                if tx.send(commit).await.is_err() {
                    return;
                }
            } else if tx.is_closed() {
                return;
            }
        }
    });
    Ok(rx)
}

/// Tells every listening server `payload` (a signal; too long a one is not sent).
pub async fn broadcast(pool: &sqlx::AnyPool, payload: &str) -> Result<()> {
    if payload.len() > MAX_PAYLOAD {
        return Ok(());
    }
    sqlx::query("SELECT pg_notify($1, $2)").bind(SIGNALS).bind(payload).execute(pool).await?;
    Ok(())
}

/// "<workspace> <last seq>", or since migration 0019 "<workspace> <last seq> <previous last
/// seq> <deadlines moved: 1 or 0>".
fn parse(payload: &str) -> Option<Commit> {
    let mut fields = payload.split(' ');
    let workspace = WorkspaceId(fields.next()?.to_owned());
    let seq = fields.next()?.parse().ok()?;
    let from = fields.next().and_then(|f| f.parse().ok());
    let deadlines = fields.next() == Some("1");
    Some(Commit::Committed { workspace, seq, from, deadlines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_a_workspace_and_its_last_seq() {
        let commit = |from, deadlines| Commit::Committed {
            workspace: WorkspaceId("w-1".into()),
            seq: 42,
            from,
            deadlines,
        };
        assert_eq!(parse("w-1 42"), Some(commit(None, false)));
        assert_eq!(parse("w-1 42 40 1"), Some(commit(Some(40), true)));
        assert_eq!(parse("w-1 42 40 0"), Some(commit(Some(40), false)));
        assert_eq!(parse("w-1"), None);
        assert_eq!(parse("w-1 x"), None);
    }
}
