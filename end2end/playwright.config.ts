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

/** The named variables that are set, for the server's environment. */
function fromEnvironment(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (process.env[n] === undefined ? [] : [[n, process.env[n] as string]])));
}

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
    // A fake camera and microphone (a beep) that need no permission prompt, for voice notes and
    // calls. Calls run in a network namespace with no way out (scripts/e2e_in_namespace.sh), on
    // 127.0.0.1 too: Chromium offers loopback addresses as ICE candidates only when allowed.
    launchOptions: {
      ...chromiumLaunchOptions,
      args: [
        ...chromiumLaunchOptions.args,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection",
      ],
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
    // Files up to 5 MB (100 by default), so the size-limit test uploads 6 MB instead of 100. The
    // TURN server and the short ring time come from scripts/e2e_in_namespace.sh.
    env: {
      CONFAB_LISTEN: listen,
      CONFAB_PUBLIC_URL: baseURL,
      CONFAB_LOG: process.env.CONFAB_LOG ?? "warn",
      CONFAB_FILE_MAX_MB: "5",
      ...fromEnvironment("CONFAB_TURN_URLS", "CONFAB_TURN_SECRET", "CONFAB_CALL_RING_SECONDS"),
    },
  },
});
