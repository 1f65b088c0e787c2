// Browser test of the anti-scam desk (/scam): a small file of fraud reports
// imported with `beacon scam import`, the campaigns ranked, one opened with
// its growth chart, identifiers and why each report is in it, a report
// pinned out by the fraud analyst, and a public warning issued by the
// supervisor that lands on the CAP feed.
// A real `beacon serve` and headless Debian chromium (playwright-core).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium as pw } from 'playwright-core';
import { Beacon, binary, launchBrowser, password, screenshots } from './harness.mjs';

const T = 15000;
let beacon;
let browser;

// A centre's own export (the built-in `centre` mapping, docs/scam.md): a
// gift-card scam by phone three times (one number), its script twice by
// SMS with another callback number, and one unrelated phishing site.
const CSV = `id,received,channel,text,phone,url,amount,currency,reporter_name,reporter_phone
1,2026-11-02 09:10:00,phone,"Caller said he was from the tax office and I had to pay with gift cards",+1 833 304 1447,,200,USD,Ann Example,+1 415 555 0100
2,2026-11-03 11:00:00,phone,"They wanted gift cards for a tax debt",833-304-1447,,,,,
3,2026-11-05 16:30:00,phone,,(833) 304-1447,,950,USD,,
4,2026-11-06 08:00:00,sms,"IRS notice: a warrant is issued in your name. Pay your tax debt today with gift cards or call 855-457-7745 to avoid arrest",,,,,,
5,2026-11-07 12:00:00,sms,"IRS notice: a warrant is issued in your name. Pay your tax debt today with gift cards or call 888-604-0734 to avoid arrest",,,,,,
6,2026-11-07 13:00:00,web,,,http://parcel-fee.example.org/pay,,,,
7,2026-11-08 10:00:00,sms,"IRS notice: a warrant is issued in your name, pay today with gift cards or call 833-304-1447",,,,,,
`;

before(async () => {
  beacon = new Beacon();
  beacon.setup();
  await beacon.start();
  const file = path.join(beacon.dir, 'reports.csv');
  fs.writeFileSync(file, CSV);
  const r = spawnSync(
    binary,
    ['scam', 'import', file, '--format', 'centre', '--server', beacon.url, '--user', 'fraud_analyst'],
    { env: { ...process.env, BEACON_PASSWORD: password('fraud_analyst') }, encoding: 'utf8', timeout: 60000 },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /7 new reports/);
  browser = await launchBrowser(pw);
});

after(async () => {
  await browser?.close().catch(() => {});
  await beacon?.cleanup();
});

async function deskPage(user) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => console.error(`[${user} page error]`, e.message));
  page.on('dialog', (d) => d.accept('not this scam'));
  await page.goto(`${beacon.url}/scam`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password(user));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('body[data-ready="1"]');
  return page;
}

test('the analyst sees campaigns ranked, opens one, sees why each report is in it', { timeout: 90000 }, async () => {
  const page = await deskPage('fraud_analyst');
  const rows = page.locator('#campaign-table tbody tr[data-id]');
  await page.waitForFunction(() => document.querySelectorAll('#campaign-table tbody tr[data-id]').length === 2);
  // Ranked by reports: the gift-card campaign (6 reports) first, the site alone second.
  await assert.doesNotReject(rows.first().locator('td').nth(1).filter({ hasText: '6' }).waitFor());
  assert.match(await rows.nth(1).innerText(), /parcel-fee/);

  await rows.first().click();
  const detail = page.locator('#campaign');
  await detail.getByRole('heading', { name: /Campaign #1/ }).waitFor();
  assert.match(await detail.locator('.summary').innerText(), /6 reports/);
  assert.match(await detail.locator('.summary').innerText(), /1,150 USD/);
  // The growth chart and the identifiers with their counts.
  await detail.getByRole('img', { name: /Reports per day/ }).waitFor();
  const idents = await detail.locator('table.idents').innerText();
  assert.match(idents, /phone\s+\+18333041447\s+4/);
  // Every report but the first says why it is in.
  const why = await detail.locator('table.members td.why').allInnerTexts();
  assert.equal(why.length, 6);
  assert.equal(why[0], 'first report');
  assert.ok(why.some((w) => /^shares phone \+18333041447 with #\d+$/.test(w)), why.join(' | '));
  assert.ok(why.some((w) => /^text \d+ % similar to #\d+$/.test(w)), why.join(' | '));
  // Reporters' contact data never reach the desk.
  assert.doesNotMatch(await page.content(), /Ann Example|555 0100/);
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'scam-desk-1366x768.png') });

  // Pin the unrelated-looking report 3 out: the campaign has 5 reports left.
  await detail.locator('tr[data-report="3"] button.pin').click();
  await page.waitForFunction(() => /5 reports/.test(document.querySelector('#campaign .summary')?.textContent ?? ''));
  await page.context().close();
});

test('the supervisor issues a public warning about the campaign', { timeout: 90000 }, async () => {
  const page = await deskPage('supervisor');
  await page.locator('#campaign-table tbody tr[data-id="1"]').click();
  await page.locator('#campaign').getByRole('heading', { name: /Campaign #1/ }).waitFor();
  // The supervisor reads campaigns but does not split them.
  assert.equal(await page.locator('#campaign button.pin').count(), 0);
  await page.getByRole('button', { name: 'Issue public warning' }).click();
  const form = page.getByRole('dialog', { name: /Public warning about campaign #1/ });
  await form.getByLabel('Area').fill('Test City');
  await form.getByLabel('Latitude').fill('37.76');
  await form.getByLabel('Longitude').fill('-122.44');
  await form.getByRole('button', { name: 'Issue warning' }).click();
  await page.getByRole('status').filter({ hasText: /Warning issued: alert \d+/ }).waitFor();
  await page.locator('#campaign .summary a').first().waitFor();
  await page.screenshot({ path: path.join(screenshots, 'scam-desk-warning-1366x768.png') });
  const feed = await fetch(`${beacon.url}/api/v1/alerts/feed.atom`).then((r) => r.text());
  assert.match(feed, /Scam warning/);
  const xml = await fetch(`${beacon.url}/api/v1/alerts/1.xml`).then((r) => r.text());
  assert.match(xml, /<category>Security<\/category>/);
  assert.match(xml, /\+18333041447/);
  assert.match(xml, /Test City/);
  await page.context().close();
});
