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

/** A username and (German) mobile number that no other test uses. */
export function uniqueUser(): { username: string; phone: string } {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");
  return { username: `u${Date.now().toString(36)}${digits(4)}`, phone: `+49151${digits(8)}` };
}

type CodeFile = { to: string; channel: string; purpose: string; code: string };

/** The codes sent to `to` so far, oldest first, read from the server's outbox folder. */
export function codesSentTo(to: string): CodeFile[] {
  const dir = process.env.CONFAB_OUTBOX_DIR;
  if (!dir) throw new Error("CONFAB_OUTBOX_DIR is not set: run the suite with scripts/test.sh");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as CodeFile)
    .filter((m) => m.to === to);
}

/** Waits for code number `count` (1-based) sent to `to` and returns it. */
export async function waitForCode(to: string, count: number): Promise<string> {
  await expect.poll(() => codesSentTo(to).length, { message: `code #${count} for ${to}` }).toBeGreaterThanOrEqual(count);
  return codesSentTo(to)[count - 1].code;
}

export type Person = { username: string; phone: string; userId: string };

/** Signs a new person up through the register page and stops at the welcome screen. */
export async function signUp(page: Page): Promise<Person> {
  const { username, phone } = uniqueUser();
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send me a code" }).click();
  await page.getByLabel("Code").fill(await waitForCode(phone, 1));
  const userId = (await page.getByTestId("user-id").textContent())?.trim() ?? "";
  expect(userId).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  return { username, phone, userId };
}

/** Logs an existing person in with a phone code (the user ID too, when given). */
export async function logIn(page: Page, person: Person, withUserId = true): Promise<void> {
  const sent = codesSentTo(person.phone).length;
  await waitForHydration(page);
  if (withUserId) await page.getByLabel("User ID (optional)").fill(person.userId);
  await page.getByLabel("Phone number").fill(person.phone);
  await page.getByRole("button", { name: "Send me a code" }).click();
  await page.getByLabel("Code").fill(await waitForCode(person.phone, sent + 1));
}
