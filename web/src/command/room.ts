// Beacon command room: no framework. State is a few Maps filled by a
// snapshot and kept current by the live stream; render functions redraw the
// panels from it. See docs/web.md.
import { api, ApiError, can, setUnauthorizedHandler } from '../lib/api';
import { $, age, clock, errorText, esc, toast, tone } from '../lib/dom';
import { CityMap, PRIORITY_COLOURS, STATUS_COLOURS } from '../lib/map';
import { clearSession, renderLogin, savedSession, Session } from '../lib/session';
import { Stream, StreamEvent } from '../lib/stream';
import { attachAddressTypeahead, fillFromMap, unverifiedBadge } from './location';

const STATUSES = [
  'available',
  'dispatched',
  'en_route',
  'on_scene',
  'transporting',
  'at_hospital',
  'out_of_service',
];

const state = {
  session: null as Session | null,
  incidents: new Map<number, any>(),
  units: new Map<string, any>(),
  stations: new Map<string, any>(),
  types: [] as any[],
  selected: null as number | null,
  selectedUnit: null as string | null,
  detail: null as any,
  recs: null as any,
  cameras: null as any[] | null,
  sortKey: 'priority' as 'priority' | 'age' | 'type' | 'status' | 'id',
  sortDir: 1,
  filter: '',
  showClosed: false,
  showCoverage: true,
  // Raised and acknowledged timers by id (GET /timers, then timer.* events).
  timers: new Map<string, any>(),
  facilities: new Map<string, any>(),
};

let map: CityMap | null = null;
let stream: Stream | null = null;
let picking = false;

function typeName(code: string): string {
  return state.types.find((t) => t.code === code)?.name ?? code;
}

// The fired timers about an incident: its pending timer and its units'
// status timers.
function timersOf(incidentId: number): any[] {
  return [...state.timers.values()].filter((t) => t.incident_id === incidentId);
}
function timerClass(list: any[]): string {
  if (list.some((t) => t.state === 'raised')) return 'timer';
  return list.length ? 'timer-ack' : '';
}
function timerText(t: any): string {
  const what = t.kind === 'pending' ? `no unit for ${Math.round((t.elapsed_s ?? 0) / 60) || '<1'} min` : `${t.unit_id} ${String(t.status).replace(/_/g, ' ')}`;
  return `${what} (over ${Math.round(t.threshold_s)} s${t.crossing > 1 ? `, ×${t.crossing}` : ''})`;
}

function logout() {
  stream?.stop();
  stream = null;
  clearSession();
  location.reload();
}

// ---- layout ----
function renderShell(s: Session) {
  document.body.dataset.view = 'room';
  document.body.dataset.role = s.role;
  $('#app').innerHTML = `
  <header class="top">
    <h1>Beacon</h1>
    <div id="conn" class="conn" role="status" aria-live="polite"></div>
    <div class="spacer"></div>
    ${can.createCall(s.role) ? '<button id="new-call" title="New call (N)">New call <kbd>N</kbd></button>' : ''}
    <label class="cov"><input type="checkbox" id="cov-toggle" checked> Coverage 240/480 s</label>
    <button id="help-btn" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">?</button>
    <span class="who" aria-label="Logged in user">${esc(s.username)} · ${esc(s.role.replace('_', ' '))}</span>
    <button id="logout">Log out</button>
  </header>
  <div id="banner" class="banner" role="alert" hidden></div>
  <div class="room">
    <section class="queue" aria-label="Incident queue">
      <div class="panel-head">
        <h2>Incidents <span id="queue-count"></span></h2>
        <input id="queue-filter" type="search" placeholder="Filter (/)" aria-label="Filter incidents">
        <label class="closed"><input type="checkbox" id="show-closed"> closed</label>
      </div>
      <div class="scroll"><table id="queue" aria-label="Incidents by priority and age"></table></div>
    </section>
    <section class="mapwrap" aria-label="City map">
      <div id="map" role="application" aria-label="Map of incidents and units"></div>
      <div id="camera-view"></div>
      <div class="legend" aria-hidden="true">
        ${[1, 2, 3, 4, 5].map((p) => `<span><i style="background:${PRIORITY_COLOURS[p]}"></i>P${p}</span>`).join('')}
        ${Object.entries(STATUS_COLOURS)
          .map(([k, c]) => `<span><i class="sq" style="background:${c}"></i>${k.replace(/_/g, ' ')}</span>`)
          .join('')}
      </div>
    </section>
    <section class="detail" id="detail" aria-label="Selected incident"></section>
    <section class="units" aria-label="Unit board">
      <div class="panel-head"><h2>Units <span id="unit-count"></span></h2></div>
      <div class="scroll"><table id="unit-board" aria-label="Units by status"></table></div>
    </section>
  </div>
  <div id="toasts" class="toasts"></div>
  <div id="modal-root"></div>`;
  $('#logout').addEventListener('click', logout);
  $('#help-btn').addEventListener('click', showHelp);
  $('#new-call')?.addEventListener('click', () => openCallForm());
  $('#queue-filter').addEventListener('input', (e) => {
    state.filter = (e.target as HTMLInputElement).value.toLowerCase();
    renderQueue();
  });
  $('#show-closed').addEventListener('change', async (e) => {
    state.showClosed = (e.target as HTMLInputElement).checked;
    if (state.showClosed) {
      const r = await api<any>('GET', '/incidents?status=all').catch(() => null);
      for (const i of r?.incidents ?? []) state.incidents.set(i.incident_id, i);
    }
    renderQueue();
  });
  $('#cov-toggle').addEventListener('change', (e) => {
    state.showCoverage = (e.target as HTMLInputElement).checked;
    refreshCoverage();
  });
}

// ---- connection banner ----
function setConnection(connected: boolean, since: Date | null) {
  const banner = $('#banner');
  const conn = $('#conn');
  if (!banner) return;
  if (connected) {
    if (!banner.hidden) toast('Reconnected; caught up with every missed change.');
    banner.hidden = true;
    document.body.dataset.connection = 'live';
    conn.textContent = 'live';
    conn.className = 'conn live';
  } else {
    if (banner.hidden) {
      const at = clock(new Date());
      banner.textContent = `Connection to the server lost: the picture is stale since ${at}. Reconnecting…`;
      banner.hidden = false;
    }
    document.body.dataset.connection = 'lost';
    conn.textContent = since ? `stale since ${clock(new Date())}` : 'connecting…';
    conn.className = 'conn lost';
  }
}

