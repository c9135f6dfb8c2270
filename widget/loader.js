/* Porch loader: what a customer's page includes with
 *   <script src="https://HOST/widget.js" data-workspace="KEY" async></script>
 * It adds a launcher button and, when first opened, the widget iframe (served from Porch's
 * origin, so host CSS cannot reach it). It defines only window.Porch and sets no cookie. */
(function (w, d) {
  if (w.Porch) return;
  var me = d.currentScript, key = me && me.getAttribute('data-workspace');
  if (!key) return;
  var origin = new URL(me.src).origin, frame, button, isOpen = false, ready = false,
    queue = [], handlers = {};

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
    css(frame, { position: 'fixed', right: '20px', bottom: '88px', width: '370px', height: '560px',
      maxWidth: 'calc(100vw - 40px)', maxHeight: 'calc(100vh - 108px)', border: '0',
      borderRadius: '12px', boxShadow: '0 8px 32px rgba(0,0,0,.2)', zIndex: '2147483646',
      background: '#fff', display: 'none' });
    d.body.appendChild(frame);
  }
  function setOpen(open) {
    mountFrame();
    isOpen = open;
    frame.style.display = open ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    if (open) post({ porch: 'focus' });
  }
  w.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    var m = e.data || {};
    if (m.porch === 'ready') { ready = true; queue.splice(0).forEach(post); emit('ready'); }
    else if (m.porch === 'hide') { setOpen(false); button.focus(); }
    else if (m.porch === 'event') emit(m.name, m.payload);
  });
  function start() {
    button = d.createElement('button');
    button.type = 'button';
    button.textContent = 'Chat';
    button.setAttribute('data-testid', 'porch-launcher');
    button.setAttribute('aria-haspopup', 'dialog');
    css(button, { position: 'fixed', right: '20px', bottom: '20px', height: '56px', minWidth: '56px',
      padding: '0 20px', border: '0', borderRadius: '28px', background: '#0f766e', color: '#fff',
      font: '600 16px system-ui, sans-serif', cursor: 'pointer', zIndex: '2147483647',
      boxShadow: '0 4px 16px rgba(0,0,0,.25)' });
    button.onclick = function () { setOpen(!isOpen); };
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-label', 'Open chat');
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
    if (d.body) start(); else d.addEventListener('DOMContentLoaded', start);
  }, function () { warn('cannot reach ' + origin); });
})(window, document);
