/* 标注 map page. Loads door plates through the scoped JSON API (/api/map/...):
 *  - zoomed out (< POINT_ZOOM): a count grid aggregated by the server, one request per view;
 *  - zoomed in: points in fixed bbox chunks, each fetched once and kept, clustered with
 *    leaflet.markercluster; chunks halve per zoom level and a chunk that came back truncated is
 *    refined at the next level, so the page scales to a county's 150k addresses.
 * All coordinates on the page are in the selected system (WGS84 / GCJ02 / BD09); the server
 * converts to and from the stored WGS-84. No request leaves this server. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var T = cfg.text;
  var POINT_ZOOM = 14;
  var CHUNK = 0.04; // degrees at POINT_ZOOM; halves at each deeper level (up to 3 levels)
  var MAX_LEVEL = 3;
  var COLOURS = ["#c0392b", "#d08a00", "#1b7a3e"]; // unmarked, marked, confirmed
  var STATES = ["unmarked", "marked", "confirmed"];

  var $ = function (id) { return document.getElementById(id); };
  var systemSel = $("map-system");
  var system = systemSel.value;
  var csrf = (document.querySelector("#place-panel input[name=csrfmiddlewaretoken]") || {}).value || "";

  var map = L.map("map", { preferCanvas: true, zoomControl: true, maxZoom: 19, minZoom: 5 })
    .setView(cfg.center, 12);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { maxZoom: 19 }).addTo(map);
  } else {
    // The plain fallback: a light grid drawn per tile, so it pans with the map.
    var Grid = L.GridLayer.extend({
      createTile: function (coords) {
        var tile = document.createElement("canvas");
        var size = this.getTileSize();
        tile.width = size.x; tile.height = size.y;
        var ctx = tile.getContext("2d");
        ctx.strokeStyle = "rgba(120,110,90,0.25)";
        ctx.lineWidth = 1;
        ctx.strokeRect(0.5, 0.5, size.x, size.y);
        ctx.strokeStyle = "rgba(120,110,90,0.10)";
        ctx.beginPath();
        ctx.moveTo(size.x / 2, 0); ctx.lineTo(size.x / 2, size.y);
        ctx.moveTo(0, size.y / 2); ctx.lineTo(size.x, size.y / 2);
        ctx.stroke();
        return tile;
      }
    });
    new Grid({ maxZoom: 19 }).addTo(map);
  }
  map.attributionControl.setPrefix(false);

  function ringIcon(total, unmarked, marked, confirmed) {
    var a = total ? (confirmed / total) * 360 : 0;
    var b = total ? ((confirmed + marked) / total) * 360 : 0;
    var size = total < 10 ? 30 : total < 100 ? 36 : total < 1000 ? 44 : 52;
    var bg = "conic-gradient(" + COLOURS[2] + " 0deg " + a + "deg," + COLOURS[1] + " " + a + "deg " + b +
      "deg," + COLOURS[0] + " " + b + "deg 360deg)";
    return L.divIcon({
      className: "mc-icon",
      iconSize: [size, size],
      html: '<div class="mc-ring" style="background:' + bg + '"><span>' + total + "</span></div>"
    });
  }

  // ---- layers --------------------------------------------------------------------------------
  var boundaryLayer = L.geoJSON(null, {
    interactive: false,
    style: function (f) {
      var p = f.properties || {};
      if (p.kind === "police_unit") return { color: "#1c4a86", weight: 2, dashArray: "6 5", fill: false };
      var town = String(p.level) === "4";
      return { color: "#6b4c9a", weight: town ? 3 : 1.5, fillColor: "#6b4c9a", fillOpacity: town ? 0 : 0.04 };
    }
  }).addTo(map);

  var cluster = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    disableClusteringAtZoom: 18,
    maxClusterRadius: 50,
    iconCreateFunction: function (c) {
      var n = [0, 0, 0];
      c.getAllChildMarkers().forEach(function (m) { n[m.options.state] += 1; });
      return ringIcon(c.getChildCount(), n[0], n[1], n[2]);
    }
  });
  var gridLayer = L.layerGroup();
  var markers = new Map(); // door id -> circle marker
  var chunks = new Map(); // "level:ix:iy" -> "loading" | "done" | "truncated"

  function pointMarker(id, lat, lng, state) {
    var m = L.circleMarker([lat, lng], {
      radius: 7, weight: 2, color: "#fff", fillColor: COLOURS[state], fillOpacity: 0.95, state: state, doorId: id
    });
    m.on("click", function () { selectById(id); });
    return m;
  }

  function showNotice(text) {
    var el = $("map-notice");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function getJSON(url, params) {
    var q = new URLSearchParams(params);
    return fetch(url + "?" + q.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw r; return r.json(); });
  }

  function boxParam(w, s, e, n) {
    return [w, s, e, n].map(function (v) { return v.toFixed(6); }).join(",");
  }

  function covered(level, ix, iy) {
    for (var l = 0; l < level; l++) {
      var f = Math.pow(2, level - l);
      if (chunks.get(l + ":" + Math.floor(ix / f) + ":" + Math.floor(iy / f)) === "done") return true;
    }
    return false;
  }

  function loadChunks() {
    var z = map.getZoom();
    var level = Math.min(MAX_LEVEL, Math.max(0, z - POINT_ZOOM));
    var size = CHUNK / Math.pow(2, level);
    var b = map.getBounds().pad(0.15);
    var x0 = Math.floor(b.getWest() / size), x1 = Math.floor(b.getEast() / size);
    var y0 = Math.floor(b.getSouth() / size), y1 = Math.floor(b.getNorth() / size);
    var truncated = false;
    var wanted = [];
    for (var ix = x0; ix <= x1; ix++) {
      for (var iy = y0; iy <= y1; iy++) {
        var key = level + ":" + ix + ":" + iy;
        var st = chunks.get(key);
        if (st === "truncated") truncated = true;
        if (st || covered(level, ix, iy)) continue;
        wanted.push([key, ix, iy]);
      }
    }
    showNotice(truncated && level === MAX_LEVEL ? T.zoomIn : "");
    var sys = system;
    wanted.forEach(function (w) {
      chunks.set(w[0], "loading");
      var bbox = boxParam(w[1] * size, w[2] * size, (w[1] + 1) * size, (w[2] + 1) * size);
      getJSON(cfg.api.doors, { bbox: bbox, system: sys, limit: 5000 }).then(function (data) {
        if (sys !== system) return;
        var add = [];
        data.items.forEach(function (it) {
          if (markers.has(it[0])) return;
          var m = pointMarker(it[0], it[2], it[1], it[3]);
          markers.set(it[0], m);
          add.push(m);
        });
        cluster.addLayers(add);
        chunks.set(w[0], data.truncated ? "truncated" : "done");
        if (data.truncated) showNotice(T.zoomIn);
      }).catch(function () { chunks.delete(w[0]); });
    });
  }

  var gridSeq = 0;
  var fitted = false;
  function loadGrid() {
    var z = map.getZoom();
    var b = map.getBounds().pad(0.1);
    var cell = (64 * 360) / (256 * Math.pow(2, z)); // about 64 screen pixels
    var seq = ++gridSeq;
    var w = Math.max(-180, b.getWest()), e = Math.min(180, b.getEast());
    var s = Math.max(-85, b.getSouth()), n = Math.min(85, b.getNorth());
    if (e - w > 10 || n - s > 10) { showNotice(T.zoomIn); return; }
    getJSON(cfg.api.grid, { bbox: boxParam(w, s, e, n), system: system, cell: Math.max(0.0005, cell).toFixed(6) })
      .then(function (data) {
        if (seq !== gridSeq) return;
        gridLayer.clearLayers();
        var bounds = [];
        data.cells.forEach(function (c) {
          var m = L.marker([c[1], c[0]], { icon: ringIcon(c[2], c[3], c[4], c[5]), keyboard: false });
          m.on("click", function () { map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, POINT_ZOOM)); });
          gridLayer.addLayer(m);
          bounds.push([c[1], c[0]]);
        });
        showNotice("");
        if (!fitted && bounds.length) {
          fitted = true;
          map.fitBounds(bounds, { padding: [30, 30], maxZoom: POINT_ZOOM - 1 });
        }
      }).catch(function () { showNotice(T.failed); });
  }

  function refresh() {
    if (map.getZoom() >= POINT_ZOOM) {
      if (map.hasLayer(gridLayer)) map.removeLayer(gridLayer);
      if (!map.hasLayer(cluster)) map.addLayer(cluster);
      loadChunks();
    } else {
      if (map.hasLayer(cluster)) map.removeLayer(cluster);
      if (!map.hasLayer(gridLayer)) map.addLayer(gridLayer);
      loadGrid();
    }
  }

  function loadBoundaries() {
    var sys = system;
    getJSON(cfg.api.boundaries, { system: sys }).then(function (data) {
      if (sys !== system) return;
      boundaryLayer.clearLayers();
      boundaryLayer.addData(data);
      boundaryLayer.bringToBack();
      map.getContainer().dataset.boundaries = String(data.features.length);
    }).catch(function () {});
  }

  function resetPoints() {
    cluster.clearLayers();
    markers.clear();
    chunks.clear();
    gridLayer.clearLayers();
  }

  // ---- the rate ------------------------------------------------------------------------------
  function showRate(rate) {
    document.querySelectorAll("[data-rate]").forEach(function (el) {
      var k = el.getAttribute("data-rate");
      if (rate[k] !== undefined && rate[k] !== null) el.textContent = String(rate[k]);
    });
  }

  // ---- the list of door plates to mark -------------------------------------------------------
  var list = $("todo-list");
  var items = new Map(); // id -> item (as the API gave it, in `system`)
  var offset = 0;
  var total = 0;
  var LIMIT = 50;

  function filters() {
    return {
      q: $("todo-q").value.trim(),
      division: $("todo-division").value,
      police_unit: $("todo-district").value,
      state: $("todo-state").value,
      system: system
    };
  }

  function shortName(name) {
    var i = name.indexOf("县");
    return i >= 0 && i < 12 ? name.slice(i + 1) : name;
  }

  function renderItem(it) {
    var li = document.createElement("li");
    var b = document.createElement("button");
    b.type = "button";
    b.dataset.id = it.id;
    b.setAttribute("aria-pressed", selected && selected.id === it.id ? "true" : "false");
    var name = document.createElement("span");
    name.className = "todo-name";
    name.textContent = shortName(it.full_name);
    var meta = document.createElement("span");
    meta.className = "todo-meta";
    var dot = document.createElement("span");
    dot.className = "dot dot-" + it.mark_state;
    meta.appendChild(dot);
    meta.appendChild(document.createTextNode(T[it.mark_state] + " · " + it.division_name));
    b.appendChild(name);
    b.appendChild(meta);
    b.addEventListener("click", function () { select(items.get(it.id)); });
    li.appendChild(b);
    return li;
  }

  function loadList(more) {
    if (!more) { offset = 0; list.innerHTML = ""; items.clear(); }
    var p = filters();
    p.limit = LIMIT;
    p.offset = offset;
    return getJSON(cfg.api.todo, p).then(function (data) {
      data.items.forEach(function (it) { items.set(it.id, it); list.appendChild(renderItem(it)); });
      offset += data.items.length;
      total = data.count;
      showCount();
      if (!data.count) list.innerHTML = "<li class='muted'>" + T.none + "</li>";
    }).catch(function () { $("todo-count").textContent = T.failed; });
  }

  function showCount() {
    $("todo-count").textContent = T.count.replace("%(n)s", total);
    $("todo-more").hidden = offset >= total;
  }

  $("todo-filter").addEventListener("submit", function (ev) { ev.preventDefault(); loadList(false); });
  ["todo-division", "todo-district", "todo-state"].forEach(function (id) {
    $(id).addEventListener("change", function () { loadList(false); });
  });
  $("todo-more").addEventListener("click", function () { loadList(true); });

  // ---- placing -------------------------------------------------------------------------------
  var selected = null;
  var pin = null;
  var panel = $("place-panel");
  var lngIn = $("place-lng"), latIn = $("place-lat");

  function setPin(latlng) {
    if (!pin) {
      pin = L.marker(latlng, {
        draggable: cfg.canEdit,
        autoPan: true,
        icon: L.divIcon({ className: "place-pin", iconSize: [22, 30], iconAnchor: [11, 30], html: "<span></span>" })
      }).addTo(map);
      pin.on("dragend", function () { showCoords(pin.getLatLng()); });
    } else {
      pin.setLatLng(latlng);
    }
    showCoords(latlng);
  }

  function showCoords(ll) {
    lngIn.value = ll.lng.toFixed(7);
    latIn.value = ll.lat.toFixed(7);
  }

  function clearMessages() {
    $("place-errors").hidden = true;
    $("place-ok").hidden = true;
  }

  function select(it) {
    if (!it) return;
    selected = it;
    clearMessages();
    list.querySelectorAll("button[data-id]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.id) === it.id));
    });
    $("place-name").textContent = it.full_name;
    panel.hidden = false;
    if (window.matchMedia("(max-width: 959px)").matches) {
      $("map").scrollIntoView({ block: "start" }); // on a phone the list sits below the map
    }
    if (pin) { map.removeLayer(pin); pin = null; }
    lngIn.value = ""; latIn.value = "";
    if (it.lng !== null && it.lat !== null) {
      setPin(L.latLng(it.lat, it.lng));
      map.setView([it.lat, it.lng], Math.max(map.getZoom(), 17));
      $("place-hint").textContent = T.place;
    } else {
      $("place-hint").textContent = T.place;
    }
  }

  function fetchOne(id) {
    return getJSON(cfg.api.todo, { state: "all", system: system, id: id, limit: 1, offset: 0 }).then(function (data) {
      var it = data.items[0];
      if (it) items.set(it.id, it);
      return it;
    });
  }

  function selectById(id) {
    if (items.has(id)) return select(items.get(id));
    // A point on the map that is not in the list loaded so far.
    fetchOne(id).then(select).catch(function () {});
  }

  map.on("click", function (ev) {
    if (!selected || !cfg.canEdit) return;
    clearMessages();
    setPin(ev.latlng);
  });

  function typed() {
    var x = parseFloat(lngIn.value), y = parseFloat(latIn.value);
    if (isFinite(x) && isFinite(y)) setPin(L.latLng(y, x));
  }
  lngIn.addEventListener("change", typed);
  latIn.addEventListener("change", typed);

  function fieldErrors(body) {
    var out = [];
    if (body && body.fields) {
      Object.keys(body.fields).forEach(function (k) { out = out.concat(body.fields[k]); });
    }
    if (!out.length && body && body.message) out.push(body.message);
    return out;
  }

  function showErrors(msgs) {
    var el = $("place-errors");
    el.innerHTML = "";
    msgs.forEach(function (m) { var p = document.createElement("p"); p.textContent = m; el.appendChild(p); });
    el.hidden = !msgs.length;
  }

  function applyMarked(item, confirm) {
    items.set(item.id, item);
    var old = markers.get(item.id);
    if (old) { cluster.removeLayer(old); markers.delete(item.id); }
    if (item.lng !== null) {
      var m = pointMarker(item.id, item.lat, item.lng, STATES.indexOf(item.mark_state));
      markers.set(item.id, m);
      cluster.addLayer(m);
    }
    var btn = list.querySelector('button[data-id="' + item.id + '"]');
    var st = $("todo-state").value;
    var keep = st === "all" || st === item.mark_state || (st === "todo" && item.mark_state !== "confirmed");
    if (btn) {
      if (keep) {
        btn.parentNode.replaceChild(renderItem(item), btn);
      } else {
        btn.parentNode.remove();
        total -= 1;
        offset -= 1;
        showCount();
      }
    }
    if (map.getZoom() < POINT_ZOOM) loadGrid();
    selected = item;
    var ok = $("place-ok");
    ok.textContent = confirm ? T.confirmedOk : T.saved;
    ok.hidden = false;
  }

  function submit(confirm) {
    if (!selected || !cfg.canEdit) return;
    clearMessages();
    var x = parseFloat(lngIn.value), y = parseFloat(latIn.value);
    if (!isFinite(x) || !isFinite(y)) { showErrors([T.place]); return; }
    var body = { lng: x, lat: y, system: system, confirm: confirm, version: selected.version };
    fetch(cfg.api.mark.replace("{id}", selected.id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      if (res.status === 200) {
        applyMarked(res.data.item, confirm);
        showRate(res.data.rates.address_marked);
      } else if (res.status === 409) {
        showErrors([T.conflict]);
        reloadSelected();
      } else {
        showErrors(fieldErrors(res.data));
      }
    }).catch(function () { showErrors([T.failed]); });
  }

  function reloadSelected() {
    if (!selected) return;
    var id = selected.id;
    fetchOne(id).then(function (it) { if (it && selected && selected.id === id) selected = it; });
  }

  panel.addEventListener("submit", function (ev) { ev.preventDefault(); submit(true); });
  var saveBtn = $("place-save");
  if (saveBtn) saveBtn.addEventListener("click", function () { submit(false); });
  var cancelBtn = $("place-cancel");
  if (cancelBtn) cancelBtn.addEventListener("click", function () {
    selected = null;
    if (pin) { map.removeLayer(pin); pin = null; }
    panel.hidden = true;
    list.querySelectorAll("button[aria-pressed=true]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
  });

  systemSel.addEventListener("change", function () {
    system = systemSel.value;
    if (pin) { map.removeLayer(pin); pin = null; }
    selected = null;
    panel.hidden = true;
    resetPoints();
    loadBoundaries();
    loadList(false);
    refresh();
  });

  map.on("moveend", refresh);
  loadBoundaries();
  loadList(false);
  refresh();
  window.ybssMap = map; // for the browser test and the console
})();