// ---- queue ----
function sortedIncidents(): any[] {
  const list = [...state.incidents.values()].filter((i) =>
    state.showClosed ? true : i.status === 'open',
  );
  const f = state.filter;
  const shown = f
    ? list.filter((i) =>
        `#${i.incident_id} ${i.incident_type} ${typeName(i.incident_type)} ${i.address ?? ''} ${i.status}`
          .toLowerCase()
          .includes(f),
      )
    : list;
  const d = state.sortDir;
  const key = state.sortKey;
  return shown.sort((a, b) => {
    let c = 0;
    if (key === 'priority') c = a.priority - b.priority || Date.parse(a.opened_at) - Date.parse(b.opened_at);
    else if (key === 'age') c = Date.parse(a.opened_at) - Date.parse(b.opened_at);
    else if (key === 'type') c = String(a.incident_type).localeCompare(b.incident_type);
    else if (key === 'status') c = String(a.status).localeCompare(b.status);
    else c = a.incident_id - b.incident_id;
    return c * d;
  });
}

function renderQueue() {
  const table = $('#queue');
  if (!table) return;
  const list = sortedIncidents();
  $('#queue-count').textContent = `(${list.length})`;
  const th = (key: string, label: string) => {
    const sorted = state.sortKey === key;
    const aria = sorted ? (state.sortDir > 0 ? 'ascending' : 'descending') : 'none';
    return `<th aria-sort="${aria}"><button data-sort="${key}">${label}${sorted ? (state.sortDir > 0 ? ' ▲' : ' ▼') : ''}</button></th>`;
  };
  table.innerHTML = `<thead><tr>${th('priority', 'P')}${th('id', '#')}${th('type', 'Type')}${th('age', 'Age')}${th('status', 'Status')}<th>Units</th></tr></thead>
  <tbody>${list
    .map(
      (i) => `<tr data-incident="${i.incident_id}" class="${i.incident_id === state.selected ? 'selected' : ''} ${timerClass(timersOf(i.incident_id))}" tabindex="-1"
        aria-selected="${i.incident_id === state.selected}">
      <td><span class="prio p${i.priority}" aria-label="priority ${i.priority}">${i.priority}</span></td>
      <td>${i.incident_id}</td>
      <td title="${esc(i.address ?? '')}">${esc(typeName(i.incident_type))}${
        i.status === 'open' && i.possible_duplicates?.length ? ' <span class="dup-badge" title="possible duplicate">dup?</span>' : ''
      }${unverifiedBadge(i)}</td>
      <td class="age" data-opened="${esc(i.opened_at)}">${age(i.opened_at)}</td>
      <td>${esc(i.status)}${timersOf(i.incident_id).some((t) => t.state === 'raised') ? ' <span class="timer-badge" title="timer raised">late</span>' : ''}</td>
      <td>${(i.assigned_units ?? []).map(esc).join(' ')}</td></tr>`,
    )
    .join('')}</tbody>`;
  table.querySelectorAll<HTMLButtonElement>('button[data-sort]').forEach((b) =>
    b.addEventListener('click', () => {
      const k = b.dataset.sort as typeof state.sortKey;
      if (state.sortKey === k) state.sortDir = -state.sortDir;
      else {
        state.sortKey = k;
        state.sortDir = k === 'age' ? 1 : 1;
      }
      renderQueue();
    }),
  );
  table.querySelectorAll<HTMLTableRowElement>('tr[data-incident]').forEach((tr) =>
    tr.addEventListener('click', () => select(Number(tr.dataset.incident))),
  );
}

// ---- units ----
function renderUnits() {
  const table = $('#unit-board');
  if (!table || !state.session) return;
  const role = state.session.role;
  // Committed units first (what the dispatcher follows), then available.
  const BOARD = ['on_scene', 'en_route', 'dispatched', 'transporting', 'at_hospital', 'available', 'out_of_service'];
  const order = (s: string) => BOARD.indexOf(s);
  const list = [...state.units.values()].sort(
    (a, b) => order(a.status) - order(b.status) || a.unit_id.localeCompare(b.unit_id),
  );
  $('#unit-count').textContent = `(${list.filter((u) => u.status === 'available').length} available / ${list.length})`;
  table.innerHTML = `<thead><tr><th>Unit</th><th>Type</th><th>Status</th><th>Incident</th><th>Since</th></tr></thead><tbody>${list
    .map((u) => {
      const sel = can.dispatch(role)
        ? `<select data-unit-status="${esc(u.unit_id)}" aria-label="Status of ${esc(u.unit_id)}">${STATUSES.map(
            (s) => `<option value="${s}" ${s === u.status ? 'selected' : ''}>${s.replace(/_/g, ' ')}</option>`,
          ).join('')}</select>`
        : esc(u.status.replace(/_/g, ' '));
      const unitTimers = [...state.timers.values()].filter((t) => t.unit_id === u.unit_id);
      const where = u.destination
        ? ` <span class="dest" title="destination">→ ${esc(state.facilities.get(u.destination)?.name ?? u.destination)}</span>`
        : u.status_reason
          ? ` <span class="muted">(${esc(u.status_reason)})</span>`
          : '';
      return `<tr data-unit="${esc(u.unit_id)}" class="${u.unit_id === state.selectedUnit ? 'selected' : ''} ${timerClass(unitTimers)}">
        <td><span class="dot" style="background:${STATUS_COLOURS[u.status] ?? '#555'}"></span>${esc(u.unit_id)}</td>
        <td>${esc(u.unit_type)}</td><td>${sel}${where}</td>
        <td>${u.incident_id ? `<a href="#" data-goto="${u.incident_id}">#${u.incident_id}</a>` : ''}</td>
        <td>${u.status_at ? clock(u.status_at) : ''}</td></tr>`;
    })
    .join('')}</tbody>`;
  table.querySelectorAll<HTMLTableRowElement>('tr[data-unit]').forEach((tr) =>
    tr.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).tagName === 'SELECT') return;
      state.selectedUnit = tr.dataset.unit!;
      renderUnits();
    }),
  );
  table.querySelectorAll<HTMLSelectElement>('select[data-unit-status]').forEach((s) =>
    s.addEventListener('change', () => setUnitStatus(s.dataset.unitStatus!, s.value)),
  );
  table.querySelectorAll<HTMLAnchorElement>('a[data-goto]').forEach((a) =>
    a.addEventListener('click', (e) => {
      e.preventDefault();
      select(Number(a.dataset.goto));
    }),
  );
}

