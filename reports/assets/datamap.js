/* piimap HTML data map. The diagram, matrix and tables are drawn on the server (inline SVG and
 * HTML); this script adds selection, filters and folding. It reads the report's JSON from
 * #piimap-data and inserts report data only through textContent (never innerHTML), so markup in
 * table, column or file names is shown, never run. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("piimap-data").textContent);
  var MAX_ROWS = 300;

  var nodeById = {};
  data.nodes.forEach(function (node) { nodeById[node.id] = node; });
  var allCategories = unique(data.nodes.filter(isKind("category")).map(function (n) { return n.category; })
    .concat(data.matrix.categories));
  var allSystems = unique(data.nodes.filter(isKind("system")).map(function (n) { return n.system; }));
  var state = {
    categories: new Set(allCategories),
    systems: new Set(allSystems),
    showContainers: !!data.meta.show_containers,
    folded: new Set(),
    selected: null,
    cell: null,
    visible: {}
  };

  function isKind(kind) { return function (node) { return node.kind === kind; }; }
  function unique(items) { return Array.from(new Set(items)).sort(); }
  function byId(id) { return document.getElementById(id); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function fullName(node) {
    if (node.kind === "container") { return node.system + " \u203a " + node.label; }
    return node.label;
  }

  function findingVisible(finding) {
    return state.categories.has(finding.category) && state.systems.has(finding.source);
  }

  function anyShown(items, set) {
    return items.some(function (item) { return set.has(item); });
  }

  // ------------------------------------------------------------------ the diagram

  function currentSvg() { return byId(state.showContainers ? "flow-detail" : "flow-summary"); }

  function bandVisible(band, svgIsDetail) {
    if (band.systems.length && !anyShown(band.systems, state.systems)) { return false; }
    if (band.categories.length && !anyShown(band.categories, state.categories)) { return false; }
    if (!band.categories.length && state.categories.size !== allCategories.length) { return false; }
    if (svgIsDetail) {
      var system = band.systems[0];
      if (band.kind === "summary") { return state.folded.has(system); }
      if (band.kind === "contains" || band.kind === "holds") { return !state.folded.has(system); }
    }
    return true;
  }

  function computeVisible(svgIsDetail) {
    var visible = {};
    var bands = {};
    data.bands.forEach(function (band, index) {
      if (bandVisible(band, svgIsDetail)) { bands[index] = true; visible[band.from] = true; visible[band.to] = true; }
    });
    data.nodes.forEach(function (node) {
      if (node.kind === "system" && state.systems.has(node.system)) { visible[node.id] = true; }
      if (node.kind === "container" && svgIsDetail && state.folded.has(node.system)) { delete visible[node.id]; }
      if (node.kind === "vendor" && !node.systems.length && state.categories.size === allCategories.length &&
          state.systems.size === allSystems.length) { visible[node.id] = true; }
    });
    return { nodes: visible, bands: bands };
  }

  function redraw() {
    var detail = byId("flow-detail");
    var summary = byId("flow-summary");
    detail.classList.toggle("hidden", !state.showContainers);
    summary.classList.toggle("hidden", state.showContainers);
    var svg = currentSvg();
    var visible = computeVisible(svg === detail);
    state.visible = visible.nodes;
    all(".band", svg).forEach(function (path) {
      path.classList.toggle("hidden", !visible.bands[path.getAttribute("data-band")]);
    });
    all(".node", svg).forEach(function (group) {
      group.classList.toggle("hidden", !visible.nodes[group.getAttribute("data-node")]);
    });
    all(".fold", svg).forEach(function (button) {
      var system = button.getAttribute("data-system");
      var folded = state.folded.has(system);
      button.setAttribute("aria-pressed", folded ? "true" : "false");
      button.querySelector("text").textContent = folded ? "+" : "\u2212";
      button.classList.toggle("hidden", !state.systems.has(system));
    });
    filterMatrix();
    updateFilterState();
    if (state.selected && !visible.nodes[state.selected]) {
      clearSelection();
    } else if (state.selected) {
      highlight(state.selected);
      showDetails(state.selected);
    }
    if (state.cell && (!state.systems.has(state.cell[0]) || !state.categories.has(state.cell[1]))) {
      clearCell();
    }
  }

  function highlight(id) {
    var svg = currentSvg();
    svg.classList.toggle("focused", !!id);
    all(".node", svg).forEach(function (group) {
      group.classList.toggle("selected", group.getAttribute("data-node") === id);
    });
    all(".band", svg).forEach(function (path) {
      var band = data.bands[path.getAttribute("data-band")];
      path.classList.toggle("linked", !!id && (band.from === id || band.to === id));
    });
  }

  function fitLabels(svg) {
    // The server sized every box from an estimate of the font; shrink any label that still
    // does not fit the browser's font so no text spills out of its box.
    all("text.label", svg).forEach(function (text) {
      var room = parseFloat(text.getAttribute("data-room"));
      if (text.getComputedTextLength() > room) {
        text.setAttribute("textLength", String(room));
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    });
  }

  function sizeSvg(svg) {
    // Fill the width that is there; never shrink text below 90% (the area scrolls instead).
    var width = parseFloat(svg.getAttribute("width"));
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.minWidth = Math.round(width * 0.9) + "px";
    svg.style.maxWidth = Math.round(width * 1.5) + "px";
  }

  ["flow-detail", "flow-summary"].forEach(function (id) {
    var svg = byId(id);
    sizeSvg(svg);
    svg.addEventListener("click", function (event) {
      var fold = event.target.closest(".fold");
      if (fold) { toggleFold(fold.getAttribute("data-system")); return; }
      var group = event.target.closest(".node");
      if (group) {
        select(group.getAttribute("data-node"));
        if (window.innerWidth < 1100) { byId("details").scrollIntoView({ block: "nearest" }); }  // it is below
      }
    });
    svg.addEventListener("keydown", function (event) {
      var fold = event.target.closest(".fold");
      var group = event.target.closest(".node");
      if (event.key === "Enter" || event.key === " ") {
        if (fold) { event.preventDefault(); toggleFold(fold.getAttribute("data-system")); }
        else if (group) { event.preventDefault(); select(group.getAttribute("data-node")); }
      } else if (group && event.key.indexOf("Arrow") === 0) {
        var next = neighbour(svg, group, event.key);
        if (next) { event.preventDefault(); next.focus(); }
      }
    });
  });

  function box(group) {
    var rect = group.querySelector("rect");
    return { x: parseFloat(rect.getAttribute("x")), y: parseFloat(rect.getAttribute("y")) };
  }

  function neighbour(svg, group, key) {
    // Arrow keys move between boxes: up / down within a column, left / right to the nearest box
    // of the next column (a linked one when there is one).
    var here = box(group);
    var id = group.getAttribute("data-node");
    var shown = all(".node:not(.hidden)", svg);
    var candidates;
    if (key === "ArrowUp" || key === "ArrowDown") {
      candidates = shown.filter(function (other) {
        var there = box(other);
        return there.x === here.x && (key === "ArrowUp" ? there.y < here.y : there.y > here.y);
      });
    } else {
      var columns = unique(shown.map(function (other) { return box(other).x; })).map(Number)
        .sort(function (a, b) { return a - b; });
      var index = columns.indexOf(here.x) + (key === "ArrowRight" ? 1 : -1);
      if (index < 0 || index >= columns.length) { return null; }
      candidates = shown.filter(function (other) { return box(other).x === columns[index]; });
      var linked = {};
      all(".band:not(.hidden)", svg).forEach(function (path) {
        var band = data.bands[path.getAttribute("data-band")];
        if (band.from === id) { linked[band.to] = true; }
        if (band.to === id) { linked[band.from] = true; }
      });
      var near = candidates.filter(function (other) { return linked[other.getAttribute("data-node")]; });
      if (near.length) { candidates = near; }
    }
    candidates.sort(function (a, b) { return Math.abs(box(a).y - here.y) - Math.abs(box(b).y - here.y); });
    return candidates[0] || null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (state.selected) { clearSelection(); }
    if (state.cell) { clearCell(); }
  });

  function toggleFold(system) {
    if (state.folded.has(system)) { state.folded.delete(system); } else { state.folded.add(system); }
    redraw();
  }

  // ------------------------------------------------------------------ details

  function select(id) {
    if (!nodeById[id]) { return; }
    state.selected = id;
    var node = nodeById[id];
    if (node.kind === "container" && state.showContainers && state.folded.has(node.system)) {
      state.folded.delete(node.system);
    }
    if (node.kind === "container" && !state.showContainers) {
      state.showContainers = true;
      byId("show-containers").checked = true;
    }
    redraw();
  }

  function clearSelection() {
    state.selected = null;
    highlight(null);
    byId("details-title").textContent = "Select a node";
    byId("details-hint").textContent = "Click a box, or move to it with Tab and press Enter, to see its findings.";
    clear(byId("details-attributes"));
    clear(byId("details-body"));
  }

  function attribute(list, name, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) { return; }
    list.appendChild(element("dt", name));
    list.appendChild(element("dd", Array.isArray(value) ? value.join(", ") : value));
  }

  function showDetails(id) {
    var node = nodeById[id];
    byId("details-title").textContent = node.kind + ": " + fullName(node);
    byId("details-hint").textContent = "";
    var list = byId("details-attributes");
    clear(list);
    if (node.kind === "system") {
      attribute(list, "status", node.status);
      if (node.declared !== null && node.declared !== undefined) {
        attribute(list, "in data map", node.declared ? "yes" : "no");
      }
      attribute(list, "description", node.description);
    }
    if (node.kind === "category") { attribute(list, "systems", node.systems); }
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
    if (node.kind === "vendor") { showVendorBands(body, id); }
    var findings = node.findings.map(function (index) { return data.findings[index]; }).filter(findingVisible);
    showFindings(body, findings);
    showViolations(body, node.violations.map(function (index) { return data.violations[index]; }));
  }

  function showVendorBands(body, id) {
    var bands = data.bands.filter(function (band) { return band.to === id; });
    if (!bands.length) { return; }
    body.appendChild(element("h4", "Received"));
    var items = element("ul", null, "received");
    bands.forEach(function (band) {
      var item = element("li", null, band.failing ? "failing" : "");
      item.appendChild(element("span", (band.categories.join(", ") || "(nothing found)") + " ", "cat"));
      item.appendChild(element("span", band.origin, "badge origin-" + band.origin));
      item.appendChild(document.createTextNode(" from " + band.systems.join(", ")));
      if (band.count || band.first_seen) {
        item.appendChild(element("div", "observed " + band.count + " times" +
          (band.first_seen ? ", " + band.first_seen + " \u2013 " + (band.last_seen || band.first_seen) : ""), "help"));
      }
      band.evidence.slice(0, 5).forEach(function (evidence) { item.appendChild(element("code", evidence, "evidence")); });
      items.appendChild(item);
    });
    body.appendChild(items);
  }

  function showFindings(body, findings) {
    body.appendChild(element("h4", "Findings (" + findings.length + ")"));
    if (!findings.length) { return; }
    var list = element("ol", null, "findings");
    findings.slice(0, MAX_ROWS).forEach(function (finding) {
      var item = element("li");
      var where = element("div", null, "where");
      where.appendChild(element("span", finding.source + " \u203a " + finding.container, "container-name"));
      where.appendChild(element("span", " \u203a " + (finding.field === null ? "(text)" : finding.field), "field-name"));
      item.appendChild(where);
      var facts = element("div", null, "facts");
      facts.appendChild(element("span", finding.category, "cat"));
      facts.appendChild(element("span", " confidence " + Number(finding.confidence).toFixed(2), "num confidence"));
      facts.appendChild(element("span", " matched " + finding.matched + "/" + finding.sampled, "num matched"));
      item.appendChild(facts);
      if (finding.examples.length) { item.appendChild(element("div", finding.examples.join(", "), "examples")); }
      list.appendChild(item);
    });
    body.appendChild(list);
    if (findings.length > MAX_ROWS) {
      body.appendChild(element("p", (findings.length - MAX_ROWS) + " more findings are in the JSON report", "help"));
    }
  }

  function showViolations(body, violations) {
    if (!violations.length) { return; }
    body.appendChild(element("h4", "Violations (" + violations.length + ")"));
    var items = element("ul", null, "node-violations");
    violations.forEach(function (violation) {
      var item = element("li");
      item.appendChild(statusBadge(violation));
      item.appendChild(document.createTextNode(" " + violation.rule + " " + violation.name + ": " + violation.message));
      items.appendChild(item);
    });
    body.appendChild(items);
  }

  function statusBadge(violation) {
    if (violation.suppressed) { return element("span", "suppressed", "badge suppressed"); }
    if (violation.failing) { return element("span", "failing", "badge failing"); }
    return element("span", violation.severity, "badge warning");
  }

  function clearCell() {
    state.cell = null;
    all(".cell.selected").forEach(function (cell) { cell.classList.remove("selected"); });
    byId("cell-details").hidden = true;
    clear(byId("cell-details-body"));
  }

  function showCell(system, category) {
    // A cell's findings show under the matrix, where the reader is looking.
    state.cell = [system, category];
    byId("cell-details").hidden = false;
    byId("cell-details-title").textContent = system + " \u00d7 " + category;
    var body = byId("cell-details-body");
    clear(body);
    showFindings(body, data.findings.filter(function (f) { return f.source === system && f.category === category; }));
    showViolations(body, data.violations.filter(function (v) {
      return v.source === system && v.category === category && !v.vendor;
    }));
  }

  // ------------------------------------------------------------------ matrix

  function filterMatrix() {
    var table = byId("matrix");
    if (!table) { return; }
    all("tr[data-system]", table).forEach(function (row) {
      row.classList.toggle("hidden", !state.systems.has(row.getAttribute("data-system")));
    });
    all("[data-category]", table).forEach(function (cell) {
      if (cell.tagName === "BUTTON") { return; }
      cell.classList.toggle("hidden", !state.categories.has(cell.getAttribute("data-category")));
    });
  }

  all(".cell-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var system = button.getAttribute("data-system");
      var category = button.getAttribute("data-category");
      all(".cell.selected").forEach(function (cell) { cell.classList.remove("selected"); });
      button.parentNode.classList.add("selected");
      showCell(system, category);
    });
  });

  // ------------------------------------------------------------------ links from the tables

  all("a.to-node").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var id = link.getAttribute("data-node");
      select(id);
      var group = currentSvg().querySelector(".node[data-node='" + cssEscape(id) + "']");
      byId("flow-section").scrollIntoView();
      if (group) { group.focus({ preventScroll: true }); }
    });
  });

  all("a.to-cell").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var cell = byId(link.getAttribute("data-cell"));
      if (!cell) { return; }
      event.preventDefault();
      cell.scrollIntoView({ block: "center", inline: "center" });
      var button = cell.querySelector("button");
      if (button) { button.click(); button.focus({ preventScroll: true }); }
    });
  });

  function cssEscape(text) { return window.CSS && CSS.escape ? CSS.escape(text) : text.replace(/['\\]/g, "\\$&"); }

  // ------------------------------------------------------------------ filters

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
    byId("systems-all").addEventListener("click", function () { setAll("system", state.systems, allSystems, true); });
    byId("systems-none").addEventListener("click", function () { setAll("system", state.systems, allSystems, false); });
    var fit = byId("fit-width");  // the whole diagram at once, smaller text (on a phone, say)
    fit.addEventListener("change", function () { byId("flow-scroll").classList.toggle("fit", fit.checked); });
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
    label.appendChild(element("span", text));
    return label;
  }

  function setAll(kind, set, values, on) {
    values.forEach(function (value) { if (on) { set.add(value); } else { set.delete(value); } });
    all("input[data-kind='" + kind + "']").forEach(function (input) { input.checked = on; });
    redraw();
  }

  function updateFilterState() {
    var text = "";
    if (state.categories.size !== allCategories.length || state.systems.size !== allSystems.length) {
      text = "(" + state.categories.size + "/" + allCategories.length + " categories, " +
        state.systems.size + "/" + allSystems.length + " systems)";
    }
    byId("filter-state").textContent = text;
  }

  byId("cell-details-close").addEventListener("click", clearCell);
  buildFilters();
  fitLabels(byId("flow-detail"));
  fitLabels(byId("flow-summary"));
  redraw();

  window.piimapReport = {
    select: select, redraw: redraw, state: state, data: data, toggleFold: toggleFold, clearSelection: clearSelection
  };
})();
