/*
 * Ringback swap script: shows a visitor their tracking numbers in place of the site's own.
 *
 *   <script src="https://RINGBACK/v1/swap.js" data-site-key="pk_..."></script>   (in <head>)
 *
 * - Repeat view within the lease: numbers come from localStorage and are swapped as the
 *   parser adds nodes (a MutationObserver started from <head>; its callbacks run before
 *   any paint), so the site's own number never renders and no request precedes the swap.
 * - First view: the page shows the site's numbers until POST /v1/sessions answers (at
 *   most TIMEOUT ms), then they are swapped. Nothing is ever hidden.
 * - A number is recognised by its digits (national significant number, with or without
 *   the country code, a trunk prefix or an international prefix), in any punctuation; the
 *   new digits are written into the page's own pattern.
 * - Heartbeat (touch) only while the tab is visible; tel: clicks go out as a beacon.
 * - Any failure leaves the page as it was: nothing is thrown into the page.
 *
 * Cheap by construction (`make bench-swap` measures its main-thread time; the target is
 * 10 ms at 4x CPU throttling): a text is rewritten only if its digits hold one of the numbers to replace;
 * a subtree is walked once per batch of mutations, and not at all inside what is never
 * swapped (our widget, scripts, styles, editable text); the records our own writes cause
 * are dropped, not processed again; nothing reads layout.
 *
 * window.__ringback exposes what tests and the benchmark read: swappedAt (performance.now()
 * of the first swap), settled ('answered' or 'failed': the first exchange with the sessions API is over) and
 * the current session. Once the page is parsed and the first answer is in, it adds
 * the callback widget (/v1/widget.js, frontend/src/widget.js) from the same origin.
 * ES2015 (every browser with fetch parses it) + fetch: frontend/build.py minifies it.
 */
