// Location intake in the call form (docs/geocoding.md): type-ahead over
// GET /geocode?autocomplete=true (arrow keys move, Enter picks, Esc closes
// the list), the picked candidate's position and verified flag, and a map
// click filled in with the nearest address and cross streets from
// GET /reverse. Also the small badge that flags an unverified location in
// the queue and the detail.
import { api } from '../lib/api';
import { esc } from '../lib/dom';

export interface Picked {
  lat: number;
  lon: number;
  label: string;
  kind: string;
  verified: boolean;
}

export function unverifiedBadge(x: { location_verified?: boolean }): string {
  return x.location_verified === false
    ? ' <span class="unverified" title="location not verified: check it with the caller">unverified</span>'
    : '';
}

// The status line under the address box.
function showStatus(form: HTMLFormElement, html: string) {
  const el = form.querySelector<HTMLElement>('#addr-status');
  if (el) el.innerHTML = html;
}

// Wires the address box of the call form. `near` is where candidates are
// preferred (the map's centre); `onPick` places the pin and the coordinates.
export function attachAddressTypeahead(
  form: HTMLFormElement,
  near: () => { lat: number; lon: number } | null,
  onPick: (p: Picked) => void,
) {
  const input = form.querySelector<HTMLInputElement>('input[name=address]')!;
  const list = form.querySelector<HTMLElement>('#addr-list')!;
  let items: any[] = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  const close = () => {
    items = [];
    active = -1;
    list.innerHTML = '';
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const render = () => {
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    list.innerHTML = items
      .map(
        (c, n) =>
          `<li role="option" id="addr-opt-${n}" data-n="${n}" aria-selected="${n === active}" class="${
            n === active ? 'active' : ''
          }"><span class="addr-label">${esc(c.label)}</span> <span class="addr-kind">${esc(c.kind)}${
            c.verified ? ' ✓' : ''
          }</span></li>`,
      )
      .join('');
    if (active >= 0) input.setAttribute('aria-activedescendant', `addr-opt-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  const pick = (n: number) => {
    const c = items[n];
    if (!c) return;
    close();
    input.value = c.label;
    input.dataset.picked = '1';
    showStatus(
      form,
      c.verified
        ? `<span class="verified">✓ verified</span> ${esc(c.kind)} · ${esc(c.why)}`
        : `<span class="unverified">unverified</span> ${esc(c.kind)}: check it with the caller · ${esc(c.why)}`,
    );
    onPick({ lat: c.lat, lon: c.lon, label: c.label, kind: c.kind, verified: !!c.verified });
  };
  const search = async () => {
    const q = input.value.trim();
    if (q.length < 2) return close();
    const mine = ++asked;
    const p = new URLSearchParams({ q, autocomplete: 'true', limit: '6' });
    const c = near();
    if (c) p.set('near', `${c.lat.toFixed(5)},${c.lon.toFixed(5)}`);
    const r = await api<any>('GET', `/geocode?${p}`).catch(() => null);
    if (mine !== asked || !r) return;  // a newer keystroke asked again
    items = r.candidates ?? [];
    active = items.length ? 0 : -1;
    render();
  };

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'addr-list');
  input.setAttribute('aria-expanded', 'false');
  input.addEventListener('input', () => {
    delete input.dataset.picked;
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 120);
  });
  input.addEventListener('keydown', (ev) => {
    if (list.hidden || !items.length) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      active = (active + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      render();
    } else if (ev.key === 'Enter') {
      ev.preventDefault();  // picks; does not submit the form
      pick(active < 0 ? 0 : active);
    } else if (ev.key === 'Escape') {
      ev.stopPropagation();  // closes the list, not the form
      close();
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 150));
  list.addEventListener('mousedown', (ev) => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('li[data-n]');
    if (li) {
      ev.preventDefault();
      pick(Number(li.dataset.n));
    }
  });
  close();
}

// A map click in the call form: the nearest address and its cross streets
// go in the address box (unless the call-taker typed one), with a note.
export async function fillFromMap(form: HTMLFormElement, lat: number, lon: number) {
  const input = form.querySelector<HTMLInputElement>('input[name=address]');
  if (!input) return;
  const r = await api<any>('GET', `/reverse?lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}`).catch(() => null);
  if (!r) {
    showStatus(form, 'no named street near the point clicked');
    return;
  }
  const cross: string[] = r.cross_streets ?? [];
  const between =
    cross.length >= 2 ? ` (between ${cross[0]} and ${cross[1]})` : cross.length === 1 ? ` (near ${cross[0]})` : '';
  if (!input.value.trim() || input.dataset.auto === '1') {
    input.value = `${r.label}${between}`;
    input.dataset.auto = '1';
  }
  showStatus(
    form,
    `nearest: <b>${esc(r.label)}</b>${cross.length ? ` · cross streets: ${cross.map(esc).join(', ')}` : ''}${
      r.place ? ` · ${esc(r.place)}` : ''
    } · ${Math.round(r.distance_m)} m from the street`,
  );
}
