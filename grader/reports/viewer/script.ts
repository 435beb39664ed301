/**
 * The trace viewer's client script, inlined into the report page after the report's own script
 * (one inline script, allowed by its hash in the page's CSP). For each trace (`.trace.viewer`)
 * it reads the viewer data (`<script type="application/json" id="{traceId}-viewer">`, built by
 * `buildViewerData`) and draws a space-time diagram in SVG, a stepper, and every node's state at
 * the selected event; it builds the trace table's rows from the same data (only those near the
 * table's visible part, so a long trace's page stays small and quick to open), and the filters
 * search the data and apply to the diagram and the table together.
 *
 * Plain ES2019 in an IIFE, no libraries. Everything from the data reaches the page through
 * `textContent` and `setAttribute` on elements made with `createElement(NS)`: never as markup.
 * The diagram draws only what lies near the visible part of its scrolling box (a 10,000-event
 * trace is tens of thousands of pixels tall), again on scroll and zoom.
 */
export const viewerScript = String.raw`
(function () {
  'use strict';
  var svgNamespace = 'http://www.w3.org/2000/svg';
  var messageKinds = { send: true, deliver: true, drop: true, duplicate: true };
  var layout = { top: 18, bottom: 28, left: 78, clientGap: 44, right: 40, minimumGap: 7, idleGap: 60, typicalGap: 16 };
  var renderMargin = 900;
  var minimumZoom = 0.04;
  var maximumZoom = 12;
  var childrenShown = 200;
  /** A detail longer than this is folded in the table: the summary shows its start. */
  var detailFoldLength = 160;

  function svg(name, attributes, parent) {
    var element = document.createElementNS(svgNamespace, name);
    if (attributes) Object.keys(attributes).forEach(function (key) { element.setAttribute(key, String(attributes[key])); });
    if (parent) parent.appendChild(element);
    return element;
  }
  function html(name, className, text, parent) {
    var element = document.createElement(name);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = text;
    if (parent) parent.appendChild(element);
    return element;
  }
  function titled(element, text) { svg('title', null, element).textContent = text; return element; }
  function clear(element) { while (element.firstChild) element.removeChild(element.firstChild); }
  function own(object, key) { return object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key); }
  function round(value) { return Math.round(value * 10) / 10; }
  // Bidirectional overrides and C1 controls would reorder or hide what the reader sees.
  function visible(text) {
    return String(text).replace(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, function (character) {
      return '\\u' + ('0000' + character.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function shorten(text, length) { return text.length > length ? text.slice(0, length - 1) + '\u2026' : text; }
  function json(value) {
    if (value === undefined) return 'undefined';
    try { return visible(JSON.stringify(value)); } catch (error) { return visible(String(value)); }
  }

  // ------------------------------------------------------------------------------------------
  // Node states: the StateChange patches folded up to an event (copy on write, so a folded
  // state can be kept as a checkpoint while folding goes on).

  function define(target, key, value) {
    Object.defineProperty(target, String(key), { value: value, writable: true, enumerable: true, configurable: true });
  }
  function copyContainer(value) {
    if (Array.isArray(value)) return value.slice();
    var copy = Object.create(null);
    if (value !== null && typeof value === 'object') Object.keys(value).forEach(function (key) { define(copy, key, value[key]); });
    return copy;
  }
  function applyPatches(state, patches) {
    var root = state;
    for (var index = 0; index < patches.length; index++) {
      var patch = patches[index];
      if (!Array.isArray(patch) || !Array.isArray(patch[0])) continue;
      var path = patch[0];
      if (path.length === 0) { root = patch.length > 1 ? patch[1] : undefined; continue; }
      root = copyContainer(root);
      var container = root;
      for (var depth = 0; depth < path.length - 1; depth++) {
        var inner = copyContainer(own(container, path[depth]) ? container[path[depth]] : undefined);
        define(container, path[depth], inner);
        container = inner;
      }
      var last = path[path.length - 1];
      if (patch.length > 1) {
        var length = Number(patch[1]);
        if (Array.isArray(container) && last === 'length') { if (length >= 0 && length <= container.length) container.length = length; }
        else define(container, last, patch[1]);
      } else if (own(container, last)) {
        delete container[String(last)];
      }
    }
    return root;
  }
  function initialState() { return { fields: null, storage: {} }; }

  function StateFolder(changes) {
    this.changes = changes;
    this.checkpoints = [{ count: 0, states: new Map() }];
    this.current = { count: 0, states: new Map() };
  }
  StateFolder.checkpointEvery = 256;
  /** The number of changes that hold at trace index traceIndex (their index is at most it). */
  StateFolder.prototype.countAt = function (traceIndex) {
    var low = 0;
    var high = this.changes.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (this.changes[middle].index <= traceIndex) low = middle + 1; else high = middle;
    }
    return low;
  };
  StateFolder.prototype.statesAt = function (traceIndex) {
    var count = this.countAt(traceIndex);
    var start = this.current.count <= count ? this.current : this.checkpoints[Math.min(this.checkpoints.length - 1, Math.floor(count / StateFolder.checkpointEvery))];
    var states = new Map(start.states);
    for (var index = start.count; index < count; index++) {
      var change = this.changes[index];
      states.set(change.node, applyPatches(states.has(change.node) ? states.get(change.node) : initialState(), Array.isArray(change.patches) ? change.patches : []));
      if ((index + 1) % StateFolder.checkpointEvery === 0 && this.checkpoints.length === (index + 1) / StateFolder.checkpointEvery) {
        this.checkpoints.push({ count: index + 1, states: new Map(states) });
      }
    }
    this.current = { count: count, states: states };
    return states;
  };
  /** The patches applied exactly at trace index traceIndex, by node. */
  StateFolder.prototype.changesAt = function (traceIndex) {
    var byNode = new Map();
    for (var index = this.countAt(traceIndex) - 1; index >= 0 && this.changes[index].index === traceIndex; index--) {
      var change = this.changes[index];
      var paths = byNode.get(change.node) || [];
      (Array.isArray(change.patches) ? change.patches : []).forEach(function (patch) { if (Array.isArray(patch) && Array.isArray(patch[0])) paths.push(patch[0].map(String)); });
      byNode.set(change.node, paths);
    }
    return byNode;
  };

  // ------------------------------------------------------------------------------------------
  // The page's other parts: copy buttons are the report's; here each trace.

  document.querySelectorAll('.trace').forEach(function (trace) {
    var data = null;
    var traceId = typeof trace.getAttribute === 'function' ? trace.getAttribute('data-trace') || trace.id : trace.id;
    var dataElement = document.getElementById(traceId + '-viewer');
    if (dataElement) {
      try { data = JSON.parse(dataElement.textContent || 'null'); } catch (error) { data = null; }
    }
    if (!data || data.version !== 1 || !Array.isArray(data.events) || !Array.isArray(data.nodes)) data = null;
    if (data) { unpackEvents(data); withSendDetails(data); }
    setUpTrace(trace, traceId, data);
  });
  // Marked once the traces' tables are drawn too (in the first animation frame).
  if (document.body && typeof document.body.setAttribute === 'function') {
    var markReady = function () { document.body.setAttribute('data-viewer-ready', String(Math.round(typeof performance === 'object' ? performance.now() : 0))); };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(markReady); else markReady();
  }

  function unpackEvents(data) {
    // Events come as arrays of their fields in this order (model.ts, packViewerData).
    var packedFields = ['i', 's', 't', 'k', 'n', 'p', 'l', 'd', 'r', 'm', 'f'];
    data.events = data.events.map(function (packed) {
      if (!Array.isArray(packed)) return packed;
      var event = {};
      for (var index = 0; index < packedFields.length && index < packed.length; index++) {
        if (packed[index] !== null && packed[index] !== undefined) event[packedFields[index]] = packed[index];
      }
      return event;
    });
  }

  /** A delivery, drop or duplicate comes without its detail: it is its send's. */
  function withSendDetails(data) {
    var events = data.events;
    var messages = Array.isArray(data.messages) ? data.messages : [];
    events.forEach(function (event, position) {
      if (event.d !== undefined || typeof event.m !== 'number' || !messages[event.m]) return;
      var send = events[messages[event.m].send];
      if (!send || messages[event.m].send === position) return;
      if (typeof send.d === 'string') event.d = send.d;
      if (typeof send.f === 'string') event.f = send.f;
    });
  }

  function setUpTrace(trace, traceId, data) {
    // Without data (an empty trace) there are no rows to show or filter.
    if (!data) return;
    var events = data.events;
    var search = trace.querySelector('input[name=query]');
    var nodeSelect = trace.querySelector('select[name=node]');
    var typeSelect = trace.querySelector('select[name=type]');
    var boxes = Array.prototype.slice.call(trace.querySelectorAll('input[name=kind]'));
    var shown = trace.querySelector('.shown');
    var timer = 0;
    var messages = Array.isArray(data.messages) ? data.messages : [];
    var table = createTable(trace, traceId, data);
    var viewer = createViewer(trace, traceId, data, table);
    var passes = new Uint8Array(events.length).fill(1);

    function typeAt(position) {
      var event = events[position];
      if (typeof event.m === 'number' && messages[event.m]) return String(messages[event.m].type);
      return String(event.l);
    }

    /** Which events pass the filters: the data is searched, not the table (most rows are not drawn). */
    function apply() {
      var terms = search ? String(search.value).toLowerCase().split(/\s+/).filter(Boolean) : [];
      var kinds = Object.create(null);
      boxes.forEach(function (box) { if (box.checked) kinds[box.value] = true; });
      var wantedNode = nodeSelect && nodeSelect.value !== '' ? Number(nodeSelect.value) : null;
      var wantedType = typeSelect ? String(typeSelect.value) : '';
      var count = 0;
      for (var position = 0; position < events.length; position++) {
        var event = events[position];
        var pass = kinds[event.k] === true &&
          (wantedNode === null || event.n === wantedNode || event.p === wantedNode) &&
          (wantedType === '' || (messageKinds[event.k] === true && typeAt(position) === wantedType)) &&
          (terms.length === 0 || table.matches(position, terms));
        passes[position] = pass ? 1 : 0;
        if (pass) count++;
      }
      if (shown) shown.textContent = count === events.length ? events.length + ' events' : count + ' of ' + events.length + ' events';
      table.filter(passes);
      viewer.filter(passes);
    }

    if (search) search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
    if (nodeSelect) nodeSelect.addEventListener('change', apply);
    if (typeSelect) typeSelect.addEventListener('change', apply);
    boxes.forEach(function (box) { box.addEventListener('change', apply); });
    trace.querySelectorAll('button[data-kinds]').forEach(function (button) {
      button.addEventListener('click', function () {
        var all = button.getAttribute('data-kinds') === 'all';
        boxes.forEach(function (box) { box.checked = all; });
        apply();
      });
    });
    function resetFilters() {
      if (search) search.value = '';
      if (nodeSelect) nodeSelect.value = '';
      if (typeSelect) typeSelect.value = '';
      boxes.forEach(function (box) { box.checked = true; });
      apply();
    }
    var reset = trace.querySelector('button[data-reset]');
    if (reset) reset.addEventListener('click', resetFilters);

    /** Selects an event and shows its row, even when the filters hide it. */
    function reveal(position) {
      if (position < 0 || position >= events.length) return;
      if (!passes[position]) resetFilters();
      viewer.select(position, { focus: true, reveal: true });
    }
    // Links to a row (the violation, a search path's steps): the row may not be drawn yet.
    var rowPrefix = '#' + traceId + '-e';
    document.querySelectorAll('a[href^="' + rowPrefix + '"]').forEach(function (link) {
      link.addEventListener('click', function (event) {
        var position = link.hasAttribute('data-position') ? Number(link.getAttribute('data-position')) : table.positionOf(link.getAttribute('href').slice(rowPrefix.length));
        if (position < 0 || !(position < events.length)) return;
        event.preventDefault();
        reveal(position);
      });
    });
    document.querySelectorAll('ol.path[data-trace="' + traceId + '"] a[data-position]').forEach(function (link) {
      if (link.getAttribute('href') && link.getAttribute('href').indexOf(rowPrefix) === 0) return;
      link.addEventListener('click', function (event) {
        event.preventDefault();
        reveal(Number(link.getAttribute('data-position')));
      });
    });
    // A page opened at a row's address (or sent to one) selects that row's event.
    function followHash() {
      var hash = String(location.hash || '');
      if (hash.indexOf(rowPrefix) !== 0) return false;
      var position = table.positionOf(hash.slice(rowPrefix.length));
      if (position < 0) return false;
      reveal(position);
      return true;
    }
    window.addEventListener('hashchange', followHash);
    viewer.start();
    followHash();
  }

  // ------------------------------------------------------------------------------------------
  // The trace table: its rows are made from the data, only those near the visible part of its
  // scrolling box (plus a margin); spacer rows stand for the others. Row heights are measured as
  // rows are drawn (a row with a long label or an unfolded detail is taller).

  function createTable(trace, traceId, data) {
    var events = data.events;
    var wrap = trace.querySelector('.trace-wrap');
    var table = trace.querySelector('table.events');
    var body = table ? table.querySelector('tbody') : null;
    var head = table ? table.querySelector('thead') : null;
    var failingStepText = table ? table.getAttribute('data-failing-step') : null;
    var failingStep = failingStepText === null || failingStepText === '' ? NaN : Number(failingStepText);
    var names = new Map();
    data.nodes.forEach(function (node) { names.set(node.id, String(node.name)); });
    function nameOf(node) { return node >= 0 ? (names.has(node) ? names.get(node) : 'n' + node) : ''; }
    function timeText(time) { return typeof time === 'number' && !Number.isInteger(time) ? time.toFixed(2) : String(time); }

    var shownPositions = new Int32Array(events.length);
    var shownCount = events.length;
    for (var index = 0; index < events.length; index++) shownPositions[index] = index;
    var heights = new Float64Array(events.length);
    var estimate = 25;
    var offsets = new Float64Array(events.length + 1);
    var drawn = { first: 0, last: -1 };
    var rowsDrawn = new Map();
    var unfolded = new Set();
    var selected = -1;
    var texts = null;
    var frame = 0;
    var pendingScroll = -1;
    var forceNext = true;
    var topSpacer = spacer();
    var bottomSpacer = spacer();
    function spacer() {
      var row = document.createElement('tr');
      row.className = 'spacer';
      row.setAttribute('aria-hidden', 'true');
      var cell = html('td', '', undefined, row);
      cell.colSpan = 8;
      return row;
    }

    function computeOffsets() {
      var total = 0;
      for (var index = 0; index < shownCount; index++) {
        offsets[index] = total;
        var height = heights[shownPositions[index]];
        total += height > 0 ? height : estimate;
      }
      offsets[shownCount] = total;
    }
    computeOffsets();
    /** The shown row at y (from the first row's top), as an index into shownPositions. */
    function indexAt(y) {
      var low = 0;
      var high = shownCount;
      while (low < high) { var middle = (low + high) >> 1; if (offsets[middle + 1] <= y) low = middle + 1; else high = middle; }
      return Math.min(low, Math.max(0, shownCount - 1));
    }
    function shownIndexOf(position) {
      var low = 0;
      var high = shownCount;
      while (low < high) { var middle = (low + high) >> 1; if (shownPositions[middle] < position) low = middle + 1; else high = middle; }
      return low < shownCount && shownPositions[low] === position ? low : -1;
    }

    function buildRow(position) {
      var event = events[position];
      var row = document.createElement('tr');
      var classes = [];
      if (event.k === 'violation') classes.push('violation');
      else if (event.s === failingStep) classes.push('failing-step');
      if (position === selected) classes.push('selected');
      if (classes.length > 0) row.className = classes.join(' ');
      row.setAttribute('data-kind', String(event.k));
      row.setAttribute('data-node', String(event.n));
      row.setAttribute('data-peer', String(event.p));
      row.id = traceId + '-e' + event.i;
      row.setAttribute('data-position', String(position));
      html('td', 'num', String(event.i), row);
      html('td', 'num', timeText(event.t), row);
      html('td', '', event.n >= 0 ? nameOf(event.n) : '\u2014', row);
      html('td', '', nameOf(event.p), row);
      html('span', 'kind-label kind-' + String(event.k), String(event.k), html('td', '', undefined, row));
      html('td', '', String(event.l), row);
      var detailCell = html('td', 'detail', undefined, row);
      var detail = typeof event.f === 'string' ? event.f : typeof event.d === 'string' ? event.d : '';
      if (detail.length > detailFoldLength) {
        // Folded: the start of the detail; the whole text when unfolded.
        var fold = html('details', '', undefined, detailCell);
        html('code', '', detail.slice(0, detailFoldLength - 40) + '\u2026', html('summary', '', undefined, fold));
        html('code', '', detail, fold);
        if (unfolded.has(position)) fold.open = true;
        fold.addEventListener('toggle', function () {
          if (fold.open) unfolded.add(position); else unfolded.delete(position);
          if (measure()) place();
        });
      } else if (detail) {
        html('code', '', detail, detailCell);
      }
      html('td', '', typeof event.r === 'string' ? event.r : '', row);
      return row;
    }

    /** Records the drawn rows' heights; true when one differs from what the layout assumed. */
    function measure() {
      var changed = false;
      rowsDrawn.forEach(function (row, position) {
        var height = row.getBoundingClientRect().height;
        if (!(height > 0)) return;
        if (Math.abs(height - (heights[position] > 0 ? heights[position] : estimate)) > 0.5) changed = true;
        heights[position] = height;
      });
      if (changed) computeOffsets();
      return changed;
    }
    function place() {
      topSpacer.firstChild.style.height = offsets[drawn.first] + 'px';
      bottomSpacer.firstChild.style.height = Math.max(0, offsets[shownCount] - offsets[drawn.last + 1]) + 'px';
    }

    var marginRows = 40;
    var maximumRows = 400;
    /** Draws the rows near the box's visible part, unless they are drawn already (or when forced). */
    function render(force) {
      if (!body) return;
      var headHeight = head ? head.offsetHeight : 0;
      var viewHeight = wrap && wrap.clientHeight > 0 ? wrap.clientHeight : 600;
      var viewTop = wrap ? Math.max(0, wrap.scrollTop - headHeight) : 0;
      var first = indexAt(viewTop);
      var last = indexAt(viewTop + viewHeight);
      if (!force && shownCount > 0 && first >= drawn.first && last <= drawn.last && (first - drawn.first >= marginRows / 4 || drawn.first === 0) && (drawn.last - last >= marginRows / 4 || drawn.last === shownCount - 1)) return;
      draw(first, last);
    }
    /** Draws the shown rows first..last (indexes into shownPositions) and a margin around them. */
    function draw(first, last) {
      first = Math.max(0, first - marginRows);
      last = Math.min(shownCount - 1, Math.max(last + marginRows, first + 2 * marginRows));
      if (last - first + 1 > maximumRows) last = first + maximumRows - 1;
      var previous = rowsDrawn;
      rowsDrawn = new Map();
      var fragment = document.createDocumentFragment();
      fragment.appendChild(topSpacer);
      for (var index = first; index <= last; index++) {
        var position = shownPositions[index];
        var row = previous.get(position) || buildRow(position);
        rowsDrawn.set(position, row);
        fragment.appendChild(row);
      }
      fragment.appendChild(bottomSpacer);
      drawn = { first: first, last: last };
      clear(body);
      body.appendChild(fragment);
      if (measure()) {
        var measured = [];
        rowsDrawn.forEach(function (unused, position) { measured.push(heights[position]); });
        measured.sort(function (left, right) { return left - right; });
        if (measured.length > 0) estimate = measured[measured.length >> 1];
        computeOffsets();
      }
      place();
    }
    // The table is drawn, and scrolled to the selected row, in an animation frame: the page's
    // first layout happens there anyway, and stepping quickly through events draws once a frame.
    function schedule() {
      if (!frame) frame = requestAnimationFrame(update);
    }
    function update() {
      frame = 0;
      // A closed section or a hidden tab has no size: drawn once it has one.
      if (!body || !wrap || !(wrap.clientHeight > 0)) return;
      var force = forceNext;
      forceNext = false;
      if (pendingScroll >= 0) {
        var position = pendingScroll;
        pendingScroll = -1;
        if (scrollTo(position)) return;
      }
      render(force);
    }
    function targetTop(index) {
      var headHeight = head ? head.offsetHeight : 0;
      return Math.max(0, headHeight + offsets[index] + (heights[shownPositions[index]] || estimate) / 2 - (wrap.clientHeight + headHeight) / 2);
    }
    /** Scrolls the box so the event's row is in view (unless it is already) and draws it; false when it is not shown. */
    function scrollTo(position) {
      var index = shownIndexOf(position);
      if (index < 0) return false;
      var row = rowsDrawn.get(position);
      if (row && row.parentNode === body) {
        var headHeight = head ? head.offsetHeight : 0;
        var wrapBounds = wrap.getBoundingClientRect();
        var rowBounds = row.getBoundingClientRect();
        if (rowBounds.top >= wrapBounds.top + headHeight && rowBounds.bottom <= wrapBounds.bottom) return false;
      }
      // Drawn around it first (measuring the rows changes where it lies), then scrolled to.
      var rowsInView = Math.ceil(wrap.clientHeight / estimate);
      for (var attempt = 0; attempt < 3; attempt++) {
        draw(index - rowsInView, index + rowsInView);
        var wanted = targetTop(index);
        if (Math.abs(wrap.scrollTop - wanted) <= 1) break;
        wrap.scrollTop = wanted;
        // At the end of the table the box scrolls no further.
        if (Math.abs(wrap.scrollTop - wanted) > 1) break;
      }
      render(false);
      return true;
    }

    if (wrap) {
      wrap.addEventListener('scroll', schedule);
      if (typeof ResizeObserver === 'function') {
        var lastHeight = -1;
        new ResizeObserver(function () {
          if (wrap.clientHeight === lastHeight) return;
          lastHeight = wrap.clientHeight;
          forceNext = true;
          schedule();
        }).observe(wrap);
      }
    }
    schedule();

    return {
      /** Clicking a row selects its event. */
      onSelect: function (listener) {
        if (!body) return;
        body.addEventListener('click', function (event) {
          var row = event.target && event.target.closest ? event.target.closest('tr[data-position]') : null;
          // Unfolding a detail is not a selection.
          if (event.target && event.target.closest && event.target.closest('summary')) return;
          if (row) listener(Number(row.getAttribute('data-position')));
        });
      },
      select: function (position, scroll) {
        var before = rowsDrawn.get(selected);
        if (before) before.classList.remove('selected');
        selected = position;
        var row = rowsDrawn.get(position);
        if (row) row.classList.add('selected');
        if (scroll) { pendingScroll = position; schedule(); }
      },
      filter: function (passes) {
        shownCount = 0;
        for (var position = 0; position < events.length; position++) if (passes[position]) shownPositions[shownCount++] = position;
        computeOffsets();
        rowsDrawn = new Map();
        // Drawn now (what the filters show is read right after they change), then scrolled to
        // the selected event if it is shown.
        if (wrap && wrap.clientHeight > 0) {
          wrap.scrollTop = 0;
          render(true);
        } else {
          forceNext = true;
        }
        if (selected >= 0) pendingScroll = selected;
        schedule();
      },
      /** Whether every term is in the event's text, as its row shows it. */
      matches: function (position, terms) {
        if (texts === null) texts = new Array(events.length);
        var text = texts[position];
        if (text === undefined) {
          var event = events[position];
          text = [event.i, timeText(event.t), event.n >= 0 ? nameOf(event.n) : '\u2014', nameOf(event.p), event.k, event.l,
            typeof event.f === 'string' ? event.f : event.d || '', event.r || ''].join(' ').toLowerCase();
          texts[position] = text;
        }
        for (var index = 0; index < terms.length; index++) if (text.indexOf(terms[index]) === -1) return false;
        return true;
      },
      /** The position of the event with this trace index (a row's address ends with it), or -1. */
      positionOf: function (indexText) {
        if (!/^\d+$/.test(String(indexText))) return -1;
        var traceIndex = Number(indexText);
        var low = 0;
        var high = events.length;
        while (low < high) { var middle = (low + high) >> 1; if (events[middle].i < traceIndex) low = middle + 1; else high = middle; }
        return low < events.length && events[low].i === traceIndex ? low : -1;
      },
    };
  }

  // ------------------------------------------------------------------------------------------
  // One viewer: diagram, stepper and state panel over one trace's data.

  function createViewer(trace, traceId, data, table) {
    var events = data.events;
    var messages = Array.isArray(data.messages) ? data.messages : [];
    var bands = Array.isArray(data.bands) ? data.bands : [];
    var unit = data.timeUnit === 'step' ? 'step' : 'ms';
    var colours = new Map();
    (Array.isArray(data.messageTypes) ? data.messageTypes : []).forEach(function (entry) { colours.set(entry.type, Number(entry.colour) % 12); });
    var folder = new StateFolder(Array.isArray(data.states) ? data.states.slice().sort(function (left, right) { return left.index - right.index; }) : []);
    var violation = data.violation && typeof data.violation.position === 'number' && events[data.violation.position] ? data.violation : null;

    // Lanes: servers first, then clients after a gap.
    var lanes = new Map();
    var laneNodes = [];
    var boxElement = trace.querySelector('.diagram-box');
    // Lanes share the box's width (within bounds), so a few nodes are not crowded to the left.
    var available = boxElement && boxElement.clientWidth ? boxElement.clientWidth - layout.left - layout.right - 80 - (data.nodes.some(function (node) { return node.role === 'client'; }) ? layout.clientGap : 0) : 0;
    var laneWidth = Math.max(110, Math.min(230, data.nodes.length > 1 ? available / (data.nodes.length - 1) : 160));
    var x = layout.left;
    var sawClient = false;
    data.nodes.forEach(function (node) {
      if (node.role === 'client' && !sawClient) { sawClient = true; if (laneNodes.length > 0) x += layout.clientGap; }
      lanes.set(node.id, x);
      laneNodes.push(node);
      x += laneWidth;
    });
    var width = x - laneWidth + layout.right + 60;
    function laneX(node) { return lanes.has(node) ? lanes.get(node) : -1; }
    function nameOf(node) {
      for (var index = 0; index < laneNodes.length; index++) if (laneNodes[index].id === node) return laneNodes[index].name;
      return node >= 0 ? 'n' + node : '\u2014';
    }
    function colourOf(type) { return colours.has(type) ? colours.get(type) : 11; }

    // Time: y grows with time, every event at least a few pixels below the one before; a long
    // quiet stretch is shortened so a run's busy parts stay readable.
    var gaps = [];
    for (var index = 1; index < events.length; index++) {
      var gap = events[index].t - events[index - 1].t;
      if (gap > 0) gaps.push(gap);
    }
    gaps.sort(function (left, right) { return left - right; });
    var typicalGap = gaps.length > 0 ? gaps[gaps.length >> 1] : 1;
    // A search's time is its step: each step well apart from the next.
    var pixelsPerUnit = (unit === 'step' ? 3 : 1) * layout.typicalGap / typicalGap;
    var zoom = 1;
    var ys = new Float64Array(events.length);
    var height = 0;
    function computeLayout() {
      var y = layout.top;
      for (var index = 0; index < events.length; index++) {
        if (index > 0) {
          var elapsed = Math.max(0, events[index].t - events[index - 1].t);
          y += zoom * (layout.minimumGap + Math.min(pixelsPerUnit * elapsed, layout.idleGap));
        }
        ys[index] = y;
      }
      height = Math.ceil(y + layout.bottom + 20);
    }
    function firstAtOrBelow(y) {
      var low = 0;
      var high = events.length;
      while (low < high) { var middle = (low + high) >> 1; if (ys[middle] < y) low = middle + 1; else high = middle; }
      return low;
    }
    function yAtTime(time) {
      var low = 0;
      var high = events.length;
      while (low < high) { var middle = (low + high) >> 1; if (events[middle].t < time) low = middle + 1; else high = middle; }
      if (low >= events.length) return height - layout.bottom;
      return Math.max(layout.top - 8, ys[low] - 2.5 * Math.min(zoom, 1));
    }

    // Crashed stretches per node, from the crash and restart events.
    var downStretches = [];
    var downSince = new Map();
    events.forEach(function (event, position) {
      if (event.k === 'crash' && event.n >= 0 && !downSince.has(event.n)) downSince.set(event.n, position);
      if (event.k === 'restart' && event.n >= 0 && downSince.has(event.n)) {
        downStretches.push({ node: event.n, from: downSince.get(event.n), to: position });
        downSince.delete(event.n);
      }
    });
    downSince.forEach(function (from, node) { downStretches.push({ node: node, from: from, to: -1 }); });

    // The DOM: toolbar, lane header, scrolling diagram, details box, stepper, state panel.
    var pane = trace.querySelector('.diagram-pane');
    var toolbar = trace.querySelector('.diagram-toolbar');
    var header = trace.querySelector('.diagram-header');
    var box = trace.querySelector('.diagram-box');
    var statePanel = trace.querySelector('.state-panel');
    var slider = trace.querySelector('input.step-slider');
    var positionText = trace.querySelector('.stepper .position');
    var legend = toolbar ? toolbar.querySelector('.legend') : null;
    var details = html('div', 'message-details');
    details.hidden = true;
    if (pane) pane.appendChild(details);

    var diagram = svg('svg', { class: 'diagram', width: width, height: 100, role: 'img', 'aria-label': 'Space-time diagram: one lane per node, time downward, messages as arrows' });
    var backLayer = svg('g', { class: 'back' }, diagram);
    var laneLayer = svg('g', { class: 'lanes' }, diagram);
    var contentLayer = svg('g', { class: 'content' }, diagram);
    var violationLayer = svg('g', { class: 'violation-layer' }, diagram);
    var cursorLayer = svg('g', { class: 'cursor' }, diagram);
    if (box) box.appendChild(diagram);

    if (header) {
      var headerSvg = svg('svg', { width: width, height: 34, 'aria-hidden': 'true' }, header);
      laneNodes.forEach(function (node) {
        svg('text', { x: laneX(node.id), y: 15, 'text-anchor': 'middle' }, headerSvg).textContent = node.name;
        svg('text', { class: 'role', x: laneX(node.id), y: 29, 'text-anchor': 'middle' }, headerSvg).textContent = node.role;
      });
    }
    if (legend) {
      (Array.isArray(data.messageTypes) ? data.messageTypes : []).forEach(function (entry) {
        html('span', 'legend-item mt' + colourOf(entry.type), entry.type, legend);
      });
    }
    if (slider) {
      slider.min = '0';
      slider.max = String(Math.max(0, events.length - 1));
      slider.step = '1';
      slider.disabled = events.length === 0;
    }
    var violationButton = trace.querySelector('button[data-action=violation]');
    if (violationButton) violationButton.disabled = violation === null;

    var eventShown = new Uint8Array(events.length).fill(1);
    var messageShown = new Uint8Array(messages.length).fill(1);
    var selected = -1;
    var rendered = { top: 0, bottom: -1 };
    var frame = 0;

    // ---------------------------------------------------------------------------------------
    // Drawing

    function drawLanes() {
      clear(laneLayer);
      clear(backLayer);
      diagram.setAttribute('height', String(height));
      var bottom = height - layout.bottom;
      laneNodes.forEach(function (node) {
        var stretches = downStretches.filter(function (stretch) { return stretch.node === node.id; });
        var from = layout.top - 10;
        var laneX0 = laneX(node.id);
        var lane = svg('g', { class: 'lane', 'data-node': node.id }, laneLayer);
        stretches.forEach(function (stretch) {
          var downFrom = ys[stretch.from];
          var downTo = stretch.to < 0 ? bottom : ys[stretch.to];
          if (downFrom > from) svg('line', { class: 'lane-line', x1: laneX0, x2: laneX0, y1: round(from), y2: round(downFrom) }, lane);
          titled(svg('line', { class: 'crash-gap', x1: laneX0, x2: laneX0, y1: round(downFrom), y2: round(downTo) }, lane), node.name + ' down');
          from = downTo;
        });
        if (bottom > from) svg('line', { class: 'lane-line', x1: laneX0, x2: laneX0, y1: round(from), y2: round(bottom) }, lane);
      });
      bands.forEach(function (band) {
        var top = yAtTime(Number(band.startT));
        var end = band.endT === null || band.endT === undefined ? bottom : yAtTime(Number(band.endT));
        if (!(end > top)) end = top + 4;
        // A band of no nodes (a network change) covers every lane.
        var bandNodes = Array.isArray(band.nodes) && band.nodes.length > 0 ? band.nodes : laneNodes.map(function (node) { return node.id; });
        var xs = bandNodes.map(laneX).filter(function (value) { return value >= 0; }).sort(function (left, right) { return left - right; });
        if (xs.length === 0) return;
        // One rect per run of adjacent lanes.
        var runStart = xs[0];
        var previous = xs[0];
        var group = svg('g', { class: 'band-group ' + String(band.kind) }, backLayer);
        // Bands stay right of the time axis.
        var leftmost = layout.left - 34;
        function closeRun(last) {
          var left = Math.max(leftmost, runStart - laneWidth / 2 + 6);
          var right = last + laneWidth / 2 - 6;
          titled(svg('rect', { class: 'band ' + String(band.kind), x: round(left), y: round(top), width: round(right - left), height: round(end - top) }, group), String(band.label));
        }
        for (var index = 1; index < xs.length; index++) {
          if (xs[index] - previous > laneWidth + 1) { closeRun(previous); runStart = xs[index]; }
          previous = xs[index];
        }
        closeRun(previous);
        svg('text', { class: 'band-label', x: round(Math.max(leftmost, xs[0] - laneWidth / 2 + 6) + 4), y: round(top + 11) }, group).textContent = shorten(String(band.label), 60);
      });
      drawViolation();
    }

    function drawViolation() {
      clear(violationLayer);
      if (!violation) return;
      var y = ys[violation.position];
      var node = typeof violation.node === 'number' && lanes.has(violation.node) ? violation.node : events[violation.position].n;
      var mark = svg('g', { class: 'violation-mark', 'data-position': violation.position }, violationLayer);
      titled(mark, 'violation: ' + visible(violation.property) + '\n' + visible(violation.message));
      svg('line', { x1: layout.left - 30, x2: width - layout.right, y1: round(y), y2: round(y) }, mark);
      if (lanes.has(node)) svg('circle', { cx: laneX(node), cy: round(y), r: 6 }, mark);
      svg('text', { x: layout.left - 30, y: round(y - 5) }, mark).textContent = shorten('\u26a0 ' + visible(violation.property), 80);
    }

    function messageEnds(message) {
      var sendPosition = message.send;
      var endPosition = message.end;
      var fromX = laneX(message.from);
      var toX = laneX(message.to);
      var y1 = sendPosition >= 0 ? ys[sendPosition] : layout.top - 10;
      var y2 = endPosition >= 0 ? ys[endPosition] : height - layout.bottom;
      var stub = false;
      if (message.outcome === 'dropped' && sendPosition >= 0 && endPosition >= 0 && events[endPosition].s === events[sendPosition].s) {
        // Lost as it left: a short arrow toward the receiver, ending in a cross.
        stub = true;
        toX = fromX + (toX - fromX) * 0.3;
        y2 = y1 + Math.max(8, (y2 - y1));
      }
      return { fromX: fromX, toX: toX, y1: y1, y2: y2, stub: stub };
    }

    function drawMessage(index, layer) {
      var message = messages[index];
      var ends = messageEnds(message);
      if (ends.fromX < 0 || ends.toX < 0) return;
      var type = String(message.type);
      var position = message.send >= 0 ? message.send : message.end;
      var classes = 'message mt' + colourOf(type) + (message.outcome === 'dropped' ? ' dropped' : '') + (message.outcome === 'in flight' ? ' in-flight' : '') + (message.duplicate ? ' duplicate' : '');
      if (position === selected || message.end === selected) classes += ' selected';
      var group = svg('g', { class: classes, 'data-position': position, 'data-end': message.end, 'data-message': index, 'data-type': type }, layer);
      var text = type + ': ' + nameOf(message.from) + ' \u2192 ' + nameOf(message.to) + ' (' + message.outcome + (message.reason ? ', ' + visible(message.reason) : '') + ')';
      titled(group, text);
      var shape;
      if (message.outcome === 'local' || message.from === message.to) {
        var loopY2 = Math.max(ends.y2, ends.y1 + 8);
        shape = 'M' + round(ends.fromX) + ',' + round(ends.y1) + ' C' + round(ends.fromX + 28) + ',' + round(ends.y1) + ' ' + round(ends.fromX + 28) + ',' + round(loopY2) + ' ' + round(ends.fromX + 3) + ',' + round(loopY2);
        svg('path', { class: 'hit', d: shape }, group);
        svg('path', { class: 'arrow', d: shape }, group);
        svg('path', { class: 'head', d: arrowHead(ends.fromX + 28, loopY2, ends.fromX + 2, loopY2) }, group);
        return;
      }
      shape = { x1: round(ends.fromX), y1: round(ends.y1), x2: round(ends.toX), y2: round(ends.y2) };
      svg('line', { class: 'hit', x1: shape.x1, y1: shape.y1, x2: shape.x2, y2: shape.y2 }, group);
      svg('line', { class: 'arrow', x1: shape.x1, y1: shape.y1, x2: shape.x2, y2: shape.y2 }, group);
      if (message.outcome === 'dropped') {
        var cross = svg('path', { class: 'drop-mark', 'data-position': message.end, d: crossPath(ends.toX, ends.y2) }, group);
        titled(cross, 'dropped: ' + visible(message.reason || 'lost'));
      } else if (message.outcome !== 'in flight') {
        svg('path', { class: 'head', d: arrowHead(ends.fromX, ends.y1, ends.toX, ends.y2) }, group);
      }
      var length = Math.sqrt((ends.toX - ends.fromX) * (ends.toX - ends.fromX) + (ends.y2 - ends.y1) * (ends.y2 - ends.y1));
      if (length > 36 && !ends.stub) {
        var fraction = 0.5;
        var labelX = ends.fromX + (ends.toX - ends.fromX) * fraction;
        var labelY = ends.y1 + (ends.y2 - ends.y1) * fraction;
        svg('text', { class: 'message-label', x: round(labelX), y: round(labelY - 3), 'text-anchor': 'middle' }, group).textContent = shorten(type, 22);
      }
    }

    function arrowHead(x1, y1, x2, y2) {
      var angle = Math.atan2(y2 - y1, x2 - x1);
      var size = 7;
      var left = angle + Math.PI - 0.4;
      var right = angle + Math.PI + 0.4;
      return 'M' + round(x2) + ',' + round(y2) + 'L' + round(x2 + size * Math.cos(left)) + ',' + round(y2 + size * Math.sin(left)) + 'L' + round(x2 + size * Math.cos(right)) + ',' + round(y2 + size * Math.sin(right)) + 'Z';
    }
    function crossPath(x, y) {
      var size = 5;
      return 'M' + round(x - size) + ',' + round(y - size) + 'L' + round(x + size) + ',' + round(y + size) + 'M' + round(x - size) + ',' + round(y + size) + 'L' + round(x + size) + ',' + round(y - size);
    }

    function drawEvent(position, layer) {
      var event = events[position];
      var y = round(ys[position]);
      var x = laneX(event.n);
      var kind = event.k;
      var label = visible(String(event.l));
      var mark;
      switch (kind) {
        case 'timer-set':
        case 'timer-fire':
        case 'timer-cancel':
          if (x < 0) return;
          mark = svg('g', { class: 'timer-tick' + (kind === 'timer-cancel' ? ' cancel' : ''), 'data-position': position }, layer);
          if (kind === 'timer-fire') svg('path', { d: 'M' + (x - 9) + ',' + (y - 4) + 'L' + (x - 3) + ',' + y + 'L' + (x - 9) + ',' + (y + 4) + 'Z' }, mark);
          else svg('line', { x1: x - 10, x2: x - 2, y1: y, y2: y }, mark);
          titled(mark, kind + ' ' + label);
          return;
        case 'output':
          if (x < 0) return;
          mark = svg('g', { class: 'output-badge', 'data-position': position }, layer);
          var text = shorten(label, 16);
          svg('rect', { x: x + 4, y: y - 7, width: text.length * 6.2 + 8, height: 14, rx: 7 }, mark);
          svg('text', { x: x + 8, y: y + 3.5 }, mark).textContent = text;
          titled(mark, 'output ' + label + (event.d ? ' ' + event.d : ''));
          return;
        case 'duplicate':
          if (x < 0) return;
          mark = svg('g', { class: 'duplicate-mark mt' + colourOf(String(event.l)), 'data-position': position }, layer);
          svg('circle', { cx: x, cy: y, r: 6 }, mark);
          svg('text', { x: x, y: y + 3, 'text-anchor': 'middle' }, mark).textContent = '2';
          titled(mark, 'duplicated ' + label + ': one more copy will arrive');
          return;
        case 'fault':
          mark = svg('g', { class: 'fault', 'data-position': position }, layer);
          svg('line', { class: 'fault-line', x1: layout.left - 30, x2: width - layout.right, y1: y, y2: y }, mark);
          svg('text', { class: 'fault-label', x: width - layout.right, y: y - 3, 'text-anchor': 'end' }, mark).textContent = shorten(label, 60);
          titled(mark, 'fault: ' + label);
          return;
        case 'send':
        case 'deliver':
        case 'violation':
          return;
        case 'drop':
          if (typeof event.m === 'number' && messages[event.m]) return;
          if (x < 0) return;
          mark = svg('path', { class: 'drop-mark', 'data-position': position, d: crossPath(x, y) }, layer);
          titled(mark, 'dropped ' + label + ': ' + visible(event.r || 'lost'));
          return;
        default:
          if (x < 0) return;
          mark = svg('circle', { class: 'event-mark ' + kind, 'data-position': position, cx: x, cy: y, r: kind === 'crash' || kind === 'restart' ? 5 : 3 }, layer);
          titled(mark, kind + ' ' + label + (event.r ? ' (' + visible(event.r) + ')' : ''));
      }
    }

    function drawTimeAxis(first, last, layer) {
      var lastLabelY = -Infinity;
      var lastTime = null;
      for (var position = first; position <= last; position++) {
        var y = ys[position];
        var time = events[position].t;
        if (time === lastTime || y - lastLabelY < 44) continue;
        lastLabelY = y;
        lastTime = time;
        svg('line', { class: 'time-grid', x1: layout.left - 40, x2: layout.left - 24, y1: round(y), y2: round(y) }, layer);
        svg('text', { class: 'time-label', x: 4, y: round(y + 3.5) }, layer).textContent = unit === 'step' ? 'step ' + time : time + ' ms';
      }
    }

    function render(force) {
      if (!box) return;
      var top = box.scrollTop;
      var bottom = top + (box.clientHeight || 600);
      if (!force && top >= rendered.top + renderMargin / 3 && bottom <= rendered.bottom - renderMargin / 3) return;
      var from = Math.max(0, top - renderMargin);
      var to = bottom + renderMargin;
      rendered = { top: from === 0 ? -Infinity : from, bottom: to };
      var layer = svg('g', { class: 'content' });
      var first = firstAtOrBelow(from);
      var last = Math.min(events.length - 1, firstAtOrBelow(to));
      drawTimeAxis(first, last, layer);
      for (var position = first; position <= last; position++) if (eventShown[position]) drawEvent(position, layer);
      for (var index = 0; index < messages.length; index++) {
        if (!messageShown[index]) continue;
        var message = messages[index];
        var y1 = message.send >= 0 ? ys[message.send] : 0;
        var y2 = message.end >= 0 ? ys[message.end] : height;
        if (Math.max(y1, y2) < from || Math.min(y1, y2) > to) continue;
        drawMessage(index, layer);
      }
      diagram.replaceChild(layer, contentLayer);
      contentLayer = layer;
    }
    function scheduleRender() {
      if (frame) return;
      frame = requestAnimationFrame(function () { frame = 0; render(false); });
    }

    // ---------------------------------------------------------------------------------------
    // Selection and stepping

    function eventText(position) {
      var event = events[position];
      if (!event) return '';
      var arrow = event.p >= 0 ? (event.k === 'send' || event.k === 'duplicate' ? ' \u2192 ' : ' \u2190 ') + nameOf(event.p) : '';
      var when = unit === 'step' ? 'step ' + event.t : 't=' + event.t + ' ms';
      return '#' + event.i + '  ' + when + '  ' + (event.n >= 0 ? nameOf(event.n) : '\u2014') + arrow + '  ' + event.k + '  ' + visible(String(event.l)) +
        (event.d ? '  ' + visible(event.d) : '') + (event.r ? '  (' + visible(event.r) + ')' : '');
    }

    function select(position, options) {
      if (events.length === 0) return;
      options = options || {};
      position = Math.max(0, Math.min(events.length - 1, Math.floor(Number(position) || 0)));
      selected = position;
      table.select(position, options.scrollTable !== false);
      if (slider) slider.value = String(position);
      var event = events[position];
      if (positionText) positionText.textContent = 'event ' + (position + 1) + ' of ' + events.length + ' \u00b7 ' + (unit === 'step' ? 'step ' + event.t : event.t + ' ms');
      drawCursor();
      if (options.scrollDiagram !== false) scrollDiagramTo(ys[position]);
      render(false);
      markSelectedMessages();
      renderStates(position);
      if (options.focus && typeof trace.focus === 'function') trace.focus({ preventScroll: true });
      if (options.reveal && typeof trace.scrollIntoView === 'function') {
        var bounds = trace.getBoundingClientRect();
        if (bounds.top < 0 || bounds.top > window.innerHeight * 0.5) trace.scrollIntoView({ block: 'start' });
      }
    }

    function markSelectedMessages() {
      Array.prototype.forEach.call(contentLayer.querySelectorAll('g.message.selected'), function (group) { group.classList.remove('selected'); });
      Array.prototype.forEach.call(contentLayer.querySelectorAll('g.message[data-position="' + selected + '"], g.message[data-end="' + selected + '"]'), function (group) {
        group.classList.add('selected');
      });
    }

    function scrollDiagramTo(y) {
      if (!box) return;
      var viewHeight = box.clientHeight || 600;
      if (y < box.scrollTop + 30 || y > box.scrollTop + viewHeight - 30) box.scrollTop = Math.max(0, y - viewHeight / 2);
    }
    function drawCursor() {
      clear(cursorLayer);
      if (selected < 0) return;
      var y = round(ys[selected]);
      svg('line', { x1: layout.left - 30, x2: width - layout.right, y1: y, y2: y }, cursorLayer);
      var x = laneX(events[selected].n);
      if (x >= 0) svg('circle', { cx: x, cy: y, r: 8 }, cursorLayer);
    }

    function nextShown(from, step) {
      for (var position = from + step; position >= 0 && position < events.length; position += step) if (eventShown[position]) return position;
      return from;
    }
    function nextTime(from, step) {
      var time = events[from].t;
      var position = from;
      if (step > 0) {
        while (position < events.length && events[position].t <= time) position++;
        return position < events.length ? position : from;
      }
      while (position >= 0 && events[position].t >= time) position--;
      if (position < 0) return 0;
      var earlier = events[position].t;
      while (position > 0 && events[position - 1].t === earlier) position--;
      return position;
    }

    function act(action) {
      switch (action) {
        case 'first': select(0); return;
        case 'last': select(events.length - 1); return;
        case 'previous': select(nextShown(selected, -1)); return;
        case 'next': select(nextShown(selected, 1)); return;
        case 'previous-time': select(nextTime(selected, -1)); return;
        case 'next-time': select(nextTime(selected, 1)); return;
        case 'violation': if (violation) select(violation.position); return;
        case 'zoom-in': setZoom(zoom * 1.6); return;
        case 'zoom-out': setZoom(zoom / 1.6); return;
        case 'zoom-fit': {
          var natural = (height - layout.top - layout.bottom) / zoom;
          setZoom(natural > 0 ? ((box ? box.clientHeight : 600) - layout.top - layout.bottom - 30) / natural : 1);
          return;
        }
        case 'zoom-reset': setZoom(1); return;
        default:
      }
    }

    function setZoom(next, anchorY) {
      next = Math.max(minimumZoom, Math.min(maximumZoom, next));
      if (next === zoom || !box) return;
      var viewHeight = box.clientHeight || 600;
      var pointer = anchorY === undefined ? viewHeight / 2 : anchorY;
      var anchorPosition = Math.min(events.length - 1, firstAtOrBelow(box.scrollTop + pointer));
      var offset = anchorPosition >= 0 ? ys[anchorPosition] - box.scrollTop : 0;
      zoom = next;
      computeLayout();
      drawLanes();
      drawCursor();
      if (anchorPosition >= 0) box.scrollTop = Math.max(0, ys[anchorPosition] - offset);
      render(true);
    }

    // ---------------------------------------------------------------------------------------
    // The state panel

    function pathKey(path) { return path.join('.'); }
    var openPaths = new Map();

    // The panel's parts are made once; a node's section is drawn again only when its state or
    // what changed at the event differs (stepping through a long run changes one node at a time).
    var panelParts = null;
    function panel() {
      if (panelParts) return panelParts;
      var parts = { event: html('div', 'current-event', '', statePanel), sections: new Map(), drawn: new Map(), list: null };
      if (folder.changes.length === 0) html('p', 'muted', 'This trace records no node states.', statePanel);
      laneNodes.forEach(function (node) {
        var section = html('div', 'node-state', undefined, statePanel);
        section.setAttribute('data-node', String(node.id));
        parts.sections.set(node.id, section);
      });
      html('h4', '', 'Messages in flight', statePanel);
      parts.list = html('ul', 'in-flight', undefined, statePanel);
      panelParts = parts;
      return parts;
    }

    function renderNodeState(section, node, state, everSeen, paths) {
      clear(section);
      var title = html('h4', '', node.name + ' ', section);
      var fields = own(state, 'fields') ? state.fields : null;
      var down = fields === null;
      html('span', 'status' + (down && everSeen ? ' down' : ''), down ? (everSeen ? 'down' : 'no state yet') : node.role + (paths.length > 0 ? ' \u00b7 changed here' : ''), title);
      if (!down) {
        html('div', 'part', 'fields', section);
        var tree = html('div', 'state-tree', undefined, section);
        renderValue(tree, null, fields, ['fields'], node.id, paths, 0);
      }
      var storage = own(state, 'storage') ? state.storage : null;
      if (storage !== null && typeof storage === 'object' && Object.keys(storage).length > 0) {
        html('div', 'part', 'durable storage', section);
        var storageTree = html('div', 'state-tree', undefined, section);
        renderValue(storageTree, null, storage, ['storage'], node.id, paths, 0);
      }
    }

    function renderStates(position) {
      if (!statePanel) return;
      var parts = panel();
      var traceIndex = events[position].i;
      var states = folder.statesAt(traceIndex);
      var changed = folder.changesAt(traceIndex);
      parts.event.textContent = eventText(position);
      laneNodes.forEach(function (node) {
        var everSeen = states.has(node.id);
        var state = everSeen ? states.get(node.id) : null;
        var paths = changed.get(node.id) || [];
        var changedKey = JSON.stringify(paths);
        var drawn = parts.drawn.get(node.id);
        if (drawn && drawn.state === state && drawn.changedKey === changedKey) return;
        parts.drawn.set(node.id, { state: state, changedKey: changedKey });
        renderNodeState(parts.sections.get(node.id), node, state === null ? initialState() : state, everSeen, paths);
      });
      var list = parts.list;
      clear(list);
      var count = 0;
      for (var index = 0; index < messages.length; index++) {
        var message = messages[index];
        if (message.send > position || (message.end >= 0 && message.end <= position) || message.outcome === 'local') continue;
        count++;
        if (count > 100) continue;
        var item = html('li', 'mt' + colourOf(String(message.type)), undefined, list);
        item.setAttribute('data-message', String(index));
        html('span', 'type', String(message.type), item);
        var sendEvent = message.send >= 0 ? events[message.send] : null;
        item.appendChild(document.createTextNode(' ' + nameOf(message.from) + ' \u2192 ' + nameOf(message.to) + (message.duplicate ? ' (copy)' : '') + (sendEvent && sendEvent.d ? ' ' + shorten(visible(sendEvent.d), 160) : '')));
      }
      if (count === 0) html('li', 'muted', 'none', list);
      if (count > 100) html('li', 'muted', '\u2026 and ' + (count - 100) + ' more', list);
    }

    /** How a patch path relates to a field: the field changed (whole), or something inside it did. */
    function changeOf(path, changedPaths) {
      var result = '';
      for (var index = 0; index < changedPaths.length; index++) {
        var changedPath = changedPaths[index];
        var shared = 0;
        while (shared < changedPath.length && shared < path.length && changedPath[shared] === String(path[shared])) shared++;
        // The whole-state patch is the empty path: everything changed.
        if (shared === changedPath.length) return 'changed';
        if (shared === path.length) result = 'changed-inside';
      }
      return result;
    }

    function renderValue(parent, key, value, path, node, changedPaths, depth) {
      var change = changeOf(path, changedPaths);
      var container = value !== null && typeof value === 'object';
      var compact = container ? json(value) : '';
      if (key === null) {
        // The root of fields or storage: its entries, one per line.
        if (!container) { html('div', 'field', json(value), parent).setAttribute('data-path', pathKey(path)); return; }
        if (Object.keys(value).length === 0) { html('div', 'field muted', Array.isArray(value) ? '[] (empty)' : '{} (no fields)', parent); return; }
        renderEntries(parent, value, path, node, changedPaths, depth);
        return;
      }
      if (!container || compact.length <= 48) {
        var line = html('div', 'field' + (change === 'changed' || (change === 'changed-inside' && container) ? ' changed' : ''), undefined, parent);
        line.setAttribute('data-path', pathKey(path));
        html('span', 'key', visible(String(key)), line);
        line.appendChild(document.createTextNode(': '));
        html('span', 'value', container ? compact : json(value), line);
        return;
      }
      var fold = html('details', 'field' + (change ? ' ' + change : ''), undefined, parent);
      fold.setAttribute('data-path', pathKey(path));
      var remembered = openPaths.get(node + ':' + pathKey(path));
      fold.open = remembered !== undefined ? remembered : depth < 1 || change !== '' || (Array.isArray(value) ? value.length <= 8 : Object.keys(value).length <= 12);
      var summary = html('summary', '', undefined, fold);
      html('span', 'key', visible(String(key)), summary);
      html('span', 'muted', Array.isArray(value) ? ' [' + value.length + ']' : ' {' + Object.keys(value).length + '}', summary);
      summary.addEventListener('click', function () { openPaths.set(node + ':' + pathKey(path), !fold.open); });
      renderEntries(fold, value, path, node, changedPaths, depth + 1);
    }

    function renderEntries(parent, value, path, node, changedPaths, depth) {
      var keys = Array.isArray(value) ? value.map(function (unused, index) { return index; }) : Object.keys(value);
      keys.slice(0, childrenShown).forEach(function (key) {
        renderValue(parent, key, value[key], path.concat([String(key)]), node, changedPaths, depth);
      });
      if (keys.length > childrenShown) html('div', 'field muted', '\u2026 ' + (keys.length - childrenShown) + ' more', parent);
    }

    // ---------------------------------------------------------------------------------------
    // Filters from the table's controls

    function filter(passes) {
      eventShown.set(passes);
      messages.forEach(function (message, index) {
        messageShown[index] = (message.send >= 0 && eventShown[message.send]) || (message.end >= 0 && eventShown[message.end]) ? 1 : 0;
      });
      render(true);
    }

    // ---------------------------------------------------------------------------------------
    // Input: buttons, slider, keys, clicks, hover, wheel and drag

    trace.querySelectorAll('button[data-action]').forEach(function (button) {
      button.addEventListener('click', function () { act(button.getAttribute('data-action')); });
    });
    if (slider) slider.addEventListener('input', function () { select(Number(slider.value), { scrollTable: true }); });

    trace.addEventListener('keydown', function (event) {
      var target = event.target;
      var tag = target && target.tagName ? target.tagName : '';
      if (tag === 'SELECT' || tag === 'TEXTAREA' || (tag === 'INPUT' && target.type !== 'checkbox')) return;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var action = '';
      if (event.key === 'ArrowRight') action = event.shiftKey ? 'next-time' : 'next';
      else if (event.key === 'ArrowLeft') action = event.shiftKey ? 'previous-time' : 'previous';
      else if (event.key === 'Home') action = 'first';
      else if (event.key === 'End') action = 'last';
      else if (event.key === 'v' || event.key === 'V') action = 'violation';
      else if (event.key === '+' || event.key === '=') action = 'zoom-in';
      else if (event.key === '-') action = 'zoom-out';
      if (!action) return;
      event.preventDefault();
      act(action);
    });

    table.onSelect(function (position) { select(position, { scrollTable: false }); });

    var drag = null;
    var suppressClick = false;
    if (box) {
      box.addEventListener('scroll', function () {
        if (header) header.scrollLeft = box.scrollLeft;
        details.hidden = true;
        scheduleRender();
      });
      box.addEventListener('wheel', function (event) {
        if (!event.ctrlKey && !event.metaKey) return;
        event.preventDefault();
        var bounds = box.getBoundingClientRect();
        setZoom(zoom * (event.deltaY < 0 ? 1.25 : 0.8), event.clientY - bounds.top);
      }, { passive: false });
      box.addEventListener('pointerdown', function (event) {
        if (event.button !== 0) return;
        drag = { x: event.clientX, y: event.clientY, left: box.scrollLeft, top: box.scrollTop, moved: false };
      });
      window.addEventListener('pointermove', function (event) {
        if (!drag) return;
        var dx = event.clientX - drag.x;
        var dy = event.clientY - drag.y;
        if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
        drag.moved = true;
        box.classList.add('dragging');
        box.scrollLeft = drag.left - dx;
        box.scrollTop = drag.top - dy;
      });
      window.addEventListener('pointerup', function () {
        if (!drag) return;
        suppressClick = drag.moved;
        drag = null;
        box.classList.remove('dragging');
      });
      diagram.addEventListener('click', function (event) {
        if (suppressClick) { suppressClick = false; return; }
        var target = event.target && event.target.closest ? event.target.closest('[data-position]') : null;
        if (target) select(Number(target.getAttribute('data-position')), { scrollDiagram: false });
      });
      diagram.addEventListener('pointerover', function (event) {
        var target = event.target && event.target.closest ? event.target.closest('.message') : null;
        if (!target || drag) { details.hidden = true; return; }
        var message = messages[Number(target.getAttribute('data-message'))];
        if (!message) return;
        var lines = [String(message.type) + '  ' + nameOf(message.from) + ' \u2192 ' + nameOf(message.to) + '  ' + message.outcome + (message.reason ? ' (' + visible(message.reason) + ')' : '') + (message.duplicate ? ', a duplicate copy' : '')];
        if (message.send >= 0) lines.push(eventText(message.send));
        if (message.end >= 0) lines.push(eventText(message.end));
        details.textContent = lines.join('\n');
        var paneBounds = pane.getBoundingClientRect();
        details.style.left = Math.max(0, Math.min(event.clientX - paneBounds.left + 14, paneBounds.width - 430)) + 'px';
        details.style.top = (event.clientY - paneBounds.top + 14) + 'px';
        details.hidden = false;
      });
      diagram.addEventListener('pointerout', function (event) {
        var related = event.relatedTarget;
        if (!related || !related.closest || !related.closest('.message')) details.hidden = true;
      });
    }

    return {
      filter: filter,
      select: select,
      start: function () {
        computeLayout();
        // A short run fills the box rather than sitting in its top corner.
        var boxHeight = box ? box.clientHeight : 0;
        if (boxHeight > 0 && height < boxHeight * 0.7) {
          zoom = Math.min(4, Math.max(1, (boxHeight - layout.top - layout.bottom - 40) / Math.max(1, height - layout.top - layout.bottom)));
          computeLayout();
        }
        drawLanes();
        var first = violation ? violation.position : 0;
        // Scrolled first, so the diagram is drawn once.
        if (box && violation) box.scrollTop = Math.max(0, ys[violation.position] - (box.clientHeight || 600) / 2);
        select(first);
      },
    };
  }
})();
`;
