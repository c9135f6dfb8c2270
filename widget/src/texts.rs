//! The widget's words in English, German, French and Spanish. The owner may fix the language;
//! otherwise the first of the browser's languages the widget speaks wins, and English if none.

use porch_protocol::Language;

/// Everything the widget says of its own (the owner's greeting and team name override theirs).
pub struct Texts {
    pub lang: &'static str,
    pub chat: &'static str,
    pub online: &'static str,
    pub connecting: &'static str,
    pub retrying: &'static str,
    pub offline: &'static str,
    pub minimise: &'static str,
    pub loading: &'static str,
    pub greeting: &'static str,
    pub reply_minutes: &'static str,
    pub reply_hours: &'static str,
    pub start: &'static str,
    pub yours: &'static str,
    pub none_yet: &'static str,
    pub bot: &'static str,
    pub live: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub back: &'static str,
    pub message: &'static str,
    pub write: &'static str,
    pub closed_input: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub unsent: &'static str,
    pub quick: &'static str,
    pub person: &'static str,
    pub email: &'static str,
    pub email_optional: &'static str,
    pub end: &'static str,
    pub end_confirm: &'static str,
    pub cancel: &'static str,
    pub typing: &'static str,
    pub seen: &'static str,
    pub away: &'static str,
    pub back_at: &'static str,
    pub leave_message: &'static str,
}

pub static EN: Texts = Texts {
    lang: "en",
    chat: "Chat",
    online: "Online",
    connecting: "Connecting…",
    retrying: "Can't connect, retrying…",
    offline: "Offline",
    minimise: "Minimise chat",
    loading: "Loading…",
    greeting: "Hi there! How can we help?",
    reply_minutes: "We usually reply in a few minutes",
    reply_hours: "We usually reply within a few hours",
    start: "Start a new conversation",
    yours: "Your conversations",
    none_yet: "No conversations yet.",
    bot: "Bot",
    live: "Live chat",
    open: "Open",
    closed: "Closed",
    back: "← All conversations",
    message: "Message",
    write: "Write a message…",
    closed_input: "This conversation is closed",
    send: "Send",
    sending: "Sending…",
    unsent: "Not sent yet: retrying…",
    quick: "Quick answers",
    person: "Talk to a person",
    email: "Your e-mail, so we can reply if you leave",
    email_optional: "Your e-mail (optional), so we can reply if you leave",
    end: "End conversation",
    end_confirm: "End this conversation?",
    cancel: "Cancel",
    typing: "is typing…",
    seen: "Seen",
    away: "We're away right now.",
    back_at: "Back",
    leave_message: "Leave a message and we'll reply as soon as we can.",
};

pub static DE: Texts = Texts {
    lang: "de",
    chat: "Chat",
    online: "Online",
    connecting: "Verbinden…",
    retrying: "Keine Verbindung, neuer Versuch…",
    offline: "Offline",
    minimise: "Chat minimieren",
    loading: "Laden…",
    greeting: "Hallo! Wie können wir helfen?",
    reply_minutes: "Wir antworten meist in wenigen Minuten",
    reply_hours: "Wir antworten meist innerhalb weniger Stunden",
    start: "Neue Unterhaltung beginnen",
    yours: "Ihre Unterhaltungen",
    none_yet: "Noch keine Unterhaltungen.",
    bot: "Bot",
    live: "Live-Chat",
    open: "Offen",
    closed: "Geschlossen",
    back: "← Alle Unterhaltungen",
    message: "Nachricht",
    write: "Nachricht schreiben…",
    closed_input: "Diese Unterhaltung ist geschlossen",
    send: "Senden",
    sending: "Wird gesendet…",
    unsent: "Noch nicht gesendet: neuer Versuch…",
    quick: "Schnelle Antworten",
    person: "Mit einer Person sprechen",
    email: "Ihre E-Mail, damit wir antworten können, wenn Sie gehen",
    email_optional: "Ihre E-Mail (optional), damit wir antworten können, wenn Sie gehen",
    end: "Unterhaltung beenden",
    end_confirm: "Diese Unterhaltung beenden?",
    cancel: "Abbrechen",
    typing: "schreibt…",
    seen: "Gesehen",
    away: "Wir sind gerade nicht da.",
    back_at: "Zurück",
    leave_message: "Hinterlassen Sie eine Nachricht, wir antworten so bald wie möglich.",
};

