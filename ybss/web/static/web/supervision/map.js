/* Supervision dashboard map: the node's door plates coloured by progress (0 not marked yet,
 * 1 point confirmed, 2 houses verified, 3 residents collected; ybss.mapping.selectors explains
 * the ladder). Reads the scoped map API with the node's code prefix (police_unit or division)
 * and progress=1:
 *  - first a coarse count grid over a wide box, to find the node and fit the view to it;
 *  - zoomed out (< POINT_ZOOM): a count grid per view, each cell a ring coloured by the share of
 *    each step, labelled with the share of door plates whose houses are verified;
 *  - zoomed in: points in fixed bbox chunks, fetched once, clustered by leaflet.markercluster with
 *    the same ring, so a county's 150k door plates stay light.
 * The container carries data-cells / data-points (what is drawn) for tests. Nothing leaves this
 * server. */
(function () {
  "use strict";
  var source = document.getElementById("dash-map-config");
  if (!source || !window.L) return;
  var cfg = JSON.parse(source.textContent);
  var T = cfg.text;
  var POINT_ZOOM = 14;
  var CHUNK = 0.04; // degrees at POINT_ZOOM; halves per deeper level (up to MAX_LEVEL)
  var MAX_LEVEL = 3;
  var FEW = 3000; // a node this small opens zoomed in on its points
  var COLOURS = ["#c0392b", "#d08a00", "#2f6fb5", "#1b7a3e"]; // none, marked, verified, collected
  var system = cfg.tileSystem || "WGS84";

  var box = document.getElementById("dash-map");
  var notice = document.getElementById("dash-map-notice");
  var map = L.map(box, { preferCanvas: true, maxZoom: 19, minZoom: 5 }).setView(cfg.center, 12);
  map.attributionControl.setPrefix(false);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { maxZoom: 19 }).addTo(map);
  } else {
    var Plain = L.GridLayer.extend({
      createTile: function () {
        var tile = document.createElement("canvas");
        var size = this.getTileSize();
        tile.width = size.x; tile.height = size.y;
        var ctx = tile.getContext("2d");
        ctx.strokeStyle = "rgba(120,110,90,0.22)";
        ctx.strokeRect(0.5, 0.5, size.x, size.y);
        return tile;
      }
    });
    new Plain({ maxZoom: 19 }).addTo(map);
  }

  function say(text) {
    notice.textContent = text || "";
    notice.hidden = !text;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; }).replace("%%", "%");
  }

  function getJSON(url, params, plain) {
    var q = new URLSearchParams(params);
    Object.keys(cfg.filter).forEach(function (k) { q.set(k, cfg.filter[k]); });
    if (!plain) q.set("progress", "true");
    q.set("system", system);
    return fetch(url + "?" + q.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw r; return r.json(); });
  }

  function boxParam(w, s, e, n) {
    return [w, s, e, n].map(function (v) { return v.toFixed(6); }).join(",");
  }

  // steps: [none, marked, verified, collected]. The ring shows every step in its colour, from
  // collected round to none; the label is the share with houses verified (verified + collected).
  function ringIcon(total, steps) {
    var share = total ? (steps[2] + steps[3]) / total : 0;
    var pct = Math.round(share * 100);
    var size = total < 10 ? 34 : total < 100 ? 40 : total < 1000 ? 48 : 56;
    var stops = [];
    var at = 0;
    [3, 2, 1, 0].forEach(function (k) {
      var end = total ? at + (steps[k] / total) * 360 : at;
      if (end > at) stops.push(COLOURS[k] + " " + at.toFixed(1) + "deg " + end.toFixed(1) + "deg");
      at = end;
    });
    var bg = stops.length ? "conic-gradient(" + stops.join(",") + ")" : "#c9d1db";
    var title = format(T.verifiedShare, { p: pct, n: total });
    return L.divIcon({
      className: "pc-icon",
      iconSize: [size, size],
      html: '<div class="pc-ring" style="background:' + bg + '" title="' + title + '"><span>' + total +
        "<small>" + pct + "%</small></span></div>"
    });
  }

  var drawn = { cells: 0, points: 0 };
  function mark() {
    box.dataset.cells = String(drawn.cells);
    box.dataset.points = String(drawn.points);
  }

  var cluster = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    disableClusteringAtZoom: 18,
    maxClusterRadius: 50,
    iconCreateFunction: function (c) {
      var steps = [0, 0, 0, 0];
      c.getAllChildMarkers().forEach(function (m) { steps[m.options.progress] += 1; });
      return ringIcon(c.getChildCount(), steps);
    }
  });
  var gridLayer = L.layerGroup();
  var seen = new Set();
  var chunks = new Map();

  function pointMarker(it) {
    var step = it[4] || 0;
    var m = L.circleMarker([it[2], it[1]], {
      radius: 7, weight: 2, color: "#fff", fillColor: COLOURS[step], fillOpacity: 0.95, progress: step
    });
    m.bindTooltip(T[cfg.states[step]]);
    return m;
  }

  function covered(level, ix, iy) {
    for (var l = 0; l < level; l++) {
      var f = Math.pow(2, level - l);
      if (chunks.get(l + ":" + Math.floor(ix / f) + ":" + Math.floor(iy / f)) === "done") return true;
    }
    return false;
  }

  function loadPoints() {
    var level = Math.min(MAX_LEVEL, Math.max(0, map.getZoom() - POINT_ZOOM));
    var size = CHUNK / Math.pow(2, level);
    var b = map.getBounds().pad(0.15);
    var truncated = false;
    for (var ix = Math.floor(b.getWest() / size); ix <= Math.floor(b.getEast() / size); ix++) {
      for (var iy = Math.floor(b.getSouth() / size); iy <= Math.floor(b.getNorth() / size); iy++) {
        var key = level + ":" + ix + ":" + iy;
        var st = chunks.get(key);
        if (st === "truncated") truncated = true;
        if (st || covered(level, ix, iy)) continue;
        fetchChunk(key, ix, iy, size);
      }
    }
    say(truncated && level === MAX_LEVEL ? T.zoomIn : "");
  }

  function fetchChunk(key, ix, iy, size) {
    chunks.set(key, "loading");
    var bbox = boxParam(ix * size, iy * size, (ix + 1) * size, (iy + 1) * size);
    getJSON(cfg.api.doors, { bbox: bbox, limit: 5000 }).then(function (data) {
      var add = [];
      data.items.forEach(function (it) {
        if (seen.has(it[0])) return;
        seen.add(it[0]);
        add.push(pointMarker(it));
      });
      cluster.addLayers(add);
      drawn.points += add.length;
      mark();
      chunks.set(key, data.truncated ? "truncated" : "done");
      if (data.truncated) say(T.zoomIn);
    }).catch(function () { chunks.delete(key); say(T.failed); });
  }

  var gridSeq = 0;
  function drawCells(cells) {
    gridLayer.clearLayers();
    cells.forEach(function (c) {
      var m = L.marker([c[1], c[0]], { icon: ringIcon(c[2], c.slice(3, 7)), keyboard: false });
      m.on("click", function () { map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, POINT_ZOOM)); });
      gridLayer.addLayer(m);
    });
    drawn.cells = cells.length;
    mark();
  }

  function loadGrid() {
    var z = map.getZoom();
    var b = map.getBounds().pad(0.1);
    var cell = Math.max(0.0005, (64 * 360) / (256 * Math.pow(2, z)));
    var w = Math.max(-180, b.getWest()), e = Math.min(180, b.getEast());
    var s = Math.max(-85, b.getSouth()), n = Math.min(85, b.getNorth());
    if (e - w > 10 || n - s > 10) { say(T.zoomIn); return; }
    var seq = ++gridSeq;
    getJSON(cfg.api.grid, { bbox: boxParam(w, s, e, n), cell: cell.toFixed(6) }).then(function (data) {
      if (seq !== gridSeq) return;
      drawCells(data.cells);
      say("");
    }).catch(function () { say(T.failed); });
  }

  function refresh() {
    if (map.getZoom() >= POINT_ZOOM) {
      if (map.hasLayer(gridLayer)) map.removeLayer(gridLayer);
      if (!map.hasLayer(cluster)) map.addLayer(cluster);
      loadPoints();
    } else {
      if (map.hasLayer(cluster)) map.removeLayer(cluster);
      if (!map.hasLayer(gridLayer)) map.addLayer(gridLayer);
      loadGrid();
    }
  }

  // Find the node's door plates: a coarse grid over a wide box around the configured centre
  // (counts only, without progress: the cheap form of the grid).
  var c0 = map.getCenter();
  var wide = boxParam(c0.lng - 4, c0.lat - 4, c0.lng + 4, c0.lat + 4);
  getJSON(cfg.api.grid, { bbox: wide, cell: "0.05" }, true).then(function (data) {
    var total = 0;
    var pts = data.cells.map(function (c) { total += c[2]; return [c[1], c[0]]; });
    box.dataset.total = String(total);
    if (pts.length) {
      var bounds = L.latLngBounds(pts).pad(0.05);
      // Not animated: the zoom must be final before the first refresh below picks grid or points.
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: total <= FEW ? 16 : POINT_ZOOM - 1, animate: false });
    } else {
      say(format(T.doorCount, { n: 0 }));
    }
    map.on("moveend", refresh);
    refresh();
  }).catch(function () { say(T.failed); });
})();
