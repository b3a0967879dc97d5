// polkg site search: offline, from search-index.js (window.POLKG_SEARCH, written with the site).
// Each entry is [label, kind, href from the site root, [names...]]. A name matches when it equals the query
// (ranked first), starts with it, when every word of the query starts a word of the name (English), or when
// it contains the query (Chinese, which has no spaces between words). Results are written with textContent.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.POLKG_SEARCH || [];
  document.body.setAttribute("data-ready", "1");  // for tests and tools waiting on the page
  if (!input || !list) { return; }
  var root = input.getAttribute("data-root") || "";
  var KIND_ORDER = { "Agency": 0, "Document": 1, "Provision": 2, "Theme": 3, "Sector": 4, "Zone": 5, "Trade framework": 6 };
  var CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  function norm(s) { return (s.normalize ? s.normalize("NFKC") : s).toLowerCase().replace(/[\u2019']/g, "").trim(); }
  function words(s) { return s.split(/[^0-9a-z\u00c0-\u024f\u3400-\u9fff]+/).filter(Boolean); }
  var prepared = index.map(function (e) {
    var names = e[3].map(norm);
    return { entry: e, names: names, words: names.map(words) };
  });
  function score(item, q, qWords, cjk) {
    var best = 99;
    for (var i = 0; i < item.names.length; i++) {
      var name = item.names[i];
      if (name === q) { return 0; }
      if (name.indexOf(q) === 0) { best = Math.min(best, 1); continue; }
      var ws = item.words[i];
      if (qWords.length && qWords.every(function (w) { return ws.some(function (x) { return x.indexOf(w) === 0; }); })) {
        best = Math.min(best, 2); continue;
      }
      if (cjk && name.indexOf(q) >= 0) { best = Math.min(best, 3); }
    }
    return best;
  }
  var active = -1;
  function render(results) {
    list.textContent = "";
    active = -1;
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + r.entry[2];
      a.textContent = r.entry[0];
      var k = document.createElement("span");
      k.className = "k";
      k.textContent = r.entry[1];
      a.appendChild(k);
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!results.length && input.value.trim()) {
      var none = document.createElement("li");
      none.textContent = "No match. Try a shorter word, an acronym or the Chinese name.";
      none.style.padding = "5px 10px";
      list.appendChild(none);
    }
    list.hidden = !input.value.trim();
  }
  function search() {
    var q = norm(input.value);
    if (!q) { render([]); return; }
    var qWords = words(q), cjk = CJK.test(q), found = [];
    for (var i = 0; i < prepared.length; i++) {
      var s = score(prepared[i], q, qWords, cjk);
      if (s < 99) { found.push({ entry: prepared[i].entry, score: s }); }
    }
    found.sort(function (a, b) {
      return a.score - b.score || (KIND_ORDER[a.entry[1]] - KIND_ORDER[b.entry[1]]) || a.entry[0].length - b.entry[0].length ||
        (a.entry[0] < b.entry[0] ? -1 : 1);
    });
    render(found.slice(0, 15));
  }
  function move(step) {
    var links = list.querySelectorAll("a");
    if (!links.length) { return; }
    if (active >= 0) { links[active].classList.remove("active"); }
    active = (active + step + links.length) % links.length;
    links[active].classList.add("active");
    links[active].scrollIntoView({ block: "nearest" });
  }
  input.addEventListener("input", search);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { move(1); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { move(-1); ev.preventDefault(); }
    else if (ev.key === "Enter") {
      var links = list.querySelectorAll("a");
      if (links.length) { window.location.href = links[Math.max(active, 0)].href; }
    } else if (ev.key === "Escape") { input.value = ""; render([]); }
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; search(); }
})();
