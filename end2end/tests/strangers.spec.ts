// Talk to a stranger: people in browsers of their own, matched by the server.
//
// The desktop and phone projects run this file at the same time against one server, so every
// test's people share an interest no other test uses: people with interests are matched with
// each other first, and only after 5 s of waiting with anyone. Nobody here waits that long, so
// no test's people can be matched with another test's.
import type { Page, TestInfo } from "@playwright/test";
import { expect, screenshot, test } from "./helpers";
import { chatRow, composer, message, newUser, open, type User } from "./chat-helpers";

test.describe.configure({ timeout: 120_000 });

/** An interest only this test's people give. */
function uniqueTag(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** Opens /strangers, ticks "I am 18 or older" and starts. */
async function acceptRules(user: User): Promise<void> {
  await open(user.page, "/strangers");
  await user.page.getByLabel("I am 18 or older").check();
  await user.page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(user.page.getByRole("button", { name: "Start looking" })).toBeVisible();
}

async function addInterest(page: Page, tag: string): Promise<void> {
  const input = page.getByLabel("Interests (optional)");
  await input.fill(tag);
  await input.press("Enter");
  await expect(page.getByTestId("interest").filter({ hasText: `#${tag}` })).toBeVisible();
}

/** A person who accepted the rules and gave the test's interest, ready to look. */
async function ready(user: User, tag: string): Promise<void> {
  await acceptRules(user);
  await addInterest(user.page, tag);
}

const looking = (user: User) => user.page.getByTestId("stranger-looking");
const inConversation = (user: User) => expect(composer(user.page)).toBeVisible();
const ended = (user: User) => user.page.getByTestId("ended-reason");

/** A message in the stranger conversation, by its text. */
function said(page: Page, text: string) {
  return page.getByTestId("stranger-message").filter({ has: page.getByTestId("message-text").filter({ hasText: text }) });
}

async function say(user: User, text: string): Promise<void> {
  await composer(user.page).fill(text);
  await user.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(said(user.page, text)).toHaveAttribute("data-mine", "true");
  await expect(user.page.getByTestId("pending-message")).toHaveCount(0);
}

/** Both start looking at once and are matched with each other. */
async function matchUp(one: User, other: User): Promise<void> {
  await Promise.all([
    one.page.getByRole("button", { name: "Start looking" }).click(),
    other.page.getByRole("button", { name: "Start looking" }).click(),
  ]);
  await inConversation(one);
  await inConversation(other);
}

async function people(browser: Parameters<typeof newUser>[0], testInfo: TestInfo, n: number): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < n; i++) users.push(await newUser(browser, testInfo));
  return users;
}

test("a person confirms they are 18 or older before talking to strangers, then picks interests", async ({ browser }, testInfo) => {
  const [ada] = await people(browser, testInfo, 1);
  const page = ada.page;
  await open(page, "/chats");
  await screenshot(page, testInfo, "strangers-entry");
  await page.getByRole("link", { name: "Talk to a stranger" }).first().click();
  await expect(page).toHaveURL(/\/strangers$/);
  const rules = page.getByTestId("stranger-rules");
  await expect(rules).toContainText("Never share");
  await expect(rules).toContainText("deleted when they end");
  const start = page.getByRole("button", { name: "Start", exact: true });
  await expect(start).toBeDisabled();
  await screenshot(page, testInfo, "strangers-rules");
  await page.getByLabel("I am 18 or older").check();
  await start.click();
  await expect(page.getByRole("button", { name: "Start looking" })).toBeVisible();

  // Confirmed once: the rules are not shown again.
  await open(page, "/strangers");
  await expect(page.getByRole("button", { name: "Start looking" })).toBeVisible();
  await expect(page.getByTestId("stranger-rules")).toHaveCount(0);

  // Interests are tags: Enter or a comma adds one, each can be removed, five at most.
  const input = page.getByLabel("Interests (optional)");
  await input.fill("Board Games");
  await input.press("Enter");
  await input.pressSequentially("chess,go,");
  await expect(page.getByTestId("interest")).toHaveText(["#board games", "#chess", "#go"]);
  await page.getByRole("button", { name: "Remove chess" }).click();
  await expect(page.getByTestId("interest")).toHaveText(["#board games", "#go"]);
  await input.fill("<b>");
  await input.press("Enter");
  await expect(page.getByText("Interests can have letters, digits, spaces and dashes")).toBeVisible();
  await input.fill("");
  for (const t of ["a1", "b2", "c3"]) await addInterest(page, t);
  await expect(input).toBeDisabled();
  await screenshot(page, testInfo, "strangers-idle");

  // Looking, with a unique interest so nobody else's test meets Ada; then Cancel.
  for (const t of ["a1", "b2", "c3", "go", "board games"]) await page.getByRole("button", { name: `Remove ${t}` }).click();
  await addInterest(page, uniqueTag());
  await page.getByRole("button", { name: "Start looking" }).click();
  await expect(looking(ada)).toContainText("Looking for someone…");
  await screenshot(page, testInfo, "strangers-looking");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("button", { name: "Start looking" })).toBeVisible();
});