async function setUnitStatus(unitId: string, status: string, extra: Record<string, string> = {}) {
  // Transporting asks where to; out of service asks why.
  if (status === 'transporting' && !('destination' in extra) && state.facilities.size) {
    return pickDestination(unitId);
  }
  if (status === 'out_of_service' && !extra.reason) return askReason(unitId);
  try {
    const body: Record<string, string> = { status, ...extra };
    if (!body.destination) delete body.destination;  // "no destination yet"
    const u = await api<any>('POST', `/units/${encodeURIComponent(unitId)}/status`, body);
    if (u.warning) toast(`${unitId}: ${u.warning}`, 'error');
    state.units.set(u.unit_id, u);
    map?.setUnit(u, unitPosition(u));
    toast(`${unitId} is ${status.replace(/_/g, ' ')}`);
  } catch (e) {
    toast(`${unitId}: ${errorText(e)}`, 'error');
  }
  renderUnits();
}

// The destination picker for a transporting unit: open facilities first,
// one on diversion marked, a closed one not offered.
function pickDestination(unitId: string) {
  const order = { open: 0, diversion: 1, closed: 2 } as Record<string, number>;
  const list = [...state.facilities.values()].sort(
    (a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name),
  );
  $('#modal-root').innerHTML = `<div class="modal" role="dialog" aria-modal="true" aria-labelledby="dest-title">
    <form id="dest-form" class="help"><h2 id="dest-title">${esc(unitId)} transporting to…</h2>
    <select name="destination" size="${Math.min(8, list.length + 1)}" aria-label="Destination facility">
      ${list
        .map(
          (f, n) =>
            `<option value="${esc(f.facility_id)}" ${f.status === 'closed' ? 'disabled' : ''} ${n === 0 ? 'selected' : ''}>${esc(f.name)}${
              f.status === 'diversion' ? ' — ON DIVERSION' : f.status === 'closed' ? ' — closed' : ''
            }</option>`,
        )
        .join('')}
      <option value="">No destination yet</option></select>
    <p><button class="primary">Set transporting</button> <button type="button" id="dest-cancel">Cancel (Esc)</button></p></form></div>`;
  const form = $('#dest-form') as HTMLFormElement;
  const sel = form.elements.namedItem('destination') as HTMLSelectElement;
  sel.focus();
  $('#dest-cancel').addEventListener('click', closeModal);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    closeModal();
    setUnitStatus(unitId, 'transporting', sel.value ? { destination: sel.value } : { destination: '' }).catch(() => {});
  });
}

function askReason(unitId: string) {
  $('#modal-root').innerHTML = `<div class="modal" role="dialog" aria-modal="true" aria-labelledby="oos-title">
    <form id="oos-form" class="help"><h2 id="oos-title">${esc(unitId)} out of service</h2>
    <label>Reason <input name="reason" required maxlength="200" autocomplete="off" placeholder="mechanical, training, restocking…"></label>
    <p><button class="primary">Set out of service</button> <button type="button" id="oos-cancel">Cancel (Esc)</button></p></form></div>`;
  const form = $('#oos-form') as HTMLFormElement;
  const input = form.elements.namedItem('reason') as HTMLInputElement;
  input.focus();
  $('#oos-cancel').addEventListener('click', () => {
    closeModal();
    renderUnits();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    closeModal();
    setUnitStatus(unitId, 'out_of_service', { reason: input.value.trim() });
  });
}

// Acknowledges the raised timers of the selected incident (the T shortcut);
// with none there, selects the incident whose timer was raised first.
async function acknowledgeTimers() {
  if (!state.session || !can.dispatch(state.session.role)) return;
  const raised = state.selected !== null ? timersOf(state.selected).filter((t) => t.state === 'raised') : [];
  if (!raised.length) {
    const first = [...state.timers.values()]
      .filter((t) => t.state === 'raised' && t.incident_id)
      .sort((a, b) => Date.parse(a.raised_at) - Date.parse(b.raised_at))[0];
    if (first) select(first.incident_id);
    else toast('No raised timer');
    return;
  }
  for (const t of raised) {
    try {
      const r = await api<any>('POST', `/timers/${encodeURIComponent(t.timer_id)}/acknowledge`, {});
      state.timers.set(r.timer.timer_id, { ...t, ...r.timer });
    } catch (e) {
      toast(`Timer: ${errorText(e)}`, 'error');
    }
  }
  renderSoon();
}

// The usual next status of a unit (the S shortcut).
function nextStatus(u: any): string | null {
  switch (u.status) {
    case 'dispatched':
      return 'en_route';
    case 'en_route':
      return 'on_scene';
    case 'on_scene':
      return u.unit_type === 'medic' || u.unit_type === 'bls' ? 'transporting' : 'available';
    case 'transporting':
      return 'at_hospital';
    case 'at_hospital':
    case 'out_of_service':
      return 'available';
    default:
      return null;
  }
}

function cycleUnit() {
  if (!state.session || !can.dispatch(state.session.role)) return;
  let id = state.selectedUnit;
  if (!id && state.detail) id = state.detail.assigned_units?.[0] ?? null;
  const u = id ? state.units.get(id) : null;
  if (!u) return toast('Select a unit on the board first', 'error');
  const next = nextStatus(u);
  if (!next) return toast(`${u.unit_id} is available: assign it to an incident (A)`, 'error');
  setUnitStatus(u.unit_id, next);
}

// ---- incident detail ----
async function select(id: number | null) {
  const prev = state.selected;
  state.selected = id;
  if (prev !== null && state.incidents.has(prev)) map?.setIncident(state.incidents.get(prev), false);
  if (id !== null && state.incidents.has(id)) {
    map?.setIncident(state.incidents.get(id), true);
    map?.focus(state.incidents.get(id).location);
  }
  if (id !== prev) {
    $('#camera-view').innerHTML = '';
    state.detail = null;
    state.recs = null;
    state.cameras = null;
  }
  renderQueue();
  renderDetail();
  if (id === null) return;
  await loadDetail(id);
  $(`tr[data-incident="${id}"]`)?.scrollIntoView({ block: 'nearest' });
}

