// What a hostile link or a shared device could do to a person, tried in a real browser.
import { expect, logIn, signUp, test, waitForHydration } from "./helpers";

test("a login link hiding another site behind a tab still lands the person on their chats", async ({ page, baseURL }) => {
  const person = await signUp(page);
  await page.context().clearCookies();
  // Browsers drop the tab from `/<tab>/evil.example`, which leaves `//evil.example`: another site.
  await page.goto("/login?next=/%09/evil.example");
  await logIn(page, person);
  await expect(page).toHaveURL(`${baseURL}/chats`);
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toBeVisible();
});

test("after signing out on a shared device, going offline shows no private page", async ({ page }) => {
  await signUp(page);
  await page.goto("/chats");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // Once the worker controls the page, every navigation goes through it.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toBeVisible();

  await page.goto("/settings");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.context().setOffline(true);
  await page.goto("/chats").catch(() => undefined);
  await expect(page.getByRole("heading", { name: "You’re offline" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toHaveCount(0);
  const cachedPages = await page.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
    }
    return paths.filter((p) => !p.startsWith("/pkg/") && !p.startsWith("/icons/") && p !== "/offline.html" && p !== "/manifest.webmanifest");
  });
  expect(cachedPages).toEqual([]);
  await page.context().setOffline(false);
});

test("pages and API answers tell browsers not to store them, static files may be cached", async ({ page, request }) => {
  await signUp(page);
  for (const path of ["/chats", "/settings"]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()["cache-control"], path).toBe("no-store");
  }
  const api = await page.request.post("/api/chats-fn/list_chats");
  expect(api.headers()["cache-control"]).toBe("no-store");
  const wasm = await request.get("/pkg/confab.wasm");
  expect(wasm.headers()["cache-control"] ?? "").not.toContain("no-store");
});