test("opening the stranger chat in a second tab takes over, and Use here takes it back", async ({ browser }, testInfo) => {
  const [ada] = await people(browser, testInfo, 1);
  await ready(ada, uniqueTag());
  const first = ada.page;
  const second = await ada.context.newPage();
  const notice = (page: Page) => page.getByTestId("stranger-elsewhere");

  // Ada looks in one tab and opens the page in another: the new tab shows the same search, the
  // first steps aside without its buttons.
  await first.getByRole("button", { name: "Start looking" }).click();
  await expect(looking(ada)).toContainText("Looking for someone…");
  await open(second, "/strangers");
  await expect(second.getByTestId("stranger-looking")).toContainText("Looking for someone…");
  await expect(notice(first)).toContainText("Open in another tab");
  await expect(first.getByRole("button", { name: "Cancel" })).toHaveCount(0);

  // "Use here" takes it back: the first tab shows the search again, the second steps aside.
  await first.getByRole("button", { name: "Use here" }).click();
  await expect(looking(ada)).toContainText("Looking for someone…");
  await expect(notice(second)).toContainText("Only one tab at a time can be in a stranger chat.");
  await expect(second.getByRole("button", { name: "Cancel" })).toHaveCount(0);

  // Ada stops looking before the pictures, so she is never in the queue long enough to be
  // matched with anyone (see the top of this file); the second tab still steps aside.
  await first.getByRole("button", { name: "Cancel" }).click();
  await expect(first.getByRole("button", { name: "Start looking" })).toBeVisible();
  await expect(notice(second)).toBeVisible();
  await screenshot(second, testInfo, "strangers-other-tab");
});

