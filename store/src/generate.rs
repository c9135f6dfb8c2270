//! A realistic random history for a workspace, for the demo (`cargo xtask run --demo-history`),
//! tests and the report benchmark. Everything is written through [`Store::record`] with the
//! domain's own decisions and the workspace's auto-close policy, exactly as the server writes:
//! leads in several languages, bot conversations (quick answers, hand-offs, free text),
//! assignments and transfers, late and missing replies, snoozes, manual closes with outcomes
//! and categories, auto-closes at their deadline, and leads reopening.

use porch_domain::{
    assign, bot_says, close, fire, greet, hand_to_human, post_message, quick_answer, snooze, start,
    ConversationState, DomainError, NewMessage,
};
use porch_protocol::{
    Actor, AgentId, AuthorKind, ClosingNote, ClosingNotesMode, ContactId, ConversationId,
    ConversationKind, Event, LeadOptions, MessageId, Millis, Outcome,
};

use crate::{with_timer, Command, Decide, NewContact, Result, Store, Workspace};

const MIN: Millis = 60_000;
const HOUR: Millis = 60 * MIN;

/// What to generate.
#[derive(Clone, Debug)]
pub struct HistoryPlan {
    pub conversations: u64,
    /// The first conversation starts here; the rest spread over `days`.
    pub start: Millis,
    pub days: u32,
    pub seed: u64,
    /// Who answers (with their display names).
    pub agents: Vec<(AgentId, String)>,
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub conversations: u64,
    pub contacts: u64,
    pub messages: u64,
    pub events: u64,
}

/// Lead messages by language, so reports have a language distribution to show.
const LEAD_LINES: [&[&str]; 4] = [
    &[
        "Hi, my parcel never arrived and the tracking page has not changed since Monday.",
        "Can I change the delivery address of the order I placed this morning?",
        "The jacket I received is too small, how do I return it for a larger size?",
        "I was charged twice for the same order, could you please check my invoice?",
    ],
    &[
        "Hola, mi pedido no ha llegado todavía y el seguimiento no se actualiza desde el lunes.",
        "¿Puedo cambiar la dirección de entrega del pedido que hice esta mañana?",
        "Me cobraron dos veces el mismo pedido, ¿pueden revisar mi factura por favor?",
    ],
    &[
        "Hallo, mein Paket ist noch nicht angekommen und die Sendungsverfolgung steht still.",
        "Kann ich die Lieferadresse meiner heutigen Bestellung noch ändern?",
    ],
    &[
        "Bonjour, mon colis n'est toujours pas arrivé et le suivi ne bouge plus depuis lundi.",
        "Est-ce que je peux changer l'adresse de livraison de ma commande de ce matin ?",
    ],
];

const AGENT_LINES: &[&str] = &[
    "Thanks for writing! Let me look into that for you.",
    "I have checked your order: it left our warehouse yesterday and should arrive tomorrow.",
    "Done, I have updated the address. You will get a confirmation e-mail shortly.",
    "I am sorry about that. I have issued a refund; it takes three to five working days.",
];

/// A small deterministic generator (xorshift64*): the same seed gives the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn between(&mut self, low: Millis, high: Millis) -> Millis {
        low + self.below(u64::try_from(high - low).unwrap_or(1)) as Millis
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Writer<'a> {
    store: &'a dyn Store,
    ws: &'a Workspace,
    rng: Rng,
    done: Generated,
    /// Nothing happens after this (for the demo: now): a conversation whose next step would
    /// stops where it is, open, waiting, or snoozed.
    end: Millis,
}

