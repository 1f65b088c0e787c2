// The map: Leaflet with no tile layer. Streets come from the server's own
// road graph (GET /api/v1/map/roads.geojson); without a graph a plain grid
// is drawn. Everything is canvas or inline SVG/HTML: no images, fonts or
// tiles from anywhere else (docs/web.md).
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { api } from './api';

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
    } catch {
      this.drawGrid();
      document.body.dataset.basemap = 'grid';
    }
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
