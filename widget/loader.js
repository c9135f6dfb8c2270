/* Porch loader: what a customer's page includes with
 *   <script src="https://HOST/widget.js" data-workspace="KEY" async></script>
 * It adds a launcher button and, when first opened, the widget iframe (served from Porch's
 * origin, so host CSS cannot reach it). It defines only window.Porch and sets no cookie. */
(function (w, d) {
  if (w.Porch) return;
  var me = d.currentScript, key = me && me.getAttribute('data-workspace');
  if (!key) return;
  var origin = new URL(me.src).origin, frame, button, isOpen = false, ready = false, unread = 0,
    queue = [], handlers = {}, phone = w.matchMedia('(max-width: 480px)'), pageOverflow = null,
    // The owner's launcher: colour, side of the page and an optional text (GET /widget/keys/KEY).
    look = { color: '#0f766e', position: 'right', launcher_text: '' }, side;

  function css(el, rules) { for (var k in rules) el.style[k] = rules[k]; }
  function emit(name, payload) {
    (handlers[name] || []).forEach(function (fn) { try { fn(payload); } catch (e) { setTimeout(function () { throw e; }); } });
  }
  function post(msg) {
    if (ready) frame.contentWindow.postMessage(msg, origin); else queue.push(msg);
  }
  function mountFrame() {
    if (frame) return;
    frame = d.createElement('iframe');
    frame.src = origin + '/widget/?key=' + encodeURIComponent(key) +
      '&origin=' + encodeURIComponent(w.location.origin) +
      '&page=' + encodeURIComponent(w.location.origin + w.location.pathname);
    frame.title = 'Chat';
    frame.setAttribute('data-testid', 'porch-frame');
    frame.allow = 'clipboard-write';
    css(frame, { position: 'fixed', border: '0', boxShadow: '0 8px 32px rgba(0,0,0,.2)',
      zIndex: '2147483646', background: '#fff', display: 'none' });
    place();
    if (phone.addEventListener) phone.addEventListener('change', place);
    d.body.appendChild(frame);
  }
  // A box above the launcher; the whole screen on a phone, where the chat's own close button
  // stands in for the launcher.
  function place() {
    var full = phone.matches;
    css(frame, full
      ? { top: '0', left: '0', right: '0', bottom: '0', width: '100%', height: '100%',
          maxWidth: 'none', maxHeight: 'none', borderRadius: '0' }
      : { top: 'auto', left: side === 'left' ? '20px' : 'auto', right: side === 'left' ? 'auto' : '20px',
          bottom: '88px', width: '370px', height: '560px',
          maxWidth: 'calc(100vw - 40px)', maxHeight: 'calc(100vh - 108px)', borderRadius: '12px' });
    if (button) button.style.display = full && isOpen ? 'none' : 'flex';
    holdPage(full && isOpen);
  }
  // While the chat covers a phone's screen the page behind it stays still: no second scroll
  // bar beside the chat, no scrolling the page through it. Its own overflow comes back after.
  function holdPage(hold) {
    var s = d.documentElement.style;
    if (hold && pageOverflow === null) { pageOverflow = s.overflow; s.overflow = 'hidden'; }
    else if (!hold && pageOverflow !== null) { s.overflow = pageOverflow; pageOverflow = null; }
  }
  var ICON = '<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true" fill="none" ' +
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">';
  var CHAT = ICON + '<path d="M21 12a8 8 0 0 1-11.6 7.1L4 21l1.9-5.4A8 8 0 1 1 21 12z"/></svg>';
  var SHUT = ICON + '<path d="M6 6l12 12M18 6L6 18"/></svg>';
  function setOpen(open) {
    mountFrame();
    isOpen = open;
    frame.style.display = open ? 'block' : 'none';
    place();
    if (open) unread = 0;
    label();
    button.setAttribute('aria-expanded', String(open));
    if (open) post({ porch: 'focus' });
  }
  // The launcher: a chat icon, with a badge counting the team's messages that came while the
  // chat was shut; a cross while it is open.
  function label() {
    button.innerHTML = isOpen ? SHUT : CHAT;
    if (!isOpen && look.launcher_text) {
      var text = d.createElement('span');
      text.textContent = look.launcher_text;
      css(text, { marginLeft: '8px', lineHeight: '26px' });
      button.appendChild(text);
    }
    var name = look.launcher_text || 'Open chat';
    button.setAttribute('aria-label', isOpen ? 'Close chat'
      : unread ? name + ', ' + unread + ' unread' : name);
    if (isOpen || !unread) return;
    var badge = d.createElement('span');
    badge.textContent = unread > 9 ? '9+' : String(unread);
    badge.setAttribute('data-testid', 'porch-unread');
    css(badge, { position: 'absolute', top: '-4px', right: '-4px', minWidth: '22px',
      height: '22px', padding: '0 6px', borderRadius: '11px', background: '#b42318',
      color: '#fff', font: '700 12px/22px system-ui, sans-serif' });
    button.appendChild(badge);
  }
  w.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    var m = e.data || {};
    if (m.porch === 'ready') { ready = true; queue.splice(0).forEach(post); emit('ready'); }
    else if (m.porch === 'hide') { setOpen(false); button.focus(); }
    else if (m.porch === 'event') {
      if (!isOpen && m.name === 'message' && m.payload.author_kind !== 'contact') {
        unread++;
        label();
      }
      emit(m.name, m.payload);
    }
  });
  function start() {
    button = d.createElement('button');
    button.type = 'button';
    label();
    button.setAttribute('data-testid', 'porch-launcher');
    button.setAttribute('aria-haspopup', 'dialog');
    side = look.position === 'left' ? 'left' : 'right';
    css(button, { position: 'fixed', bottom: '20px', minWidth: '56px', height: '56px',
      padding: '0 15px', border: '0', borderRadius: '28px', lineHeight: '0', background: look.color, color: '#fff',
      display: 'flex', alignItems: 'center', justifyContent: 'center',
      font: '600 16px system-ui, sans-serif', cursor: 'pointer', zIndex: '2147483647',
      boxShadow: '0 4px 16px rgba(0,0,0,.25)' });
    button.style[side] = '20px';
    button.onclick = function () { setOpen(!isOpen); };
    button.setAttribute('aria-expanded', 'false');
    d.body.appendChild(button);
  }
  w.Porch = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(!isOpen); },
    identify: function (user) { mountFrame(); post({ porch: 'identify', user: user }); },
    // Forget the lead on this device (call it when your user signs out): the next visitor
    // starts an anonymous session and sees none of this lead's conversations.
    shutdown: function () { mountFrame(); if (isOpen) setOpen(false); post({ porch: 'shutdown' }); },
    on: function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); }
  };
  // A launcher only for a live key: a wrong or retired one shows no chat, and says why here.
  function warn(why) { if (w.console) console.warn('Porch: ' + why + '; no chat on this page.'); }
  fetch(origin + '/api/v1/widget/keys/' + encodeURIComponent(key)).then(function (r) {
    if (!r.ok) return warn('unknown widget key "' + key + '" (data-workspace)');
    return r.json().then(function (saved) {
      for (var k in look) if (typeof saved[k] === 'string' && saved[k]) look[k] = saved[k];
      if (d.body) start(); else d.addEventListener('DOMContentLoaded', start);
    });
  }, function () { warn('cannot reach ' + origin); });
})(window, document);
