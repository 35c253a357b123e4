// Accounts as people use them: sign up with a phone, keep the user ID, log in with a code,
// come back to the page they wanted, and sign a lost device out; or use an email and password,
// and reset it when forgotten.
import type { Page } from "@playwright/test";
import { codesSentTo, expect, logIn, screenshot, signUp, test, uniqueUser, waitForCode, waitForHydration } from "./helpers";

type EmailPerson = { username: string; email: string; password: string; userId: string };

/** Signs a new person up with email + password through the register page (ends signed in). */
async function signUpByEmail(page: Page): Promise<EmailPerson> {
  const { username } = uniqueUser();
  const email = `${username}@example.com`;
  const password = `phrase for ${username}`;
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByRole("tab", { name: "Email + password" }).click();
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.getByText(/We sent a 6-digit code to .•••@example\.com/)).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(await waitForCode(email, 1));
  const userId = (await page.getByTestId("user-id").textContent())?.trim() ?? "";
  expect(userId).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  return { username, email, password, userId };
}

/** Logs in on the login page's email + password tab. */
async function logInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await waitForHydration(page);
  await page.getByRole("tab", { name: "Email + password" }).click();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("a person signs up with their phone and copies their new user ID", async ({ page, context }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const person = await signUp(page);
  await expect(page.getByText(`Welcome, ${person.username}`)).toBeVisible();
  await screenshot(page, testInfo, "signed-up");
  await page.getByRole("button", { name: "Copy user ID" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(person.userId);
  await page.getByRole("link", { name: "Continue to Confab" }).click();
  await expect(page).toHaveURL(/\/chats$/);
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toBeVisible();
});

test("after logging out, the user ID and a code get the person back in", async ({ page }) => {
  const person = await signUp(page);
  await page.goto("/settings");
  await expect(page.getByTestId("settings-user-id")).toHaveText(person.userId);
  await waitForHydration(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/chats");
  await expect(page).toHaveURL(/\/login\?next=\/chats$/);

  await logIn(page, person);
  await expect(page).toHaveURL(/\/chats$/);
  await expect(page.getByRole("heading", { name: "Chats", exact: true })).toBeVisible();
});

test("the phone number alone also logs in, and the person returns to the page they asked for", async ({ page }) => {
  const person = await signUp(page);
  await page.context().clearCookies();
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=\/settings$/);
  await logIn(page, person, false);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("settings-user-id")).toHaveText(person.userId);
});

test("a wrong code says what is wrong and how many tries are left", async ({ page }, testInfo) => {
  const person = await signUp(page);
  await page.context().clearCookies();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Phone number").fill(person.phone);
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.getByText(/^If an account uses \+49 .*, a 6-digit code is on its way to it\.$/)).toBeVisible();
  const right = await waitForCode(person.phone, 2);
  await page.getByLabel("Code").fill(right === "000000" ? "111111" : "000000");
  await expect(page.getByText("That code isn’t right — 4 tries left")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Send a new code in \d+ s$/ })).toBeDisabled();
  await screenshot(page, testInfo, "wrong-code");
  await page.getByLabel("Code").fill(right);
  await expect(page).toHaveURL(/\/chats$/);
});

test("a phone without an account gets the same code page as any other, and no code", async ({ page }) => {
  const { phone } = uniqueUser();
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Phone number").fill(phone);
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.getByText(/^If an account uses \+49 .*, a 6-digit code is on its way to it\.$/)).toBeVisible();
  await page.getByLabel("Code").fill("000000");
  await expect(page.getByText("That code isn’t right — 4 tries left")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Send a new code in \d+ s$/ })).toBeDisabled();
  expect(codesSentTo(phone)).toHaveLength(0);
});

test("sign-up refuses a taken username and a bad phone number with clear messages", async ({ page }) => {
  const person = await signUp(page);
  await page.context().clearCookies();
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("Phone number").fill("+4915100000001");
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.getByText("That username is taken — try another")).toBeVisible();
  await page.getByLabel("Username").fill(`${person.username}x`.slice(0, 32));
  await page.getByLabel("Phone number").fill("12345");
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.getByText(/doesn’t look like a valid phone number/)).toBeVisible();
  await expect(page.getByLabel("Code")).toHaveCount(0);
});

test("a device signed out from the Devices page lands on the login page", async ({ browser }, testInfo) => {
  const laptop = await browser.newContext({ ...testInfo.project.use });
  const phone = await browser.newContext({ ...testInfo.project.use });
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();

  const person = await signUp(laptopPage);
  await phonePage.goto("/login");
  await logIn(phonePage, person);
  await expect(phonePage).toHaveURL(/\/chats$/);
  await waitForHydration(phonePage);
  await expect(phonePage.getByTestId("connection-banner")).toHaveCount(0);

  await laptopPage.goto("/settings");
  await waitForHydration(laptopPage);
  const devices = laptopPage.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: "This device" })).toHaveCount(1);
  await screenshot(laptopPage, testInfo, "devices");
  await devices.filter({ hasNotText: "This device" }).getByRole("button", { name: "Sign out" }).click();
  await expect(devices).toHaveCount(1);

  // The phone, left open on its chat list, is taken to the login page by its socket closing.
  await expect(phonePage).toHaveURL(/\/login\?next=%2Fchats$/);
  await phonePage.goto("/settings");
  await expect(phonePage).toHaveURL(/\/login\?next=\/settings$/);
  await laptopPage.reload();
  await expect(laptopPage.getByTestId("settings-user-id")).toHaveText(person.userId);
  await laptop.close();
  await phone.close();
});