test("strangers chat live, Next meets someone new, and a reported stranger is never matched again", async ({ browser }, testInfo) => {
  const tag = uniqueTag();
  const [ada, bob, cy] = await people(browser, testInfo, 3);
  for (const u of [ada, bob, cy]) await ready(u, tag);

  // Ada and Bob look together and meet; Cy is not looking yet.
  await matchUp(ada, bob);
  await expect(bob.page.getByTestId("shared-interests")).toHaveText(`You both like: ${tag}`);
  await expect(bob.page.getByTestId("deletion-note")).toBeVisible();

  // Ada types: Bob sees it; then the message arrives live, as plain text.
  await composer(ada.page).pressSequentially("Hello from Ada, see https://example.com", { delay: 40 });
  await expect(bob.page.getByTestId("stranger-typing")).toHaveText("Stranger is typing…");
  await screenshot(bob.page, testInfo, "strangers-typing");
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  const fromAda = said(bob.page, "Hello from Ada");
  await expect(fromAda).toHaveAttribute("data-mine", "false");
  await expect(fromAda.locator("a")).toHaveCount(0);
  await expect(bob.page.getByTestId("stranger-typing")).toHaveCount(0);
  await say(bob, "Hi Ada!");
  await expect(said(ada.page, "Hi Ada!")).toHaveAttribute("data-mine", "false");
  await expect(said(ada.page, "Hello from Ada")).toHaveCount(1);
  await screenshot(ada.page, testInfo, "strangers-chatting");

  // Ada presses Next and Cy starts looking: they meet; Bob is told Ada left.
  await ada.page.getByRole("button", { name: "Next" }).click();
  await cy.page.getByRole("button", { name: "Start looking" }).click();
  await inConversation(cy);
  await inConversation(ada);
  await expect(ada.page.getByTestId("stranger-message")).toHaveCount(0);
  await expect(ended(bob)).toHaveText("Stranger has left");
  await expect(composer(bob.page)).toHaveCount(0);
  await say(ada, "Hi, new stranger");
  await expect(said(cy.page, "Hi, new stranger")).toBeVisible();
  await expect(said(cy.page, "Hi Ada!")).toHaveCount(0);
  await screenshot(bob.page, testInfo, "strangers-ended");

  // Bob reports Ada from the ended conversation.
  await bob.page.getByRole("button", { name: "Report" }).click();
  const dialog = bob.page.getByRole("dialog", { name: "Report stranger" });
  await dialog.getByLabel("Harassment or bullying").check();
  await dialog.getByLabel("Anything to add? (optional)").fill("Kept sending links");
  await screenshot(bob.page, testInfo, "strangers-report");
  await dialog.getByRole("button", { name: "Submit report" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(bob.page.getByTestId("stranger-ended")).toContainText("Thanks for reporting");
  await expect(bob.page.getByRole("button", { name: "Report" })).toHaveCount(0);

  // Cy stops; Ada and Bob both look again with the same interest and are not matched (they
  // would be at once). Cy then looks too and meets Ada, who looked first; Bob keeps looking.
  await cy.page.getByRole("button", { name: "Stop" }).click();
  await expect(ended(cy)).toHaveText("You left");
  await expect(ended(ada)).toHaveText("Stranger has left");
  await cy.page.getByRole("button", { name: "Done" }).click();
  await expect(cy.page.getByRole("button", { name: "Start looking" })).toBeVisible();
  await ada.page.getByRole("button", { name: "Find someone new" }).click();
  await expect(looking(ada)).toBeVisible();
  await bob.page.getByRole("button", { name: "Find someone new" }).click();
  await expect(looking(bob)).toBeVisible();
  await bob.page.waitForTimeout(1500);
  await expect(looking(ada)).toBeVisible();
  await expect(looking(bob)).toBeVisible();
  await cy.page.getByRole("button", { name: "Start looking" }).click();
  await inConversation(cy);
  await inConversation(ada);
  await expect(looking(bob)).toBeVisible();
  await bob.page.getByRole("button", { name: "Cancel" }).click();
  await expect(bob.page.getByRole("button", { name: "Start looking" })).toBeVisible();
  await say(cy, "Hello again");
  await expect(said(ada.page, "Hello again")).toBeVisible();
});

test("two strangers who both want to stay in touch continue in a normal chat with their names", async ({ browser }, testInfo) => {
  const tag = uniqueTag();
  const [ada, bob] = await people(browser, testInfo, 2);
  for (const u of [ada, bob]) await ready(u, tag);
  await matchUp(ada, bob);
  await say(ada, "Nice talking to you");

  await ada.page.getByRole("button", { name: "More options" }).click();
  await ada.page.getByRole("dialog", { name: "Stranger" }).getByRole("button", { name: /Stay in touch/ }).click();
  await expect(ada.page.getByTestId("contact-offer")).toContainText("Waiting for the stranger to agree");
  await expect(bob.page.getByTestId("contact-offer")).toContainText("The stranger wants to stay in touch");
  await screenshot(bob.page, testInfo, "strangers-stay-in-touch");
  await bob.page.getByRole("button", { name: "Agree" }).click();

  // Both land in the same direct chat, which now shows the other's name.
  await expect(ada.page).toHaveURL(/\/chats\/[^/?]+$/);
  await expect(bob.page).toHaveURL(/\/chats\/[^/?]+$/);
  expect(new URL(ada.page.url()).pathname).toBe(new URL(bob.page.url()).pathname);
  await expect(ada.page.getByTestId("conversation-title")).toHaveText(bob.name);
  await expect(bob.page.getByTestId("conversation-title")).toHaveText(ada.name);
  await expect(message(bob.page, "Nice talking to you")).toBeVisible();
  for (const [user, other] of [[ada, bob], [bob, ada]] as const) {
    await open(user.page, "/chats");
    await expect(chatRow(user.page, other.name)).toBeVisible();
  }
});

test("nothing the page receives names the stranger before both agree to stay in touch", async ({ browser }, testInfo) => {
  const tag = uniqueTag();
  const [ada, bob] = await people(browser, testInfo, 2);
  // Everything Ada's browser hears from here on: socket frames and stranger answers.
  const heard: string[] = [];
  const reading: Promise<void>[] = [];
  ada.page.on("websocket", (ws) => ws.on("framereceived", (f) => heard.push(String(f.payload))));
  ada.page.on("response", (r) => {
    if (r.url().includes("/api/strangers-fn/")) reading.push(r.text().then((t) => void heard.push(t), () => undefined));
  });
  for (const u of [ada, bob]) await ready(u, tag);
  await matchUp(ada, bob);
  await composer(bob.page).pressSequentially("Hi", { delay: 40 });
  await expect(ada.page.getByTestId("stranger-typing")).toBeVisible();
  await say(bob, "Hi, I'm the other one");
  await expect(said(ada.page, "I'm the other one")).toBeVisible();
  await say(ada, "Hello there");
  await bob.page.getByRole("button", { name: "More options" }).click();
  await bob.page.getByRole("dialog", { name: "Stranger" }).getByRole("button", { name: /Stay in touch/ }).click();
  await expect(ada.page.getByTestId("contact-offer")).toContainText("The stranger wants to stay in touch");
  await ada.page.reload();
  await expect(said(ada.page, "I'm the other one")).toBeVisible();
  await Promise.all(reading);
  const html = await (await ada.page.request.get("/strangers")).text();

  const bobId = bob.person.userId;
  const secrets = [bob.name, bobId, bobId.replace("-", ""), bobId.replace("-", "").toLowerCase(), bob.person.phone, bob.person.phone.slice(1)];
  expect(heard.length).toBeGreaterThan(5);
  for (const text of [...heard, html, await ada.page.content()]) {
    for (const secret of secrets) expect(text, `"${secret}" leaked`).not.toContain(secret);
  }
  // The frames did arrive (the test would pass vacuously otherwise).
  expect(heard.some((t) => t.includes("stranger_message"))).toBe(true);
});
