// Small DOM and formatting helpers shared by every screen.
import { ApiError } from './api';

export const $ = <T extends HTMLElement = HTMLElement>(sel: string, root: ParentNode = document) =>
  root.querySelector(sel) as T;

// Text for innerHTML templates: every value from the server goes through it.
export function esc(s: unknown): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

// "42s", "3m 05s", "1h 02m" since an ISO time.
export function age(iso: string): string {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function clock(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return d.toLocaleTimeString([], { hour12: false });
}

// A message in #toasts (role=alert/status so screen readers announce it).
export function toast(text: string, kind: 'error' | 'ok' = 'ok') {
  const box = $('#toasts');
  if (!box) return;
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.textContent = text;
  box.appendChild(el);
  while (box.children.length > 4) box.firstElementChild!.remove();
  window.setTimeout(() => el.remove(), kind === 'error' ? 12000 : 5000);
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.status ? `${e.message} (${e.status})` : e.message;
  return String(e);
}

// A short tone generated in the page (Web Audio; no sound file). Browsers
// allow it only after the user has interacted with the page; before that it
// is silently skipped.
let audio: AudioContext | null = null;
export function tone(frequency_hz = 880, duration_s = 0.25, repeats = 2) {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    const t0 = audio.currentTime;
    for (let i = 0; i < repeats; i++) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency_hz;
      gain.gain.setValueAtTime(0.2, t0 + i * duration_s * 1.6);
      gain.gain.exponentialRampToValueAtTime(0.001, t0 + i * duration_s * 1.6 + duration_s);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + i * duration_s * 1.6);
      osc.stop(t0 + i * duration_s * 1.6 + duration_s);
    }
  } catch {
    // No audio device (headless): the visual alarm stands alone.
  }
}
