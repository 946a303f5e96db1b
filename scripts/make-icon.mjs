// Renders images/icon.svg to images/icon.png (128×128, the extension's Marketplace icon) with Debian's
// chromium through playwright-core (both already used by the in-editor tests). The PNG is committed;
// run this after changing the SVG:  node scripts/make-icon.mjs
import { chromium } from 'playwright-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const size = 128;
const executablePath = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => p && existsSync(p));
if (!executablePath) {
  console.error('make-icon: Debian chromium not found (bash scripts/setup-editor.sh installs it; or set CHROMIUM_PATH)');
  process.exit(2);
}
const svg = readFileSync(join(root, 'images', 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  writeFileSync(join(root, 'images', 'icon.png'), png);
  console.log(`make-icon: images/icon.png (${size}×${size}, ${png.length} bytes)`);
} finally {
  await browser.close();
}
