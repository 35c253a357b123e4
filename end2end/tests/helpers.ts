// Shared helpers for the end-to-end suite.
import { expect, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export { expect, test } from "@playwright/test";

/** Waits until the wasm has hydrated the server-rendered page (the app marks <html data-hydrated>). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator("html[data-hydrated=true]")).toHaveCount(1);
}

/** Saves a full-page screenshot under end2end/results/screenshots/<project>/<name>.png. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = path.join(__dirname, "..", "results", "screenshots", testInfo.project.name);
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** A username and UK mobile number that no other test uses. */
export function uniqueUser(): { username: string; phone: string } {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");
  return { username: `u${Date.now().toString(36)}${digits(4)}`, phone: `+447911${digits(6)}` };
}
