// Browser tests of the dispatch floor in the command room: notes seen live
// by another dispatcher, a type change that changes the recommendations, a
// duplicate suggestion confirmed from the call form with one key, a timer
// that turns a row red and is acknowledged with the keyboard, premise
// hazards in the detail, and the destination picker of a transport.
// A real `beacon serve` and headless Debian chromium (playwright-core).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium as pw } from 'playwright-core';
import { Beacon, launchBrowser, loginPage as openPage, screenshots } from './harness.mjs';

const T = 15000;
let beacon;
let browser;
let dispatcher;
let supervisor;

const loginPage = (user) => openPage(browser, beacon, user, { width: 1366, height: 768 }, T);

async function newIncident(type, lat, lon) {
  const ct = await beacon.login('call_taker');
  const r = await beacon.api('POST', '/calls', { channel: 'phone', incident_type: type, location: { lat, lon } }, ct);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.incident_id;
}

before(async () => {
  beacon = new Beacon();
  beacon.setup();
  // Only priority 5 (public service) has a pending timer here: 5 s.
  beacon.usePlansWithTimers({ pending_s: { 5: 5 } });
  await beacon.start();
  const sup = await beacon.login('supervisor');
  const st = await beacon.api(
    'POST',
    '/stations',
    { station_id: 'S7', name: 'Station 7', location: { lat: 37.7599, lon: -122.4148 } },
    sup,
  );
  assert.equal(st.status, 201);
  for (const [id, type] of [
    ['E7', 'engine'],
    ['M7', 'medic'],
  ]) {
    const r = await beacon.api('POST', '/units', { unit_id: id, unit_type: type, station_id: 'S7' }, sup);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  browser = await launchBrowser(pw);
  dispatcher = await loginPage('dispatcher');
  supervisor = await loginPage('supervisor');
});

after(async () => {
  await browser?.close().catch(() => {});
  await beacon?.cleanup();
});

test('a note typed by one dispatcher appears on another screen without reload', { timeout: 60000 }, async () => {
  const id = await newIncident('MEDICAL', 37.7561, -122.4153);
  for (const page of [dispatcher, supervisor]) await page.locator(`#queue tr[data-incident="${id}"]`).click();
  await dispatcher.getByLabel('Add a note').fill('caller says the door is locked');
  await dispatcher.getByLabel('Add a note').press('Enter');
  await supervisor.locator('#detail .timeline li.tl-note', { hasText: 'caller says the door is locked' }).waitFor();
  fs.mkdirSync(screenshots, { recursive: true });
  await supervisor.screenshot({ path: path.join(screenshots, 'note-seen-live-1366x768.png') });
});

test('changing the type updates the recommendations', { timeout: 60000 }, async () => {
  const id = await newIncident('MEDICAL', 37.7571, -122.4103);
  const page = dispatcher;
  await page.locator(`#queue tr[data-incident="${id}"]`).click();
  await page.locator('#detail h2', { hasText: `#${id}` }).waitFor();
  const rows = page.locator('#detail table.recs tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('#detail table.recs tbody tr').length === 1);
  assert.match(await rows.first().textContent(), /M7/);
  await page.getByLabel('Change incident type').selectOption('CARDIAC_ARREST');
  await page.getByRole('button', { name: 'Change', exact: true }).click();
  await page.locator('#detail h2', { hasText: 'Cardiac' }).waitFor();
  // A cardiac arrest's plan adds an engine.
  await page.waitForFunction(() => document.querySelectorAll('#detail table.recs tbody tr').length === 2);
  await page.locator('#detail table.recs', { hasText: 'E7' }).waitFor();
  await page.locator('#detail .timeline li.tl-changed', { hasText: 'MEDICAL -> CARDIAC_ARREST' }).waitFor();
});

test('a duplicate suggestion in the call form is confirmed with one key', { timeout: 60000 }, async () => {
  const id = await newIncident('TRAFFIC_COLLISION', 37.7521, -122.4181);
  const page = await loginPage('call_taker');
  await page.locator(`#queue tr[data-incident="${id}"]`).waitFor();
  await page.keyboard.press('n');
  const form = page.locator('#call-form');
  await form.waitFor();
  await form.getByLabel('Incident type').selectOption('MEDICAL');
  await form.locator('input[name=coords]').fill('37.7522, -122.4182');
  await form.locator('input[name=coords]').dispatchEvent('change');
  const suggestion = form.locator('#dup-suggestions button', { hasText: `#${id}` });
  await suggestion.waitFor();
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'duplicate-suggestion-1366x768.png') });
  await form.getByLabel('Narrative').focus();
  await page.keyboard.press('Alt+l');
  await form.waitFor({ state: 'detached' });
  await page.locator('.toast', { hasText: `linked to incident #${id}` }).waitFor();
  const inc = await beacon.api('GET', `/incidents/${id}`, undefined, await beacon.login('dispatcher'));
  assert.equal(inc.body.call_ids.length, 2, 'the call joined the suggested incident');
});