pub static FR: Texts = Texts {
    lang: "fr",
    chat: "Chat",
    online: "En ligne",
    connecting: "Connexion…",
    retrying: "Connexion impossible, nouvel essai…",
    offline: "Hors ligne",
    minimise: "Réduire le chat",
    loading: "Chargement…",
    greeting: "Bonjour ! Comment pouvons-nous vous aider ?",
    reply_minutes: "Nous répondons en général en quelques minutes",
    reply_hours: "Nous répondons en général en quelques heures",
    start: "Nouvelle conversation",
    yours: "Vos conversations",
    none_yet: "Aucune conversation pour l'instant.",
    bot: "Bot",
    live: "Chat en direct",
    open: "Ouverte",
    closed: "Fermée",
    back: "← Toutes les conversations",
    message: "Message",
    write: "Écrivez un message…",
    closed_input: "Cette conversation est fermée",
    send: "Envoyer",
    sending: "Envoi…",
    unsent: "Pas encore envoyé : nouvel essai…",
    quick: "Réponses rapides",
    person: "Parler à une personne",
    email: "Votre e-mail, pour vous répondre si vous partez",
    email_optional: "Votre e-mail (facultatif), pour vous répondre si vous partez",
    end: "Terminer la conversation",
    end_confirm: "Terminer cette conversation ?",
    cancel: "Annuler",
    typing: "écrit…",
    seen: "Vu",
    away: "Nous sommes absents pour le moment.",
    back_at: "De retour",
    leave_message: "Laissez un message, nous répondrons dès que possible.",
};

pub static ES: Texts = Texts {
    lang: "es",
    chat: "Chat",
    online: "En línea",
    connecting: "Conectando…",
    retrying: "No se puede conectar, reintentando…",
    offline: "Sin conexión",
    minimise: "Minimizar chat",
    loading: "Cargando…",
    greeting: "¡Hola! ¿En qué podemos ayudarte?",
    reply_minutes: "Solemos responder en unos minutos",
    reply_hours: "Solemos responder en unas horas",
    start: "Iniciar una conversación",
    yours: "Tus conversaciones",
    none_yet: "Aún no hay conversaciones.",
    bot: "Bot",
    live: "Chat en vivo",
    open: "Abierta",
    closed: "Cerrada",
    back: "← Todas las conversaciones",
    message: "Mensaje",
    write: "Escribe un mensaje…",
    closed_input: "Esta conversación está cerrada",
    send: "Enviar",
    sending: "Enviando…",
    unsent: "Aún no enviado: reintentando…",
    quick: "Respuestas rápidas",
    person: "Hablar con una persona",
    email: "Tu e-mail, para responderte si te vas",
    email_optional: "Tu e-mail (opcional), para responderte si te vas",
    end: "Terminar conversación",
    end_confirm: "¿Terminar esta conversación?",
    cancel: "Cancelar",
    typing: "está escribiendo…",
    seen: "Visto",
    away: "Ahora no estamos.",
    back_at: "Volvemos",
    leave_message: "Deja un mensaje y te responderemos lo antes posible.",
};

/// The owner's language, or else the first of the browser's (`navigator.languages`, e.g.
/// "de-AT") the widget speaks; English when none is.
pub fn pick(owner: Language, browser: &[String]) -> &'static Texts {
    match owner {
        Language::En => &EN,
        Language::De => &DE,
        Language::Fr => &FR,
        Language::Es => &ES,
        Language::Auto => browser
            .iter()
            .find_map(|tag| {
                let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
                [&EN, &DE, &FR, &ES].into_iter().find(|t| t.lang == primary)
            })
            .unwrap_or(&EN),
    }
}

/// The browser's languages, most wanted first.
pub fn browser_languages() -> Vec<String> {
    // Read by name: web-sys's `Navigator` would bring all of its bindings for one field.
    let Some(window) = web_sys::window() else { return Vec::new() };
    let navigator = js_sys::Reflect::get(&window, &"navigator".into()).unwrap_or_default();
    let list = js_sys::Reflect::get(&navigator, &"languages".into()).unwrap_or_default();
    js_sys::Array::from(&list).iter().filter_map(|l| l.as_string()).collect()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    #[wasm_bindgen_test]
    fn the_browser_picks_unless_the_owner_fixed_a_language() {
        assert_eq!(pick(Language::Auto, &tags(&["de-AT", "en"])).lang, "de");
        assert_eq!(pick(Language::Auto, &tags(&["pt-BR", "es-MX", "fr"])).lang, "es");
        assert_eq!(pick(Language::Auto, &tags(&["FR_ca"])).lang, "fr");
        assert_eq!(pick(Language::Auto, &tags(&["ja", "zh"])).lang, "en");
        assert_eq!(pick(Language::Auto, &[]).lang, "en");
        assert_eq!(pick(Language::Fr, &tags(&["de"])).lang, "fr");
    }
}
