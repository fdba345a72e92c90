/*
 * Ringback callback widget: a floating button and a popup that takes the visitor's phone
 * number, asks for a callback and shows its progress. The swap script loads it, once the
 * page is parsed and the browser is idle:
 *
 *   <script async src="https://RINGBACK/v1/widget.js" data-site-key="pk_..."></script>
 *
 * - GET /v1/sites/{key}/config gives the `callback` block (texts, theme, triggers,
 *   targeting, hours, countries). No block, disabled, or not for this page: no widget.
 * - Triggers (any enabled one opens the popup): seconds on the page, seconds of
 *   inactivity, scroll depth, pages viewed in the session, exit intent (pointer leaving
 *   toward the top; with a coarse pointer: the page hidden, or Back, through one history
 *   entry pushed after the first interaction and given back when not needed). At most one
 *   automatic show per browser-tab session, then none for cooldownHours after a show or a
 *   close. Never while the visitor is typing in the page's own fields. The button always
 *   opens it.
 * - Texts: en and ru built in, overridable per locale; {keyword} is the visit's utm_term
 *   ({keyword|fallback} when there is none; without a fallback the built-in text is used).
 * - POST /v1/callbacks with an Idempotency-Key (kept for a retry of the same submission),
 *   then GET /v1/callbacks/{id} every 1.5 s while the popup is open, until a final status.
 * - Nothing is thrown into the page; styles are scoped under #ringback-callback.
 *
 * Stable hooks (for tests and the e2e suite):
 *   #ringback-callback            root (data-open="true|false", class rb-right|rb-left, lang)
 *   .rb-launcher                  the floating button (aria-expanded, aria-controls=rb-dialog)
 *   #rb-dialog / .rb-dialog       role=dialog aria-modal=true aria-labelledby=rb-title; [hidden] when closed
 *   #rb-title, #rb-text           heading, and the line under it (the off-hours offer when closed)
 *   select[name=country]          #rb-country (hidden when only one country is allowed)
 *   input[name=phone]             #rb-phone (aria-invalid), .rb-hint its validation message
 *   select[name=slot]             #rb-slot, off hours only: "" = next opening, else a slot's epoch ms
 *   button[type=submit]           .rb-submit, disabled until the number is valid
 *   .rb-close                     close button
 *   .rb-status                    role=status aria-live=polite; data-status = sending | error |
 *                                 accepted | scheduled | calling_operator | ... ; data-code on errors
 *   window.__ringback.widget      { state: loading|ready|off|failed, reason, isOpen, openedBy
 *                                   (time|inactivity|scroll|pages|exit|manual), status, statuses,
 *                                   requestId, locale, open(), close() }
 */