impl Writer<'_> {
    /// Ids are random (a history can be added to a database twice); its shape is the seed's.
    fn id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// Records one decision at `at` as the server would (auto-close deadlines included). The
    /// history only takes turns the domain allows, so a refusal is an error: a generator that
    /// skipped refused closes would quietly leave most conversations open.
    async fn record(
        &mut self,
        conversation: Option<&ConversationId>,
        actor: Actor,
        at: Millis,
        decide: Decide,
    ) -> Result<bool> {
        if at > self.end {
            return Ok(false);
        }
        let decide = with_timer(Box::new(move |_, state| decide(state)));
        let command = Command::new(self.ws.id.clone(), conversation.cloned(), actor, decide);
        let answers = self.store.record_batch(at, vec![command]).await?;
        let frames = answers.into_iter().next().unwrap_or(Ok(Vec::new()))?;
        self.done.events += frames.len() as u64;
        self.done.messages +=
            frames.iter().filter(|f| matches!(f.event, Event::MessagePosted { .. })).count() as u64;
        Ok(!frames.is_empty())
    }

    async fn on(
        &mut self,
        conversation: &ConversationId,
        actor: Actor,
        at: Millis,
        decide: impl FnOnce(&ConversationState) -> Result<Vec<Event>, DomainError> + Send + 'static,
    ) -> Result<bool> {
        let decide: Decide = Box::new(move |state| state.map_or(Ok(Vec::new()), decide));
        self.record(Some(conversation), actor, at, decide).await
    }

    fn lead_says(&mut self, contact: &ContactId, language: usize) -> NewMessage {
        NewMessage {
            id: MessageId(self.id()),
            author_kind: AuthorKind::Contact,
            author_id: Some(contact.0.clone()),
            author_name: None,
            body: (*self.rng.pick(LEAD_LINES[language])).to_owned(),
            client_id: None,
        }
    }

    fn agent_says(&mut self, agent: &(AgentId, String)) -> NewMessage {
        NewMessage {
            id: MessageId(self.id()),
            author_kind: AuthorKind::Agent,
            author_id: Some(agent.0 .0.clone()),
            author_name: Some(agent.1.clone()),
            body: (*self.rng.pick(AGENT_LINES)).to_owned(),
            client_id: None,
        }
    }

    async fn lead_writes(
        &mut self,
        c: &ConversationId,
        contact: &ContactId,
        language: usize,
        at: Millis,
    ) -> Result<bool> {
        let message = self.lead_says(contact, language);
        let actor = Actor::Contact(contact.clone());
        self.on(c, actor, at, move |s| post_message(s, message, &LeadOptions::default(), at)).await
    }

    async fn agent_writes(
        &mut self,
        c: &ConversationId,
        agent: &(AgentId, String),
        at: Millis,
    ) -> Result<bool> {
        let message = self.agent_says(agent);
        let actor = Actor::Agent(agent.0.clone());
        self.on(c, actor, at, move |s| post_message(s, message, &LeadOptions::default(), at)).await
    }

    /// One conversation from its first contact to its close (or not), starting at `at`.
    async fn conversation(
        &mut self,
        plan: &HistoryPlan,
        contact: ContactId,
        mut at: Millis,
    ) -> Result<()> {
        let language = match self.rng.below(10) {
            0..=5 => 0,
            6 | 7 => 1,
            8 => 2,
            _ => 3,
        };
        let bot = &self.ws.settings.bot;
        let with_bot = bot.enabled && self.rng.chance(40);
        let id = ConversationId(self.id());
        let lead = Actor::Contact(contact.clone());
        let kind = if with_bot { ConversationKind::Bot } else { ConversationKind::Live };
        let first = (!with_bot).then(|| self.lead_says(&contact, language));
        let (cid, who) = (id.clone(), contact.clone());
        let started: Decide = Box::new(move |_| start(cid, who, false, kind, first, at));
        if !self.record(None, lead.clone(), at, started).await? {
            return Ok(());
        }
        self.done.conversations += 1;
        if with_bot {
            let greeting = bot_says(MessageId(self.id()), &bot.greeting);
            self.on(&id, Actor::System, at, move |s| Ok(vec![greet(&s.id, greeting, at)?])).await?;
            at += self.rng.between(10_000, 2 * MIN);
            let questions = bot.quick_answers.len() as u64;
            let roll = self.rng.below(100);
            if roll < 45 && questions > 0 {
                let (index, ids) = (
                    self.rng.below(questions) as usize,
                    (MessageId(self.id()), MessageId(self.id())),
                );
                let bot = bot.clone();
                self.on(&id, lead.clone(), at, move |s| {
                    quick_answer(s, &bot, index, ids, None, at)
                })
                .await?;
                if self.rng.chance(60) {
                    return Ok(()); // answered by the bot; the conversation stays with it
                }
                at += self.rng.between(10_000, 3 * MIN);
            }
            if roll < 10 {
                return Ok(()); // greeted, never answered
            }
            if self.rng.chance(50) {
                self.on(&id, lead.clone(), at, hand_to_human).await?;
            } else {
                // Free text reaches the team.
                self.lead_writes(&id, &contact, language, at).await?;
            }
        }
        if plan.agents.is_empty() {
            return Ok(());
        }
        let mut agent = self.rng.pick(&plan.agents).clone();
        if self.rng.chance(85) {
            at += self.rng.between(10_000, 10 * MIN);
            let to = agent.0.clone();
            self.on(&id, Actor::System, at, move |s| Ok(assign(s, Some(to)))).await?;
        }
        // The first reply: usually minutes, sometimes hours (missed), sometimes never.
        let wait = match self.rng.below(100) {
            0..=69 => self.rng.between(20_000, 15 * MIN),
            70..=84 => self.rng.between(15 * MIN, 2 * HOUR),
            85..=94 => self.rng.between(3 * HOUR, 20 * HOUR),
            _ => return Ok(()), // nobody answered
        };
        at += wait;
        self.agent_writes(&id, &agent, at).await?;
        // About ten messages a conversation in all, as in busy support chats.
        for _ in 0..self.rng.below(10) {
            at += self.rng.between(20_000, 8 * MIN);
            self.lead_writes(&id, &contact, language, at).await?;
            if self.rng.chance(4) && plan.agents.len() > 1 {
                // Transferred to a colleague.
                at += self.rng.between(30_000, 5 * MIN);
                let previous = agent.0.clone();
                agent = self.rng.pick(&plan.agents).clone();
                let to = agent.0.clone();
                if to != previous {
                    self.on(&id, Actor::Agent(previous), at, move |s| Ok(assign(s, Some(to))))
                        .await?;
                }
            }
            at += self.rng.between(20_000, 12 * MIN);
            self.agent_writes(&id, &agent, at).await?;
        }
        if self.rng.chance(5) {
            let until = at + self.rng.between(HOUR, 24 * HOUR);
            self.on(&id, Actor::Agent(agent.0.clone()), at + MIN, move |s| {
                snooze(s, until, at + MIN)
            })
            .await?;
        }
        match self.rng.below(100) {
            0..=64 => {
                at += self.rng.between(MIN, 30 * MIN);
                let outcome =
                    if self.rng.chance(75) { Outcome::Resolved } else { Outcome::Unresolved };
                // A note as the workspace's closing-notes settings ask for one.
                let notes = self.ws.settings.closing_notes.clone();
                let note = (notes.mode != ClosingNotesMode::Off).then(|| ClosingNote {
                    category: (!notes.categories.is_empty())
                        .then(|| self.rng.pick(&notes.categories).clone()),
                    summary: Some("Handled in the generated history.".into()),
                    generated: false,
                });
                let by = agent.0.clone();
                self.on(&id, Actor::Agent(by.clone()), at, move |s| {
                    close(s, &by, Some(outcome), note, &notes)
                })
                .await?;
            }
            65..=89 => {
                // Left to auto-close: it fires at the stored deadline.
                let Some(deadline) =
                    self.store.conversation(&self.ws.id, &id).await?.and_then(|c| c.auto_close_at)
                else {
                    return Ok(());
                };
                at = deadline;
                self.on(&id, Actor::System, at, move |s| Ok(fire(s, deadline, deadline, None)))
                    .await?;
            }
            _ => return Ok(()), // still open
        }
        if self.rng.chance(12) {
            // The lead writes again: a new cycle.
            at += self.rng.between(HOUR, 48 * HOUR);
            self.lead_writes(&id, &contact, language, at).await?;
            at += self.rng.between(MIN, HOUR);
            self.agent_writes(&id, &agent, at).await?;
        }
        Ok(())
    }
}