test('a timer turns the row red and is acknowledged with the keyboard', { timeout: 90000 }, async () => {
  const id = await newIncident('PUBLIC_SERVICE', 37.7581, -122.4123);
  const page = dispatcher;
  await page.locator(`#queue tr.timer[data-incident="${id}"]`).waitFor({ timeout: 30000 });
  await page.locator(`#queue tr[data-incident="${id}"] .timer-badge`).waitFor();
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'timer-raised-1366x768.png') });
  await page.locator(`#queue tr[data-incident="${id}"]`).click();
  await page.locator('#detail .timers', { hasText: 'no unit for' }).waitFor();
  await page.locator('#detail h2').click();  // focus away from any field
  await page.keyboard.press('t');
  await page.locator(`#queue tr.timer-ack[data-incident="${id}"]`).waitFor();
  await page.locator('#detail .timers', { hasText: 'acknowledged by dispatcher' }).waitFor();
  const timers = await beacon.api('GET', '/timers', undefined, await beacon.login('dispatcher'));
  const t = timers.body.timers.find((x) => x.timer_id === `incident:${id}:pending`);
  assert.ok(t, JSON.stringify(timers.body));
  assert.ok(t.state === 'acknowledged' || t.crossing > 1, 'acknowledged (or raised again at a later crossing)');
});

test('premise hazards show in the detail and a transport picks its hospital', { timeout: 90000 }, async () => {
  const sup = await beacon.login('supervisor');
  const note = await beacon.api(
    'POST',
    '/premises',
    { location: { lat: 37.7551, lon: -122.4161 }, text: 'oxygen cylinders in the hallway', hazard: true },
    sup,
  );
  assert.equal(note.status, 201, JSON.stringify(note.body));
  for (const [id, name, status] of [
    ['SFGH', 'General Hospital', 'open'],
    ['NORTH', 'North Hospital', 'diversion'],
  ]) {
    const r = await beacon.api(
      'POST',
      '/facilities',
      { facility_id: id, name, kind: 'hospital', location: { lat: 37.7556, lon: -122.405 }, status },
      sup,
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const id = await newIncident('MEDICAL', 37.7551, -122.4161);
  const page = dispatcher;
  await page.locator(`#queue tr[data-incident="${id}"]`).click();
  await page.locator('#detail .premises li.hazard', { hasText: 'oxygen cylinders' }).waitFor();
  const d = await beacon.login('dispatcher');
  for (const [path_, body] of [
    [`/incidents/${id}/assignments`, { unit_id: 'M7' }],
    ['/units/M7/status', { status: 'en_route' }],
    ['/units/M7/status', { status: 'on_scene' }],
  ]) {
    const r = await beacon.api('POST', path_, body, d);
    assert.ok(r.status < 300, JSON.stringify(r.body));
  }
  await page.locator('#unit-board tr[data-unit="M7"]', { hasText: 'on scene' }).waitFor();
  await page.locator('#unit-board select[data-unit-status="M7"]').selectOption('transporting');
  const picker = page.getByLabel('Destination facility');
  await picker.waitFor();
  assert.match(await picker.textContent(), /North Hospital — ON DIVERSION/);
  await picker.selectOption('SFGH');
  await page.getByRole('button', { name: 'Set transporting' }).click();
  await page.locator('#unit-board tr[data-unit="M7"] .dest', { hasText: 'General Hospital' }).waitFor();
  const unit = await beacon.api('GET', '/units', undefined, d);
  assert.equal(unit.body.units.find((u) => u.unit_id === 'M7').destination, 'SFGH');
});
