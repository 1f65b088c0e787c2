// Thin client of the Beacon REST API (docs/api.md). Every error answer is
// {"error":{"code","message","field"}}; ApiError carries it to the UI.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
  ) {
    super(message);
  }
}

let token: string | null = sessionStorage.getItem('beacon.token');
let onUnauthorized: () => void = () => {};

export function setToken(t: string | null) {
  token = t;
  if (t) sessionStorage.setItem('beacon.token', t);
  else sessionStorage.removeItem('beacon.token');
}
export function getToken() {
  return token;
}
export function setUnauthorizedHandler(f: () => void) {
  onUnauthorized = f;
}

// The server ended this session (logout elsewhere, revoked, user disabled,
// expired): an HTTP 401 or the stream closed with 4401.
export function sessionEnded() {
  onUnauthorized();
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = json?.error ?? {};
    if (res.status === 401 && path !== '/auth/login') sessionEnded();
    throw new ApiError(res.status, e.code ?? 'http', e.message ?? `HTTP ${res.status}`, e.field);
  }
  return json as T;
}

// Role -> what the UI offers; mirrors src/model/permissions.cc (the server
// decides anyway; this only hides what would be refused).
export type Role =
  | 'call_taker'
  | 'dispatcher'
  | 'supervisor'
  | 'analyst'
  | 'auditor'
  | 'admin'
  | 'fraud_analyst';
export const can = {
  createCall: (r: Role) => r === 'call_taker' || r === 'dispatcher' || r === 'supervisor',
  dispatch: (r: Role) => r === 'dispatcher' || r === 'supervisor',
  supervise: (r: Role) => r === 'supervisor',
  readPersonal: (r: Role) => r === 'call_taker' || r === 'dispatcher' || r === 'supervisor',
  cameras: (r: Role) => r === 'call_taker' || r === 'dispatcher' || r === 'supervisor',
  readOperations: (r: Role) =>
    r === 'call_taker' || r === 'dispatcher' || r === 'supervisor' || r === 'analyst',
};