(function (win, doc) {
  var script = doc.currentScript;
  if (win.__ringback || !script || !win.fetch) return;

  var perf = win.performance,
    rb = win.__ringback = { swappedAt: null },
    SKIP = 'script,style,textarea,noscript,template,select,[contenteditable]:not([contenteditable=false]),.ringback-ignore',
    TEL = 'a[href^="tel:" i]',
    // A run of digits with the punctuation numbers are written with, and our own " ext. N".
    RUN = /[+(]?\d[\d\s().\u00a0\u2010-\u2015-]*\d(?: ext\. \d+)?/g,
    // Two-digit country calling codes (20, 27, 30-34, 36, 39, ...); 1 and 7 are one digit,
    // all others three.
    CC2 = /^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])/,
    siteKey = script.getAttribute('data-site-key'),
    origin = new URL(script.src).origin,
    api = origin + '/v1/sessions',
    store = 'ringback:' + siteKey,
    state = {},
    again,
    keys = [],      // what to look for: {c: country code, n: national number, e: entry, p: was ours, ok: prefixes}
    shown = [],     // entries currently applied
    observer, timer, widgetDue = 2;

  function now() { return Date.now(); }

  function load() {
    var s;
    try { s = JSON.parse(win.localStorage.getItem(store)); } catch (e) { /* blocked or corrupt */ }
    s = s || {};
    // A client id kept from an earlier visit: the API offers that visit's line first.
    again = /^[\w-]{8,64}$/.test(s.c || '');
    // 128 random bits, as four numbers: what the API takes as an id ([\w-]{8,64})
    if (!again) s.c = crypto.getRandomValues(new Uint32Array(4)).join('-');
    if (!(s.e > now())) s.s = s.n = null;   // the lease is over: neither session nor numbers
    return s;
  }

  function save() {
    try { win.localStorage.setItem(store, JSON.stringify(state)); } catch (e) { /* blocked */ }
  }

  // '+14155550100' -> ['1', '4155550100']
  function split(e164) {
    var d = e164.replace(/\D/g, ''), l = /^[17]/.test(d) ? 1 : CC2.test(d) ? 2 : 3;
    return [d.slice(0, l), d.slice(l)];
  }

  // What to look for: a number as country code and national number, and what may stand
  // before the national number: nothing, a trunk prefix (0, 8), or the country code,
  // alone, with a (0), or after an international prefix (00, 011).
  function key(number, e, p) {
    var s = split(number), c = s[0];
    keys.push({ c: c, n: s[1], e: e, p: p, ok: '||0|8|' + c + '|' + c + '0|00' + c + '|011' + c + '|' });
  }

  // Digits as the page wrote them -> what to write instead, or null when not ours.
  function lookup(digits) {
    for (var i = 0, k, l, p, to, at; i < keys.length; i++) {
      k = keys[i];
      l = digits.length - k.n.length;
      if (l >= 0 && digits.slice(l) === k.n && k.ok.indexOf('|' + (p = digits.slice(0, l)) + '|') >= 0) {
        to = split(k.e.number);
        at = p.length > 1 || p === k.c ? p.lastIndexOf(k.c) : -1;   // where the page shows the country code
        if (at >= 0 && to[0] !== k.c) p = p.slice(0, at) + to[0] + p.slice(at + k.c.length);
        return {
          // digit for digit when it can be; a national form never gets another country's number
          d: to[0] === k.c ? p + to[1] : '',
          x: at < 0 && to[0] === k.c ? p + to[1] : '+' + to[0] + ' ' + to[1],
          e: k.e, p: k.p
        };
      }
    }
    return null;
  }

  function rewrite(text) {
    return text.replace(RUN, (run) => {
      var ext = / ext\. \d+$/.exec(run), out = '', last = 0, g = [], re = /\d+/g, m, i, j, n, digits, hit, at, c;
      if (ext) run = run.slice(0, ext.index);
      while ((m = re.exec(run))) g.push([m.index, re.lastIndex]);
      for (n = g.length, i = 0; i < n; i++) {
        // the most groups of digits from here that spell one of our numbers
        for (j = n - 1; j >= i; j--) if ((hit = lookup(digits = (c = run.slice(g[i][0], g[j][1])).replace(/\D/g, '')))) break;
        if (!hit) continue;
        at = 0;
        // digit for digit, into the page's own punctuation
        if (hit.d.length === digits.length) c = c.replace(/\d/g, () => hit.d[at++]);
        else {
          // other length (another country): E.164 if the page showed the country code, else national
          c = hit.x;
          if (/[+(]$/.test(run.slice(0, g[i][0]))) g[i][0]--;
        }
        out += run.slice(last, g[i][0]) + c;
        last = g[j][1];
        if (j === n - 1) {
          // a trailing " ext. N" is ours to rewrite when we wrote the number before
          if (ext && !hit.p && !hit.e.extension) out += ext[0];
          if (hit.e.extension) out += ' ' + (hit.e.extensionLabel || 'ext.') + ' ' + hit.e.extension;
          ext = null;
        }
        i = j;
        hit = null;
      }
      return out + run.slice(last) + (ext ? ext[0] : '');
    });
  }

  function skip(node) {
    var p = node.parentNode;
    return !p || !p.closest || p.closest(SKIP);
  }

  function text(node) {
    var before = node.data, after, d = before.replace(/\D+/g, ''), i;
    // Most texts hold none of our numbers' digits: no regular expression runs on them.
    for (i = 0; i < keys.length && d.indexOf(keys[i].n) < 0; i++);
    if (i === keys.length) return;
    after = rewrite(before);
    if (after !== before && !skip(node)) {
      node.data = after;
      swapped();
    }
  }

  function link(a) {
    var href = a.getAttribute('href'), m = /^tel:([^;,]*)(.*)$/i.exec(href), hit, to;
    if (!m) return;
    hit = lookup(m[1].replace(/\D/g, ''));
    if (!hit || skip(a)) return;
    to = 'tel:' + hit.e.number + (hit.e.extension ? ',,' + hit.e.extension : hit.p ? '' : m[2]);
    if (to !== href) {
      a.setAttribute('href', to);
      swapped();
    }
  }

  function walk(root) {
    var w, n, links, i, type = root.nodeType;
    if (type === 3) return text(root);
    // An element the parser just added is empty (its children come as records of their
    // own): only a link's href can matter, and nothing else is looked at. Nothing under a
    // skipped element is ours to change.
    if (type === 1 ? !root.firstChild && root.nodeName !== 'A' || root.closest(SKIP) : type !== 9) return;
    if (root.nodeName === 'A') link(root);
    if (!root.firstChild) return;
    w = doc.createTreeWalker(root, 4);
    while ((n = w.nextNode())) text(n);
    links = root.querySelectorAll(TEL);
    for (i = 0; i < links.length; i++) link(links[i]);
  }

  function swapped() {
    if (rb.swappedAt === null) {
      rb.swappedAt = perf.now();
      perf.mark('ringback:swapped');
    }
  }

  // Runs fn, never letting an error out into the page. (What it costs the page is
  // measured from outside, by Chromium's own counters: bench/swap.py.)
  function guard(fn) {
    return (arg) => {
      try { fn(arg); } catch (e) { /* never break the page */ }
    };
  }

  var mutated = guard((records) => {
    // The parser reports a parent and then each of its children: walk each subtree once.
    // Every node added in this batch is marked, so a node whose parent is marked was in
    // a subtree walked here (by now it holds its children): one look up, not a climb.
    var done = new Set(), i, r, j, n, added, type;
    for (i = 0; i < records.length; i++) {
      r = records[i];
      type = r.type;
      if (type === 'childList') {
        for (added = r.addedNodes, j = 0; j < added.length; j++) {
          n = added[j];
          if (!done.has(n.parentNode)) walk(n);
          done.add(n);
        }
      } else if (type === 'characterData') text(r.target);
      else link(r.target);
    }
    // Queued while this ran, so by our own writes: already the page as it should be.
    observer.takeRecords();
  });

  // Show these numbers from now on: swap what is on the page and whatever comes later.
  var apply = guard((numbers) => {
    var next = [], i, j, e;
    keys = [];
    for (i = 0; i < numbers.length; i++) {
      e = numbers[i];
      if (e && /^\+\d{6,15}$/.test(e.original) && /^\+\d{6,15}$/.test(e.number)) {
        next.push(e);
        // the site's own number as it is ("default") needs no swapping
        if (e.number !== e.original || e.extension) key(e.original, e, 0);
      }
    }
    // What we showed before becomes its new number, or the site's own again.
    for (i = 0; i < shown.length; i++) {
      e = shown[i];
      for (j = 0; j < next.length && next[j].original !== e.original; j++);
      if (e.number !== e.original || e.extension) {
        key(e.number, next[j] || { original: e.original, number: e.original, extension: null }, 1);
      }
    }
    shown = next;
    walk(doc);
    if (observer) observer.takeRecords();   // our own writes
    else {
      observer = new MutationObserver(mutated);
      observer.observe(doc, { childList: true, subtree: true, characterData: true, attributeFilter: ['href'] });
    }
  });

  function post(path, body, patience) {
    var ctl = new AbortController(), t = setTimeout(() => ctl.abort(), patience || 2000);
    body.siteKey = siteKey;
    body.clientId = state.c;
    return fetch(api + path, {
      // A string body goes as text/plain, which the API accepts: no CORS preflight, one round trip.
      method: 'POST', body: JSON.stringify(body), signal: ctl.signal, credentials: 'omit'
    }).then((res) => {
      clearTimeout(t);
      return res.json().then((answer) => {
        if (!res.ok) throw res.status;
        accept(answer);
      });
    });
  }

  function accept(a) {
    if (typeof a.sessionId !== 'string' || !a.numbers.map) throw 0;
    var same = observer && JSON.stringify(a.numbers) === JSON.stringify(state.n);
    state.s = a.sessionId;
    state.n = a.numbers;
    state.e = a.expiresAt;
    state.t = a.touchAfterMs;
    state.at = now();
    rb.sessionId = state.s;
    save();
    if (!same) apply(state.n);   // the usual answer on a repeat view or a touch: nothing to redo
    schedule();
  }

  function start(patience) {
    post('', { sessionId: state.s || null, page: win.location.href, referrer: doc.referrer, returning: again,
      lang: doc.documentElement.lang || navigator.language }, patience)
      .then(() => { rb.settled = 'answered'; }, (status) => {
        // A new visitor has nothing leased to fall back on: a slow or failing API (a cold
        // function under load) gets one more, patient try before the site's numbers stay.
        if (!patience && !state.s && !(status < 500)) return start(8000);
        rb.settled = 'failed';
        schedule();            // the site's numbers stay, or the ones still leased to us
      })
      .then(widgetNext);
  }

  // Heartbeat: every touchAfterMs while the tab is visible; a hidden tab lets its lease go.
  function schedule() {
    clearTimeout(timer);
    if (state.s && state.t > 0 && doc.visibilityState !== 'hidden') {
      timer = setTimeout(touch, Math.max(0, state.at + state.t - now()));
    }
  }

  function touch() {
    if (doc.visibilityState === 'hidden') return;
    post('/' + encodeURIComponent(state.s) + '/touch', {}).then(null, (status) => {
      if (status >= 400 && status < 500 && status !== 429) {
        state.s = null;   // the session is gone: start a new one
        return start();
      }
      if (!(state.e > now())) apply([]);   // lease over and no answer: the site's own numbers
      state.at = now();
      schedule();
    });
  }

  doc.addEventListener('visibilitychange', schedule);

  // The E.164 number a tel: link dials: one of ours (or the site's own, as the API named
  // it) whatever its format, else the link's own if it is international.
  function dialed(href) {
    var d = href.replace(/[;,].*$/, '').replace(/\D/g, ''), i, n;
    for (i = 0; i < shown.length; i++) {
      n = split(shown[i].number)[1];
      if (d.slice(-n.length) === n) return shown[i].number;
    }
    return /^tel:\+/i.test(href) ? '+' + d : null;
  }

  doc.addEventListener('click', (event) => {
    try {
      var a = event.target.closest(TEL), number = a && dialed(a.getAttribute('href'));
      if (number && state.s) {
        navigator.sendBeacon(api + '/' + encodeURIComponent(state.s) + '/clicks', JSON.stringify({
          siteKey: siteKey, clientId: state.c, number: number, at: now()
        }));
      }
    } catch (e) { /* never break the page */ }
  }, true);

  // The callback widget: its own async script from the same origin, added (once) when the
  // page is parsed, the first exchange with the sessions API is over (answered, failed or
  // timed out) and the browser is idle: it never competes with the swap for the network or
  // the main thread, and it finds the visitor's session.
  var widget = guard(() => {
    var s = doc.createElement('script');
    s.async = true;
    s.src = origin + '{{widget.js}}';   // its hashed name (frontend/build.py)
    s.setAttribute('data-site-key', siteKey);
    doc.head.appendChild(s);
    if (observer) observer.takeRecords();   // our own script: nothing to swap in it
  });
  function widgetNext() {
    if (--widgetDue) return;
    if (win.requestIdleCallback) requestIdleCallback(widget, { timeout: 2000 });
    else setTimeout(widget, 1);
  }
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', widgetNext);
  else widgetNext();

  guard(() => {
    state = load();
    if (state.n) {
      // Repeat view within the lease: swap now, as the parser goes; tell the server later.
      rb.sessionId = state.s;
      rb.cached = 1;
      apply(state.n);
      // (not start itself: the event would be taken for its patience)
      if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', () => start());
      else start();
    } else {
      start();
    }
  })();
})(window, document);
