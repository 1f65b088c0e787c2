// Beacon's web bundle: one page, several screens chosen by the path (the
// server answers index.html for every path without an extension). Each
// screen is its own folder and chunk; shared pieces are in lib/. See
// docs/web.md.
import './lib/style.css';

// Path prefix -> screen. Everything else is the command room.
const screens: [string, () => Promise<unknown>][] = [
  ['/scam', () => import('./desk/desk')],
];

const path = location.pathname;
const screen = screens.find(([prefix]) => path === prefix || path.startsWith(prefix + '/'));
if (screen) screen[1]();
else import('./command/room');
