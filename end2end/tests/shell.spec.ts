// The foundation: server-rendered pages, hydration, the PWA pieces and how every page looks.
import { chromium } from "@playwright/test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromiumLaunchOptions } from "../chromium";
import { expect, screenshot, signUp, test, waitForHydration } from "./helpers";

test.describe("server rendering", () => {
  test("the login page's HTML already holds its content before any script runs", async ({ request }) => {
    const response = await request.get("/login");
    expect(response.status()).toBe(200);
    const html = await response.text();
    expect(html).toContain("Welcome back");
    expect(html).toMatch(/<label[^>]*>.*Phone number/s);
    expect(html).toContain('href="/pkg/confab.css"');
  });

  test("without JavaScript the page is readable but the tabs do not switch", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
    await expect(page.getByLabel("Phone number")).toBeVisible();
    await page.getByRole("tab", { name: "Email + password" }).click();
    await expect(page.getByLabel("Email")).toHaveCount(0);
    await expect(page.locator("html[data-hydrated]")).toHaveCount(0);
    await context.close();
  });

  test("after hydration the login tabs switch between phone code and email", async ({ page }) => {
    await page.goto("/login");
    await waitForHydration(page);
    await page.getByRole("tab", { name: "Email + password" }).click();
    await expect(page.getByLabel("Email")).toBeVisible();
    await expect(page.getByLabel("Phone number")).toHaveCount(0);
    await page.getByRole("tab", { name: "Phone code" }).click();
    await expect(page.getByLabel("Phone number")).toBeVisible();
  });

  test("an unknown address gets the 404 page with a 404 status", async ({ page }) => {
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "This page doesn’t exist" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Go to your chats" })).toBeVisible();
  });

  test("pages carry security headers with a script nonce", async ({ request }) => {
    const response = await request.get("/login");
    const headers = response.headers();
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    const csp = headers["content-security-policy"];
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("'wasm-unsafe-eval'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, "CSP has a nonce").toBeTruthy();
    expect(await response.text()).toContain(`nonce="${nonce}"`);
  });

  test("health and readiness probes answer", async ({ request }) => {
    expect((await request.get("/healthz")).status()).toBe(200);
    const ready = await request.get("/readyz");
    expect(ready.status()).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });
});

test.describe("installable app", () => {
  test("the manifest is served with name, icons and standalone display", async ({ request }) => {
    const response = await request.get("/manifest.webmanifest");
    expect(response.status()).toBe(200);
    const manifest = await response.json();
    expect(manifest.name).toBe("Confab");
    expect(manifest.display).toBe("standalone");
    expect(manifest.start_url).toBe("/chats");
    const sizes = manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes}:${i.purpose}`);
    expect(sizes).toEqual(expect.arrayContaining(["192x192:any", "512x512:any", "512x512:maskable"]));
    for (const icon of manifest.icons) {
      const res = await request.get(icon.src);
      expect(res.status(), icon.src).toBe(200);
    }
  });

  test("the service worker registers and controls the app", async ({ page, request }) => {
    const sw = await request.get("/sw.js");
    expect(sw.status()).toBe(200);
    expect(sw.headers()["content-type"]).toContain("javascript");
    await page.goto("/login");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toMatch(/\/$/);
    const cached = await page.evaluate(async () => {
      const cache = await caches.open("confab-v2");
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toEqual(expect.arrayContaining(["/offline.html", "/pkg/confab.wasm"]));
  });

  test("Chromium reports the app installable", async ({ baseURL }, testInfo) => {
    // Installability is never reported for incognito-like contexts, so use a real profile.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "confab-install-"));
    const context = await chromium.launchPersistentContext(profile, {
      ...chromiumLaunchOptions,
      headless: true,
      baseURL,
      viewport: testInfo.project.use.viewport,
      userAgent: testInfo.project.use.userAgent,
    });
    try {
      const page = await context.newPage();
      await page.goto("/login");
      await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
      const cdp = await context.newCDPSession(page);
      await expect
        .poll(async () => (await cdp.send("Page.getInstallabilityErrors")).installabilityErrors, { timeout: 15_000 })
        .toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});

test.describe("how it looks", () => {
  for (const [name, url, heading, signedIn] of [
    ["login", "/login", "Welcome back", false],
    ["register", "/register", "Create your account", false],
    ["not-found", "/nowhere", "This page doesn’t exist", false],
    ["chats", "/chats", "Chats", true],
    ["conversation", "/chats/abc", "Conversation", true],
    ["profile", "/profile/7KQ4M2XD", "Profile", true],
    ["settings", "/settings", "Settings", true],
  ] as const) {
    test(`screenshot of the ${name} page`, async ({ page }, testInfo) => {
      if (signedIn) await signUp(page);
      await page.goto(url);
      await waitForHydration(page);
      await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
      await screenshot(page, testInfo, name);
    });
  }
});

test("the theme follows the system's dark setting", async ({ browser }, testInfo) => {
  const context = await browser.newContext({ ...testInfo.project.use, colorScheme: "dark" });
  const page = await context.newPage();
  await page.goto("/login");
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).not.toBe("rgb(255, 255, 255)");
  await screenshot(page, testInfo, "login-dark");
  await context.close();
});
