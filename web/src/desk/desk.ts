// Beacon's anti-scam desk (docs/scam.md, docs/web.md): campaigns ranked,
// one campaign with its growth over time, identifiers with counts, and
// every report with the link that brought it in; the fraud analyst splits
// wrong links and pins reports out, the supervisor issues a public warning.
// No stream (the analyst reads no incidents): the list refreshes every 10 s
// and after every action. Reporters' contact data never reach this screen.
import { api, Role, setUnauthorizedHandler } from '../lib/api';
import { $, errorText, esc, toast } from '../lib/dom';
import { clearSession, renderLogin, savedSession, Session } from '../lib/session';
import './desk.css';

type Sort = 'reports' | 'loss' | 'recent' | 'growth';

const state = {
  session: null as Session | null,
  sort: 'reports' as Sort,
  campaigns: [] as any[],
  total: 0,
  reports: 0,
  selected: null as number | null,
  detail: null as any,
};

const canAnalyse = (r: Role | string) => r === 'fraud_analyst';
const canWarn = (r: Role | string) => r === 'supervisor';
const deskRoles = new Set(['fraud_analyst', 'supervisor']);

function money(v: number, currency: string) {
  return v ? `${Math.round(v).toLocaleString()} ${currency}` : '—';
}
function day(iso: string) {
  return iso ? iso.slice(0, 10) : '';
}
function cut(s: string, n: number) {
  return s.length > n ? s.slice(0, n) + '…' : s;
}

// ---- layout ----
function renderShell(s: Session) {
  document.body.dataset.view = 'desk';
  document.body.dataset.role = s.role;
  $('#app').innerHTML = `
  <header class="top">
    <h1>Beacon · anti-scam desk</h1>
    <div class="spacer"></div>
    <span class="who" aria-label="Logged in user">${esc(s.username)} · ${esc(s.role.replace('_', ' '))}</span>
    <button id="logout">Log out</button>
  </header>
  <div class="desk">
    <section class="campaigns" aria-label="Campaigns">
      <div class="panel-head">
        <h2>Campaigns <span id="campaign-count" class="muted"></span></h2>
        <label>Rank by <select id="sort" aria-label="Rank campaigns by">
          <option value="reports">reports</option><option value="loss">loss</option>
          <option value="recent">most recent</option><option value="growth">growth</option>
        </select></label>
      </div>
      <div class="scroll"><table id="campaign-table" aria-label="Campaigns ranked"></table></div>
    </section>
    <section class="campaign" id="campaign" aria-label="Selected campaign">
      <p class="muted">Select a campaign to see its reports and why each is in it.</p>
    </section>
  </div>
  <div id="toasts" class="toasts"></div>
  <div id="modal-root"></div>`;
  $('#logout').addEventListener('click', () => {
    clearSession();
    location.reload();
  });
  $<HTMLSelectElement>('#sort').addEventListener('change', (e) => {
    state.sort = (e.target as HTMLSelectElement).value as Sort;
    loadCampaigns();
  });
}

// ---- campaigns ----
async function loadCampaigns() {
  try {
    const r = await api<any>('GET', `/scam/campaigns?sort=${state.sort}&limit=200`);
    state.campaigns = r.campaigns;
    state.total = r.total;
    state.reports = r.reports;
    renderCampaigns();
    document.body.dataset.ready = '1';
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

function topIdentifier(c: any) {
  const id = c.identifiers?.[0];
  return id ? `${id.kind} ${id.value}` : '';
}

function renderCampaigns() {
  $('#campaign-count').textContent = `${state.total} from ${state.reports} reports`;
  const rows = state.campaigns
    .map(
      (c) => `<tr tabindex="0" data-id="${c.campaign_id}" class="${c.campaign_id === state.selected ? 'sel' : ''}">
      <td>#${c.campaign_id}</td><td class="num">${c.reports}</td>
      <td class="num">${esc(money(c.loss_total, c.loss_currency))}</td>
      <td>${esc(day(c.last_seen))}</td><td class="num">${c.growth > 0 ? '+' : ''}${c.growth}</td>
      <td class="ident">${esc(cut(topIdentifier(c), 32))}</td>
      <td class="text">${esc(cut(c.sample_text || '', 70))}</td></tr>`,
    )
    .join('');
  $('#campaign-table').innerHTML = `<thead><tr><th>campaign</th><th>reports</th><th>loss</th>
    <th>last report</th><th>growth</th><th>top identifier</th><th>script</th></tr></thead>
    <tbody>${rows || '<tr><td colspan="7" class="muted">No reports filed yet.</td></tr>'}</tbody>`;
  for (const tr of document.querySelectorAll<HTMLTableRowElement>('#campaign-table tbody tr[data-id]')) {
    const open = () => selectCampaign(Number(tr.dataset.id));
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open();
    });
  }
}

