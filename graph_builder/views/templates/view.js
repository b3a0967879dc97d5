// polkg view: filters, side panel and chain highlighting over a pre-laid-out vis-network.
// All text reaches the page through textContent, never innerHTML.
(function () {
  "use strict";
  var ALL = "all";
  var data = JSON.parse(document.getElementById("polkg-data").textContent);
  var state = {};
  data.filters.forEach(function (f) { state[f.name] = f["default"]; });

  function tooltip(meta) {
    var el = document.createElement("div");
    var lines = [meta.label, meta.type];
    (meta.facts || []).slice(0, 4).forEach(function (kv) { lines.push(kv[0] + ": " + kv[1]); });
    el.textContent = lines.join("\n");
    return el;
  }

  var nodeIndex = {};
  data.nodes.forEach(function (n) {
    n.title = tooltip(n.meta);
    n.baseColor = n.color;
    nodeIndex[n.id] = n;
  });
  data.edges.forEach(function (e) { e.title = tooltip(e.meta); e.baseColor = e.color; });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var visibleNodes = new Set();
  var visibleEdges = new Set();

  function passes(item) {
    if (item.docs && state.doc !== undefined && item.docs.indexOf(state.doc) < 0) { return false; }
    if (item.themes && state.theme !== undefined && state.theme !== ALL && item.themes.indexOf(state.theme) < 0) { return false; }
    return true;
  }

  function computeVisible() {
    visibleNodes = new Set();
    visibleEdges = new Set();
    data.nodes.forEach(function (n) { if (passes(n)) { visibleNodes.add(n.id); } });
    var touched = new Set();
    data.edges.forEach(function (e) {
      if (passes(e) && visibleNodes.has(e.from) && visibleNodes.has(e.to)) {
        visibleEdges.add(e.id);
        touched.add(e.from);
        touched.add(e.to);
      }
    });
    data.nodes.forEach(function (n) {
      if (n.orphanable && !touched.has(n.id)) { visibleNodes["delete"](n.id); }
    });
    data.edges.forEach(function (e) {
      if (!visibleNodes.has(e.from) || !visibleNodes.has(e.to)) { visibleEdges["delete"](e.id); }
    });
  }

  function nodeColour(n) {
    if (n.colors && state.colour === "community") {
      return n.colors.community[state.doc] || "#c8c8c8";
    }
    return n.baseColor;
  }

  function applyVariants() {
    var updates = [];
    data.nodes.forEach(function (n) {
      var u = { id: n.id, color: nodeColour(n), font: n.font || { color: "#343434" } };
      if (n.variants && n.variants[state.doc]) { u.value = n.variants[state.doc].value; }
      updates.push(u);
    });
    nodes.update(updates);
    var byCommunity = state.colour === "community";
    var items = document.getElementById("legend-items");
    var communityNote = document.getElementById("legend-community");
    if (items && communityNote) { items.hidden = byCommunity; communityNote.hidden = !byCommunity; }
    var resetEdges = data.edges.map(function (e) { return { id: e.id, color: e.baseColor }; });
    edges.update(resetEdges);
  }

  computeVisible();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visibleNodes.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return visibleEdges.has(e.id); } });
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  var highlighted = [];

  function showCount() {
    document.getElementById("count").textContent = visibleNodes.size + " nodes, " + visibleEdges.size + " links shown";
    var note = (data.docNotes && data.docNotes[state.doc]) || "";
    document.getElementById("doc-note").textContent = note;
  }

  function clearHighlight() {
    highlighted = [];
    applyVariants();
  }

  function highlight(ids) {
    var keep = new Set(ids);
    highlighted = ids.slice().sort();
    var n = [];
    data.nodes.forEach(function (node) {
      if (!keep.has(node.id)) { n.push({ id: node.id, color: { background: "#eeeeee", border: "#dddddd" }, font: { color: "#bbbbbb" } }); }
    });
    nodes.update(n);
    var e = [];
    data.edges.forEach(function (edge) {
      if (!(keep.has(edge.from) && keep.has(edge.to))) { e.push({ id: edge.id, color: { color: "#eeeeee", opacity: 0.4 } }); }
    });
    edges.update(e);
  }

  function chainOf(id) {
    // every provision this one descends from and every one that descends from it, over the shown links
    var seen = new Set([id]);
    function walk(start, forward) {
      var stack = [start];
      while (stack.length) {
        var cur = stack.pop();
        data.edges.forEach(function (e) {
          if (!visibleEdges.has(e.id)) { return; }
          var next = forward ? (e.from === cur ? e.to : null) : (e.to === cur ? e.from : null);
          if (next && !seen.has(next)) { seen.add(next); stack.push(next); }
        });
      }
    }
    walk(id, true);
    walk(id, false);
    return Array.from(seen);
  }

  function neighboursOf(id) {
    var out = [id];
    data.edges.forEach(function (e) {
      if (!visibleEdges.has(e.id)) { return; }
      if (e.from === id) { out.push(e.to); }
      if (e.to === id) { out.push(e.from); }
    });
    return out;
  }

  function addText(parent, tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    parent.appendChild(el);
    return el;
  }

  function showDetails(item) {
    var panel = document.getElementById("details");
    panel.replaceChildren();
    if (!item) {
      addText(panel, "p", "Select a node or link", "type");
      return;
    }
    var meta = item.meta;
    addText(panel, "p", meta.type, "type");
    addText(panel, "h2", meta.label);
    var facts = (meta.facts || []).slice();
    var variant = item.variants && item.variants[state.doc];
    if (variant && variant.stats) {
      var docSelect = document.getElementById("filter-doc");
      facts = facts.concat([
        ["in", docSelect ? docSelect.options[docSelect.selectedIndex].text : state.doc],
        ["linked agencies", variant.linked || "none"],
        ["degree", String(variant.stats[0])],
        ["weighted degree", String(variant.stats[1])],
        ["betweenness", variant.stats[2].toFixed(3)],
        ["community", String(variant.stats[3])]
      ]);
    }
    if (facts.length) {
      var dl = document.createElement("dl");
      facts.forEach(function (kv) { addText(dl, "dt", kv[0]); addText(dl, "dd", kv[1]); });
      panel.appendChild(dl);
    }
    addText(panel, "h3", "Stated in");
    var ul = document.createElement("ul");
    if (meta.provenance && meta.provenance.length) {
      meta.provenance.forEach(function (p) { addText(ul, "li", p[0] + " — " + p[1]); });
    } else {
      addText(ul, "li", "registry entry (see the facts that cite it)");
    }
    panel.appendChild(ul);
    addText(panel, "h3", "From stored query");
    var q = document.createElement("ul");
    meta.queries.forEach(function (name) { var li = document.createElement("li"); addText(li, "code", "polkg query run " + name); q.appendChild(li); });
    panel.appendChild(q);
  }

  function select(id) {
    clearHighlight();
    if (id === null || id === undefined || !visibleNodes.has(id)) { network.unselectAll(); showDetails(null); return []; }
    highlight(data.select === "chain" ? chainOf(id) : neighboursOf(id));
    network.selectNodes([id]);
    showDetails(nodeIndex[id]);
    return highlighted;
  }

  function setFilter(name, value) {
    state[name] = value;
    var el = document.getElementById("filter-" + name);
    if (el && el.value !== value) { el.value = value; }
    clearHighlight();
    computeVisible();
    nodeView.refresh();
    edgeView.refresh();
    showCount();
    showDetails(null);
    fitAll();
  }

  function fitAll() {
    // fit, then leave a margin: the first fit knows node centres before their boxes and labels are measured,
    // so the widest boxes at either end (date headings) would be cut off at the canvas edge
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.92, animation: false });
  }

  document.querySelectorAll("select[data-filter]").forEach(function (el) {
    el.addEventListener("change", function () { setFilter(el.getAttribute("data-filter"), el.value); });
  });

  network.on("click", function (params) {
    if (params.nodes.length) { select(params.nodes[0]); return; }
    if (params.edges.length) {
      clearHighlight();
      var edge = edges.get(params.edges[0]);
      var original = data.edges.filter(function (e) { return e.id === edge.id; })[0];
      highlight([original.from, original.to]);
      showDetails(original);
      return;
    }
    clearHighlight();
    showDetails(null);
  });

  applyVariants();
  showCount();
  window.polkg = {
    network: network,
    ready: false,
    state: state,
    setFilter: setFilter,
    select: select,
    highlighted: function () { return highlighted.slice(); },
    visibleNodes: function () {
      return Object.keys(network.getPositions()).map(function (id) { return { id: id, type: nodeIndex[id].meta.type }; });
    },
    visibleEdgeCount: function () { return visibleEdges.size; },
    boxes: function () {  // each shown node's box (label included) in page pixels, to check nothing is cut off
      return Array.from(visibleNodes).map(function (id) {
        var b = network.getBoundingBox(id);
        var tl = network.canvasToDOM({ x: b.left, y: b.top }), br = network.canvasToDOM({ x: b.right, y: b.bottom });
        return { id: id, left: tl.x, top: tl.y, right: br.x, bottom: br.y };
      });
    },
    details: function () { return document.getElementById("details").textContent; }
  };
  network.once("afterDrawing", function () {
    fitAll();  // again, now that every box and label has its size
    window.polkg.ready = true;
    document.body.setAttribute("data-ready", "1");
  });
  fitAll();
})();
