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
 * window.__ringback exposes what tests and the benchmark read: swappedAt (performance.now()
 * of the first swap), busy (ms of main-thread work done by this script after it started),
 * settled ('answered' or 'failed': the first exchange with the sessions API is over) and
 * the current session. Once the page is parsed and the first answer is in, it adds
 * the callback widget (/v1/widget.js, frontend/src/widget.js) from the same origin.
 * Plain ES5 + fetch: frontend/build.py minifies it.
 */
(function (win, doc) {
  var script = doc.currentScript;
  if (win.__ringback || !script || !win.fetch) return;

  var perf = win.performance;
  var rb = win.__ringback = { busy: 0, swappedAt: null };
  var TIMEOUT = 2000;
  var SKIP = 'script,style,textarea,noscript,template,select,[contenteditable]:not([contenteditable=false]),.ringback-ignore';
  var TEL = 'a[href^="tel:" i]';
  // A run of digits with the punctuation numbers are written with, and our own " ext. N".
  var RUN = /[+(]?\d[\d\s().\u00a0\u2010-\u2015-]*\d(?: ext\. \d+)?/g;
  // Two-digit country calling codes; 1 and 7 are one digit, all others three.
  var CC2 = ' 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 ' +
    '60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 ';

  var siteKey = script.getAttribute('data-site-key');
  var origin = new URL(script.src).origin;
  var api = origin + '/v1/sessions';
  var storeKey = 'ringback:' + siteKey;
  var state = {};
  var returning = false;
  var keys = [];      // what to look for: {c: country code, n: national number, e: entry, p: was ours}
  var shown = [];     // entries currently applied
  var observer, timer;

  function now() { return Date.now(); }

  function load() {
    var s;
    try { s = JSON.parse(win.localStorage.getItem(storeKey)); } catch (e) { /* blocked or corrupt */ }
    s = s || {};
    // A client id kept from an earlier visit: the API offers that visit's line first.
    returning = /^[\w-]{8,64}$/.test(s.c || '');
    if (!returning) s.c = randomId();
    if (!(s.e > now())) s.s = s.n = null;   // the lease is over: neither session nor numbers
    return s;
  }

  function save() {
    try { win.localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* blocked */ }
  }

  function randomId() {   // 32 hex digits
    var a = crypto.getRandomValues(new Uint8Array(16)), s = '', i;
    for (i = 0; i < 16; i++) s += (a[i] + 256).toString(16).slice(1);
    return s;
  }

  // '+14155550100' -> ['1', '4155550100']
  function split(e164) {
    var d = e164.replace(/\D/g, ''), l = /[17]/.test(d[0]) ? 1 : CC2.indexOf(' ' + d.slice(0, 2) + ' ') < 0 ? 3 : 2;
    return [d.slice(0, l), d.slice(l)];
  }

  // Digits as the page wrote them -> what to write instead, or null when not ours.
  // Accepted around the national number: nothing, a trunk prefix (0, 8), or the country
  // code, alone, with a (0), or after an international prefix (00, 011).
  function lookup(digits) {
    for (var i = 0, k, p, to, at; i < keys.length; i++) {
      k = keys[i];
      p = digits.slice(0, digits.length - k.n.length);
      if (digits.slice(p.length) === k.n && ('||0|8|' + k.c + '|' + k.c + '0|00' + k.c + '|011' + k.c + '|').indexOf('|' + p + '|') >= 0) {
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

  function swapText(text) {
    return text.replace(RUN, function (run) {
      var ext = / ext\. \d+$/.exec(run), out = '', last = 0, groups = [], re = /\d+/g, m, i, j, g, digits, hit, at, s, c;
      if (ext) run = run.slice(0, ext.index);
      while ((m = re.exec(run))) groups.push([m.index, m.index + m[0].length, m[0]]);
      for (i = 0; i < groups.length; i++) {
        for (j = groups.length - 1; j >= i; j--) {
          for (digits = '', g = i; g <= j; g++) digits += groups[g][2];
          if ((hit = lookup(digits))) break;
        }
        if (!hit) continue;
        s = run.slice(groups[i][0], groups[j][1]);
        if (hit.d.length === digits.length) {
          // digit for digit, into the page's own punctuation
          for (c = '', at = 0, g = 0; g < s.length; g++) c += /\d/.test(s[g]) ? hit.d[at++] : s[g];
        } else {
          // other length (another country): E.164 if the page showed the country code, else national
          c = hit.x;
          if (/[+(]$/.test(run.slice(0, groups[i][0]))) groups[i][0]--;
        }
        out += run.slice(last, groups[i][0]) + c;
        last = groups[j][1];
        if (j === groups.length - 1) {
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
    var before = node.data, after;
    if (!/\d/.test(before)) return;
    after = swapText(before);
    if (after !== before && !skip(node)) {
      node.data = after;
      swapped();
    }
  }

  function link(a) {
    var href = a.getAttribute('href'), m = /^tel:([^;,]*)(.*)$/i.exec(href), hit, to;
    if (!m || skip(a)) return;
    hit = lookup(m[1].replace(/\D/g, ''));
    if (!hit) return;
    to = 'tel:' + hit.e.number + (hit.e.extension ? ',,' + hit.e.extension : hit.p ? '' : m[2]);
    if (to !== href) {
      a.setAttribute('href', to);
      swapped();
    }
  }

  function walk(root) {
    var w, n, links, i;
    if (root.nodeType === 3) return text(root);
    if (root.nodeType !== 1 && root.nodeType !== 9) return;
    w = doc.createTreeWalker(root, 4);
    while ((n = w.nextNode())) text(n);
    if (root.matches && root.matches(TEL)) link(root);
    links = root.querySelectorAll(TEL);
    for (i = 0; i < links.length; i++) link(links[i]);
  }

  function swapped() {
    if (rb.swappedAt === null) {
      rb.swappedAt = perf.now();
      perf.mark('ringback:swapped');
    }
  }

  // Runs fn, never letting an error out into the page, and adds its time to rb.busy
  // (once: work nested in timed work is already counted).
  var depth = 0;
  function timed(fn) {
    return function (arg) {
      var t = perf.now();
      depth++;
      try { fn(arg); } catch (e) { /* never break the page */ }
      if (!--depth) rb.busy += perf.now() - t;
    };
  }

  var onMutations = timed(function (records) {
    // The parser reports a parent and then each of its children: walk each subtree once.
    var done = new Set(), i, r, j, n, up;
    for (i = 0; i < records.length; i++) {
      r = records[i];
      if (r.type === 'childList') {
        for (j = 0; j < r.addedNodes.length; j++) {
          for (n = r.addedNodes[j], up = n; up && !done.has(up); up = up.parentNode);
          if (!up) {
            done.add(n);
            walk(n);
          }
        }
      } else if (r.type === 'characterData') text(r.target);
      else link(r.target);
    }
  });

  // Show these numbers from now on: swap what is on the page and whatever comes later.
  var apply = timed(function (numbers) {
    var next = [], i, j, e;
    keys = [];
    for (i = 0; i < numbers.length; i++) {
      e = numbers[i];
      if (e && /^\+\d{6,15}$/.test(e.original) && /^\+\d{6,15}$/.test(e.number)) {
        next.push(e);
        // the site's own number as it is ("default") needs no swapping
        if (e.number !== e.original || e.extension) keys.push({ c: split(e.original)[0], n: split(e.original)[1], e: e, p: 0 });
      }
    }
    // What we showed before becomes its new number, or the site's own again.
    for (i = 0; i < shown.length; i++) {
      e = shown[i];
      for (j = 0; j < next.length && next[j].original !== e.original; j++);
      if (e.number !== e.original || e.extension) {
        keys.push({ c: split(e.number)[0], n: split(e.number)[1], p: 1,
          e: next[j] || { original: e.original, number: e.original, extension: null } });
      }
    }
    shown = next;
    walk(doc);
    if (!observer) {
      observer = new MutationObserver(onMutations);
      observer.observe(doc, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['href'] });
    }
  });

  function post(path, body) {
    var ctl = new AbortController(), t = setTimeout(function () { ctl.abort(); }, TIMEOUT);
    body.siteKey = siteKey;
    body.clientId = state.c;
    return fetch(api + path, {
      // A string body goes as text/plain, which the API accepts: no CORS preflight, one round trip.
      method: 'POST', body: JSON.stringify(body), signal: ctl.signal, credentials: 'omit'
    }).then(function (res) {
      clearTimeout(t);
      return res.json().then(function (answer) {
        if (!res.ok) throw res.status;
        accept(answer);
      });
    });
  }

  function accept(answer) {
    if (typeof answer.sessionId !== 'string' || !answer.numbers || !answer.numbers.map) throw 0;
    var same = observer && JSON.stringify(answer.numbers) === JSON.stringify(state.n);
    state.s = answer.sessionId;
    state.n = answer.numbers;
    state.e = answer.expiresAt;
    state.t = answer.touchAfterMs;
    state.at = now();
    rb.sessionId = state.s;
    save();
    if (!same) apply(state.n);   // the usual answer on a repeat view or a touch: nothing to redo
    schedule();
  }

  function start() {
    post('', { sessionId: state.s || null, page: win.location.href, referrer: doc.referrer, returning: returning,
      lang: doc.documentElement.lang || navigator.language })
      .then(function () { rb.settled = 'answered'; }, function () {
        rb.settled = 'failed';
        schedule();            // the site's numbers stay, or the ones still leased to us
      })
      .then(widgetStep);
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
    post('/' + encodeURIComponent(state.s) + '/touch', {}).then(null, function (status) {
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
  function dialled(href) {
    var d = href.replace(/[;,].*$/, '').replace(/\D/g, ''), i, n;
    for (i = 0; i < shown.length; i++) {
      n = split(shown[i].number)[1];
      if (d.slice(-n.length) === n) return shown[i].number;
    }
    return /^tel:\+/i.test(href) ? '+' + d : null;
  }

  doc.addEventListener('click', function (event) {
    try {
      var a = event.target.closest(TEL), number = a && dialled(a.getAttribute('href'));
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
  var widgetWait = 2;
  var widget = timed(function () {
    var s = doc.createElement('script');
    s.async = true;
    s.src = origin + '/v1/widget.js';
    s.setAttribute('data-site-key', siteKey);
    doc.head.appendChild(s);
  });
  function widgetStep() {
    if (--widgetWait) return;
    if (win.requestIdleCallback) requestIdleCallback(widget, { timeout: 2000 });
    else setTimeout(widget, 1);
  }
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', widgetStep);
  else widgetStep();

  timed(function () {
    state = load();
    if (state.n) {
      // Repeat view within the lease: swap now, as the parser goes; tell the server later.
      rb.sessionId = state.s;
      rb.cached = 1;
      apply(state.n);
      if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
      else start();
    } else {
      start();
    }
  })();
})(window, document);
