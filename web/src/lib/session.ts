// The logged-in session shared by every screen: the login form, the saved
// session (sessionStorage, per tab) and logout.
import { api, getToken, Role, setToken } from './api';
import { $, errorText, esc } from './dom';

export interface Session {
  token: string;
  role: Role;
  username: string;
}

const KEY = 'beacon.session';

export function savedSession(): Session | null {
  const saved = sessionStorage.getItem(KEY);
  return saved && getToken() ? (JSON.parse(saved) as Session) : null;
}

export function clearSession() {
  setToken(null);
  sessionStorage.removeItem(KEY);
}

// Renders the login form into #app; `onLogin` starts the screen.
export function renderLogin(title: string, onLogin: (s: Session) => void, message = '') {
  document.body.dataset.view = 'login';
  $('#app').innerHTML = `
  <main class="login">
    <form id="login-form" aria-label="Log in to Beacon">
      <h1>${esc(title)}</h1>
      <label>User name <input name="username" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Log in</button>
      <p class="form-error" role="alert">${esc(message)}</p>
    </form>
  </main>`;
  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target as HTMLFormElement;
    const body = {
      username: (f.elements.namedItem('username') as HTMLInputElement).value,
      password: (f.elements.namedItem('password') as HTMLInputElement).value,
    };
    try {
      const r = await api<any>('POST', '/auth/login', body);
      const s: Session = { token: r.token, role: r.role, username: r.username ?? body.username };
      setToken(r.token);
      sessionStorage.setItem(KEY, JSON.stringify(s));
      onLogin(s);
    } catch (e) {
      $('.form-error').textContent = errorText(e);
    }
  });
}
