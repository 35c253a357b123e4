// Accounts as people use them: sign up with a phone, keep the user ID, log in with a code,
// come back to the page they wanted, and sign a lost device out.
import { codesSentTo, expect, logIn, screenshot, signUp, test, waitForCode, waitForHydration } from "./helpers";

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
  const right = await waitForCode(person.phone, 2);
  await page.getByLabel("Code").fill(right === "000000" ? "111111" : "000000");
  await expect(page.getByText("That code isn’t right — 4 tries left")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Send a new code in \d+ s$/ })).toBeDisabled();
  await screenshot(page, testInfo, "wrong-code");
  await page.getByLabel("Code").fill(right);
  await expect(page).toHaveURL(/\/chats$/);
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

  await laptopPage.goto("/settings");
  await waitForHydration(laptopPage);
  const devices = laptopPage.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: "This device" })).toHaveCount(1);
  await screenshot(laptopPage, testInfo, "devices");
  await devices.filter({ hasNotText: "This device" }).getByRole("button", { name: "Sign out" }).click();
  await expect(devices).toHaveCount(1);

  await phonePage.goto("/settings");
  await expect(phonePage).toHaveURL(/\/login\?next=\/settings$/);
  await laptopPage.reload();
  await expect(laptopPage.getByTestId("settings-user-id")).toHaveText(person.userId);
  await laptop.close();
  await phone.close();
});