async function selectCampaign(id: number) {
  state.selected = id;
  try {
    state.detail = await api<any>('GET', `/scam/campaigns/${id}`);
    state.selected = state.detail.campaign_id;
    renderCampaigns();
    renderDetail();
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

// Reports per day as bars (SVG; no chart library).
// Days without reports are filled in as zero so the time axis is even.
function everyDay(daily: { date: string; reports: number }[]) {
  const out: { date: string; reports: number }[] = [];
  for (const d of daily) {
    const prev = out[out.length - 1];
    if (prev) {
      let t = Date.parse(prev.date + 'T00:00:00Z') + 86400000;
      const end = Date.parse(d.date + 'T00:00:00Z');
      for (; t < end && out.length < 100000; t += 86400000) {
        out.push({ date: new Date(t).toISOString().slice(0, 10), reports: 0 });
      }
    }
    out.push(d);
  }
  return out;
}

function growthChart(daily: { date: string; reports: number }[]) {
  if (!daily.length) return '';
  const days = everyDay(daily).slice(-60);
  const max = Math.max(...days.map((d) => d.reports));
  const w = 560;
  const h = 90;
  const bw = w / days.length;
  const bars = days
    .map((d, i) => {
      const bh = d.reports ? Math.max(2, (d.reports / max) * (h - 16)) : 0;
      return `<rect x="${(i * bw + 1).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(d.date)}: ${d.reports} reports</title></rect>`;
    })
    .join('');
  return `<figure class="growth"><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="Reports per day, ${esc(days[0].date)} to ${esc(days[days.length - 1].date)}, at most ${max} a day">${bars}</svg>
    <figcaption class="muted">${esc(days[0].date)} – ${esc(days[days.length - 1].date)} · at most ${max} ${max === 1 ? 'report' : 'reports'} a day</figcaption></figure>`;
}

// Why a report is in the campaign, in words.
function why(link: any) {
  if (!link) return 'first report';
  if (link.reason === 'identifier') {
    return `shares ${link.identifier.kind} ${link.identifier.value} with #${link.with}`;
  }
  return `text ${Math.round(link.similarity * 100)} % similar to #${link.with}`;
}

function renderDetail() {
  const c = state.detail;
  const role = state.session!.role;
  const channels = Object.entries(c.channels)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const idents = c.identifiers
    .slice(0, 30)
    .map((x: any) => `<tr><td>${esc(x.kind)}</td><td class="ident">${esc(x.value)}</td><td class="num">${x.reports}</td></tr>`)
    .join('');
  const members = c.members
    .map(
      (m: any) => `<tr data-report="${m.report_id}"><td>#${m.report_id}</td><td>${esc(m.channel)}</td>
      <td>${esc(day(m.received_at))}</td><td class="why">${esc(why(m.link))}</td>
      <td class="text">${esc(cut(m.text || '', 90))}</td>
      <td class="acts">${
        canAnalyse(role) && c.reports > 1
          ? `${m.link ? `<button class="split" data-report="${m.report_id}" data-with="${m.link.with}" title="Cut this link: this report and those linked through it become a campaign of their own">Split here</button>` : ''}
             <button class="pin" data-report="${m.report_id}" title="Take this report out of the campaign for good">Pin out</button>`
          : ''
      }</td></tr>`,
    )
    .join('');
  const warnings = (c.warnings as number[])
    .map((id) => `<a href="/api/v1/alerts/${id}.xml" target="_blank" rel="noopener">alert ${id}</a>`)
    .join(', ');
  $('#campaign').innerHTML = `
    <div class="panel-head"><h2>Campaign #${c.campaign_id}</h2>
      ${canWarn(role) ? '<button id="warn" class="primary">Issue public warning</button>' : ''}</div>
    <div class="body">
      <p class="summary"><b>${c.reports}</b> reports · ${esc(day(c.first_seen))} – ${esc(day(c.last_seen))} ·
        loss ${esc(money(c.loss_total, c.loss_currency))} · ${esc(channels)}
        ${warnings ? ` · warnings: ${warnings}` : ''}</p>
      <h3>Growth</h3>${growthChart(c.daily)}
      ${c.sample_text ? `<h3>Script</h3><blockquote class="script">${esc(c.sample_text)}</blockquote>` : ''}
      <h3>Identifiers</h3>
      <table class="idents" aria-label="Identifiers of the campaign"><thead><tr><th>kind</th><th>value</th><th>reports</th></tr></thead>
        <tbody>${idents || '<tr><td colspan="3" class="muted">none (linked by text)</td></tr>'}</tbody></table>
      <h3>Reports and why each is in the campaign</h3>
      <table class="members" aria-label="Reports of the campaign"><thead><tr><th>report</th><th>channel</th><th>received</th>
        <th>why it is in</th><th>text</th><th></th></tr></thead><tbody>${members}</tbody></table>
      ${c.members_truncated ? '<p class="muted">The first 1,000 reports are shown.</p>' : ''}
    </div>`;
  $('#warn')?.addEventListener('click', openWarning);
  for (const b of document.querySelectorAll<HTMLButtonElement>('#campaign button.split')) {
    b.addEventListener('click', () =>
      decide('split', { report_id: Number(b.dataset.report), with: Number(b.dataset.with) }),
    );
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('#campaign button.pin')) {
    b.addEventListener('click', () => decide('pin-out', { report_id: Number(b.dataset.report) }));
  }
}

async function decide(action: 'split' | 'pin-out', body: any) {
  const id = state.detail.campaign_id;
  const reason = window.prompt(action === 'split' ? 'Why is this link wrong?' : 'Why is this report not part of it?') ?? '';
  try {
    const r = await api<any>('POST', `/scam/campaigns/${id}/${action}`, { ...body, reason });
    toast(`${action === 'split' ? 'Split' : 'Pinned out'}: now campaigns ${r.campaigns.map((c: number) => '#' + c).join(', ')}`);
    await loadCampaigns();
    await selectCampaign(id);
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

// ---- the public warning (supervisor) ----
function openWarning() {
  const c = state.detail;
  $('#modal-root').innerHTML = `<div class="modal" role="dialog" aria-modal="true" aria-labelledby="warn-title">
    <form id="warn-form">
      <h2 id="warn-title">Public warning about campaign #${c.campaign_id}</h2>
      <p class="muted">A CAP 1.2 alert (category Security) with the campaign's script and the numbers
        and sites to ignore, on the public feed. Leave the area empty for the desk's default.</p>
      <label>Headline (optional) <input name="headline" maxlength="150"></label>
      <label>Area <input name="area" placeholder="e.g. San Francisco"></label>
      <div class="row"><label class="grow">Latitude <input name="lat" inputmode="decimal"></label>
        <label class="grow">Longitude <input name="lon" inputmode="decimal"></label>
        <label class="grow">Radius km <input name="radius" inputmode="decimal" value="25"></label></div>
      <p class="form-error" role="alert"></p>
      <div class="row end"><button type="button" id="warn-cancel">Cancel</button>
        <button type="submit" class="primary">Issue warning</button></div>
    </form></div>`;
  $('#warn-cancel').addEventListener('click', () => ($('#modal-root').innerHTML = ''));
  $('#warn-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target as HTMLFormElement;
    const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value.trim();
    const body: any = {};
    if (v('headline')) body.headline = v('headline');
    if (v('area')) {
      body.area = {
        description: v('area'),
        circle: { lat: Number(v('lat')), lon: Number(v('lon')), radius_km: Number(v('radius')) },
      };
    }
    try {
      const r = await api<any>('POST', `/scam/campaigns/${c.campaign_id}/warning`, body);
      $('#modal-root').innerHTML = '';
      toast(`Warning issued: alert ${r.id} (${r.identifier})`);
      await selectCampaign(c.campaign_id);
    } catch (e) {
      $('#warn-form .form-error').textContent = errorText(e);
    }
  });
  $<HTMLInputElement>('#warn-form input[name=headline]').focus();
}

// ---- start ----
function start(s: Session) {
  state.session = s;
  if (!deskRoles.has(s.role)) {
    clearSession();
    renderLogin('Beacon anti-scam desk', start, 'The desk is for fraud analysts and supervisors.');
    return;
  }
  renderShell(s);
  loadCampaigns();
  window.setInterval(() => {
    if (!$('#modal-root')?.innerHTML) loadCampaigns();
  }, 10000);
}

document.title = 'Beacon anti-scam desk';
setUnauthorizedHandler(() => {
  clearSession();
  renderLogin('Beacon anti-scam desk', start, 'Your session ended; log in again.');
});
const saved = savedSession();
if (saved) start(saved);
else renderLogin('Beacon anti-scam desk', start);
