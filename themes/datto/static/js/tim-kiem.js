// Tìm kiếm trên trang /tim-kiem/: đọc chỉ mục do datto dựng (src/search/), không dùng thư viện,
// không tải gì từ máy chủ khác. Folding must match src/search/fold.rs: lower case, diacritics
// dropped, đ → d. The same functions run under node in tests/search.rs (module.exports below).
(function (global) {
  'use strict';

  var DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var WORD = /[\p{L}\p{N}\p{M}]+/gu;
  var PAGE = 10;          // results shown per step
  var MIN_PREFIX = 3;     // the last word also matches as a prefix from this many letters
  var MAX_PREFIX_SHARDS = 3; // extra shards a prefix may pull in (bytes per query stay small)

  function fold(s) {
    return s.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd');
  }
  function exact(s) {
    return s.toLowerCase().normalize('NFC');
  }
  function words(s) {
    return s.match(WORD) || [];
  }
  var DIGIT = new Int8Array(128).fill(-1);
  for (var k = 0; k < DIGITS.length; k++) DIGIT[DIGITS.charCodeAt(k)] = k;
  function decode(code) {
    var values = [], previous = -1, number = 0;
    for (var i = 0; i < code.length; i++) {
      var d = DIGIT[code.charCodeAt(i) & 127];
      if (d >= 32) {
        number = number * 32 + (d - 32);
      } else {
        number = number * 32 + d;
        previous += number + 1;
        values.push(previous);
        number = 0;
      }
    }
    return values;
  }
  function shardName(first) {
    var name = '';
    for (var c of first) {
      if (/[a-z0-9]/.test(c)) name += c;
      else name += '_' + c.codePointAt(0).toString(16) + '_';
    }
    return name;
  }

  // The query's terms: folded form, exact form, typed with diacritics, matched as a prefix.
  function parse(q) {
    var seen = {}, terms = [];
    words(q).forEach(function (w) {
      var f = fold(w);
      if (!f || seen[f]) return;
      seen[f] = true;
      terms.push({ folded: f, exact: exact(w), marked: exact(w) !== f, prefix: false });
    });
    if (terms.length) {
      var last = terms[terms.length - 1];
      last.prefix = last.folded.length >= MIN_PREFIX;
    }
    return terms;
  }

  // `load(path)` fetches an index file (relative to the index folder) and resolves to its text.
  function Searcher(load) {
    this.load = load;
    this.manifest = null;
    this.cache = {};
    this.records = {};
  }
  Searcher.prototype.file = function (path) {
    var self = this;
    if (!this.cache[path]) {
      this.cache[path] = this.load(path + '?v=' + this.manifest.v).then(function (text) {
        return text;
      }, function (e) {
        delete self.cache[path];
        throw e;
      });
    }
    return this.cache[path];
  };
  Searcher.prototype.open = function () {
    var self = this;
    return this.load('index.json').then(function (text) {
      self.manifest = JSON.parse(text);
      self.cache = {};
      self.records = {};
      return self;
    });
  };
  // Indices of the shards that can hold `folded` (and, for a prefix, the words after it).
  Searcher.prototype.shardsFor = function (term) {
    var s = this.manifest.s, lo = 0, hi = s.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (s[mid] <= term.folded) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    var list = [at];
    if (term.prefix) {
      for (var j = at + 1; j < s.length && list.length <= MAX_PREFIX_SHARDS && s[j].indexOf(term.folded) === 0; j++) {
        list.push(j);
      }
    }
    return list;
  };
  // One term's documents as flags, one byte per document number (< manifest.n): FOUND, and
  // IN_TITLE / EXACT when it is in the title / written with the diacritics typed. Typed
  // arrays rather than a Map of objects: "duong" alone is in 9,458 of 10,200 documents.
  var FOUND = 1, IN_TITLE = 2, EXACT = 4;
  Searcher.prototype.match = function (term) {
    var self = this, n = this.manifest.n;
    var files = this.shardsFor(term).map(function (i) {
      return self.file('s/' + shardName(self.manifest.s[i]) + '.json.gz').then(JSON.parse);
    });
    return Promise.all(files).then(function (shards) {
      var flags = new Uint8Array(n);
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (key) {
          if (key !== term.folded && !(term.prefix && key.indexOf(term.folded) === 0)) return;
          shard[key].forEach(function (variant) {
            var form = variant[0] || key;
            var isExact = term.marked && (form === term.exact || (term.prefix && form.indexOf(term.exact) === 0));
            var bits = FOUND | (isExact ? EXACT : 0);
            decode(variant[1]).forEach(function (v) { flags[v >> 1] |= bits | (v & 1 ? IN_TITLE : 0); });
          });
        });
      });
      return flags;
    });
  };
  // A filter list as one byte per document: 1 when the document is in it.
  Searcher.prototype.filter = function (name) {
    var n = this.manifest.n;
    if (this.manifest.f.indexOf(name) < 0) return Promise.resolve(new Uint8Array(n));
    return this.file('f/' + name + '.txt').then(function (text) {
      var allowed = new Uint8Array(n);
      decode(text).forEach(function (doc) { allowed[doc] = 1; });
      return allowed;
    });
  };
  // Ranked document numbers for `q`; `filters` is a list of filter list names (u-…, y-…, t-…).
  Searcher.prototype.search = function (q, filters) {
    var terms = parse(q), self = this;
    if (!terms.length) return Promise.resolve({ terms: terms, docs: [] });
    var matches = Promise.all(terms.map(function (t) { return self.match(t); }));
    var sets = Promise.all((filters || []).map(function (f) { return self.filter(f); }));
    return Promise.all([matches, sets]).then(function (both) {
      var flags = both[0], allowed = both[1], count = flags.length;
      // Title matches first, then exact diacritics, then recency (higher numbers are newer):
      // one bucket per (titles, exact) score, each filled newest first, so no sort.
      var buckets = [];
      for (var doc = self.manifest.n - 1; doc >= 0; doc--) {
        var title = 0, exactCount = 0, i;
        for (i = 0; i < count; i++) {
          var f = flags[i][doc];
          if (!f) break;
          if (f & IN_TITLE) title++;
          if (f & EXACT) exactCount++;
        }
        if (i < count) continue;
        for (i = 0; i < allowed.length && allowed[i][doc]; i++);
        if (i < allowed.length) continue;
        var score = title * (count + 1) + exactCount;
        (buckets[score] || (buckets[score] = [])).push(doc);
      }
      var docs = [];
      for (var b = buckets.length - 1; b >= 0; b--) if (buckets[b]) docs = docs.concat(buckets[b]);
      return { terms: terms, docs: docs };
    });
  };
  // A document's record; records come `manifest.r` to a file, gzipped like the shards.
  Searcher.prototype.record = function (doc) {
    var per = this.manifest.r, path = 'r/' + Math.floor(doc / per) + '.json.gz';
    // Parsed once for the ten results it may hold.
    var self = this;
    if (!this.records[path]) {
      this.records[path] = this.file(path).then(JSON.parse, function (e) { delete self.records[path]; throw e; });
    }
    return this.records[path].then(function (list) { return list[doc % per]; });
  };

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function matches(word, terms) {
    var f = fold(word);
    return terms.some(function (t) { return f === t.folded || (t.prefix && f.indexOf(t.folded) === 0); });
  }
  // `text` as HTML with the matched words in <mark>; around the first match when `window` > 0.
  function highlight(text, terms, window) {
    var list = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) list.push({ at: m.index, end: m.index + m[0].length, hit: matches(m[0], terms) });
    var from = 0, to = list.length;
    if (window) {
      var first = list.findIndex(function (w) { return w.hit; });
      from = Math.max(0, (first < 0 ? 0 : first) - 8);
      to = Math.min(list.length, from + window);
    }
    if (!list.length) return escapeHtml(text);
    var html = from > 0 ? '… ' : '';
    var pos = from > 0 ? list[from].at : 0;
    for (var i = from; i < to; i++) {
      var w = list[i];
      html += escapeHtml(text.slice(pos, w.at).replace(/\s+/g, ' '));
      var word = escapeHtml(text.slice(w.at, w.end));
      html += w.hit ? '<mark>' + word + '</mark>' : word;
      pos = w.end;
    }
    if (to < list.length) html += ' …';
    else html += escapeHtml(text.slice(pos).replace(/\s+/g, ' '));
    return html;
  }

  // The excerpt of a record as HTML: the first of its fragments (the opening, then windows
  // around each word's first occurrence, src/search/excerpt.rs) holding a match.
  function excerpt(rec, terms) {
    var parts = rec.x || [];
    if (!parts.length) return '';
    var at = parts.findIndex(function (p) { return words(p).some(function (w) { return matches(w, terms); }); });
    if (at < 0) at = 0;
    var html = highlight(parts[at], terms, 32);
    if (at > 0 && html.indexOf('… ') !== 0) html = '… ' + html;
    var more = at < parts.length - 1 || !rec.w;
    if (more && html.slice(-2) !== ' …') html += ' …';
    return html;
  }

  // Index files as text: `.gz` files are inflated here unless the host already sent them
  // with `Content-Encoding: gzip` (then the bytes no longer start with gzip's magic).
  function inflate(buffer) {
    var bytes = new Uint8Array(buffer);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
    return new Response(new Response(bytes).body.pipeThrough(new DecompressionStream('gzip'))).text();
  }
  // 9458 → "9.458" as vi-VN writes it, by hand: the first toLocaleString('vi-VN') of a page
  // costs ~20 ms (the locale's data is loaded) right before the results are announced.
  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+$)/g, '.');
  }

  var api = { fold: fold, excerpt: excerpt, exact: exact, words: words, decode: decode, parse: parse, shardName: shardName,
    Searcher: Searcher, highlight: highlight, thousands: thousands };
  if (typeof module !== 'undefined' && module.exports) { module.exports = api; return; }

  // ---------------------------------------------------------------- the page
  if (typeof document === 'undefined' || !global.fetch) return;
  function searcherAt(base) {
    return new Searcher(function (path) {
      return fetch(base + path, { cache: path === 'index.json' ? 'no-cache' : 'default' }).then(function (r) {
        if (!r.ok) throw new Error(r.status + ' ' + path);
        return r.arrayBuffer();
      }).then(inflate);
    });
  }
  // Started before the page is parsed: the script is `async` and names the index folder in its
  // own `data-index` (the template also preloads the manifest), and a `?q=` query is known from
  // the address alone — so the manifest, then the query's shards, then the records of its first
  // results are on their way while the page is parsed. go() takes the same answer (files are
  // fetched once, by path).
  var FILTERS = [['don-vi', 'u-'], ['nam', 'y-'], ['loai', 't-']];
  function noop() {}
  var tag = document.currentScript;
  var earlyBase = tag && tag.getAttribute('data-index');
  var searcher = null, opened = null, early = null;
  if (earlyBase && global.DecompressionStream) {
    searcher = searcherAt(earlyBase);
    opened = searcher.open();
    opened.catch(noop); // reported by go(), which asks again
    var address = new URLSearchParams(location.search), q0 = (address.get('q') || '').trim();
    if (q0) {
      var f0 = FILTERS.map(function (f) { var v = address.get(f[0]); return v ? f[1] + v : null; }).filter(Boolean);
      early = { key: q0 + '\n' + f0.join(' '), result: opened.then(function () { return searcher.search(q0, f0); }) };
      early.result.then(function (r) {
        r.docs.slice(0, PAGE).forEach(function (d) { searcher.record(d).catch(noop); });
      }, noop);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', page);
  else page();

  function page() {
    var form = document.getElementById('tim-kiem');
    var out = document.getElementById('ket-qua');
    var status = document.getElementById('trang-thai');
    if (!form || !out || !status) return;
    if (!global.DecompressionStream) {
      status.textContent = 'Trình duyệt này quá cũ để tìm kiếm trên trang. Vui lòng cập nhật trình duyệt.';
      return;
    }
    var base = form.getAttribute('data-index');
    var root = form.getAttribute('data-root');
    var input = form.elements.q;
    if (!searcher || base !== earlyBase) { searcher = searcherAt(base); opened = null; early = null; }
    var run = 0, shown = 0, current = null;

    function params() {
      var p = new URLSearchParams();
      p.set('q', input.value.trim());
      FILTERS.forEach(function (f) { var v = form.elements[f[0]].value; if (v) p.set(f[0], v); });
      return p;
    }
    function filterNames() {
      return FILTERS.map(function (f) { var v = form.elements[f[0]].value; return v ? f[1] + v : null; })
        .filter(Boolean);
    }
    function say(text) { status.textContent = text; }

    function renderHit(rec, terms) {
      var li = document.createElement('li');
      li.className = 'hit';
      var meta = [escapeHtml(rec.k)];
      if (rec.d) meta.push(rec.i ? '<time datetime="' + escapeHtml(rec.i) + '">' + escapeHtml(rec.d) + '</time>' : escapeHtml(rec.d));
      if (rec.n) meta.push(escapeHtml(rec.n));
      li.innerHTML = '<h2 class="hit__title"><a href="' + escapeHtml(root + rec.u) + '">' + highlight(rec.t, terms, 0) +
        '</a></h2><p class="hit__meta">' + meta.join(' · ') + '</p>' +
        (rec.x && rec.x.length ? '<p class="hit__excerpt">' + excerpt(rec, terms) + '</p>' : '');
      return li;
    }

    // The next PAGE results, each put on the page as soon as its record and those of the results
    // above it have come (records files answer in any order).
    function showMore(focusFirst) {
      var mine = run, batch = current.docs.slice(shown, shown + PAGE);
      var list = out.querySelector('ol'), got = new Array(batch.length), next = 0, firstNew = null;
      shown += batch.length;
      return Promise.all(batch.map(function (d, i) {
        return searcher.record(d).then(function (rec) {
          got[i] = rec;
          for (; mine === run && next < batch.length && got[next]; next++) {
            var li = renderHit(got[next], current.terms);
            list.appendChild(li);
            firstNew = firstNew || li;
          }
        });
      })).then(function () {
        if (mine !== run) return;
        var more = out.querySelector('.search-more');
        if (shown < current.docs.length) {
          if (!more) {
            more = document.createElement('button');
            more.type = 'button';
            more.className = 'button search-more';
            more.addEventListener('click', function () { showMore(true); });
            out.appendChild(more);
          }
          more.textContent = 'Xem thêm kết quả (còn ' + (current.docs.length - shown) + ')';
        } else if (more) {
          more.remove();
        }
        if (focusFirst && firstNew) firstNew.querySelector('a').focus();
      });
    }

    function empty(q) {
      out.innerHTML = '<div class="search-empty"><h2 class="search-empty__title">Không tìm thấy kết quả nào cho “' +
        escapeHtml(q) + '”</h2><p>Gợi ý: kiểm tra lại chính tả, bớt một từ, thử từ khác gần nghĩa' +
        (filterNames().length ? ', hoặc bỏ bộ lọc đơn vị, năm, loại' : '') +
        '. Có dấu hay không dấu đều tìm được: “duong” cũng tìm ra “Đường”.</p></div>';
    }

    function go() {
      var q = input.value.trim(), mine = ++run;
      if (!q) {
        out.innerHTML = '';
        say('Nhập từ cần tìm, có dấu hoặc không dấu.');
        return Promise.resolve();
      }
      say('Đang tìm…');
      var key = q + '\n' + filterNames().join(' '), found;
      if (early && early.key === key) found = early.result;
      else {
        opened = opened || searcher.open();
        found = opened.then(function () { return searcher.search(q, filterNames()); });
      }
      early = null;
      return found.then(function (result) {
        if (mine !== run) return;
        current = result;
        shown = 0;
        if (!result.docs.length) {
          empty(q);
          say('Không có kết quả nào cho “' + q + '”.');
          return;
        }
        out.innerHTML = '<ol class="search-results__list"></ol>';
        // Announced once the first results are on the page.
        return showMore(false).then(function () {
          if (mine === run) say('Tìm thấy ' + thousands(result.docs.length) + ' kết quả cho “' + q + '”.');
        });
      }).catch(function () {
        opened = null;
        if (mine === run) say('Không tải được dữ liệu tìm kiếm. Vui lòng tải lại trang và thử lại.');
      });
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      history.replaceState(null, '', '?' + params().toString());
      go();
    });
    FILTERS.forEach(function (f) {
      form.elements[f[0]].addEventListener('change', function () {
        if (!input.value.trim()) return;
        history.replaceState(null, '', '?' + params().toString());
        go();
      });
    });
    var initial = new URLSearchParams(location.search);
    input.value = initial.get('q') || '';
    FILTERS.forEach(function (f) {
      var v = initial.get(f[0]);
      if (v && form.elements[f[0]].querySelector('option[value="' + CSS.escape(v) + '"]')) form.elements[f[0]].value = v;
    });
    go();
  }
})(typeof window !== 'undefined' ? window : globalThis);