async function loadDetail(id: number) {
  const role = state.session!.role;
  const [detail, recs, cams] = await Promise.all([
    api<any>('GET', `/incidents/${id}`).catch(() => null),
    can.dispatch(role) || role === 'call_taker' || role === 'analyst'
      ? api<any>('GET', `/incidents/${id}/recommendations`).catch((e) => ({ error: errorText(e) }))
      : Promise.resolve(null),
    can.cameras(role)
      ? api<any>('GET', `/incidents/${id}/cameras?limit=5`)
          .then((r) => r.cameras ?? [])
          .catch(() => [])
      : Promise.resolve([]),
  ]);
  if (state.selected !== id) return;
  state.detail = detail;
  state.recs = recs;
  state.cameras = cams;
  renderDetail();
}

let detailReload: number | undefined;
function reloadDetailSoon() {
  window.clearTimeout(detailReload);
  detailReload = window.setTimeout(() => {
    if (state.selected !== null) loadDetail(state.selected);
  }, 150);
}

function renderDetail() {
  const el = $('#detail');
  if (!el || !state.session) return;
  const role = state.session.role;
  const id = state.selected;
  const inc = id !== null ? (state.detail ?? state.incidents.get(id)) : null;
  if (!inc) {
    el.innerHTML = `<div class="empty"><h2>No incident selected</h2><p>Pick one in the queue or on the map (<kbd>J</kbd>/<kbd>K</kbd>).</p></div>`;
    return;
  }
  const d = state.detail;
  const recs = state.recs;
  const open = inc.status === 'open';
  const recRows =
    recs && !recs.error
      ? (recs.units ?? [])
          .map(
            (u: any, n: number) => `<tr class="${n === 0 ? 'top' : ''}">
        <td>${esc(u.unit_id)}${u.divert_from ? ` <span class="divert" title="committed to a less urgent incident">divert from #${u.divert_from}</span>` : ''}</td><td>${esc(u.unit_type)}${u.fills && u.fills !== u.unit_type ? ` → ${esc(u.fills)}` : ''}</td>
        <td>${Math.round(u.eta_s / 60)}:${String(Math.round(u.eta_s % 60)).padStart(2, '0')}</td>
        <td>${(u.distance_m / 1000).toFixed(1)} km</td>
        <td>${can.dispatch(role) && open ? `<button data-assign="${esc(u.unit_id)}" ${u.divert_from ? 'data-divert="1"' : ''} aria-label="${u.divert_from ? 'Divert' : 'Assign'} ${esc(u.unit_id)}">${u.divert_from ? 'Divert' : 'Assign'}${n === 0 ? ' <kbd>A</kbd>' : ''}</button>` : ''}</td></tr>`,
          )
          .join('')
      : '';
  const unmet = recs?.unmet?.length
    ? `<p class="unmet">Unmet: ${recs.unmet.map((m: any) => `${m.missing} ${esc(m.unit_type)}`).join(', ')}</p>`
    : '';
  const calls = (d?.calls ?? [])
    .map((c: any) => {
      const caller =
        c.caller && can.readPersonal(role)
          ? `<div class="caller" aria-label="Caller">${esc(c.caller.name ?? '')} ${esc(c.caller.phone ?? '')}</div>`
          : '';
      const splitBox =
        can.supervise(role) && open && (d?.calls?.length ?? 0) > 1
          ? `<input type="checkbox" data-split-call="${c.call_id}" aria-label="Split call ${c.call_id}">`
          : '';
      return `<li>${splitBox}<b>Call ${c.call_id}</b> · ${esc(c.channel)} · ${clock(c.received_at)} · ${esc(typeName(c.incident_type))}
        ${c.address ? `<div>${esc(c.address)}</div>` : ''}${c.narrative ? `<div class="narr">${esc(c.narrative)}</div>` : ''}${caller}</li>`;
    })
    .join('');
  const timeline = (d?.timeline ?? [])
    .map(
      (t: any) =>
        `<li class="tl-${esc(t.kind)}"><time>${clock(t.time)}</time> ${t.kind === 'note' ? '<b>Note:</b> ' : ''}${esc(t.text)} <span class="user">${esc(t.user ?? '')}</span></li>`,
    )
    .join('');
  const incTimers = timersOf(inc.incident_id);
  const timerHtml = incTimers.length
    ? `<div class="timers ${timerClass(incTimers)}" role="alert" aria-label="Timers"><b>Timers</b><ul>${incTimers
        .map(
          (t) =>
            `<li>${esc(timerText(t))} · ${t.state === 'raised' ? '<b>raised</b>' : `acknowledged by ${esc(t.acknowledged_by ?? '')}`}</li>`,
        )
        .join('')}</ul>${
        can.dispatch(role) && incTimers.some((t) => t.state === 'raised')
          ? '<button id="ack-timers">Acknowledge <kbd>T</kbd></button>'
          : ''
      }</div>`
    : '';
  const premises = (d?.premises ?? []) as any[];
  const premiseHtml = premises.length
    ? `<h3>Premises</h3><ul class="premises">${premises
        .map(
          (p: any) =>
            `<li class="${p.hazard ? 'hazard' : ''}">${p.hazard ? '<b>Hazard:</b> ' : ''}${
              p.redacted ? '<i>note naming a resident (not shown to this role)</i>' : esc(p.text)
            }${p.needs_review ? ' <span class="muted">(review overdue)</span>' : ''}</li>`,
        )
        .join('')}</ul>`
    : '';
  const cams = state.cameras;
  const camHtml = can.cameras(role)
    ? `<h3>Cameras nearby</h3>${
        cams && cams.length
          ? `<ul class="cams">${cams
              .map(
                (c: any) =>
                  `<li>${esc(c.name)} · ${Math.round(c.distance_m)} m <button data-camera="${c.id}" aria-label="View camera ${esc(c.name)}">View</button></li>`,
              )
              .join('')}</ul>`
          : '<p class="muted" id="no-cameras">No cameras</p>'
      }`
    : '';
  const sup =
    can.supervise(role) && open
      ? `<h3>Supervisor</h3>
      <form id="close-form" class="inline"><input name="disposition" placeholder="Disposition" aria-label="Disposition" required><button>Close incident</button></form>
      <form id="merge-form" class="inline"><input name="into" type="number" min="1" placeholder="Merge into #" aria-label="Merge into incident" required><button>Merge</button></form>
      ${(d?.calls?.length ?? 0) > 1 ? '<button id="split-btn">Split checked calls</button>' : ''}`
      : '';
  const noteForm = can.createCall(role) && inc.status !== 'merged'
    ? `<form id="note-form" class="inline"><input name="note" placeholder="Add a note (Enter)" aria-label="Add a note" maxlength="8192" autocomplete="off"><button>Add note</button></form>`
    : '';
  const typeForm =
    can.dispatch(role) && open
      ? `<form id="type-form" class="inline"><select name="new_type" aria-label="Change incident type">
          <option value="">Change type…</option>
          ${state.types
            .slice()
            .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name))
            .map((t) => `<option value="${esc(t.code)}">P${t.priority} · ${esc(t.name)}</option>`)
            .join('')}</select><button>Change</button></form>`
      : '';
  const dups = (inc.possible_duplicates ?? []) as any[];
  const dupHtml =
    dups.length && open
      ? `<div class="dups" role="note" aria-label="Possible duplicates"><b>Possible duplicate of</b> ${dups
          .map(
            (x: any, n: number) =>
              `#${x.incident_id} (${Math.round(x.distance_m)} m, ${Math.round(x.age_s / 60)} min)${
                can.supervise(role)
                  ? ` <button data-link-dup="${x.incident_id}" aria-label="Link to incident ${x.incident_id}">Link${n === 0 ? ' <kbd>L</kbd>' : ''}</button>`
                  : ''
              }`,
          )
          .join(', ')}</div>`
      : '';
  // Live updates redraw the panel: keep what the user is typing.
  const kept = new Map<string, string | boolean>();
  el.querySelectorAll<HTMLInputElement>('input[name], input[data-split-call]').forEach((i) =>
    kept.set(i.name || `split-${i.dataset.splitCall}`, i.type === 'checkbox' ? i.checked : i.value),
  );
  const focused = document.activeElement instanceof HTMLInputElement && el.contains(document.activeElement)
    ? document.activeElement.name
    : null;
  el.innerHTML = `
    <div class="detail-head">
      <span class="prio p${inc.priority}">P${inc.priority}</span>
      <h2>#${inc.incident_id} ${esc(typeName(inc.incident_type))}</h2>
    </div>
    <p class="meta">${esc(inc.status)} · opened ${clock(inc.opened_at)} (${age(inc.opened_at)} ago)${inc.address ? ` · ${esc(inc.address)}` : ''}${
      inc.location_label ? ` · <span class="loc-label">${esc(inc.location_label)}</span>` : ''
    }${unverifiedBadge(inc)}${
      inc.location ? ` · ${inc.location.lat.toFixed(5)}, ${inc.location.lon.toFixed(5)}` : ''
    }${inc.merged_into ? ` · merged into #${inc.merged_into}` : ''}${inc.disposition ? ` · ${esc(inc.disposition)}` : ''}</p>
    ${timerHtml}${dupHtml}${typeForm}
    <p class="assigned">Assigned: ${(inc.assigned_units ?? []).length ? inc.assigned_units.map((u: string) => `<b>${esc(u)}</b> ${esc(state.units.get(u)?.status?.replace(/_/g, ' ') ?? '')}`).join(', ') : 'none'}</p>
    ${
      recs
        ? `<h3>Recommended units</h3>${
            recs.error
              ? `<p class="muted">${esc(recs.error)}</p>`
              : `<table class="recs" aria-label="Recommended units"><thead><tr><th>Unit</th><th>Type</th><th>ETA</th><th>Dist</th><th></th></tr></thead><tbody>${recRows || `<tr><td colspan="5" class="muted">${recs.unmet?.length ? 'No available unit fits' : 'Response plan met'}</td></tr>`}</tbody></table>${unmet}`
          }`
        : ''
    }
    ${premiseHtml}
    <h3>Calls</h3><ul class="calls">${calls || '<li class="muted">loading…</li>'}</ul>
    ${camHtml}
    ${sup}
    <h3>Timeline</h3>${noteForm}<ol class="timeline">${timeline}</ol>`;
  el.querySelectorAll<HTMLInputElement>('input[name], input[data-split-call]').forEach((i) => {
    const v = kept.get(i.name || `split-${i.dataset.splitCall}`);
    if (v === undefined) return;
    if (i.type === 'checkbox') i.checked = v as boolean;
    else i.value = v as string;
  });
  if (focused) el.querySelector<HTMLInputElement>(`input[name="${focused}"]`)?.focus();
  el.querySelector('#ack-timers')?.addEventListener('click', () => acknowledgeTimers());
  el.querySelectorAll<HTMLButtonElement>('button[data-assign]').forEach((b) =>
    b.addEventListener('click', () => assign(b.dataset.assign!, b.dataset.divert === '1')),
  );
  el.querySelector('#note-form')?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = (ev.target as HTMLFormElement).elements.namedItem('note') as HTMLInputElement;
    addNote(input.value, input);
  });
  el.querySelector('#type-form')?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const sel = (ev.target as HTMLFormElement).elements.namedItem('new_type') as HTMLSelectElement;
    if (sel.value) changeType(sel.value);
  });
  el.querySelectorAll<HTMLButtonElement>('button[data-link-dup]').forEach((b) =>
    b.addEventListener('click', () => linkDuplicate(Number(b.dataset.linkDup))),
  );
  el.querySelectorAll<HTMLButtonElement>('button[data-camera]').forEach((b) =>
    b.addEventListener('click', () => viewCamera(Number(b.dataset.camera))),
  );
  el.querySelector('#close-form')?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const disposition = ((ev.target as HTMLFormElement).elements.namedItem('disposition') as HTMLInputElement).value;
    supervisorAction('close', { disposition });
  });
  el.querySelector('#merge-form')?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const into = Number(((ev.target as HTMLFormElement).elements.namedItem('into') as HTMLInputElement).value);
    supervisorAction('merge', { into });
  });
  el.querySelector('#split-btn')?.addEventListener('click', () => {
    const ids = [...el.querySelectorAll<HTMLInputElement>('input[data-split-call]:checked')].map((c) =>
      Number(c.dataset.splitCall),
    );
    supervisorAction('split', { call_ids: ids });
  });
}

async function assign(unitId: string, divert = false) {
  const id = state.selected;
  if (id === null) return;
  try {
    const r = await api<any>('POST', `/incidents/${id}/assignments`, divert ? { unit_id: unitId, divert: true } : { unit_id: unitId });
    toast(r.diverted_from ? `${unitId} diverted from #${r.diverted_from} to #${id}` : `${unitId} dispatched to #${id}`);
  } catch (e) {
    toast(`Assign ${unitId}: ${errorText(e)}`, 'error');
  }
  loadDetail(id);
}

