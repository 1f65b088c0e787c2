// The live stream (GET /api/v1/stream, docs/api.md section 10): a WebSocket
// that reconnects with ?since=<last applied seq> so that nothing is missed.
// Close code 4401 (the session ended, docs/security.md) stops it and hands
// over to the login screen; 4008 (this client fell behind) and any other
// close reconnect and catch up.
import { sessionEnded } from './api';

export interface StreamEvent {
  seq: number;
  type: string;
  time: string;
  data: any;
}

export interface StreamHandlers {
  // First hello of a session without a known seq: load the snapshot.
  onSnapshotNeeded: () => Promise<void>;
  onEvent: (e: StreamEvent) => void;
  onState: (connected: boolean, lastEventAt: Date | null) => void;
}

export class Stream {
  lastSeq: number | null = null;
  private ws: WebSocket | null = null;
  private retryMs = 500;
  private timer: number | undefined;
  private stopped = false;
  private lastEventAt: Date | null = null;
  private pending: StreamEvent[] | null = null;

  constructor(
    private token: string,
    private h: StreamHandlers,
  ) {}

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  private connect() {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const since = this.lastSeq === null ? '' : `&since=${this.lastSeq}`;
    const url = `${proto}://${location.host}/api/v1/stream?token=${encodeURIComponent(this.token)}${since}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data as string);
      if (msg.type === 'hello') {
        this.lastEventAt = new Date();
        this.h.onState(true, this.lastEventAt);
        if (this.lastSeq === null) {
          // Events that arrive while the snapshot loads are held, then
          // applied in order (replacing records converges on the truth).
          this.lastSeq = msg.last_seq;
          this.pending = [];
          this.h.onSnapshotNeeded().finally(() => {
            const held = this.pending ?? [];
            this.pending = null;
            for (const e of held) this.h.onEvent(e);
          });
        }
        return;
      }
      if (this.lastSeq !== null && msg.seq <= this.lastSeq) return;
      this.lastSeq = msg.seq;
      this.lastEventAt = new Date();
      document.body.dataset.lastSeq = String(msg.seq);
      if (this.pending) this.pending.push(msg);
      else this.h.onEvent(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.h.onState(false, this.lastEventAt);
      if (this.stopped) return;
      if (ev.code === 4401) {
        this.stopped = true;
        sessionEnded();
        return;
      }
      this.timer = window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 4000);
    };
  }
}
