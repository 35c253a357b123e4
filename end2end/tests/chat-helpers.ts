// Helpers for conversations: people in their own browser contexts, and the steps they repeat.
import type { Browser, BrowserContext, Locator, Page, TestInfo } from "@playwright/test";
import { expect, signUp, waitForHydration, type Person } from "./helpers";

export type User = { page: Page; context: BrowserContext; person: Person; name: string };

/** A new person signed up in a browser of their own (same viewport as the running project). */
export async function newUser(browser: Browser, testInfo: TestInfo): Promise<User> {
  const context = await browser.newContext(testInfo.project.use);
  const page = await context.newPage();
  const person = await signUp(page);
  return { page, context, person, name: person.username };
}

/** Opens a page and waits until it is live. */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitForHydration(page);
}

/** `from` invites `to` from their profile, and `to` accepts on the Contacts page. */
export async function becomeContacts(from: User, to: User): Promise<void> {
  await open(from.page, `/profile/${to.person.userId}`);
  await from.page.getByRole("button", { name: "Invite to contacts" }).click();
  await expect(from.page.getByRole("button", { name: "Invitation sent" })).toBeVisible();
  await open(to.page, "/contacts");
  const invitation = to.page.getByRole("list", { name: "Invitations received" }).getByTestId("contact").filter({ hasText: from.name });
  await invitation.getByRole("button", { name: "Accept" }).click();
  await expect(to.page.getByRole("list", { name: "Contacts" }).getByText(from.name, { exact: true })).toBeVisible();
}

/** Opens (or starts) the direct chat with `other` from their profile; returns the chat id. */
export async function startChat(user: User, other: User): Promise<string> {
  await open(user.page, `/profile/${other.person.userId}`);
  await user.page.getByRole("button", { name: "Message", exact: true }).click();
  await expect(user.page).toHaveURL(/\/chats\/[^/?]+$/);
  await expect(user.page.getByTestId("conversation-title")).toHaveText(other.name);
  return new URL(user.page.url()).pathname.split("/")[2];
}

export function composer(page: Page): Locator {
  return page.getByRole("textbox", { name: "Message", exact: true });
}

/** Types and sends a message, and waits until the server has stored it. */
export async function send(page: Page, text: string): Promise<void> {
  await waitForHydration(page);
  await composer(page).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(message(page, text)).toBeVisible();
  await expect(page.getByTestId("pending-message")).toHaveCount(0);
}

/** The stored message whose text contains `text`. */
export function message(page: Page, text: string): Locator {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-text").filter({ hasText: text }) });
}

/** Opens a message's action menu. */
export async function actionsFor(page: Page, text: string): Promise<Locator> {
  const m = message(page, text).last();
  await m.getByTestId("bubble").hover();
  await m.getByRole("button", { name: "Message actions" }).click();
  return page.getByRole("dialog");
}

/** Stores messages quickly through the server fn (as the page's signed-in person). */
export async function sendMany(page: Page, chatId: string, bodies: string[]): Promise<void> {
  for (const [i, body] of bodies.entries()) {
    const res = await page.request.post("/api/chats-fn/send_message", {
      form: { chat_id: chatId, client_id: `bulk${Date.now()}x${i}`, body },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
}

/** The chat list's row for a chat titled `title`. */
export function chatRow(page: Page, title: string): Locator {
  return page.getByTestId("chat-row").filter({ has: page.getByTestId("chat-title").getByText(title, { exact: true }) });
}

/** Whether the project is the phone one (list and conversation are separate pages there). */
export function isPhone(testInfo: TestInfo): boolean {
  return testInfo.project.name === "phone";
}