function assignTop() {
  if (!state.session || !can.dispatch(state.session.role)) return;
  const top = state.recs?.units?.[0];
  if (!top) return toast('No recommended unit to assign', 'error');
  assign(top.unit_id, !!top.divert_from);
}

async function addNote(text: string, input: HTMLInputElement) {
  const id = state.selected;
  if (id === null || !text.trim()) return;
  try {
    await api('POST', `/incidents/${id}/notes`, { text });
    input.value = '';
    toast(`Note added to #${id}`);
  } catch (e) {
    toast(`Note: ${errorText(e)}`, 'error');
  }
  loadDetail(id);
}

async function changeType(code: string) {
  const id = state.selected;
  if (id === null) return;
  try {
    const r = await api<any>('PATCH', `/incidents/${id}`, { incident_type: code });
    upsertIncident(r);
    toast(`#${id} is now ${typeName(code)} (P${r.priority})`);
  } catch (e) {
    toast(`Change type: ${errorText(e)}`, 'error');
  }
  loadDetail(id);
}

// Links the selected incident (opened by a call that may be a duplicate)
// into the incident it may duplicate: a supervisor's merge.
async function linkDuplicate(into?: number) {
  if (!state.session || !can.supervise(state.session.role)) return;
  const inc = state.selected !== null ? state.incidents.get(state.selected) : null;
  const target = into ?? inc?.possible_duplicates?.[0]?.incident_id;
  if (!target || inc?.status !== 'open') return toast('No possible duplicate to link', 'error');
  supervisorAction('merge', { into: target });
}

