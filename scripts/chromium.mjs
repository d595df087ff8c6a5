// Debian's Chromium, started the one way every offline page in mha-lab is opened (handouts, screenshots,
// chart and handout tests, Galata): headless, no sandbox (CI runs as root), and no background networking,
// whose connections this machine's closed network refuses. Playwright's own browser download is never used.
export const CHROMIUM = process.env.MHA_CHROMIUM ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Launch it through playwright-core. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
