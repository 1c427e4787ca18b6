/* piimap HTML data map. Reads the report's JSON from #piimap-data and draws it with vis-network.
 * Every piece of report data reaches the page through textContent (never innerHTML) or as
 * canvas text, so markup in table, column or file names is shown, never run. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("piimap-data").textContent);
  var COLORS = { system: "#2f6fb3", container: "#7fb2e5", category: "#e0a526", vendor: "#7a4fb5" };
  var TEXT = { system: "#ffffff", container: "#1d2330", category: "#1d2330", vendor: "#ffffff" };
  var FAILING = "#d0312d";
  var WARNING = "#e07b00";
  var MAX_ROWS = 500;

  var nodeById = {};
  data.nodes.forEach(function (node) { nodeById[node.id] = node; });
  var allCategories = unique(data.nodes.filter(isKind("category")).map(function (n) { return n.category; }));
  var allSystems = unique(data.nodes.filter(isKind("system")).map(function (n) { return n.system; }));
  var state = {
    categories: new Set(allCategories),
    systems: new Set(allSystems),
    showContainers: !!data.meta.show_containers,
    selected: null,
    visible: {}
  };

  function isKind(kind) { return function (node) { return node.kind === kind; }; }
  function unique(items) { return Array.from(new Set(items)).sort(); }
  function byId(id) { return document.getElementById(id); }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function shortLabel(text) {
    text = String(text);
    return text.length > 42 ? "\u2026" + text.slice(text.length - 40) : text;
  }

  function findingVisible(finding) {
    return state.categories.has(finding.category) && state.systems.has(finding.source);
  }

  // ------------------------------------------------------------------ graph

  function visNode(node) {
    var border = node.failing ? FAILING : (node.warning ? WARNING : COLORS[node.kind]);
    return {
      id: node.id,
      label: (node.failing ? "\u26a0 " : "") + shortLabel(node.label),
      level: node.level,
      shape: node.kind === "category" ? "ellipse" : "box",
      borderWidth: node.failing || node.warning ? 3 : 1,
      color: {
        background: COLORS[node.kind], border: border,
        highlight: { background: COLORS[node.kind], border: "#111111" },
        hover: { background: COLORS[node.kind], border: "#111111" }
      },
      font: { color: TEXT[node.kind] }
    };
  }

  function visEdge(edge) {
    var color = edge.failing ? FAILING : (edge.kind === "reaches" || edge.kind === "flow" ? "#9b84c4" : "#a4acba");
    var result = {
      id: edge.id, from: edge.from, to: edge.to,
      color: { color: color, highlight: "#111111", hover: "#111111" },
      width: edge.failing ? 3 : 1.2,
      dashes: edge.kind === "flow"
    };
    if (edge.kind === "flow" && edge.label) { result.label = shortLabel(edge.label); result.font = { size: 10, align: "middle" }; }
    return result;
  }

  function computeVisible() {
    var visible = {};
    data.nodes.forEach(function (node) {
      var shown = false;
      if (node.kind === "system") {
        shown = state.systems.has(node.system);
      } else if (node.kind === "container") {
        shown = state.showContainers && state.systems.has(node.system) &&
          node.findings.some(function (index) { return findingVisible(data.findings[index]); });
      } else if (node.kind === "category") {
        shown = state.categories.has(node.category) &&
          node.systems.some(function (system) { return state.systems.has(system); });
      }
      if (shown) { visible[node.id] = true; }
    });
    var everyCategory = state.categories.size === allCategories.length;
    var edges = data.edges.filter(function (edge) {
      if (edge.view === "detail" && !state.showContainers) { return false; }
      if (edge.view === "summary" && state.showContainers) { return false; }
      if (edge.systems.length && !edge.systems.some(function (s) { return state.systems.has(s); })) { return false; }
      if (!visible[edge.from]) { return false; }
      if (edge.kind === "flow") {
        var categories = edge.categories || [];
        return categories.length ? categories.some(function (c) { return state.categories.has(c); }) : everyCategory;
      }
      return nodeById[edge.to].kind === "vendor" || visible[edge.to];
    });
    edges.forEach(function (edge) { visible[edge.to] = true; });
    data.nodes.forEach(function (node) {  // vendors nothing flows to: shown while nothing is filtered out
      if (node.kind === "vendor" && node.systems.length === 0 && everyCategory) { visible[node.id] = true; }
    });
    return { nodes: visible, edges: edges };
  }

  var network = new vis.Network(byId("graph"), { nodes: [], edges: [] }, {
    layout: {
      hierarchical: {
        enabled: true, direction: "LR", sortMethod: "directed",
        levelSeparation: 240, nodeSpacing: 38, treeSpacing: 60
      }
    },
    physics: false,
    interaction: { hover: true, dragNodes: true, zoomView: true, navigationButtons: false, keyboard: false },
    nodes: { shape: "box", margin: 8, font: { face: "system-ui, sans-serif", size: 14 } },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.6 } },
      smooth: { enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.4 }
    }
  });

  function redraw() {
    var visible = computeVisible();
    state.visible = visible.nodes;
    var nodes = data.nodes.filter(function (node) { return visible.nodes[node.id]; }).map(visNode);
    network.setData({ nodes: nodes, edges: visible.edges.map(visEdge) });
    network.fit({ animation: false, maxZoomLevel: 1.4 });
    Array.prototype.forEach.call(byId("node-list").children, function (item) {
      item.classList.toggle("hidden", !visible.nodes[item.dataset.node]);
    });
    if (state.selected && visible.nodes[state.selected]) {
      network.selectNodes([state.selected]);
    }
    if (state.selected) { showDetails(state.selected); }
  }

  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) { select(params.nodes[0]); }
  });

  // ------------------------------------------------------------------ details

  function select(id) {
    if (!nodeById[id]) { return; }
    state.selected = id;
    if (state.visible[id]) { network.selectNodes([id]); } else { network.unselectAll(); }
    Array.prototype.forEach.call(byId("node-list").querySelectorAll("button"), function (button) {
      button.classList.toggle("selected", button.dataset.node === id);
    });
    showDetails(id);
  }

  function attribute(list, name, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) { return; }
    list.appendChild(element("dt", name));
    list.appendChild(element("dd", Array.isArray(value) ? value.join(", ") : value));
  }

  function showDetails(id) {
    var node = nodeById[id];
    byId("details-title").textContent = node.kind + ": " + node.label;
    byId("details-hint").textContent = "";
    var list = byId("details-attributes");
    clear(list);
    attribute(list, "kind", node.kind);
    if (node.kind === "system") {
      attribute(list, "status", node.status);
      if (node.declared !== null && node.declared !== undefined) {
        attribute(list, "in data map", node.declared ? "yes" : "no");
      }
      attribute(list, "description", node.description);
    }
    if (node.kind === "container" || node.kind === "category") { attribute(list, "systems", node.systems); }
    if (node.kind === "vendor") {
      attribute(list, "role", node.role);
      attribute(list, "purpose", node.purpose);
      attribute(list, "description", node.description);
      (node.flows || []).forEach(function (flow) {
        attribute(list, "flow from " + flow.system, flow.carries.length ? flow.carries : flow.declared);
      });
    }
    var body = byId("details-body");
    clear(body);
    var findings = node.findings.map(function (index) { return data.findings[index]; }).filter(findingVisible);
    body.appendChild(element("h3", "Findings (" + findings.length + ")"));
    if (findings.length) { body.appendChild(findingsTable(findings)); }
    var violations = node.violations.map(function (index) { return data.violations[index]; });
    if (violations.length) {
      body.appendChild(element("h3", "Violations (" + violations.length + ")"));
      var items = element("ul");
      violations.forEach(function (violation) {
        var item = element("li");
        item.appendChild(statusBadge(violation));
        item.appendChild(document.createTextNode(" " + violation.rule + " " + violation.name + ": " + violation.message));
        items.appendChild(item);
      });
      body.appendChild(items);
    }
  }

  function findingsTable(findings) {
    var table = element("table");
    table.className = "findings";
    var head = element("tr");
    ["source", "container", "field", "category", "confidence", "matched", "examples"].forEach(function (name) {
      head.appendChild(element("th", name));
    });
    table.appendChild(element("thead")).appendChild(head);
    var tbody = table.appendChild(element("tbody"));
    findings.slice(0, MAX_ROWS).forEach(function (finding) {
      var row = element("tr");
      row.appendChild(element("td", finding.source));
      row.appendChild(element("td", finding.container));
      row.appendChild(element("td", finding.field === null ? "(text)" : finding.field));
      row.appendChild(element("td", finding.category));
      row.appendChild(element("td", Number(finding.confidence).toFixed(2), "num confidence"));
      row.appendChild(element("td", finding.matched + "/" + finding.sampled, "num"));
      row.appendChild(element("td", finding.examples.join(", "), "examples"));
      tbody.appendChild(row);
    });
    if (findings.length > MAX_ROWS) {
      var more = element("tr");
      var cell = element("td", (findings.length - MAX_ROWS) + " more findings are in the JSON report");
      cell.colSpan = 7;
      more.appendChild(cell);
      tbody.appendChild(more);
    }
    return table;
  }

  function statusBadge(violation) {
    if (violation.suppressed) { return element("span", "suppressed", "badge suppressed"); }
    if (violation.failing) { return element("span", "failing", "badge failing"); }
    return element("span", violation.severity, "badge warning");
  }

  // ------------------------------------------------------------------ page furniture

  function buildFilters() {
    var counts = {};
    data.findings.forEach(function (finding) { counts[finding.category] = (counts[finding.category] || 0) + 1; });
    var categories = byId("category-filters");
    allCategories.forEach(function (category) {
      categories.appendChild(checkbox("category", category, category + " (" + (counts[category] || 0) + ")",
        state.categories));
    });
    var systems = byId("system-filters");
    allSystems.forEach(function (system) {
      systems.appendChild(checkbox("system", system, system, state.systems));
    });
    byId("categories-all").addEventListener("click", function () { setAll("category", state.categories, allCategories, true); });
    byId("categories-none").addEventListener("click", function () { setAll("category", state.categories, allCategories, false); });
    var detail = byId("show-containers");
    detail.checked = state.showContainers;
    detail.addEventListener("change", function () { state.showContainers = detail.checked; redraw(); });
  }

  function checkbox(kind, value, text, set) {
    var label = element("label");
    var input = element("input");
    input.type = "checkbox";
    input.checked = set.has(value);
    input.dataset.kind = kind;
    input.dataset.value = value;
    input.addEventListener("change", function () {
      if (input.checked) { set.add(value); } else { set.delete(value); }
      redraw();
    });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text));
    return label;
  }

  function setAll(kind, set, values, on) {
    values.forEach(function (value) { if (on) { set.add(value); } else { set.delete(value); } });
    document.querySelectorAll("input[data-kind='" + kind + "']").forEach(function (input) { input.checked = on; });
    redraw();
  }

  function buildNodeList() {
    var list = byId("node-list");
    data.nodes.forEach(function (node) {
      var item = element("li");
      item.dataset.node = node.id;
      var button = element("button", (node.failing ? "\u26a0 " : "") + node.label, node.kind + (node.failing ? " failing" : ""));
      button.type = "button";
      button.dataset.node = node.id;
      button.title = node.kind;
      button.addEventListener("click", function () { select(node.id); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function buildViolations() {
    var tbody = byId("violations").querySelector("tbody");
    if (!data.violations.length) {
      byId("violations-empty").textContent = data.meta.has_datamap
        ? "No violations: what was found matches the data map and policy."
        : "No data map or policy was checked (run 'piimap check' for violations).";
      byId("violations").hidden = true;
    }
    data.violations.forEach(function (violation) {
      var row = element("tr");
      row.className = violation.failing ? "failing" : "";
      var rule = element("td", violation.rule + " " + violation.name);
      row.appendChild(rule);
      var status = element("td");
      status.appendChild(statusBadge(violation));
      if (violation.suppressed) { status.appendChild(element("div", violation.suppressed, "help")); }
      row.appendChild(status);
      var where = [violation.source, violation.container, violation.field].filter(function (p) { return p; }).join(" / ");
      if (violation.vendor) { where += " \u2192 " + violation.vendor; }
      var whereCell = element("td");
      var target = violationNode(violation);
      if (target) {
        var link = element("button", where, "link");
        link.type = "button";
        link.dataset.node = target;
        link.title = "show in the graph";
        link.addEventListener("click", function () { select(target); byId("graph-area").scrollIntoView(); });
        whereCell.appendChild(link);
      } else {
        whereCell.textContent = where;
      }
      row.appendChild(whereCell);
      row.appendChild(element("td", violation.category || ""));
      var message = element("td", violation.message);
      var rule_info = data.rules[violation.rule];
      (violation.citations || []).forEach(function (citation) {
        var quote = element("blockquote", "\u201c" + citation.text + "\u201d", "citation");
        quote.appendChild(element("cite", "the policy, in \u2018" + citation.section + "\u2019, sentence " + citation.sentence));
        message.appendChild(quote);
      });
      if (rule_info) { message.appendChild(element("div", rule_info.help, "help")); }
      row.appendChild(message);
      tbody.appendChild(row);
    });
    var rules = byId("rules");
    Object.keys(data.rules).sort().forEach(function (id) {
      var rule = data.rules[id];
      rules.appendChild(element("dt", id + " " + rule.name + " (" + rule.severity + ")"));
      rules.appendChild(element("dd", rule.summary + " " + rule.help));
    });
  }

  function violationNode(violation) {
    var candidates = [];
    if (violation.vendor) { candidates.push("vendor:" + violation.vendor); }
    if (violation.source && violation.container) {
      candidates.push("container:" + violation.source + "/" + violation.container);
    }
    if (violation.source) { candidates.push("system:" + violation.source); }
    for (var i = 0; i < candidates.length; i++) {
      if (nodeById[candidates[i]]) { return candidates[i]; }
    }
    return null;
  }

  function buildSummary() {
    var counts = data.meta.counts;
    var parts = [counts.sources + " sources", counts.findings + " findings"];
    if (data.meta.has_datamap) {
      parts.push(counts.failing + " failing violations" + (counts.suppressed ? " (" + counts.suppressed + " suppressed)" : ""));
    }
    if (counts.errors) { parts.push(counts.errors + " errors"); }
    if (data.meta.interrupted) { parts.push("interrupted: incomplete scan"); }
    var summary = byId("summary");
    summary.textContent = parts.join(" \u00b7 ");
    if (counts.failing) { summary.className = "failing"; }
    var errors = byId("errors");
    data.errors.forEach(function (line) { errors.appendChild(element("li", line)); });
    if (!data.errors.length) { byId("errors-section").hidden = true; }
    byId("footer").textContent = "piimap " + data.meta.piimap_version + " \u00b7 scan " + data.meta.started +
      " \u2013 " + data.meta.finished + (data.meta.run_id ? " \u00b7 run " + data.meta.run_id : "");
  }

  buildSummary();
  buildFilters();
  buildNodeList();
  buildViolations();
  redraw();

  window.piimapReport = { network: network, select: select, redraw: redraw, state: state, data: data };
})();
