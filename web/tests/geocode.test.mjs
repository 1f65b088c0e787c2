// Browser tests of location intake (docs/geocoding.md): a partial address
// typed in the call form, a candidate picked with the keyboard, the call
// submitted and its incident on the map at that place; a click on the map
// fills in the nearest address and its cross streets; street names on the
// basemap. A real `beacon serve` with the shared Mission/Bayview graph (and
// its gazetteer) and headless Debian chromium (playwright-core).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium as pw } from 'playwright-core';
import { Beacon, launchBrowser, loginPage, screenshots } from './harness.mjs';

const T = 15000;
let beacon;
let browser;
let page;

before(async () => {
  beacon = new Beacon();
  beacon.setup();
  await beacon.start();
  browser = await launchBrowser(pw);
  page = await loginPage(browser, beacon, 'call_taker', { width: 1366, height: 768 }, T);
});

after(async () => {
  await browser?.close().catch(() => {});
  await beacon?.cleanup();
});

test('type-ahead: pick a candidate with the keyboard, submit, see the incident there', { timeout: 90000 }, async (t) => {
  if (!beacon.graph) return t.skip('no shared OSM extract');
  await page.keyboard.press('n');
  const form = page.locator('#call-form');
  await form.waitFor();
  await form.getByLabel('Incident type').selectOption('MEDICAL');
  const address = form.locator('input[name=address]');
  await address.click();
  await address.pressSequentially('mission st & 24', { delay: 30 });
  const options = form.locator('#addr-list li[role=option]');
  await options.first().waitFor();
  // The first candidate is active; move down and back up with the arrows.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  const first = (await options.first().textContent()) ?? '';
  assert.match(first, /Mission Street & 24th Street/);
  await page.keyboard.press('Enter');
  await form.locator('#addr-list').waitFor({ state: 'hidden' });
  assert.equal(await address.inputValue(), 'Mission Street & 24th Street');
  const coords = await form.locator('input[name=coords]').inputValue();
  const [lat, lon] = coords.split(',').map(Number);
  assert.ok(Math.abs(lat - 37.7522) < 0.0005 && Math.abs(lon + 122.4185) < 0.0005, coords);
  await form.locator('#addr-status .verified').waitFor();
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'address-typeahead-1366x768.png') });
  await form.getByRole('button', { name: 'Create call' }).click();
  await form.waitFor({ state: 'detached' });
  const id = await page.evaluate(() => Number(document.querySelector('#queue tr.selected')?.getAttribute('data-incident')));
  assert.ok(id > 0);
  await page.locator(`.incident-marker.incident-${id}`).waitFor();
  const inc = await beacon.api('GET', `/incidents/${id}`, undefined, await beacon.login('dispatcher'));
  assert.ok(Math.abs(inc.body.location.lat - lat) < 1e-5 && Math.abs(inc.body.location.lon - lon) < 1e-5);
  assert.equal(inc.body.address, 'Mission Street & 24th Street');
});

test('a click on the map fills in the nearest address and cross streets', { timeout: 90000 }, async (t) => {
  if (!beacon.graph) return t.skip('no shared OSM extract');
  // The incident of the previous test marks Mission & 24th on the map.
  const marker = page.locator('.incident-marker').first();
  await marker.waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('n');
  const form = page.locator('#call-form');
  await form.waitFor();
  const box = await marker.boundingBox();
  assert.ok(box);
  // A few pixels north of the corner, on Mission Street, beside the marker.
  await page.mouse.click(box.x + box.width / 2, box.y - 14);
  const address = form.locator('input[name=address]');
  await page.waitForFunction(() => /Street/.test(document.querySelector('#call-form input[name=address]')?.value ?? ''));
  const text = await address.inputValue();
  assert.match(text, /Mission Street|24th Street/, text);
  assert.match(text, /between|near/, text);
  await form.locator('#addr-status', { hasText: 'cross streets' }).waitFor();
  assert.notEqual(await form.locator('input[name=coords]').inputValue(), '');
  await page.screenshot({ path: path.join(screenshots, 'map-click-address-1366x768.png') });
  await page.keyboard.press('Escape');
});

test('the basemap writes street names at a working zoom', { timeout: 60000 }, async (t) => {
  if (!beacon.graph) return t.skip('no shared OSM extract');
  await page.waitForFunction(() => document.body.dataset.basemap === 'roads');
  await page.locator('.incident-marker').first().dblclick();  // zoom in on the corner
  await page.waitForFunction(() => Number(document.body.dataset.streetLabels ?? 0) > 0);
  const names = await page.locator('.street-label span').allTextContents();
  assert.ok(names.some((n) => /Mission Street|24th Street/.test(n)), names.join(', '));
  await page.screenshot({ path: path.join(screenshots, 'street-names-1366x768.png') });
});
