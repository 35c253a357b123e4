// Passkeys as people use them: set one up from the offer or in Settings, sign out, sign back in
// with a fingerprint and nothing typed; remove it, and see a clear message when it is used
// again. Each browser has its own authenticator: Chromium's virtual one, driven over CDP (its real
// WebAuthn code, not a JavaScript fake), always verifying the person unless a test says not.
import type { BrowserContext, CDPSession, Page } from "@playwright/test";
import { codesSentTo, expect, logIn, type Person, screenshot, signUp, test, waitForCode, waitForHydration } from "./helpers";

// The offer to set up a passkey shows here (other suites start with it dismissed).
test.use({ storageState: { cookies: [], origins: [] } });

type Authenticator = { cdp: CDPSession; id: string };

/** A platform authenticator (fingerprint or face) for this page's tab. */
async function addAuthenticator(page: Page): Promise<Authenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function storedCredentials(auth: Authenticator): Promise<{ signCount: number; isResidentCredential: boolean; rpId: string }[]> {
  return (await auth.cdp.send("WebAuthn.getCredentials", { authenticatorId: auth.id })).credentials;
}

async function logOut(page: Page): Promise<void> {
  await page.goto("/settings");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await waitForHydration(page);
}

/** Signs a new person up and adds a passkey in Settings. */
async function signUpWithPasskey(page: Page): Promise<Person> {
  const person = await signUp(page);
  await page.goto("/settings");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkey-row")).toHaveCount(1);
  return person;
}

test("a person sets up a passkey from the offer, signs out, and signs back in with it without typing", async ({ page }, testInfo) => {
  const auth = await addAuthenticator(page);
  const person = await signUp(page);
  await page.getByRole("link", { name: "Continue to Confab" }).click();
  const offer = page.getByRole("region", { name: "Passkey offer" });
  await expect(offer.getByText("Sign in faster next time with your fingerprint or face")).toBeVisible();
  await screenshot(page, testInfo, "passkey-offer");
  await offer.getByRole("button", { name: "Set up a passkey" }).click();
  await expect(offer.getByText("Passkey added")).toBeVisible();
  const [credential] = await storedCredentials(auth);
  expect(credential).toMatchObject({ rpId: "localhost", isResidentCredential: true });

  await page.goto("/settings");
  const row = page.getByTestId("passkey-row");
  await expect(row).toHaveCount(1);
  await expect(row.locator("p").first(), "named after the device it was made on").toHaveText(/^Chrome on \w+$/);
  await expect(row).toContainText(/added .* · never used/);

  await logOut(page);
  await screenshot(page, testInfo, "login-with-passkey");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/chats$/);
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: "Passkey offer" }), "no offer to someone who has one").toHaveCount(0);

  await page.goto("/settings");
  await expect(page.getByTestId("settings-user-id")).toHaveText(person.userId);
  await expect(page.getByTestId("passkey-row")).toContainText("last used");
  await expect(page.getByRole("list", { name: "Signed-in devices" }).getByText("This device")).toBeVisible();
  expect((await storedCredentials(auth))[0].signCount).toBeGreaterThan(credential.signCount);
  await screenshot(page, testInfo, "settings-passkeys");
});

test("a person renames and removes a passkey, confirming with it first; then it no longer signs in", async ({ page }) => {
  const auth = await addAuthenticator(page);
  await signUpWithPasskey(page);
  const row = page.getByTestId("passkey-row");
  await row.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Passkey name").fill("My phone");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row).toContainText("My phone");

  const before = (await storedCredentials(auth))[0].signCount;
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText("Sign in with your fingerprint, face or screen lock instead of a code.")).toBeVisible();
  expect((await storedCredentials(auth))[0].signCount, "the passkey confirmed the removal").toBeGreaterThan(before);

  await logOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByTestId("passkey-error")).toContainText("isn’t registered with Confab");
  await expect(page).toHaveURL(/\/login$/);
});

test("a person signs in by picking their passkey in the user ID field's suggestions", async ({ page }) => {
  await addAuthenticator(page);
  await signUpWithPasskey(page);
  await logOut(page);
  // Chromium's virtual authenticator picks the one passkey as soon as the suggestions open.
  await page.getByLabel("User ID (optional)").click();
  await expect(page).toHaveURL(/\/chats$/);
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toBeVisible();
});

test("a device that cannot confirm it is the person does not sign them in", async ({ page }) => {
  const auth = await addAuthenticator(page);
  await signUpWithPasskey(page);
  await logOut(page);
  await auth.cdp.send("WebAuthn.setUserVerified", { authenticatorId: auth.id, isUserVerified: false });
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByTestId("passkey-error")).toHaveText(/No passkey was used|didn’t confirm it was you/);
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/chats");
  await expect(page).toHaveURL(/\/login\?next=\/chats$/);
});

test("another browser, with its own authenticator, cannot use the first one's passkey", async ({ browser }, testInfo) => {
  const contexts: BrowserContext[] = [];
  const open = async () => {
    const context = await browser.newContext({ ...testInfo.project.use, storageState: undefined });
    contexts.push(context);
    return context.newPage();
  };
  const first = await open();
  await addAuthenticator(first);
  await signUpWithPasskey(first);

  const second = await open();
  await addAuthenticator(second);
  await second.goto("/login");
  await waitForHydration(second);
  await second.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(second.getByTestId("passkey-error")).toContainText("No passkey was used");
  await second.goto("/chats");
  await expect(second).toHaveURL(/\/login\?next=\/chats$/);
  for (const context of contexts) await context.close();
});

test("adding an email and password asks the person's passkey first", async ({ page }) => {
  const auth = await addAuthenticator(page);
  await signUpWithPasskey(page);
  const before = (await storedCredentials(auth))[0].signCount;
  await page.getByRole("button", { name: "Add email + password" }).click();
  const email = `p${Date.now().toString(36)}@example.com`;
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill("a long and new passphrase");
  await page.getByRole("button", { name: "Send me a code" }).click();
  await page.getByLabel("Code", { exact: true }).fill(await waitForCode(email, 1));
  await expect(page.getByTestId("settings-email")).toHaveText(email);
  expect((await storedCredentials(auth))[0].signCount, "the passkey confirmed it").toBeGreaterThan(before);
});

test("signing out every other device asks the person's passkey, not a code", async ({ page, browser }, testInfo) => {
  const auth = await addAuthenticator(page);
  const person = await signUpWithPasskey(page);
  const phone = await browser.newContext({ ...testInfo.project.use });
  const phonePage = await phone.newPage();
  await phonePage.goto("/login");
  await logIn(phonePage, person);
  await expect(phonePage).toHaveURL(/\/chats$/);

  await page.reload();
  await waitForHydration(page);
  const devices = page.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(2);
  const [codes, before] = [codesSentTo(person.phone).length, (await storedCredentials(auth))[0].signCount];
  await page.getByRole("button", { name: "Sign out all other devices" }).click();
  await expect(devices).toHaveCount(1);
  expect((await storedCredentials(auth))[0].signCount, "the passkey confirmed it").toBeGreaterThan(before);
  expect(codesSentTo(person.phone).length, "no code was needed").toBe(codes);
  await expect(phonePage).toHaveURL(/\/login\?next=%2Fchats$/);
  await phone.close();
});
