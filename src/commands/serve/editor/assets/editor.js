// The editor page: lists, a form made from the front-matter schema, saving through the API.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="datto-token"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var schema = { units: [], kinds: [], channels: [] };
  var entries = [];
  var current = null; // {path, version, section, original, baseline}
  var live = { seq: 0, timer: null }; // the live preview: newest request, pending timer

  function api(method, url, body, isForm) {
    var init = { method: method, headers: { "X-Datto-Token": token } };
    if (body !== undefined) {
      if (isForm) { init.body = body; } else {
        init.body = JSON.stringify(body);
        init.headers["Content-Type"] = "application/json";
      }
    }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, data: data };
      });
    });
  }

  var FIELDS = {
    "tin-bai": [
      ["title", "Tiêu đề", "text", true], ["date", "Ngày giờ đăng", "datetime-local", true],
      ["unit", "Đơn vị", "unit", true], ["type", "Loại", "type"], ["tags", "Thẻ (cách nhau bằng dấu phẩy)", "tags"],
      ["summary", "Tóm tắt", "text"], ["image", "Ảnh đại diện (tên tệp trong bài)", "text"],
      ["image_alt", "Mô tả ảnh đại diện", "text"], ["author", "Tác giả", "text"],
      ["channel", "Kênh", "channel"], ["draft", "Bản nháp (chưa đăng)", "switch"]
    ],
    "mo-hinh": [
      ["title", "Tên mô hình", "text", true], ["unit", "Đơn vị", "unit", true],
      ["kind", "Loại mô hình", "kind", true], ["year", "Năm thành lập", "number"],
      ["commune", "Xã, phường", "text"], ["summary", "Tóm tắt", "text"],
      ["draft", "Bản nháp (chưa đăng)", "switch"]
    ],
    "trang": [["title", "Tiêu đề", "text", true], ["draft", "Bản nháp (chưa đăng)", "switch"]]
  };

  function options(select, list, blank) {
    select.innerHTML = "";
    if (blank) { select.add(new Option(blank, "")); }
    list.forEach(function (x) { select.add(new Option(x.name, x.slug)); });
  }

  /** "Huyện Đoan Hùng: 12/20 tin bài năm 2026 (lẽ ra đã có 18)" for `slug`, in `out`. */
  function showProgress(slug, out) {
    out.textContent = "";
    if (!slug) { return; }
    var year = new Date().getFullYear();
    fetch("/thong-ke/" + year + ".json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (tally) {
        var u = tally && (tally.units || []).filter(function (x) { return x.slug === slug; })[0];
        if (!u) { return; }
        out.textContent = u.name + ": " + u.count + "/" + u.target + " tin bài năm " + year +
          (u.met ? " — đã đạt chỉ tiêu" : " (lẽ ra đến hôm nay đã có " + u.expected_by_now + ")");
      })
      .catch(function () { out.textContent = ""; });
  }

  function unitName(slug) {
    var u = schema.units.filter(function (x) { return x.slug === slug; })[0];
    return u ? u.name : (slug || "");
  }

  function load() {
    var section = $("loc-muc").value;
    $("ds-trang-thai").textContent = "Đang tải…";
    api("GET", "/_datto/api/entries?section=" + section).then(function (r) {
      entries = Array.isArray(r.data) ? r.data : [];
      var years = {};
      entries.forEach(function (e) { if (e.date) { years[String(e.date).slice(0, 4)] = 1; } });
      var keep = $("loc-nam").value;
      options($("loc-nam"), Object.keys(years).sort().reverse().map(function (y) { return { slug: y, name: y }; }), "Tất cả");
      $("loc-nam").value = keep;
      show();
    });
  }

  function show() {
    var unit = $("loc-don-vi").value, year = $("loc-nam").value, draft = $("loc-nhap").value;
    var find = $("loc-tim").value.trim().toLowerCase();
    var list = $("ds");
    list.innerHTML = "";
    var shown = entries.filter(function (e) {
      return (!unit || e.unit === unit) && (!year || String(e.date || "").slice(0, 4) === year) &&
        (!draft || (draft === "co") === !!e.draft) &&
        (!find || String(e.title || "").toLowerCase().indexOf(find) >= 0);
    });
    shown.forEach(function (e) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = (e.title || e.path) + (e.draft ? " (nháp)" : "");
      b.addEventListener("click", function () { edit(e.path); });
      var meta = document.createElement("span");
      meta.textContent = [e.date, unitName(e.unit)].filter(Boolean).join(" · ");
      li.appendChild(b); li.appendChild(meta);
      list.appendChild(li);
    });
    $("ds-trang-thai").textContent = shown.length + " / " + entries.length + " mục";
  }

  function field(def, value) {
    var key = def[0], id = "f-" + key;
    var wrap = document.createElement("div");
    wrap.className = "truong";
    wrap.dataset.key = key;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = def[1] + (def[3] ? " *" : "");
    var input;
    if (def[2] === "unit" || def[2] === "kind" || def[2] === "channel") {
      input = document.createElement("select");
      var list = def[2] === "unit" ? schema.units : def[2] === "kind" ? schema.kinds : schema.channels;
      options(input, list, def[3] ? "— chọn —" : "(mặc định)");
      input.value = value || "";
    } else if (def[2] === "type") {
      input = document.createElement("select");
      options(input, [{ slug: "tin", name: "Tin" }, { slug: "bai", name: "Bài" }]);
      input.value = value || "tin";
    } else if (def[2] === "switch") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = value === true;
      wrap.className += " cong-tac";
    } else {
      input = document.createElement("input");
      input.type = def[2] === "tags" ? "text" : def[2];
      if (def[2] === "tags") {
        value = Array.isArray(value) ? value.join(", ") : (value || "");
        input.setAttribute("list", "goi-y-the");
      }
      if (def[2] === "datetime-local" && value) {
        value = String(value).replace(" ", "T").slice(0, 16);
        if (value.length === 10) { value += "T00:00"; } // a date alone: midnight
      }
      input.value = value === undefined || value === null ? "" : value;
    }
    input.id = id;
    wrap.appendChild(label);
    wrap.appendChild(input);
    if (def[2] === "unit") {
      // The chosen unit's progress this year, from the preview's own tally download.
      var progress = document.createElement("p");
      progress.className = "tien-do";
      progress.setAttribute("aria-live", "polite");
      wrap.appendChild(progress);
      var show = function () { showProgress(input.value, progress); };
      input.addEventListener("change", show);
      show();
    }
    var err = document.createElement("p");
    err.className = "loi";
    err.setAttribute("role", "alert");
    wrap.appendChild(err);
    return wrap;
  }

  function open(section, fm, body) {
    var box = $("cac-truong");
    box.innerHTML = "";
    FIELDS[section].forEach(function (def) { box.appendChild(field(def, fm[def[0]])); });
    $("f-body").value = body || "";
    clearErrors();
    $("xoa").hidden = !current.path;
    $("anh-truong").hidden = !current.path;
    $("soan").hidden = false;
    // What the form shows of the file as opened: a field left as it was sends the file's
    // own value back, so the file keeps its exact text there.
    current.original = fm;
    current.baseline = JSON.stringify(collectRaw(section));
    $("soan-trang-thai").textContent = "";
    $("f-title").focus();
    // One column (a phone): the form is below the list.
    if (window.innerWidth < 960) { $("soan").scrollIntoView(); }
  }

  function collect(section) {
    var fm = collectRaw(section);
    var base = current && current.baseline ? JSON.parse(current.baseline) : {};
    Object.keys(fm).forEach(function (key) {
      if (current && current.original && JSON.stringify(fm[key]) === JSON.stringify(base[key])) {
        if (key in current.original) { fm[key] = current.original[key]; } else { delete fm[key]; }
      }
    });
    return fm;
  }

  function collectRaw(section) {
    var fm = {};
    FIELDS[section].forEach(function (def) {
      var input = $("f-" + def[0]);
      var v;
      if (def[2] === "switch") { v = input.checked ? true : null; }
      else if (def[2] === "tags") {
        v = input.value.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
        if (!v.length) { v = null; }
      } else if (def[2] === "number") { v = input.value ? Number(input.value) : null; }
      else if (def[2] === "datetime-local") { v = input.value ? input.value.replace("T", " ") : null; }
      else { v = input.value.trim() || null; }
      fm[def[0]] = v;
    });
    return fm;
  }

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll("#soan .loi"), function (p) { p.textContent = ""; });
  }

  function showErrors(errors) {
    clearErrors();
    (errors || []).forEach(function (e) {
      var box = e.key && document.querySelector('#soan .truong[data-key="' + e.key + '"] .loi');
      var text = e.message + (e.hint ? " — " + e.hint : "") + (e.line ? " (dòng " + e.line + ")" : "");
      box = box || $("loi-chung");
      box.textContent = box.textContent ? box.textContent + "\n" + text : text;
    });
  }

  // The built page of a saved entry, at its real address (from the server: `slug:` counts).
  function showSaved(url) {
    var frame = $("xem-truoc");
    frame.removeAttribute("srcdoc");
    frame.src = url;
  }

  function inPreview(frame) {
    try { return frame.contentWindow.location.href === "about:srcdoc" && frame.contentDocument.body; } catch (e) { return false; }
  }

  // The page as rendered by datto: the first time into srcdoc, then only the body is
  // swapped (no reload, no white flash, the scroll position stays).
  function showPage(html) {
    var frame = $("xem-truoc");
    if (inPreview(frame)) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var doc = frame.contentDocument;
      doc.title = fresh.title;
      doc.body.replaceWith(doc.importNode(fresh.body, true));
    } else {
      frame.srcdoc = html;
    }
  }

  function livePreview() {
    if (!current || $("soan").hidden) { return; }
    var seq = ++live.seq;
    live.saved = null; // typing again: the unsaved text is what to show
    var fm = collect(current.section), body = $("f-body").value;
    var req = current.path ? { path: current.path, front_matter: fm, body: body }
      : { section: current.section, front_matter: fm, body: body };
    $("xem-truoc-trang-thai").textContent = "Đang cập nhật bản xem trước…";
    fetch("/_datto/api/preview", {
      method: "POST", body: JSON.stringify(req),
      headers: { "X-Datto-Token": token, "Content-Type": "application/json" }
    }).then(function (r) {
      return r.text().then(function (text) { return { status: r.status, text: text }; });
    }).then(function (r) {
      if (seq !== live.seq) { return; } // a newer one is on its way
      if (r.status === 200) {
        clearErrors();
        showPage(r.text);
        $("xem-truoc-trang-thai").textContent = "Bản xem trước theo nội dung đang soạn (chưa lưu).";
      } else {
        var data = {};
        try { data = JSON.parse(r.text); } catch (e) { data = {}; }
        showErrors(data.errors);
        $("xem-truoc-trang-thai").textContent = "Bản xem trước chưa cập nhật: sửa các lỗi ở trên.";
      }
    }).catch(function () {
      if (seq === live.seq) { $("xem-truoc-trang-thai").textContent = "Không kết nối được máy chủ xem trước."; }
    });
  }

  function schedulePreview() {
    clearTimeout(live.timer);
    live.timer = setTimeout(livePreview, 300);
  }

  function edit(path) {
    api("GET", "/_datto/api/entry?path=" + encodeURIComponent(path)).then(function (r) {
      if (r.status !== 200) { $("ds-trang-thai").textContent = "Không mở được bài."; return; }
      current = { path: r.data.path, version: r.data.version, section: path.split("/")[0] };
      open(current.section, r.data.front_matter || {}, r.data.body);
      livePreview();
    });
  }

  function fresh(kind) {
    var section = kind === "mo-hinh" || kind === "trang" ? kind : "tin-bai";
    current = { path: null, version: null, section: section };
    var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    var fm = section === "tin-bai" ? { type: kind, date: now } : section === "mo-hinh" ? { year: new Date().getFullYear() } : {};
    open(section, fm, "");
    current.original = null; // a new file: every field is sent
    $("xem-truoc").removeAttribute("srcdoc");
    $("xem-truoc").src = "about:blank";
    $("xem-truoc-trang-thai").textContent = "Gõ tiêu đề và nội dung: bản xem trước hiện ở đây.";
  }

  function save(ev) {
    ev.preventDefault();
    var fm = collect(current.section), body = $("f-body").value;
    var req = current.path
      ? api("PUT", "/_datto/api/entry?path=" + encodeURIComponent(current.path), { front_matter: fm, body: body, version: current.version })
      : api("POST", "/_datto/api/entry", { section: current.section, front_matter: fm, body: body });
    $("soan-trang-thai").textContent = "Đang lưu…";
    req.then(function (r) {
      if (r.status === 200 || r.status === 201) {
        current.path = r.data.path; current.version = r.data.version;
        current.original = fm; current.baseline = JSON.stringify(collectRaw(current.section));
        clearErrors();
        $("xoa").hidden = false; $("anh-truong").hidden = false;
        var draft = fm.draft === true;
        $("soan-trang-thai").textContent = "Đã lưu " + r.data.path + "." +
          (draft ? " Bài nháp chỉ hiện trong bản xem trước ở đây." : " Trang xem trước đang được dựng lại.");
        clearTimeout(live.timer); live.seq++;
        if (r.data.url && !draft) {
          // Shown once the rebuild this save starts is done (the server says so).
          live.saved = r.data.url;
          $("xem-truoc-trang-thai").textContent = "Đang dựng lại trang " + r.data.url + "…";
        }
        load();
      } else {
        showErrors(r.data.errors);
        $("soan-trang-thai").textContent = r.status === 409 ? "Chưa lưu: bài đã bị sửa ở nơi khác." : "Chưa lưu: xem các lỗi ở trên.";
      }
    });
  }

  function toolbar(ev) {
    var b = ev.target.closest("button");
    if (!b) { return; }
    var t = $("f-body"), s = t.selectionStart, e = t.selectionEnd, v = t.value, sel = v.slice(s, e);
    var insert;
    if (b.dataset.wrap) { insert = b.dataset.wrap + (sel || "chữ") + b.dataset.wrap; }
    else if (b.dataset.line) { insert = (s && v[s - 1] !== "\n" ? "\n" : "") + b.dataset.line + (sel || ""); }
    else { insert = "[" + (sel || "chữ liên kết") + "](https://)"; }
    t.setRangeText(insert, s, e, "end");
    t.focus();
    schedulePreview();
  }

  function upload() {
    var file = $("f-anh").files[0];
    if (!file || !current.path) { return; }
    var form = new FormData();
    form.append("file", file);
    api("POST", "/_datto/api/media?path=" + encodeURIComponent(current.path), form, true).then(function (r) {
      if (r.status === 201) {
        current.path = r.data.path;
        var t = $("f-body");
        t.setRangeText("\n![Mô tả ảnh](" + r.data.name + ")\n", t.selectionStart, t.selectionEnd, "end");
        // The photo is processed by the rebuild its upload starts; preview after it.
        setTimeout(livePreview, 1500);
        showErrors([]);
        $("soan-trang-thai").textContent = "Đã thêm ảnh " + r.data.name + "; nhớ sửa mô tả ảnh rồi Lưu.";
      } else { showErrors(r.data.errors); }
      $("f-anh").value = "";
    });
  }

  function remove() {
    if (!current.path || !confirm("Chuyển bài này vào thùng rác (content/_thung-rac)?")) { return; }
    api("DELETE", "/_datto/api/entry?path=" + encodeURIComponent(current.path)).then(function (r) {
      if (r.status === 200) { $("soan").hidden = true; load(); } else { showErrors(r.data.errors); }
    });
  }

  function importWord(ev) {
    ev.preventDefault();
    api("POST", "/_datto/api/import", new FormData($("nhap")), true).then(function (r) {
      if (r.status === 201) { $("nhap-loi").textContent = ""; $("loc-muc").value = "tin-bai"; load(); edit(r.data.path); }
      else { $("nhap-loi").textContent = (r.data.errors || []).map(function (e) { return e.message; }).join("\n"); }
    });
  }

  // The preview server's rebuild events (the stream its pages use to reload).
  if (window.EventSource) {
    var events = new EventSource("/__datto/events");
    events.addEventListener("reload", function () {
      if (live.saved) {
        showSaved(live.saved);
        $("xem-truoc-trang-thai").textContent = "Trang đã lưu, tại " + live.saved;
        live.saved = null;
      }
    });
    events.addEventListener("failed", function (e) {
      if (live.saved) {
        $("xem-truoc-trang-thai").textContent = "Trang web chưa dựng lại được:\n" + e.data;
        live.saved = null;
      }
    });
  }

  api("GET", "/_datto/api/schema").then(function (r) {
    schema = r.data.units ? r.data : schema;
    options($("loc-don-vi"), schema.units, "Tất cả");
    var hints = document.createElement("datalist");
    hints.id = "goi-y-the";
    (schema.tags || []).forEach(function (t) { hints.appendChild(new Option(t)); });
    document.body.appendChild(hints);
    Array.prototype.forEach.call(document.querySelectorAll("select.don-vi"), function (s) { options(s, schema.units, "— chọn —"); });
    load();
  });
  $("loc-muc").addEventListener("change", load);
  ["loc-don-vi", "loc-nam", "loc-nhap"].forEach(function (id) { $(id).addEventListener("change", show); });
  $("loc-tim").addEventListener("input", show);
  $("loc").addEventListener("submit", function (e) { e.preventDefault(); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-new]"), function (b) {
    b.addEventListener("click", function () { fresh(b.dataset.new); });
  });
  $("bieu-mau").addEventListener("submit", save);
  $("bieu-mau").addEventListener("input", schedulePreview);
  $("bieu-mau").addEventListener("change", schedulePreview);
  document.querySelector(".cong-cu").addEventListener("click", toolbar);
  $("f-anh").addEventListener("change", upload);
  $("xoa").addEventListener("click", remove);
  $("dong").addEventListener("click", function () { $("soan").hidden = true; });
  $("nhap").addEventListener("submit", importWord);
})();
