/*
 * The oplog viewer page: plain script, no build step, no request to any
 * origin but this one. Everything the API returns is untrusted log data:
 * it is rendered with textContent and never parsed as HTML.
 *
 * Routes (location.hash):
 *
 *   #/?integration=&connection=&kind=&state=&period=&q=   the operations
 *   #/op/{id}?min_severity=&q=                             one operation
 *
 * Stable selectors, for people and for browser tests:
 *
 *   body[data-view]            "list" or "detail", once the view is shown
 *   body[data-busy]            present while an API request runs
 *   #status                    "Loading…" while an API request runs
 *   #error                     the last API error (hidden when none)
 *   #token-form                shown when the API asks for the access
 *                              token (Options.Token): #token-input,
 *                              #token-submit; #token-refused shown when
 *                              the token given was refused
 *
 *   #list                      the list view
 *   #filters                   its filter form
 *   #filter-integration, #filter-connection, #filter-kind
 *                              selects filled from /api/facets
 *   #filter-state              select: success, failed, timeout, …
 *   #filter-period             select: 15m, 1h, 24h, 7d, "" (all time)
 *   #search, #search-button    search text, sent with Enter or the button
 *   #operations                the table body; one tr.operation[data-id]
 *                              per operation, which opens it when clicked
 *     td.start td.kind td.integration td.connection td.state td.duration
 *     td.messages td.error     its cells; td.kind holds a link (a.op-link)
 *     .badge.state-{state}     the state badge (also in the detail header)
 *   #operations-empty          shown when no operation matches
 *   #load-more                 shown while there is a next page
 *
 *   #detail[data-id]           the detail view of one operation
 *   #back                      link back to the list, filters kept
 *   #operation-header          .op-kind, .op-state, .op-error and
 *                              dd[data-field=id|start|end|duration|
 *                              time_clamped|integration|connection|…|
 *                              trace]
 *   #trace-link                link to the trace, when Options.TraceURL
 *                              is set; otherwise #trace-id, the id as text
 *   #message-filters           its form
 *   #filter-severity           select: "", trace, debug, info, warn, …
 *   #message-search, #message-search-button
 *   #messages                  one .message[data-seq] per message in
 *                              order; .message.http for HTTP messages
 *     .message-time .message-time-clamped (a time the store clamped)
 *     .message-severity.sev-{trace|debug|info|warn|error|
 *     fatal|unset} .message-event .message-type .message-body
 *     .http-method .http-url .http-status .http-duration
 *     .http-request-headers .http-response-headers   (details elements)
 *     .attributes              details element holding the .tree
 *   #messages-empty            shown when no message matches
 *   #messages-prev, #messages-next   paging buttons (disabled at the ends)
 */
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);

  const STATES = ['success', 'failed', 'timeout', 'cancelled', 'running', 'waiting'];
  const PERIODS = { '15m': 15 * 60e3, '1h': 3600e3, '24h': 24 * 3600e3, '7d': 7 * 24 * 3600e3 };
  const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const traceURL = (document.querySelector('meta[name="oplog-trace-url"]') || {}).content || '';

  // ---- DOM helpers -------------------------------------------------------

  // el builds an element. props: className, text, title, href, and
  // data-* names; children: nodes or strings (added as text).
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'className') e.className = v;
      else if (k.startsWith('data-') || k === 'id' || k === 'href' || k === 'title' ||
               k === 'target' || k === 'rel' || k === 'tabindex') e.setAttribute(k, String(v));
      else throw new Error('el: unknown property ' + k);
    }
    for (const c of children) {
      if (c !== undefined && c !== null && c !== false) e.append(c);
    }
    return e;
  }

  function setBusy(delta) {
    setBusy.n = (setBusy.n || 0) + delta;
    const busy = setBusy.n > 0;
    $('status').textContent = busy ? 'Loading…' : '';
    document.body.toggleAttribute('data-busy', busy);
  }

  function showError(err) {
    $('error').textContent = err && err.message ? err.message : String(err);
    $('error').hidden = false;
  }

  function clearError() {
    $('error').hidden = true;
    $('error').textContent = '';
  }

  // ---- API ---------------------------------------------------------------

  class APIError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  // ---- access token ------------------------------------------------------

  // The viewer's access token, when it requires one (Options.Token): asked
  // for on the first 401, kept for the tab in sessionStorage, sent as
  // Authorization: Bearer. Never put in an address or in the page.
  const TOKEN_KEY = 'oplog-viewer-token';
  let memoryToken = '';

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return memoryToken; // storage disabled: kept in the page only
    }
  }

  function storeToken(t) {
    memoryToken = t;
    try {
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // storage disabled: memoryToken holds it
    }
  }

  // askToken shows the token form and resolves with what is entered.
  // Concurrent requests that got a 401 share one form.
  let tokenAsked = null;
  function askToken(refused) {
    if (!tokenAsked) {
      tokenAsked = new Promise((resolve) => {
        const form = $('token-form');
        const input = $('token-input');
        $('token-refused').hidden = !refused;
        input.value = '';
        form.hidden = false;
        input.focus();
        form.onsubmit = (e) => {
          e.preventDefault();
          const t = input.value.trim();
          if (!t) return;
          input.value = '';
          form.hidden = true;
          form.onsubmit = null;
          storeToken(t);
          tokenAsked = null;
          resolve(t);
        };
      });
    }
    return tokenAsked;
  }

  // api gets a JSON document from the viewer's API; empty parameters are
  // left out. The address is relative so the page works under a prefix.
  async function api(path, params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v) qs.set(k, v);
    }
    const url = 'api/' + path + (qs.toString() ? '?' + qs : '');
    setBusy(1);
    try {
      let resp;
      for (;;) {
        const token = storedToken();
        const headers = { Accept: 'application/json' };
        if (token) headers.Authorization = 'Bearer ' + token;
        try {
          resp = await fetch(url, { headers });
        } catch (e) {
          throw new APIError('Cannot reach the server: ' + e.message, 0);
        }
        if (resp.status !== 401) break;
        // Forget a refused token (unless another request replaced it
        // meanwhile), and ask.
        if (token && storedToken() === token) storeToken('');
        if (!storedToken()) {
          setBusy(-1);
          try {
            await askToken(Boolean(token));
          } finally {
            setBusy(1);
          }
        }
      }
      let body = null;
      try {
        body = await resp.json();
      } catch (e) {
        // Not JSON: reported by status below.
      }
      if (!resp.ok) {
        throw new APIError((body && body.error) || resp.status + ' ' + resp.statusText, resp.status);
      }
      return body;
    } finally {
      setBusy(-1);
    }
  }

  // ---- formatting --------------------------------------------------------

  const pad = (n, w) => String(n).padStart(w || 2, '0');

  // parseTime reads an RFC 3339 time; JavaScript dates keep milliseconds
  // only, so longer fractions are cut first.
  function parseTime(s) {
    if (!s) return null;
    const d = new Date(String(s).replace(/(\.\d{3})\d+/, '$1'));
    return isNaN(d) ? null : d;
  }

  function formatDateTime(s) {
    const d = parseTime(s);
    if (!d) return '';
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function formatClock(s) {
    const d = parseTime(s);
    if (!d) return '';
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' +
      pad(d.getMilliseconds(), 3);
  }

  function formatDuration(ms) {
    if (ms === undefined || ms === null || isNaN(ms)) return '';
    if (ms < 1000) return (Number.isInteger(ms) ? ms : ms.toFixed(1)) + ' ms';
    if (ms < 60e3) return (ms / 1000).toFixed(ms < 10e3 ? 2 : 1) + ' s';
    const s = Math.round(ms / 1000);
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  }

  // operationDuration is empty for an operation that has not ended.
  function operationDuration(op) {
    if (!op.end && (op.state === 'running' || op.state === 'waiting')) return '';
    return formatDuration(op.duration_ms);
  }

  const kindOf = (op) => (op.action ? op.type + ':' + op.action : op.type || '');

  function stateBadge(state, extraClass) {
    const known = STATES.includes(state) ? state : 'unknown';
    return el('span', { className: 'badge state-' + known + (extraClass ? ' ' + extraClass : ''), text: state || '?' });
  }

  // severityCategory is the lower-case name of a severity number's
  // category (1–4 trace … 21–24 fatal), or "unset".
  function severityCategory(n) {
    if (!(n >= 1 && n <= 24)) return 'unset';
    return SEVERITY_NAMES[Math.floor((n - 1) / 4)].toLowerCase();
  }

  function severityName(n) {
    if (!(n >= 1 && n <= 24)) return '—';
    const step = (n - 1) % 4;
    return SEVERITY_NAMES[Math.floor((n - 1) / 4)] + (step ? step + 1 : '');
  }

  // ---- values and trees --------------------------------------------------

  // fromAnyValue turns an OTLP/JSON AnyValue into a plain value: objects
  // become Maps (their keys are data, so never object properties), arrays
  // stay arrays. An empty AnyValue is null.
  function fromAnyValue(v) {
    if (v === null || typeof v !== 'object') return v === undefined ? null : v;
    if ('stringValue' in v) return v.stringValue;
    if ('boolValue' in v) return v.boolValue;
    if ('intValue' in v) {
      const n = Number(v.intValue);
      return Number.isSafeInteger(n) ? n : String(v.intValue);
    }
    if ('doubleValue' in v) return v.doubleValue;
    if ('bytesValue' in v) return v.bytesValue;
    if ('arrayValue' in v) return ((v.arrayValue && v.arrayValue.values) || []).map(fromAnyValue);
    if ('kvlistValue' in v) {
      const m = new Map();
      for (const kv of (v.kvlistValue && v.kvlistValue.values) || []) m.set(kv.key, fromAnyValue(kv.value));
      return m;
    }
    return null;
  }

  // entriesOf lists the children of a composite value, or returns null
  // for a scalar.
  function entriesOf(v) {
    if (v instanceof Map) return Array.from(v.entries());
    if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
    if (v !== null && typeof v === 'object') return Object.entries(v);
    return null;
  }

  function scalar(v) {
    const type = v === null ? 'null' : typeof v;
    return el('span', { className: 'tree-value type-' + type, text: v === null ? 'null' : String(v) });
  }

  // treeItem renders one key and its value; composite values are
  // collapsible, open near the top when small.
  function treeItem(key, value, depth) {
    const entries = entriesOf(value);
    const keyEl = el('span', { className: 'tree-key', text: key });
    if (!entries) return el('li', { className: 'tree-leaf' }, keyEl, el('span', { className: 'tree-sep', text: ': ' }), scalar(value));
    const size = Array.isArray(value) ? '[' + entries.length + ']' : '{' + entries.length + '}';
    const details = el('details', { className: 'tree-node' },
      el('summary', null, keyEl, el('span', { className: 'tree-meta', text: ' ' + size })),
      treeList(entries, depth + 1));
    details.open = depth < 1 && entries.length <= 20;
    return el('li', null, details);
  }

  function treeList(entries, depth) {
    const ul = el('ul', { className: 'tree' });
    for (const [k, v] of entries) ul.append(treeItem(k, v, depth));
    return ul;
  }

  // ---- routing -----------------------------------------------------------

  // parseRoute reads location.hash: {view, id, params}.
  function parseRoute() {
    let h = location.hash.replace(/^#/, '');
    if (!h.startsWith('/')) h = '/' + h;
    const q = h.indexOf('?');
    const path = q < 0 ? h : h.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
    const m = path.match(/^\/op\/(.+)$/);
    if (m) {
      try {
        return { view: 'detail', id: decodeURIComponent(m[1]), params };
      } catch (e) {
        return { view: 'detail', id: m[1], params };
      }
    }
    return { view: 'list', params };
  }

  function hashFor(path, values) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(values || {})) {
      if (v) qs.set(k, v);
    }
    const s = qs.toString();
    return '#' + path + (s ? '?' + s : '');
  }

  const detailHash = (id, values) => hashFor('/op/' + encodeURIComponent(id), values);

  // navigate goes to hash; the same hash again reloads its data, which is
  // how a repeated search refreshes.
  function navigate(hash) {
    if (location.hash === hash) route(true);
    else location.hash = hash;
  }

  function route(refresh) {
    clearError();
    const r = parseRoute();
    document.body.dataset.view = r.view;
    if (r.view === 'detail') {
      if (!$('list').hidden) list.scrollY = window.scrollY;
      $('list').hidden = true;
      $('detail').hidden = false;
      showDetail(r.id, r.params, refresh);
    } else {
      $('detail').hidden = true;
      $('list').hidden = false;
      showList(r.params, refresh);
    }
  }

  // ---- the operations list -----------------------------------------------

  const list = {
    key: null, // the hash the rows were loaded for
    filter: null, // the API parameters of the first page, reused by "Load more"
    next: '',
    gen: 0, // the latest request; older answers are dropped
    scrollY: 0,
  };

  const LIST_FIELDS = ['integration', 'connection', 'kind', 'state', 'period', 'q'];
  const listInputs = () => ({
    integration: $('filter-integration'),
    connection: $('filter-connection'),
    kind: $('filter-kind'),
    state: $('filter-state'),
    period: $('filter-period'),
    q: $('search'),
  });

  function listValues() {
    const values = {};
    for (const [k, input] of Object.entries(listInputs())) values[k] = input.value.trim();
    return values;
  }

  function showList(params, refresh) {
    const inputs = listInputs();
    for (const k of LIST_FIELDS) setValue(inputs[k], params.get(k) || '');
    document.title = 'Operations · oplog';
    loadFacets();
    const key = location.hash || '#/';
    if (!refresh && key === list.key) {
      window.scrollTo(0, list.scrollY);
      return;
    }
    list.key = key;
    const f = {};
    for (const k of ['integration', 'connection', 'kind', 'state', 'q']) f[k] = params.get(k) || '';
    const period = PERIODS[params.get('period')];
    if (period) f.since = new Date(Date.now() - period).toISOString();
    list.filter = f;
    loadOperations(false);
  }

  // setValue selects value in an input, adding it to a select that lacks
  // it (a value from a link, or facets not loaded yet).
  function setValue(input, value) {
    if (input.tagName === 'SELECT' && value && !Array.from(input.options).some((o) => o.value === value)) {
      input.append(el('option', { text: value }));
    }
    input.value = value;
  }

  async function loadFacets() {
    let facets;
    try {
      facets = await api('facets');
    } catch (e) {
      showError(e);
      return;
    }
    const inputs = listInputs();
    fillSelect(inputs.integration, facets.integrations);
    fillSelect(inputs.connection, facets.connections);
    fillSelect(inputs.kind, facets.kinds);
  }

  // fillSelect replaces the options after "All", keeping the selection.
  function fillSelect(select, values) {
    const current = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const v of values || []) select.append(el('option', { text: v }));
    setValue(select, current);
  }

  async function loadOperations(more) {
    const gen = ++list.gen;
    const params = Object.assign({}, list.filter, more ? { cursor: list.next } : {});
    const button = $('load-more');
    button.disabled = true;
    let page;
    try {
      page = await api('operations', params);
    } catch (e) {
      if (gen !== list.gen) return;
      showError(e);
      button.disabled = false;
      if (!more) {
        // Rows of other filters would pass for this one's.
        $('operations').replaceChildren();
        button.hidden = true;
        list.key = null;
      }
      return;
    }
    if (gen !== list.gen) return;
    const body = $('operations');
    if (!more) body.replaceChildren();
    for (const op of page.operations || []) body.append(operationRow(op));
    list.next = page.next || '';
    button.hidden = !list.next;
    button.disabled = false;
    $('operations-empty').hidden = body.rows.length > 0;
  }

  function cell(name, text, title) {
    return el('td', { className: name, text: text, title: title || undefined });
  }

  function operationRow(op) {
    const tr = el('tr', { className: 'operation', 'data-id': op.id, tabindex: 0 });
    const errorText = op.error_message || op.error_type || '';
    tr.append(
      cell('start', formatDateTime(op.start), op.start),
      el('td', { className: 'kind' }, el('a', { className: 'op-link', href: detailHash(op.id), text: kindOf(op) || op.id })),
      cell('integration', op.integration || ''),
      cell('connection', op.connection || ''),
      el('td', { className: 'state' }, stateBadge(op.state)),
      cell('duration num', operationDuration(op)),
      cell('messages num', String(op.messages || 0)),
      cell('error', errorText, op.error_type ? op.error_type + ': ' + (op.error_message || '') : errorText),
    );
    return tr;
  }

  function openRow(event) {
    const tr = event.target.closest('tr.operation');
    if (!tr || event.target.closest('a')) return; // links navigate themselves
    if (event.type === 'keydown' && event.key !== 'Enter') return;
    navigate(detailHash(tr.dataset.id));
  }

  // ---- one operation -----------------------------------------------------

  const detail = {
    id: null,
    gen: 0, // the latest operation request
    msgGen: 0, // the latest messages request
    filter: null,
    next: '',
    prev: '',
  };

  function showDetail(id, params, refresh) {
    $('detail').dataset.id = id;
    setValue($('filter-severity'), params.get('min_severity') || '');
    $('message-search').value = params.get('q') || '';
    if (id !== detail.id) {
      window.scrollTo(0, 0);
      $('messages').replaceChildren();
    }
    if (refresh || id !== detail.id) {
      detail.id = id;
      document.title = 'Operation · oplog';
      loadOperation(id);
    }
    detail.filter = { min_severity: params.get('min_severity') || '', q: params.get('q') || '' };
    loadMessages('');
  }

  async function loadOperation(id) {
    const gen = ++detail.gen;
    const header = $('operation-header');
    header.replaceChildren();
    let op;
    try {
      op = await api('operations/' + encodeURIComponent(id));
    } catch (e) {
      if (gen !== detail.gen) return;
      if (e.status === 404) header.append(el('p', { className: 'empty', text: 'No operation ' + id + '.' }));
      else showError(e);
      return;
    }
    if (gen !== detail.gen) return;
    header.replaceChildren(...operationHeader(op));
    document.title = kindOf(op) + ' ' + op.state + ' · oplog';
  }

  // The references of an operation, in the order shown.
  const REFS = [
    ['integration', 'Integration'], ['connection', 'Connection'], ['provider', 'Provider'],
    ['sync', 'Sync'], ['function', 'Function'], ['job', 'Job'], ['end_user', 'End user'],
    ['account', 'Account'], ['environment', 'Environment'],
  ];

  function operationHeader(op) {
    const title = el('h1', null,
      el('span', { className: 'op-kind', text: kindOf(op) }), ' ',
      stateBadge(op.state, 'op-state'));
    const dl = el('dl', { className: 'op-fields' });
    const field = (name, label, value) => {
      if (value === '' || value === undefined || value === null) return;
      dl.append(el('div', null, el('dt', { text: label }),
        value instanceof Node ? el('dd', { 'data-field': name }, value) : el('dd', { 'data-field': name, text: String(value) })));
    };
    field('start', 'Start', formatDateTime(op.start));
    field('end', 'End', formatDateTime(op.end));
    field('duration', 'Duration', operationDuration(op));
    if (op.time_clamped) field('time_clamped', 'Times', 'out of range (before 1677 or after 2262): clamped');
    field('messages', 'Messages', String(op.messages || 0));
    for (const [k, label] of REFS) field(k, label, op[k]);
    field('id', 'Operation id', el('code', { text: op.id }));
    if (op.trace_id) field('trace', 'Trace', traceLink(op.trace_id));
    const parts = [title, dl];
    if (op.error_type || op.error_message) {
      parts.push(el('div', { className: 'op-error' },
        op.error_type ? el('span', { className: 'op-error-type', text: op.error_type }) : null,
        op.error_message ? el('span', { className: 'op-error-message', text: op.error_message }) : null));
    }
    return parts;
  }

  // traceLink links to the trace when a trace address is configured and
  // gives an http(s) address; otherwise it shows the id.
  function traceLink(traceID) {
    if (traceURL) {
      const href = traceURL.split('{trace_id}').join(encodeURIComponent(traceID));
      let url = null;
      try {
        url = new URL(href, location.href);
      } catch (e) {
        // Not an address: shown as text below.
      }
      if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
        return el('a', { id: 'trace-link', href: url.href, target: '_blank', rel: 'noopener noreferrer', text: traceID });
      }
    }
    return el('code', { id: 'trace-id', text: traceID });
  }

  async function loadMessages(cursor) {
    const gen = ++detail.msgGen;
    const params = Object.assign({}, detail.filter, { cursor });
    let page;
    try {
      page = await api('operations/' + encodeURIComponent(detail.id) + '/messages', params);
    } catch (e) {
      if (gen === detail.msgGen && e.status !== 404) showError(e);
      return;
    }
    if (gen !== detail.msgGen) return;
    const box = $('messages');
    box.replaceChildren(...(page.messages || []).map(messageEl));
    detail.next = page.next || '';
    detail.prev = page.prev || '';
    $('messages-next').disabled = !detail.next;
    $('messages-prev').disabled = !detail.prev;
    $('messages-empty').hidden = box.children.length > 0;
    if (cursor) box.scrollIntoView({ block: 'start' });
  }

  function messageEl(m) {
    const isHTTP = m.type === 'http';
    const cat = severityCategory(m.severity);
    const head = el('div', { className: 'message-head' },
      el('span', { className: 'message-time', text: formatClock(m.time), title: m.time }),
      m.original_time ? el('span', { className: 'message-time-clamped', text: 'logged at ' + m.original_time,
        title: 'outside the times the store holds: shown and sorted at ' + m.time }) : null,
      el('span', { className: 'message-severity sev-' + cat, text: m.severity_text || severityName(m.severity), title: 'severity ' + m.severity }),
      m.event_name ? el('span', { className: 'message-event', text: m.event_name }) : null,
      m.type && m.type !== 'log' ? el('span', { className: 'message-type', text: m.type }) : null,
      m.source === 'user' ? el('span', { className: 'message-source', text: 'user' }) : null);
    const div = el('div', { className: 'message sev-row-' + cat + (isHTTP ? ' http' : ''), 'data-seq': m.seq }, head);
    const body = fromAnyValue(m.body);
    const bodyEntries = entriesOf(body);
    if (bodyEntries) div.append(el('div', { className: 'message-body' }, treeList(bodyEntries, 0)));
    else if (body !== null && body !== '') div.append(el('pre', { className: 'message-body', text: String(body) }));
    if (m.http) div.append(httpEl(m.http));
    const attrs = entriesOf(m.attributes);
    if (attrs && attrs.length) {
      div.append(el('details', { className: 'attributes' },
        el('summary', { text: 'Attributes (' + attrs.length + ')' }),
        treeList(attrs, 1)));
    }
    return div;
  }

  function statusClass(status) {
    if (!status) return 'status-none';
    return 'status-' + Math.floor(status / 100) + 'xx';
  }

  function httpEl(h) {
    const box = el('div', { className: 'http-box' },
      el('div', { className: 'http-line' },
        el('span', { className: 'http-method', text: h.method || '' }),
        el('span', { className: 'http-url', text: h.url || '' }),
        el('span', { className: 'http-status ' + statusClass(h.status), text: h.status ? String(h.status) : 'no response' }),
        el('span', { className: 'http-duration', text: formatDuration(h.duration_ms) })));
    box.append(headersEl('http-request-headers', 'Request headers', h.request_headers));
    box.append(headersEl('http-response-headers', 'Response headers', h.response_headers));
    return box;
  }

  function headersEl(className, label, headers) {
    const names = Object.keys(headers || {}).sort();
    const table = el('table', { className: 'headers' });
    for (const name of names) {
      for (const value of headers[name] || []) {
        table.append(el('tr', null, el('th', { text: name }), el('td', { text: value })));
      }
    }
    return el('details', { className: className },
      el('summary', { text: label + ' (' + names.length + ')' }),
      names.length ? table : el('p', { className: 'empty', text: 'None logged.' }));
  }

  // ---- wiring ------------------------------------------------------------

  function init() {
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      navigate(hashFor('/', listValues()));
    });
    for (const input of Object.values(listInputs())) {
      if (input.tagName === 'SELECT') input.addEventListener('change', () => navigate(hashFor('/', listValues())));
    }
    $('load-more').addEventListener('click', () => loadOperations(true));
    $('operations').addEventListener('click', openRow);
    $('operations').addEventListener('keydown', openRow);

    const messageFilter = () => navigate(detailHash(detail.id, {
      min_severity: $('filter-severity').value,
      q: $('message-search').value.trim(),
    }));
    $('message-filters').addEventListener('submit', (e) => {
      e.preventDefault();
      messageFilter();
    });
    $('filter-severity').addEventListener('change', messageFilter);
    $('messages-next').addEventListener('click', () => loadMessages(detail.next));
    $('messages-prev').addEventListener('click', () => loadMessages(detail.prev));
    $('back').addEventListener('click', (e) => {
      // Back to the list as it was, filters included.
      e.preventDefault();
      navigate(list.key || '#/');
    });

    window.addEventListener('hashchange', () => route(false));
    route(false);
  }

  init();
})();