async function supervisorAction(kind: 'close' | 'merge' | 'split', body: any) {
  const id = state.selected;
  if (id === null) return;
  try {
    const r = await api<any>('POST', `/incidents/${id}/${kind}`, body);
    toast(kind === 'split' ? `Split into new incident #${r.incident_id}` : `Incident #${id}: ${kind} done`);
    if (kind !== 'close') select(r.incident_id);
    else loadDetail(id);
  } catch (e) {
    toast(`${kind}: ${errorText(e)}`, 'error');
  }
}

async function viewCamera(cameraId: number) {
  const id = state.selected;
  if (id === null) return;
  const box = $('#camera-view');
  try {
    const r = await api<any>('POST', `/incidents/${id}/cameras/${cameraId}/view`);
    const url = String(r.stream_url ?? '');
    const web = /^https?:\/\//i.test(url);
    box.innerHTML = `<div class="camera-panel" role="region" aria-label="Camera ${esc(r.name)}">
      <div class="panel-head"><b>${esc(r.name)}</b><button id="cam-close" aria-label="Close camera">×</button></div>
      ${web ? `<iframe src="${esc(url)}" title="Camera ${esc(r.name)}" sandbox="" referrerpolicy="no-referrer"></iframe>` : ''}
      <p class="muted">Stream: <a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(url)}</a>${web ? '' : ' (open in a video player)'}</p></div>`;
    $('#cam-close').addEventListener('click', () => (box.innerHTML = ''));
  } catch (e) {
    toast(`Camera: ${errorText(e)}`, 'error');
  }
}

