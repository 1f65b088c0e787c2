// The map: Leaflet with no tile layer. Streets come from the server's own
// road graph (GET /api/v1/map/roads.geojson); without a graph a plain grid
// is drawn. Everything is canvas or inline SVG/HTML: no images, fonts or
// tiles from anywhere else (docs/web.md).
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { api } from './api';
import { esc } from './dom';

export const PRIORITY_COLOURS: Record<number, string> = {
  1: '#d7191c',
  2: '#f07c1a',
  3: '#e6c619',
  4: '#2c7bb6',
  5: '#7b8794',
};
export const STATUS_COLOURS: Record<string, string> = {
  available: '#1a9850',
  dispatched: '#f07c1a',
  en_route: '#e6550d',
  on_scene: '#d7191c',
  transporting: '#8856a7',
  at_hospital: '#6a51a3',
  out_of_service: '#636363',
};
const TYPE_LETTER: Record<string, string> = {
  engine: 'E',
  truck: 'T',
  medic: 'M',
  bls: 'B',
  rescue: 'R',
  chief: 'C',
  hazmat: 'H',
  boat: 'W',
  patrol: 'P',
};

export interface LatLonT {
  lat: number;
  lon: number;
}

export class CityMap {
  map: L.Map;
  private renderer = L.canvas({ padding: 0.2 });
  // Incidents are SVG so that each is an element (clickable, testable).
  private svg = L.svg({ padding: 0.2 });
  private incidents = new Map<number, L.CircleMarker>();
  private units = new Map<string, { marker: L.Marker; last?: LatLonT; heading?: number; key?: string }>();
  // Units standing at the same point (a station) are drawn side by side.
  private stacks = new Map<string, string[]>();
  private cameras = L.layerGroup();
  private coverage = L.layerGroup();
  private pick: L.CircleMarker | null = null;
  // Street names (GET /map/streets.geojson), drawn by drawLabels.
  private labels = L.layerGroup();
  private streetLabels: { lat: number; lon: number; name: string; rank: number; angle: number }[] = [];
  hasRoads = false;
  coverageAvailable = false;

  constructor(el: HTMLElement, private onIncidentClick: (id: number) => void) {
    this.map = L.map(el, {
      preferCanvas: true,
      zoomControl: true,
      attributionControl: true,
      center: [37.76, -122.42],
      zoom: 13,
      keyboard: false, // the command room's shortcuts own the keyboard
    });
    this.map.attributionControl.setPrefix('Leaflet');
    this.map.createPane('roads').style.zIndex = '250';
    this.map.createPane('coverage').style.zIndex = '300';
    this.coverage.addTo(this.map);
    this.cameras.addTo(this.map);
    const labels = this.map.createPane('labels');
    labels.style.zIndex = '260';
    labels.style.pointerEvents = 'none';
    this.labels.addTo(this.map);
    this.map.on('moveend zoomend', () => this.drawLabels());
  }

  async loadBasemap(): Promise<void> {
    try {
      const fc = await api<any>('GET', '/map/roads.geojson');
      const style = (f: any) =>
        f?.properties?.class === 'major'
          ? { color: '#9aa5b1', weight: 2.5, opacity: 1 }
          : { color: '#c3cbd3', weight: 1.2, opacity: 1 };
      L.geoJSON(fc, { style, renderer: this.renderer, pane: 'roads', interactive: false } as any).addTo(
        this.map,
      );
      if (Array.isArray(fc.bbox) && fc.bbox.length === 4) {
        const [w, s, e, n] = fc.bbox;
        this.map.fitBounds([
          [s, w],
          [n, e],
        ]);
      }
      this.map.attributionControl.addAttribution('Streets: © OpenStreetMap contributors (own import)');
      this.hasRoads = true;
      document.body.dataset.basemap = 'roads';
      this.loadStreetLabels();
    } catch {
      this.drawGrid();
      document.body.dataset.basemap = 'grid';
    }
  }

  async loadStreetLabels(): Promise<void> {
    try {
      const fc = await api<any>('GET', '/map/streets.geojson');
      this.streetLabels = (fc.features ?? []).map((f: any) => ({
        lon: f.geometry.coordinates[0],
        lat: f.geometry.coordinates[1],
        name: String(f.properties.name),
        rank: Number(f.properties.rank),
        angle: Number(f.properties.angle),
      }));
      this.streetLabels.sort((a, b) => a.rank - b.rank);
    } catch {
      this.streetLabels = [];  // no gazetteer: lines without names, as before
    }
    this.drawLabels();
  }