(function (win, doc) {
  var script = doc.currentScript;
  var rb = win.__ringback = win.__ringback || {};
  if (rb.widget || !script || !win.fetch) return;

  var W = rb.widget = { state: 'loading', isOpen: false, openedBy: null, status: null, statuses: [], requestId: null };
  W.open = function () { if (W.state === 'ready') guard(open)('manual'); };
  W.close = function () { if (W.state === 'ready') guard(close)(); };
  var siteKey = script.getAttribute('data-site-key');
  var api = new URL(script.src).origin + '/v1/';
  var KEY = 'ringback:cb:' + siteKey;
  var FINAL = ' connected completed missed failed ';
  var TEXTS = {
    en: {
      button: 'Call me back', title: 'Want us to call you?', text: "Leave your number and we'll call you right away.",
      closed: "We're closed now. We'll call you at {time}.", when: 'When to call', asap: 'As soon as we open ({time})',
      country: 'Country', phone: 'Your phone number', hint: 'Enter a number like {example}', submit: 'Call me',
      close: 'Close', sending: 'Sending…', accepted: 'Request received…', scheduled: "We'll call you at {time}",
      calling_operator: 'Calling a manager…', calling_visitor: 'Connecting you…', connected: 'Connected',
      retry_scheduled: "We'll retry at {time}", missed: "Sorry, we couldn't reach you. We'll be in touch.",
      invalid_phone: "This number doesn't look right.", country_not_allowed: "Sorry, we can't call this country.",
      premium_number: "Sorry, we can't call premium-rate numbers.", rate_limited: 'Too many requests. Please try again later.',
      network: 'No connection. Please try again.', error: 'Something went wrong. Please try again.'
    },
    ru: {
      button: 'Перезвоните мне',
      title: 'Перезвонить вам?',
      text: 'Оставьте номер, и мы сразу перезвоним.',
      closed: 'Сейчас мы не работаем. Перезвоним в {time}.',
      when: 'Когда позвонить',
      asap: 'Как только откроемся ({time})',
      country: 'Страна',
      phone: 'Ваш номер телефона',
      hint: 'Введите номер, например {example}',
      submit: 'Позвоните мне',
      close: 'Закрыть',
      sending: 'Отправляем…',
      accepted: 'Заявка принята…',
      scheduled: 'Перезвоним вам в {time}',
      calling_operator: 'Звоним менеджеру…',
      calling_visitor: 'Соединяем с вами…',
      connected: 'Соединено',
      retry_scheduled: 'Позвоним ещё раз в {time}',
      missed: 'Не удалось дозвониться. Мы свяжемся с вами.',
      invalid_phone: 'Похоже, номер указан неверно.',
      country_not_allowed: 'На номера этой страны мы не звоним.',
      premium_number: 'На платные номера мы не звоним.',
      rate_limited: 'Слишком много заявок. Попробуйте позже.',
      network: 'Нет связи. Попробуйте ещё раз.',
      error: 'Что-то пошло не так. Попробуйте ещё раз.'
    }
  };
  var ROOT = '#ringback-callback';
  // The reset spares the icon's <path>: all:revert would drop its d (a CSS property in
  // Chromium), leaving an empty launcher.
  var CSS = (ROOT + ',~ :not(path){all:revert;box-sizing:border-box}' +
    '~{--rb-c:#0a7cff;position:fixed;z-index:2147483000;bottom:20px;right:20px;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;text-align:left}' +
    '~.rb-left{right:auto;left:20px}' +
    '~ [hidden]{display:none!important}' +
    '~ .rb-launcher{display:flex;align-items:center;justify-content:center;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--rb-c);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}' +
    '~ svg{width:26px;height:26px;fill:currentColor}' +
    '~ .rb-dialog{position:absolute;bottom:68px;right:0;width:340px;max-width:calc(100vw - 40px);max-height:calc(100vh - 100px);overflow:auto;padding:20px;background:#fff;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.3)}' +
    '~.rb-left .rb-dialog{right:auto;left:0}' +
    '~ .rb-title{margin:0 28px 6px 0;font-size:18px;font-weight:600}' +
    '~ p{margin:0 0 8px}' +
    '~ label{display:block;margin:10px 0 4px;font-size:13px}' +
    '~ select,~ input{display:block;width:100%;margin:0;padding:8px 10px;border:1px solid #b8c0cc;border-radius:6px;background:#fff;color:inherit;font:inherit}' +
    '~ input[aria-invalid=true]{border-color:#c62828}' +
    '~ .rb-hint{margin:4px 0 0;color:#c62828;font-size:13px}' +
    '~ .rb-submit{display:block;width:100%;margin-top:14px;padding:10px;border:0;border-radius:6px;background:var(--rb-c);color:#fff;font:inherit;font-weight:600;cursor:pointer}' +
    '~ .rb-submit:disabled{opacity:.5;cursor:default}' +
    '~ .rb-close{position:absolute;top:8px;right:8px;padding:2px 8px;border:0;background:none;color:#5b6475;font-size:24px;line-height:1;cursor:pointer}' +
    '~ .rb-status{margin:12px 0 0;font-weight:600}' +
    '~ :focus-visible{outline:2px solid var(--rb-c);outline-offset:2px}' +
    '~ .rb-dialog:focus{outline:none}' +
    // Narrow screens: a bottom sheet, never the whole screen.
    '@media (max-width:600px){~ .rb-dialog{position:fixed;left:0;right:0;bottom:0;width:auto;max-width:none;max-height:85vh;border-radius:16px 16px 0 0}}'
  ).replace(/~/g, ROOT);
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z"/></svg>';

  var cb, theme, own, base, locale, keyword, sess, countries;
  var root, launcher, dialog, form, select, input, slot, submit, hint, status;
  var touched, busy, pending, armed, leaving, named, pollTimer, pollDelay = 1500;
  var coarse = win.matchMedia && matchMedia('(pointer: coarse)').matches;

  // Wraps a handler so that nothing it does can throw into the page.
  function guard(fn) {
    return function () {
      try { return fn.apply(this, arguments); } catch (e) { W.error = String(e); }
    };
  }

  function on(target, type, fn, options) { target.addEventListener(type, guard(fn), options || false); }
  function later(fn, ms) { return setTimeout(guard(fn), ms); }
  function now() { return Date.now(); }

  function read(store, key) {
    var v;
    try { v = JSON.parse(win[store].getItem(key)); } catch (e) { /* blocked or corrupt */ }
    return v && typeof v === 'object' ? v : {};
  }

  function write(store, key, value) {
    try { win[store].setItem(key, JSON.stringify(value)); } catch (e) { /* blocked */ }
  }

  function randomId() {   // 32 hex digits
    var a = crypto.getRandomValues(new Uint8Array(16)), s = '', i;
    for (i = 0; i < 16; i++) s += (a[i] + 256).toString(16).slice(1);
    return s;
  }

  function el(tag, attrs, parent, text) {
    var e = doc.createElement(tag), k;
    for (k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  // This page view, counted in the tab's session; UTM tags and the landing referrer are
  // kept for the session, so later pages are targeted (and keyworded) like the landing one.
  function visit() {
    var q = new URLSearchParams(location.search), utm = {}, any, ref;
    sess = read('sessionStorage', KEY);
    sess.pv = (sess.pv || 0) + 1;
    'source medium campaign term content'.split(' ').forEach(function (k) {
      var v = q.get('utm_' + k);
      if (v) utm[k] = any = v;
    });
    if (any) sess.utm = utm;
    if (sess.ref == null) {
      try { ref = new URL(doc.referrer).hostname; } catch (e) { ref = ''; }
      sess.ref = ref === location.hostname ? '' : ref;
    }
    write('sessionStorage', KEY, sess);
  }

  // * matches anything; case-insensitive, whole value.
  function matches(globs, value) {
    return globs.some(function (g) {
      return new RegExp('^' + String(g).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$', 'i').test(value);
    });
  }

  function any(list) { return list && list.length; }

  function targeted(t) {
    var utm = sess.utm || {}, ref = sess.ref.toLowerCase(), k;
    if (any(t.paths) && !matches(t.paths, location.pathname)) return false;
    if (any(t.excludePaths) && matches(t.excludePaths, location.pathname)) return false;
    for (k in t.utm) if (any(t.utm[k]) && !matches(t.utm[k], utm[k] || '')) return false;
    if (any(t.referrers) && !t.referrers.some(function (d) {
      d = String(d).toLowerCase();
      return ref === d || ref.slice(-d.length - 1) === '.' + d;
    })) return false;
    // a country restriction excludes visitors whose country is unknown
    return !any(t.countries) || t.countries.indexOf(cb.viewerCountry) >= 0;
  }

  function pickLocale(want, texts) {
    var list = want && want !== 'auto' ? [want] : (navigator.languages || [navigator.language]).concat(doc.documentElement.lang), i, l;
    for (i = 0; i < list.length; i++) {
      l = String(list[i] || '').slice(0, 2).toLowerCase();
      if (TEXTS[l] || texts[l]) return l;
    }
    return 'en';
  }

  // {name} and {name|fallback}; null when a placeholder has neither value nor fallback.
  function fill(text, vars) {
    var missing;
    text = text.replace(/\{(\w+)(?:\|([^}]*))?\}/g, function (m, name, alt) {
      var v = name === 'keyword' ? keyword : vars && vars[name];
      if (v != null && v !== '') return v;
      if (alt != null) return alt;
      missing = 1;
      return '';
    });
    return missing ? null : text;
  }

  // The site's text for this locale, else the built-in one.
  function t(key, vars) {
    var text = typeof own[key] === 'string' ? fill(own[key], vars) : null;
    return text != null ? text : fill(base[key] || TEXTS.en[key] || '', vars) || '';
  }

  // HH:MM in the visitor's time, with the weekday when it is not today.
  function clock(ms) {
    var d = new Date(ms), hm = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return d.toDateString() === new Date().toDateString() ? hm : d.toLocaleDateString(locale, { weekday: 'short' }) + ' ' + hm;
  }

  function say(text, state, code) {
    if (status.textContent !== text) status.textContent = text;
    status.setAttribute('data-status', state);
    if (code) status.setAttribute('data-code', code);
    else status.removeAttribute('data-code');
  }

  // ---- the phone number ----

  function country(code) {
    for (var i = 0; i < countries.length; i++) if (countries[i].code === code) return countries[i];
  }

  // What was typed -> {c: country, d: national digits, ok, foreign}. "+", "00" or the
  // selected country's code start an international number (the selector follows it); a
  // trunk prefix (0, or 8 for +7) is dropped when the rest has a valid length.
  function parse() {
    var raw = input.value, d = raw.replace(/\D/g, ''), c = country(select.value), x, i, p;
    if (/^\s*(\+|00)/.test(raw)) {
      if (/^\s*00/.test(raw)) d = d.slice(2);
      for (i = 0; i < countries.length; i++) {
        p = countries[i];
        if (d.indexOf(p.dial) === 0 && (!x || p.dial.length > x.dial.length || p === c && p.dial === x.dial)) x = p;
      }
      if (!x) return { c: c, d: d, foreign: d.length > 2 };
      if (x !== c) select.value = x.code;
      c = x;
      d = d.slice(c.dial.length);
    } else if (c.lengths.indexOf(d.length) < 0) {
      p = [c.dial, '0', c.dial === '7' ? '8' : '-'];
      for (i = 0; i < 3; i++) {
        if (d.indexOf(p[i]) === 0 && c.lengths.indexOf(d.length - p[i].length) >= 0) {
          d = d.slice(p[i].length);
          break;
        }
      }
    }
    return { c: c, d: d, ok: c.lengths.indexOf(d.length) >= 0 };
  }

  function validate() {
    var p = parse(), show = !p.ok && /\d/.test(input.value) &&
      (touched || p.foreign || p.d.length > Math.max.apply(Math, p.c.lengths) + 1);
    submit.disabled = !p.ok || !!busy;
    input.setAttribute('aria-invalid', show ? 'true' : 'false');
    input.placeholder = p.c.example || '';
    hint.textContent = show ? p.foreign ? t('country_not_allowed') : t('hint', { example: p.c.example }) : '';
    return p;
  }

  // ---- the request and its progress ----

  function send(event) {
    event.preventDefault();
    var p = validate(), body, sig, stored = read('localStorage', 'ringback:' + siteKey);
    if (!p.ok || busy) return;
    body = {
      siteKey: siteKey, phone: '+' + p.c.dial + p.d, country: p.c.code, sessionId: rb.sessionId || null,
      clientId: stored.c || null, page: location.href, locale: locale
    };
    if (slot && slot.value) body.slot = +slot.value;
    // A retry of the same submission keeps its key, so the server makes one request of it.
    sig = body.phone + '|' + body.slot;
    if (!pending || pending.sig !== sig) pending = { sig: sig, key: randomId() };
    busy = 1;
    validate();
    say(t('sending'), 'sending');
    post(body, pending.key, 1);
  }

  function post(body, key, retries) {
    fetch(api + 'callbacks', {
      method: 'POST', body: JSON.stringify(body), credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }
    }).then(function (res) {
      return res.json().then(null, function () { return {}; }).then(guard(function (answer) {
        var code = answer.error && answer.error.code;
        busy = 0;
        if (res.ok && answer.requestId) {
          pending = null;
          W.requestId = answer.requestId;
          form.hidden = true;
          if (W.isOpen) focusFirst();
          progress(answer);
        } else {
          if (res.status < 500) pending = null;   // refused: a new submission gets a new key
          failed(code || (res.status === 429 ? 'rate_limited' : 'error'));
        }
      }));
    }, guard(function () {
      if (retries) return later(function () { post(body, key, retries - 1); }, 1000);
      busy = 0;
      failed('network');
    }));
  }

  function failed(code) {
    var known = ' invalid_phone country_not_allowed premium_number rate_limited network '.indexOf(' ' + code + ' ') >= 0;
    say(t(known ? code : 'error'), 'error', code);
    validate();
  }

  function progress(answer) {
    var s = answer.status, key = s === 'completed' ? 'connected' : s === 'failed' ? 'missed' : s,
      at = s === 'retry_scheduled' ? answer.retryAt : answer.scheduledFor;
    if (!TEXTS.en[key] || /time/.test(TEXTS.en[key]) && !at) key = 'accepted';
    if (W.status !== s) W.statuses.push(s);
    W.status = s;
    say(t(key, { time: at ? clock(at) : '' }), s);
    poll();
  }

  // While the popup is open and the request is not over; slower after each failed poll.
  function poll() {
    clearTimeout(pollTimer);
    if (!W.requestId || !W.isOpen || FINAL.indexOf(' ' + W.status + ' ') >= 0) return;
    pollTimer = later(function () {
      fetch(api + 'callbacks/' + encodeURIComponent(W.requestId) + '?siteKey=' + encodeURIComponent(siteKey), { credentials: 'omit' })
        .then(function (res) {
          if (!res.ok) throw res.status;
          return res.json();
        })
        .then(guard(function (answer) {
          pollDelay = 1500;
          progress(answer);
        }), guard(function () {
          pollDelay = Math.min(pollDelay * 2, 30000);
          poll();
        }));
    }, pollDelay);
  }

  // ---- the popup ----

  function focusables() {
    return [].filter.call(dialog.querySelectorAll('button,select,input'), function (e) {
      return !e.disabled && e.getClientRects().length;
    });
  }

  // Into the popup: the number field, or on a touch screen opened by a trigger the popup
  // itself (no on-screen keyboard the visitor did not ask for).
  function focusFirst(auto) {
    (auto && coarse ? dialog : form.hidden ? dialog.querySelector('.rb-close') : input).focus();
  }

  function open(by) {
    if (W.isOpen) return;
    W.isOpen = true;
    W.openedBy = by;
    nameCountries();
    dialog.hidden = false;
    root.setAttribute('data-open', 'true');
    launcher.setAttribute('aria-expanded', 'true');
    focusFirst(by !== 'manual');
    poll();
  }

  function close() {
    if (!W.isOpen) return;
    W.isOpen = false;
    dialog.hidden = true;
    root.setAttribute('data-open', 'false');
    launcher.setAttribute('aria-expanded', 'false');
    clearTimeout(pollTimer);
    cooldown();
    launcher.focus();
  }

  function cooldown() {
    write('localStorage', KEY, { until: now() + (cb.triggers.cooldownHours || 0) * 36e5 });
  }

  function typing() {
    var a = doc.activeElement;
    return a && !root.contains(a) && (/^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) || a.isContentEditable);
  }

  function eligible() {
    return !W.isOpen && !sess.auto && !W.requestId && !(read('localStorage', KEY).until > now());
  }

  // A trigger fired: open, if this session has not had its automatic show.
  function auto(by) {
    if (!eligible()) return;
    if (typing()) return later(function () { auto(by); }, 3000);
    sess.auto = 1;
    write('sessionStorage', KEY, sess);
    open(by);
    cooldown();
  }

  function triggers(tr) {
    var idle;
    function restart() {
      clearTimeout(idle);
      idle = later(function () { auto('inactivity'); }, tr.inactivitySeconds * 1000);
    }
    if (tr.secondsOnPage > 0) later(function () { auto('time'); }, tr.secondsOnPage * 1000);
    if (tr.inactivitySeconds > 0) {
      'mousemove pointerdown keydown wheel touchstart scroll'.split(' ').forEach(function (type) {
        on(win, type, restart, { capture: true, passive: true });
      });
      restart();
    }
    if (tr.scrollPercent > 0) {
      on(win, 'scroll', function () {
        var range = doc.documentElement.scrollHeight - win.innerHeight;
        if (range > 0 && win.scrollY * 100 >= tr.scrollPercent * range) auto('scroll');
      }, { passive: true });
    }
    if (tr.pagesViewed > 0 && sess.pv >= tr.pagesViewed) auto('pages');
    if (!tr.exitIntent) return;
    if (!coarse) {
      on(doc, 'mouseout', function (e) {
        if (!e.relatedTarget && e.clientY < 8) auto('exit');
      });
      return;
    }
    // Hidden, not unloaded: a page that goes away (pagehide comes first) does not count.
    on(win, 'pagehide', function () { leaving = 1; });
    on(win, 'pageshow', function () { leaving = 0; });
    on(doc, 'visibilitychange', function () {
      if (doc.visibilityState === 'hidden' && !leaving) auto('exit');
    });
    // Back: one extra history entry (same URL), pushed after the visitor's first gesture so
    // the browser keeps it. Leaving it opens the popup, or goes on back when not wanted.
    'click touchend keydown'.split(' ').forEach(function (type) {
      on(win, type, function () {
        var st = history.state;
        if (armed || !eligible()) return;
        armed = 1;
        history.pushState(st && typeof st === 'object' ? Object.assign({}, st, { rbGuard: 1 }) : { rbGuard: 1 }, '');
        W.guarded = true;
      }, true);
    });
    on(win, 'popstate', function () {
      if (armed !== 1 || history.state && history.state.rbGuard) return;
      armed = 2;
      W.guarded = false;
      if (eligible()) auto('exit');
      else history.back();
    });
  }

  // The countries' names, in the widget's language, the first time the popup opens: the
  // names' data takes Intl a long while to load (a third of a second at 4x CPU throttling),
  // which a visitor who never opens the popup should not pay on every page view.
  function nameCountries() {
    var names;
    if (named) return;
    named = 1;
    try { names = new Intl.DisplayNames([locale], { type: 'region' }); } catch (e) { return; /* old browser: codes */ }
    countries.forEach(function (c, i) {
      try { select.options[i].textContent = names.of(c.code) + ' +' + c.dial; } catch (e) { /* the code then */ }
    });
  }

  function build(closed) {
    var box, choices = (cb.slots || []).slice(0, 6), def = country(cb.defaultCountry) || countries[0];
    el('style', { id: 'rb-style' }, doc.head, CSS);
    root = el('div', { id: 'ringback-callback', 'class': 'ringback-ignore rb-' + (theme.position === 'left' ? 'left' : 'right'), lang: locale, 'data-open': 'false' });
    if (theme.color) root.style.setProperty('--rb-c', String(theme.color));
    launcher = el('button', { type: 'button', 'class': 'rb-launcher', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'rb-dialog', 'aria-label': t('button'), title: t('button') }, root);
    launcher.innerHTML = ICON;
    dialog = el('div', { id: 'rb-dialog', 'class': 'rb-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'rb-title', 'aria-describedby': 'rb-text', tabindex: '-1' }, root);
    dialog.hidden = true;
    el('button', { type: 'button', 'class': 'rb-close', 'aria-label': t('close') }, dialog, '\u00d7');
    el('h2', { id: 'rb-title', 'class': 'rb-title' }, dialog, t('title'));
    el('p', { id: 'rb-text', 'class': 'rb-text' }, dialog, closed && cb.nextOpeningLocal ? t('closed', { time: cb.nextOpeningLocal }) : t('text'));
    form = el('form', { 'class': 'rb-form', novalidate: '' }, dialog);
    box = el('div', { 'class': 'rb-country' }, form);
    box.hidden = countries.length < 2;
    el('label', { 'for': 'rb-country' }, box, t('country'));
    select = el('select', { id: 'rb-country', name: 'country' }, box);
    countries.forEach(function (c) {
      el('option', { value: c.code }, select, c.code + ' +' + c.dial);   // named on opening
    });
    select.value = def.code;
    el('label', { 'for': 'rb-phone' }, form, t('phone'));
    input = el('input', { id: 'rb-phone', name: 'phone', type: 'tel', autocomplete: 'tel', inputmode: 'tel', 'aria-describedby': 'rb-hint' }, form);
    hint = el('p', { id: 'rb-hint', 'class': 'rb-hint', 'aria-live': 'polite' }, form);
    if (closed && choices.length) {
      el('label', { 'for': 'rb-slot' }, form, t('when'));
      slot = el('select', { id: 'rb-slot', name: 'slot' }, form);
      el('option', { value: '' }, slot, t('asap', { time: cb.nextOpeningLocal }));
      choices.forEach(function (s) { el('option', { value: s.at }, slot, s.label); });
    }
    submit = el('button', { type: 'submit', 'class': 'rb-submit' }, form, t('submit'));
    status = el('p', { 'class': 'rb-status', role: 'status', 'aria-live': 'polite' }, dialog);

    on(launcher, 'click', function () {
      if (W.isOpen) close();
      else open('manual');
    });
    on(dialog.querySelector('.rb-close'), 'click', close);
    on(form, 'submit', send);
    on(input, 'input', validate);
    on(select, 'change', validate);
    on(input, 'blur', function () {
      touched = 1;
      validate();
    });
    on(root, 'keydown', function (e) {
      var f, first, last;
      if (!W.isOpen) return;
      if (e.key === 'Escape') {
        e.stopPropagation();
        return close();
      }
      if (e.key !== 'Tab' || !dialog.contains(e.target)) return;
      f = focusables();
      first = f[0];
      last = f[f.length - 1];
      if (e.shiftKey ? e.target === first || e.target === dialog : e.target === last) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    });
    // Modal: focus stays in the popup; a click elsewhere closes it.
    on(doc, 'focusin', function (e) {
      if (W.isOpen && !root.contains(e.target)) focusFirst();
    });
    on(doc, 'pointerdown', function (e) {
      if (W.isOpen && !root.contains(e.target)) close();
    }, true);
    doc.body.appendChild(root);
    validate();
  }

  function start(config) {
    var tr;
    cb = config && config.callback;
    if (!cb || !cb.enabled) return off('disabled');
    countries = (cb.countries || []).filter(function (c) {
      return c && c.code && /^\d{1,3}$/.test(c.dial) && any(c.lengths);
    });
    if (!countries.length) return off('no_countries');
    cb.triggers = tr = cb.triggers || {};
    theme = cb.theme || {};
    if (!targeted(cb.targeting || {})) return off('targeting');
    W.locale = locale = pickLocale(cb.locale, theme.texts || {});
    base = TEXTS[locale] || TEXTS.en;
    own = (theme.texts || {})[locale] || {};
    keyword = sess.utm && sess.utm.term ? sess.utm.term.replace(/\s+/g, ' ').trim().slice(0, 60) : '';
    build(cb.open === false);
    W.state = 'ready';
    triggers(tr);
  }

  function off(reason) {
    W.state = 'off';
    W.reason = reason;
  }

  guard(function () {
    visit();
    fetch(api + 'sites/' + encodeURIComponent(siteKey) + '/config', { credentials: 'omit' })
      .then(function (res) {
        if (!res.ok) throw res.status;
        return res.json();
      })
      .then(function (config) {
        return new Promise(function (done) {
          if (doc.body) done(config);
          else doc.addEventListener('DOMContentLoaded', function () { done(config); });
        });
      })
      .then(start)
      .then(null, function (e) {
        W.state = 'failed';
        W.error = String(e);
        if (root && root.parentNode) root.parentNode.removeChild(root);
      });
  })();
})(window, document);
