// Playwright runs Confab's user flows in Debian's Chromium (no browser download) against a server
// started for the run on a throw-away data directory (see scripts/test.sh for the environment).
import { defineConfig, devices } from "@playwright/test";
import path from "node:path";
import { chromiumLaunchOptions } from "./chromium";

const repoRoot = path.resolve(__dirname, "..");
const listen = process.env.CONFAB_LISTEN ?? "127.0.0.1:3100";
// The browser reaches the server as localhost: passkeys need a domain name, never an IP address
// (the server listens on 127.0.0.1, which localhost resolves to).
const baseURL = `http://localhost:${listen.split(":").pop()}`;
// People who are not testing passkeys said "Not now" to the offer to set one up, so it does not
// shift their chat list while they click (the passkey tests start without this).
const offerDismissed = {
  cookies: [],
  origins: [{ origin: baseURL, localStorage: [{ name: "confab.passkey-offer-dismissed-at", value: String(Date.now()) }] }],
};

export default defineConfig({
  testDir: "./tests",
  outputDir: "./results/artifacts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: "results/report.json" }]],
  use: {
    baseURL,
    storageState: offerDismissed,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // A fake microphone (a beep) that needs no permission prompt, for the voice-note tests.
    launchOptions: {
      ...chromiumLaunchOptions,
      args: [...chromiumLaunchOptions.args, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    },
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, channel: undefined } },
    { name: "phone", use: { ...devices["Pixel 7"], channel: undefined } },
  ],
  webServer: {
    // CONFAB_E2E_BIN runs a copy of the binary, for checkouts that share one target dir.
    command: `"${process.env.CONFAB_E2E_BIN ?? path.join(repoRoot, "target/release/confab")}"`,
    cwd: repoRoot,
    url: `http://${listen}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    // Files up to 5 MB (100 by default), so the size-limit test uploads 6 MB instead of 100.
    env: { CONFAB_LISTEN: listen, CONFAB_PUBLIC_URL: baseURL, CONFAB_LOG: process.env.CONFAB_LOG ?? "warn", CONFAB_FILE_MAX_MB: "5" },
  },
});