/// Fills `ws` with `plan.conversations` conversations spread evenly over `plan.days` from
/// `plan.start`, about a third of them from returning leads; nothing after the last day ends.
pub async fn history(store: &dyn Store, ws: &Workspace, plan: &HistoryPlan) -> Result<Generated> {
    let span = Millis::from(plan.days.max(1)) * 24 * HOUR;
    let end = plan.start + span;
    let mut writer = Writer { store, ws, rng: Rng(plan.seed | 1), done: Generated::default(), end };
    let step = span / i64::try_from(plan.conversations.max(1)).unwrap_or(i64::MAX);
    // Agents keep office hours (08:00–17:00 UTC) on most days: presence for connection hours.
    for day in 0..=i64::from(plan.days) {
        let midnight = plan.start - plan.start.rem_euclid(24 * HOUR) + day * 24 * HOUR;
        for (agent, _) in &plan.agents {
            if writer.rng.chance(80) {
                let id = writer.id();
                let (from, to) = (midnight + 8 * HOUR, midnight + 17 * HOUR);
                let (from, to) =
                    (from + writer.rng.between(0, HOUR), to - writer.rng.between(0, HOUR));
                if from < end {
                    store.agent_present(&id, &ws.id, agent, from).await?;
                    store.agent_present(&id, &ws.id, agent, to.min(end)).await?;
                }
            }
        }
    }
    let mut contacts: Vec<ContactId> = Vec::new();
    for n in 0..plan.conversations {
        let at = plan.start
            + i64::try_from(n).unwrap_or_default() * step
            + writer.rng.between(0, step.max(1));
        let contact = if contacts.is_empty() || writer.rng.chance(65) {
            let contact = ContactId(writer.id());
            let new = NewContact {
                id: contact.clone(),
                workspace_id: ws.id.clone(),
                token_hash: writer.id(),
                created_at: at,
            };
            store.create_contact(&new).await?;
            writer.done.contacts += 1;
            contacts.push(contact.clone());
            contact
        } else {
            writer.rng.pick(&contacts).clone()
        };
        writer.conversation(plan, contact, at).await?;
    }
    Ok(writer.done)
}