  // Street names at the zooms a dispatcher works at: main roads from 14,
  // residential streets from 15, every named way from 16; a label that would
  // overlap one already placed, or repeat a name close by, is left out.
  private drawLabels() {
    this.labels.clearLayers();
    const z = this.map.getZoom();
    const maxRank = z >= 16 ? 7 : z >= 15 ? 5 : z >= 14 ? 3 : -1;
    let count = 0;
    if (maxRank >= 0) {
      const bounds = this.map.getBounds().pad(0.05);
      const placed: { x: number; y: number; w: number; name: string }[] = [];
      for (const l of this.streetLabels) {
        if (l.rank > maxRank) break;  // sorted by rank
        if (!bounds.contains([l.lat, l.lon])) continue;
        const p = this.map.latLngToContainerPoint([l.lat, l.lon]);
        const w = l.name.length * 3.3 + 6;  // half the width, in pixels
        const clash = placed.some(
          (q) =>
            (Math.abs(q.x - p.x) < q.w + w && Math.abs(q.y - p.y) < 16) ||
            (q.name === l.name && Math.hypot(q.x - p.x, q.y - p.y) < 250),
        );
        if (clash) continue;
        placed.push({ x: p.x, y: p.y, w, name: l.name });
        L.marker([l.lat, l.lon], {
          pane: 'labels',
          interactive: false,
          keyboard: false,
          icon: L.divIcon({
            className: 'street-label',
            html: `<span style="transform: translate(-50%, -50%) rotate(${l.angle}deg)">${esc(l.name)}</span>`,
            iconSize: [0, 0],
          }),
        }).addTo(this.labels);
        if (placed.length >= 150) break;
      }
      count = placed.length;
    }
    document.body.dataset.streetLabels = String(count);
  }

  // No road graph: a 0.01° grid (about 1 km) so that the map still reads.
  private drawGrid() {
    const c = this.map.getCenter();
    const lines: L.LatLngExpression[][] = [];
    for (let i = -30; i <= 30; i++) {
      const lat = Math.round(c.lat * 100) / 100 + i * 0.01;
      const lon = Math.round(c.lng * 100) / 100 + i * 0.01;
      lines.push([
        [lat, c.lng - 0.4],
        [lat, c.lng + 0.4],
      ]);
      lines.push([
        [c.lat - 0.3, lon],
        [c.lat + 0.3, lon],
      ]);
    }
    L.polyline(lines, { color: '#d5dbe1', weight: 1, renderer: this.renderer, interactive: false }).addTo(
      this.map,
    );
    this.map.attributionControl.addAttribution('No road graph: grid of 0.01°');
  }

  setIncident(inc: any, selected: boolean) {
    const id = inc.incident_id as number;
    const open = inc.status === 'open';
    let m = this.incidents.get(id);
    if (!open || !inc.location) {
      if (m) {
        m.remove();
        this.incidents.delete(id);
      }
      return;
    }
    const ll: L.LatLngExpression = [inc.location.lat, inc.location.lon];
    const colour = PRIORITY_COLOURS[inc.priority] ?? '#555';
    const style = {
      radius: selected ? 11 : 8,
      color: selected ? '#111' : '#fff',
      weight: selected ? 3 : 2,
      fillColor: colour,
      fillOpacity: 0.95,
      renderer: this.svg,
    };
    if (!m) {
      m = L.circleMarker(ll, { ...style, className: `incident-marker incident-${id}` }).addTo(this.map);
      m.on('click', () => this.onIncidentClick(id));
      this.incidents.set(id, m);
    } else {
      m.setLatLng(ll);
      m.setStyle(style);
    }
    m.bindTooltip(`#${id} P${inc.priority} ${inc.incident_type}`);
  }

