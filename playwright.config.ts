/**
 * Browser tests: a real JupyterLab from the project's .venv, driven by Galata + Debian Chromium.
 *
 * Run with `npm run test:browser` (assumes `npm run setup` ran: .venv, tslab kernelspec, dist/).
 * The server serves a throw-away copy of notebooks/ from build/browser-root/ (see
 * test/browser/serve.sh), on a free port chosen here once and passed to workers through the env.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import type { PlaywrightTestConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './scripts/chromium.mjs';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const baseConfig: PlaywrightTestConfig = require('@jupyterlab/galata/lib/playwright-config');

/** Asks the OS for a free TCP port on 127.0.0.1 (synchronously, as config loading is sync). */
function _freePort(): string {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();});";
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim();
}

// The main process picks the port; worker processes inherit it through the environment.
if (!process.env.MHA_BROWSER_PORT) process.env.MHA_BROWSER_PORT = _freePort();
const port = process.env.MHA_BROWSER_PORT;
const baseURL = `http://127.0.0.1:${port}`;

const config: PlaywrightTestConfig = {
  ...baseConfig,
  testDir: path.join(__dirname, 'test/browser'),
  testMatch: '**/*.spec.ts',
  outputDir: path.join(__dirname, 'build/browser-results'),
  // One JupyterLab, two cores: run notebooks one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // Per test: open + run all + save + reopen one notebook (a course notebook takes 20-60 s).
  // The untrusted reopen makes every saved PNG snapshot live again and checks each chart's data is drawn, which
  // takes notebook 12 (11 charts, MiniLM) past 4 min on a loaded 2-core machine.
  timeout: 6 * 60_000,
  expect: { timeout: 30_000 },
  // the JSON report names every skipped test for npm test's summary (scripts/runtime/test.mjs, test/skips.json)
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'build/playwright-report' }],
    ['json', { outputFile: 'build/test-reports/browser.json' }]
  ],
  use: {
    ...baseConfig.use,
    baseURL,
    viewport: { width: 1280, height: 900 },
    video: 'off',
    trace: 'retain-on-failure',
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    launchOptions: {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS
    }
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: 'bash test/browser/serve.sh',
    url: `${baseURL}/lab`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe'
  }
};

export default config;
