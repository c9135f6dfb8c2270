//! The agent sockets each session holds, so ending a session ends its sockets at once: logout
//! here, expiry and logouts on other servers by each socket re-checking its session now and
//! then ([`AppState::session_recheck`]).
//!
//! [`AppState::session_recheck`]: crate::AppState::session_recheck

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use porch_protocol::AgentId;
use tokio_util::sync::CancellationToken;

/// session token hash → (agent, (socket id, its token) per open socket)
type Open = HashMap<String, (AgentId, Vec<(u64, CancellationToken)>)>;

#[derive(Default)]
pub struct SessionSockets {
    open: Mutex<Open>,
    next_id: AtomicU64,
}

/// A socket's place in the registry, left on drop.
pub struct Registered {
    sockets: Arc<SessionSockets>,
    session: String,
    id: u64,
    pub ended: CancellationToken,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut open = self.sockets.lock();
        if let Some((_, tokens)) = open.get_mut(&self.session) {
            tokens.retain(|(id, _)| *id != self.id);
            if tokens.is_empty() {
                open.remove(&self.session);
            }
        }
    }
}

impl SessionSockets {
    /// Registers a socket of `session` (a token hash); `ended` fires when the session ends.
    pub fn register(self: &Arc<Self>, session: &str, agent: &AgentId) -> Registered {
        let (ended, id) = (CancellationToken::new(), self.next_id.fetch_add(1, Ordering::Relaxed));
        let mut open = self.lock();
        let entry = open.entry(session.to_owned()).or_insert_with(|| (agent.clone(), Vec::new()));
        entry.1.push((id, ended.clone()));
        Registered { sockets: self.clone(), session: session.to_owned(), id, ended }
    }

    /// Ends the sockets of one session (logout).
    pub fn end_session(&self, session: &str) {
        if let Some((_, tokens)) = self.lock().remove(session) {
            tokens.iter().for_each(|(_, t)| t.cancel());
        }
    }

    /// Ends every socket of one agent (deactivation).
    pub fn end_agent(&self, agent: &AgentId) {
        self.lock().retain(|_, (who, tokens)| {
            if who == agent {
                tokens.iter().for_each(|(_, t)| t.cancel());
            }
            who != agent
        });
    }

    pub fn count(&self) -> usize {
        self.lock().values().map(|(_, tokens)| tokens.len()).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ending_a_session_or_an_agent_ends_exactly_their_sockets() {
        let sockets = Arc::new(SessionSockets::default());
        let (ann, bob) = (AgentId("ann".into()), AgentId("bob".into()));
        let laptop = sockets.register("s1", &ann);
        let phone = sockets.register("s2", &ann);
        let bobs = sockets.register("s3", &bob);
        sockets.end_session("s1");
        assert!(laptop.ended.is_cancelled());
        assert!(!phone.ended.is_cancelled() && !bobs.ended.is_cancelled());
        sockets.end_agent(&ann);
        assert!(phone.ended.is_cancelled() && !bobs.ended.is_cancelled());
        assert_eq!(sockets.count(), 1);
        drop(bobs);
        assert_eq!(sockets.count(), 0, "a closed socket leaves");
    }
}