  setUnit(u: any, pos: LatLonT | undefined) {
    let entry = this.units.get(u.unit_id);
    if (!pos) return;
    const moving = u.status === 'en_route' || u.status === 'transporting';
    let heading = entry?.heading;
    if (entry?.last && (entry.last.lat !== pos.lat || entry.last.lon !== pos.lon)) {
      const dy = pos.lat - entry.last.lat;
      const dx = (pos.lon - entry.last.lon) * Math.cos((pos.lat * Math.PI) / 180);
      heading = (Math.atan2(dx, dy) * 180) / Math.PI;
    }
    const key = `${pos.lat.toFixed(5)},${pos.lon.toFixed(5)}`;
    if (entry?.key !== key) {
      if (entry?.key) {
        const old = this.stacks.get(entry.key)?.filter((id) => id !== u.unit_id) ?? [];
        if (old.length) this.stacks.set(entry.key, old);
        else this.stacks.delete(entry.key);
      }
      const list = this.stacks.get(key) ?? [];
      list.push(u.unit_id);
      this.stacks.set(key, list);
    }
    const slot = Math.max(0, this.stacks.get(key)!.indexOf(u.unit_id));
    const colour = STATUS_COLOURS[u.status] ?? '#555';
    const letter = TYPE_LETTER[u.unit_type] ?? '?';
    const arrow =
      moving && heading !== undefined
        ? `<span class="unit-heading" style="transform: rotate(${heading.toFixed(0)}deg)">▲</span>`
        : '';
    const icon = L.divIcon({
      className: 'unit-icon',
      html: `<span class="unit-dot" style="background:${colour}" aria-label="unit ${u.unit_id} ${u.unit_type} ${u.status}">${letter}</span>${arrow}`,
      iconSize: [20, 20],
      iconAnchor: [10 - (slot % 4) * 22, 10 - Math.floor(slot / 4) * 22],
    });
    const ll: L.LatLngExpression = [pos.lat, pos.lon];
    if (!entry) {
      const marker = L.marker(ll, { icon, keyboard: false }).addTo(this.map);
      entry = { marker };
      this.units.set(u.unit_id, entry);
    } else {
      entry.marker.setLatLng(ll);
      entry.marker.setIcon(icon);
    }
    entry.marker.bindTooltip(`${u.unit_id} (${u.unit_type}) ${u.status.replace(/_/g, ' ')}`);
    entry.last = pos;
    entry.key = key;
    entry.heading = heading;
  }

  // Brings an incident into view without changing the zoom the room chose.
  focus(loc: LatLonT | undefined) {
    if (!loc) return;
    const ll = L.latLng(loc.lat, loc.lon);
    if (!this.map.getBounds().pad(-0.1).contains(ll)) this.map.panTo(ll, { animate: false });
  }

  showPick(loc: LatLonT | null) {
    this.pick?.remove();
    this.pick = null;
    if (loc) {
      this.pick = L.circleMarker([loc.lat, loc.lon], {
        radius: 9,
        color: '#111',
        dashArray: '3 3',
        fillOpacity: 0,
        weight: 2,
        renderer: this.renderer,
      }).addTo(this.map);
    }
  }

  setCameras(list: any[]) {
    this.cameras.clearLayers();
    for (const c of list) {
      L.circleMarker([c.lat, c.lon], {
        radius: 4,
        color: '#333',
        weight: 1,
        fillColor: '#fff',
        fillOpacity: 1,
        renderer: this.renderer,
      })
        .bindTooltip(`camera: ${c.name}`)
        .addTo(this.cameras);
    }
  }

  // Coverage cells for 240 s and 480 s; hidden when the API answers non-200.
  async loadCoverage(show: boolean): Promise<boolean> {
    const layers: L.Layer[] = [];
    for (const [seconds, colour] of [
      [480, '#74add1'],
      [240, '#1a9850'],
    ] as const) {
      try {
        const r = await api<any>('GET', `/coverage?seconds=${seconds}`);
        if (!r?.cells) throw new Error('no cells');
        layers.push(
          L.geoJSON(r.cells, {
            pane: 'coverage',
            interactive: false,
            style: { stroke: false, fillColor: colour, fillOpacity: 0.18 },
          } as any),
        );
      } catch {
        this.coverage.clearLayers();
        this.coverageAvailable = false;
        return false;
      }
    }
    this.coverage.clearLayers();
    if (show) for (const l of layers) this.coverage.addLayer(l);
    this.coverageAvailable = true;
    return true;
  }
}