test("a person signs out all their other devices after confirming with a code sent to their phone", async ({ browser }, testInfo) => {
  const laptop = await browser.newContext({ ...testInfo.project.use });
  const phone = await browser.newContext({ ...testInfo.project.use });
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  const person = await signUp(laptopPage);
  await phonePage.goto("/login");
  await logIn(phonePage, person);
  await expect(phonePage).toHaveURL(/\/chats$/);

  await laptopPage.goto("/settings");
  await waitForHydration(laptopPage);
  const devices = laptopPage.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(2);
  const sent = codesSentTo(person.phone).length;
  await laptopPage.getByRole("button", { name: "Sign out all other devices" }).click();
  const confirm = laptopPage.getByRole("form", { name: "Confirm it’s you" });
  await expect(confirm.getByText(/enter the code we sent to \+49/)).toBeVisible();
  await screenshot(laptopPage, testInfo, "confirm-with-code");
  await confirm.getByLabel("Code").fill(await waitForCode(person.phone, sent + 1));
  expect(codesSentTo(person.phone)[sent].purpose).toBe("confirm");
  await confirm.getByRole("button", { name: "Sign out all other devices" }).click();
  await expect(devices).toHaveCount(1);
  await expect(laptopPage.getByRole("button", { name: "Sign out all other devices" }), "no other device left").toHaveCount(0);

  await expect(phonePage).toHaveURL(/\/login\?next=%2Fchats$/);
  await laptopPage.reload();
  await expect(laptopPage.getByTestId("settings-user-id")).toHaveText(person.userId);
  await laptop.close();
  await phone.close();
});

test("a person signs up with email and password and logs in with them later", async ({ page }, testInfo) => {
  const person = await signUpByEmail(page);
  await expect(page.getByText("You can log in with your email and password.")).toBeVisible();
  await page.context().clearCookies();

  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=\/settings$/);
  await logInWithPassword(page, person.email, "not the right phrase");
  await expect(page.getByText("That email and password don’t match — check them or reset your password")).toBeVisible();
  await screenshot(page, testInfo, "wrong-password");
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("settings-user-id")).toHaveText(person.userId);
  await expect(page.getByTestId("settings-email")).toHaveText(person.email);
});

test("a forgotten password is reset with an emailed code, and other devices are signed out", async ({ browser }, testInfo) => {
  const laptop = await browser.newContext({ ...testInfo.project.use });
  const phone = await browser.newContext({ ...testInfo.project.use });
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  const person = await signUpByEmail(laptopPage);

  await phonePage.goto("/login");
  await waitForHydration(phonePage);
  await phonePage.getByRole("tab", { name: "Email + password" }).click();
  await phonePage.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(phonePage).toHaveURL(/\/forgot-password$/);
  await phonePage.getByLabel("Email", { exact: true }).fill(person.email);
  await phonePage.getByRole("button", { name: "Email me a code" }).click();
  await expect(phonePage.getByText(/^If an account uses .•••@example\.com, a 6-digit code is on its way to it\.$/)).toBeVisible();
  const code = await waitForCode(person.email, 2);
  expect(codesSentTo(person.email)[1].purpose).toBe("reset_password");
  await phonePage.getByLabel("Code", { exact: true }).fill(code);
  await phonePage.getByLabel("New password", { exact: true }).fill("short");
  await phonePage.getByRole("button", { name: "Set new password" }).click();
  await expect(phonePage.getByText("Use at least 10 characters")).toBeVisible();
  await screenshot(phonePage, testInfo, "reset-password");
  await phonePage.getByLabel("New password", { exact: true }).fill("a fresh new phrase");
  await phonePage.getByRole("button", { name: "Set new password" }).click();
  await expect(phonePage).toHaveURL(/\/chats$/);

  await laptopPage.goto("/settings");
  await expect(laptopPage).toHaveURL(/\/login\?next=\/settings$/);
  await logInWithPassword(laptopPage, person.email, person.password);
  await expect(laptopPage.getByText("That email and password don’t match — check them or reset your password")).toBeVisible();
  await laptopPage.getByLabel("Password", { exact: true }).fill("a fresh new phrase");
  await laptopPage.getByRole("button", { name: "Log in" }).click();
  await expect(laptopPage).toHaveURL(/\/settings$/);
  await laptop.close();
  await phone.close();
});

test("a phone account confirms it is them and adds an email and password in settings", async ({ page }) => {
  const person = await signUp(page);
  const email = `${person.username}@example.com`;
  await page.goto("/settings");
  await waitForHydration(page);
  await expect(page.getByTestId("settings-email")).toHaveText("—");
  await page.getByRole("button", { name: "Add email + password" }).click();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill("password123");
  await page.getByRole("button", { name: "Send me a code" }).click();
  await expect(page.getByText("That password is too easy to guess — try a longer phrase")).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill("my settings phrase");
  const sent = codesSentTo(person.phone).length;
  await page.getByRole("button", { name: "Send me a code" }).click();
  // First it is the person (a code to their phone), then the email is theirs (a code to it).
  const confirm = page.getByRole("form", { name: "Confirm it’s you" });
  await confirm.getByLabel("Code").fill(await waitForCode(person.phone, sent + 1));
  await confirm.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Code", { exact: true }).fill(await waitForCode(email, 1));
  await expect(page.getByTestId("settings-email")).toHaveText(email);
  await expect(page.getByRole("button", { name: "Add email + password" })).toHaveCount(0);
});
