// Playwright runs Confab's user flows in Debian's Chromium (no browser download) against a server
// started for the run on a throw-away data directory (see scripts/test.sh for the environment).
import { defineConfig, devices } from "@playwright/test";
import path from "node:path";
import { chromiumLaunchOptions } from "./chromium";

const repoRoot = path.resolve(__dirname, "..");
const listen = process.env.CONFAB_LISTEN ?? "127.0.0.1:3100";
const baseURL = `http://${listen}`;

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
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, channel: undefined } },
    { name: "phone", use: { ...devices["Pixel 7"], channel: undefined } },
  ],
  webServer: {
    // CONFAB_E2E_BIN runs a copy of the binary, for checkouts that share one target dir.
    command: `"${process.env.CONFAB_E2E_BIN ?? path.join(repoRoot, "target/release/confab")}"`,
    cwd: repoRoot,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: { CONFAB_LISTEN: listen, CONFAB_LOG: process.env.CONFAB_LOG ?? "warn" },
  },
});