// ---- call-taking form ----
function openCallForm() {
  if (!state.session || !can.createCall(state.session.role)) return;
  const root = $('#modal-root');
  root.innerHTML = `
  <div class="modal" role="dialog" aria-modal="true" aria-labelledby="call-title">
    <form id="call-form" novalidate>
      <h2 id="call-title">New call</h2>
      <div class="row">
        <label>Channel <select name="channel" data-field="channel">
          ${['phone', 'text', 'web', 'alarm', 'agency'].map((c) => `<option>${c}</option>`).join('')}</select></label>
        <label class="grow">Incident type <select name="incident_type" data-field="incident_type" required>
          <option value="">— choose —</option>
          ${state.types
            .slice()
            .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name))
            .map((t) => `<option value="${esc(t.code)}">P${t.priority} · ${esc(t.name)} (${esc(t.code)})</option>`)
            .join('')}</select></label>
      </div>
      <div class="row">
        <label class="grow">Location (lat, lon) — or click the map
          <input name="coords" data-field="location" placeholder="37.7525, -122.4150" autocomplete="off"></label>
      </div>
      <div class="addr-box"><label>Address — type to search, ↑↓ Enter to pick <input name="address" data-field="address" autocomplete="off"></label>
        <ul id="addr-list" role="listbox" aria-label="Address candidates" hidden></ul>
        <p id="addr-status" class="addr-status" aria-live="polite"></p></div>
      <label>Narrative <textarea name="narrative" data-field="narrative" rows="2"></textarea></label>
      <div class="row">
        <label class="grow">Caller name <input name="caller_name" data-field="caller.name" autocomplete="off"></label>
        <label class="grow">Caller phone <input name="caller_phone" data-field="caller.phone" autocomplete="off"></label>
      </div>
      <div id="dup-suggestions" class="dups" aria-live="polite"></div>
      <p class="form-error" role="alert" id="call-error"></p>
      <div class="row end"><button type="button" id="call-cancel">Cancel (Esc)</button><button type="submit" class="primary">Create call</button></div>
    </form>
  </div>`;
  picking = true;
  document.body.dataset.picking = '1';
  const form = $<HTMLFormElement>('#call-form');
  ($('select[name=incident_type]', form) as HTMLSelectElement).focus();
  attachAddressTypeahead(
    form,
    () => (map ? { lat: map.map.getCenter().lat, lon: map.map.getCenter().lng } : null),
    (p) => {
      const coords = form.querySelector<HTMLInputElement>('input[name=coords]')!;
      coords.value = `${p.lat.toFixed(6)}, ${p.lon.toFixed(6)}`;
      map?.showPick({ lat: p.lat, lon: p.lon });
      map?.focus({ lat: p.lat, lon: p.lon });
      coords.dispatchEvent(new Event('change', { bubbles: true }));
    },
  );
  $('#call-cancel').addEventListener('click', closeModal);
  // Possible duplicates while the call is typed in; Alt+L links the call to
  // the first one (the call-taker confirms), Enter still opens a new incident.
  let suggestions: any[] = [];
  let linkTo: number | null = null;
  const checkDuplicates = async () => {
    const v = (n: string) => ((form.elements.namedItem(n) as HTMLInputElement).value ?? '').trim();
    const m = v('coords').match(/^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$/);
    const box = $('#dup-suggestions');
    if (!m || !v('incident_type')) {
      suggestions = [];
      box.innerHTML = '';
      return;
    }
    const q = new URLSearchParams({ lat: m[1], lon: m[2], incident_type: v('incident_type') });
    if (v('caller_phone')) q.set('phone', v('caller_phone'));
    const r = await api<any>('GET', `/duplicates?${q}`).catch(() => null);
    if (!r) return;
    suggestions = r.certain ? [r.certain, ...r.possible_duplicates] : r.possible_duplicates;
    box.innerHTML = suggestions.length
      ? `<b>Possible duplicate${suggestions.length > 1 ? 's' : ''}:</b> ${suggestions
          .map(
            (x: any, n: number) =>
              `<button type="button" data-dup="${x.incident_id}" aria-label="Link to incident ${x.incident_id}">#${x.incident_id} ${esc(
                typeName(state.incidents.get(x.incident_id)?.incident_type ?? ''),
              )}${x.distance_m !== undefined ? ` · ${Math.round(x.distance_m)} m · ${Math.round(x.age_s / 60)} min` : ` · ${esc(x.reason)}`}${n === 0 ? ' <kbd>Alt+L</kbd>' : ''}</button>`,
          )
          .join(' ')}`
      : '';
    box.querySelectorAll<HTMLButtonElement>('button[data-dup]').forEach((b) =>
      b.addEventListener('click', () => {
        linkTo = Number(b.dataset.dup);
        form.requestSubmit();
      }),
    );
  };
  form.addEventListener('change', checkDuplicates);
  form.addEventListener('keydown', (ev) => {
    if (ev.altKey && (ev.key === 'l' || ev.key === 'L') && suggestions.length) {
      ev.preventDefault();
      linkTo = suggestions[0].incident_id;
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
    form.querySelectorAll('.field-error').forEach((x) => x.remove());
    $('#call-error').textContent = '';
    const v = (n: string) => ((form.elements.namedItem(n) as HTMLInputElement).value ?? '').trim();
    const body: any = { channel: v('channel'), incident_type: v('incident_type') };
    const coords = v('coords');
    if (coords) {
      const m = coords.match(/^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$/);
      if (!m) return fieldError(form, 'location', 'Location must be "lat, lon" in decimal degrees');
      body.location = { lat: Number(m[1]), lon: Number(m[2]) };
    }
    if (v('address')) body.address = v('address');
    if (v('narrative')) body.narrative = v('narrative');
    if (linkTo !== null) body.link_to = linkTo;
    linkTo = null;
    if (v('caller_name') || v('caller_phone')) {
      body.caller = {};
      if (v('caller_name')) body.caller.name = v('caller_name');
      if (v('caller_phone')) body.caller.phone = v('caller_phone');
    }
    try {
      const r = await api<any>('POST', '/calls', body);
      closeModal();
      toast(
        r.duplicate_of
          ? `Call ${r.call_id} linked to incident #${r.incident_id}: ${r.link_reason ?? ''}`
          : `Call ${r.call_id} opened incident #${r.incident_id}${
              r.possible_duplicates?.length ? ` (possible duplicate of #${r.possible_duplicates[0].incident_id})` : ''
            }${
              r.location_warning
                ? ': address not found, set the location'
                : r.location_source === 'geocoded'
                  ? ` at ${r.location_label}${r.location_verified ? '' : ' (unverified)'}`
                  : ''
            }`,
      );
      await ensureIncident(r.incident_id);
      select(r.incident_id);
    } catch (e) {
      if (e instanceof ApiError && e.field) fieldError(form, e.field, e.message);
      else $('#call-error').textContent = errorText(e);
    }
  });
}

function fieldError(form: HTMLFormElement, field: string, message: string) {
  const candidates = [...form.querySelectorAll<HTMLElement>('[data-field]')];
  const input =
    candidates.find((x) => x.dataset.field === field) ??
    candidates.find((x) => field.startsWith(`${x.dataset.field}.`) || field.startsWith(`${x.dataset.field}`));
  $('#call-error').textContent = message;
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  const p = document.createElement('span');
  p.className = 'field-error';
  p.textContent = message;
  input.insertAdjacentElement('afterend', p);
  input.focus();
}

function closeModal() {
  $('#modal-root').innerHTML = '';
  picking = false;
  delete document.body.dataset.picking;
  map?.showPick(null);
}

async function ensureIncident(id: number) {
  if (state.incidents.has(id)) return;
  const inc = await api<any>('GET', `/incidents/${id}`).catch(() => null);
  if (inc) upsertIncident(inc);
}

// ---- help ----
const SHORTCUTS: [string, string][] = [
  ['N', 'New call'],
  ['J / ↓', 'Next incident in the queue'],
  ['K / ↑', 'Previous incident'],
  ['A', 'Assign the top recommended unit to the selected incident'],
  ['S', 'Move the selected unit (or the incident’s first unit) to its next status'],
  ['L', 'Link the selected incident into its first possible duplicate (supervisor)'],
  ['T', 'Acknowledge the selected incident’s raised timers (or go to the oldest one)'],
  ['Alt+L', 'In the call form: link the call to the first possible duplicate'],
  ['/', 'Filter the queue'],
  ['C', 'Toggle the coverage layer'],
  ['Esc', 'Close a dialog / clear selection'],
  ['?', 'This help'],
];
function showHelp() {
  $('#modal-root').innerHTML = `<div class="modal" role="dialog" aria-modal="true" aria-labelledby="help-title">
    <div class="help"><h2 id="help-title">Keyboard shortcuts</h2>
    <table>${SHORTCUTS.map(([k, t]) => `<tr><td><kbd>${k}</kbd></td><td>${t}</td></tr>`).join('')}</table>
    <p class="muted">Shortcuts are off while typing in a field.</p>
    <button id="help-close">Close (Esc)</button></div></div>`;
  $('#help-close').addEventListener('click', closeModal);
  $('#help-close').focus();
}

function moveSelection(step: number) {
  const list = sortedIncidents();
  if (!list.length) return;
  const at = list.findIndex((i) => i.incident_id === state.selected);
  const next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
  select(list[next].incident_id);
}

function onKey(ev: KeyboardEvent) {
  if (!state.session || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target as HTMLElement;
  const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
  if (ev.key === 'Escape') {
    if ($('#modal-root')?.innerHTML) closeModal();
    else if (typing) t.blur();
    return;
  }
  if (typing || $('#modal-root')?.innerHTML) return;
  const k = ev.key;
  if (k === 'n' || k === 'N') openCallForm();
  else if (k === 'j' || k === 'ArrowDown') moveSelection(1);
  else if (k === 'k' || k === 'ArrowUp') moveSelection(-1);
  else if (k === 'a' || k === 'A') assignTop();
  else if (k === 's' || k === 'S') cycleUnit();
  else if (k === 'l' || k === 'L') linkDuplicate();
  else if (k === 't' || k === 'T') acknowledgeTimers();
  else if (k === '?') showHelp();
  else if (k === '/') $('#queue-filter').focus();
  else if (k === 'c' || k === 'C') ($('#cov-toggle') as HTMLInputElement).click();
  else return;
  ev.preventDefault();
}

// ---- data ----
// A unit without a reported position stands at its station.
function unitPosition(u: any) {
  return u.position ?? state.stations.get(u.station_id)?.location;
}

function upsertIncident(inc: any) {
  const old = state.incidents.get(inc.incident_id);
  state.incidents.set(inc.incident_id, { ...old, ...inc });
  map?.setIncident(state.incidents.get(inc.incident_id), inc.incident_id === state.selected);
}

let renderQueued = false;
function renderSoon() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderQueue();
    renderUnits();
    if (state.selected !== null && state.detail) {
      const inc = state.incidents.get(state.selected);
      if (inc) state.detail = { ...state.detail, ...inc };
    }
    renderDetail();
  });
}

function applyEvent(e: StreamEvent) {
  const d = e.data ?? {};
  if (d.incident) {
    upsertIncident(d.incident);
    if (d.incident.incident_id === state.selected) reloadDetailSoon();
  }
  if (d.unit) {
    state.units.set(d.unit.unit_id, d.unit);
    map?.setUnit(d.unit, unitPosition(d.unit));
    if (state.selected !== null) reloadDetailSoon();
    coverageSoon();
  }
  if (d.station) state.stations.set(d.station.station_id, d.station);
  if (d.facility) state.facilities.set(d.facility.facility_id, d.facility);
  if (d.timer) {
    if (d.timer.state === 'cleared') state.timers.delete(d.timer.timer_id);
    else state.timers.set(d.timer.timer_id, { ...state.timers.get(d.timer.timer_id), ...d.timer });
    if (e.type === 'timer.raised') {
      tone();
      document.body.dataset.timerRaised = String(Date.now());
    }
  }
  if (d.call && d.call.incident_id === state.selected) reloadDetailSoon();
  renderSoon();
}

async function loadSnapshot() {
  const [incs, units, stations, types, timers, facilities] = await Promise.all([
    api<any>('GET', '/incidents?status=open'),
    api<any>('GET', '/units'),
    api<any>('GET', '/stations').catch(() => ({ stations: [] })),
    api<any>('GET', '/incident-types').catch(() => ({ incident_types: [] })),
    api<any>('GET', '/timers').catch(() => ({ timers: [] })),
    api<any>('GET', '/facilities').catch(() => ({ facilities: [] })),
  ]);
  state.timers.clear();
  for (const t of timers.timers ?? []) state.timers.set(t.timer_id, t);
  for (const f of facilities.facilities ?? []) state.facilities.set(f.facility_id, f);
  state.types = types.incident_types ?? [];
  for (const s of stations.stations ?? []) state.stations.set(s.station_id, s);
  for (const i of incs.incidents ?? []) upsertIncident(i);
  for (const u of units.units ?? []) {
    state.units.set(u.unit_id, u);
    map?.setUnit(u, unitPosition(u));
  }
  for (const s of stations.stations ?? []) state.stations.set(s.station_id, s);
  document.body.dataset.ready = '1';
  renderSoon();
}

let coverageTimer: number | undefined;
function coverageSoon() {
  window.clearTimeout(coverageTimer);
  coverageTimer = window.setTimeout(refreshCoverage, 3000);
}
async function refreshCoverage() {
  if (!map) return;
  const ok = await map.loadCoverage(state.showCoverage);
  const label = $('.cov') as HTMLElement | null;
  if (label) label.hidden = !ok;
}

async function loadCameras() {
  if (!map) return;
  try {
    const r = await api<any>('GET', '/cameras');
    map.setCameras(r.cameras ?? []);
  } catch {
    map.setCameras([]);
  }
}

function start(s: Session) {
  // The fraud analyst works the anti-scam desk, a screen of its own.
  if (s.role === 'fraud_analyst') return location.assign('/scam');
  state.session = s;
  renderShell(s);
  map = new CityMap($('#map'), (id) => select(id));
  map.map.on('click', (ev: any) => {
    if (!picking) return;
    const input = document.querySelector<HTMLInputElement>('#call-form input[name=coords]');
    if (!input) return;
    const lat = ev.latlng.lat.toFixed(5);
    const lon = ev.latlng.lng.toFixed(5);
    input.value = `${lat}, ${lon}`;
    map!.showPick({ lat: Number(lat), lon: Number(lon) });
    const form = document.querySelector<HTMLFormElement>('#call-form');
    if (form) fillFromMap(form, Number(lat), Number(lon));
  });
  map.loadBasemap();
  refreshCoverage();
  loadCameras();
  renderQueue();
  renderUnits();
  renderDetail();
  if (!can.readOperations(s.role)) {
    $('#detail').innerHTML = `<div class="empty"><h2>Role ${esc(s.role)}</h2><p>This role does not see live operations.</p></div>`;
    loadSnapshot().catch(() => {});
    return;
  }
  stream = new Stream(s.token, {
    onSnapshotNeeded: loadSnapshot,
    onEvent: applyEvent,
    onState: setConnection,
  });
  stream.start();
  window.setInterval(() => {
    document.querySelectorAll<HTMLElement>('td.age').forEach((td) => (td.textContent = age(td.dataset.opened!)));
  }, 1000);
  window.setInterval(refreshCoverage, 60000);
}

document.addEventListener('keydown', onKey);
const TITLE = 'Beacon command room';
setUnauthorizedHandler(() => {
  if (!state.session) return;
  stream?.stop();
  clearSession();
  state.session = null;
  renderLogin(TITLE, start, 'Your session ended; log in again.');
});
(window as any).__beacon = { state };

const saved = savedSession();
if (saved) start(saved);
else renderLogin(TITLE, start);
