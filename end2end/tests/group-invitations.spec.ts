// Group invitations: a stranger cannot put someone who takes messages from contacts only into a
// group. The add becomes an invitation that waits among their message requests, live, until
// they accept (and see the group) or decline (and the group cannot ask again).
import { expect, screenshot, test } from "./helpers";
import { chatRow, message, newUser, open, send, type User } from "./chat-helpers";

async function onlyContacts(user: User): Promise<void> {
  await open(user.page, "/settings");
  await user.page.getByLabel("Only my contacts").check();
  await user.page.getByRole("button", { name: "Save profile and privacy" }).click();
  await expect(user.page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
}

/** `owner` creates a private group; returns its chat id. */
async function createGroup(owner: User, name: string): Promise<string> {
  await open(owner.page, "/chats");
  await owner.page.getByRole("button", { name: "New chat" }).click();
  await owner.page.getByRole("tab", { name: "New group" }).click();
  await owner.page.getByLabel("Group name").fill(name);
  await owner.page.getByRole("button", { name: "Create group" }).click();
  await expect(owner.page.getByTestId("conversation-title")).toHaveText(name);
  return new URL(owner.page.url()).pathname.split("/")[2];
}

/** On the group's info page, adds a person by user ID. */
async function addByUserId(owner: User, chatId: string, userId: string): Promise<void> {
  await open(owner.page, `/chats/${chatId}/info`);
  await owner.page.getByLabel("User ID to add").fill(userId);
  await owner.page.getByRole("button", { name: "Add", exact: true }).click();
}

test("a stranger adding a contacts-only person sends an invitation they accept from their requests", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  await onlyContacts(ada);
  await open(ada.page, "/chats");

  const groupName = `Night owls ${Date.now().toString(36)}`;
  const chatId = await createGroup(bob, groupName);
  await send(bob.page, "Welcome aboard, everyone");
  await addByUserId(bob, chatId, ada.person.userId);
  await expect(bob.page.getByTestId("invited-notice")).toContainText("Invitation sent");
  await expect(bob.page.getByText("Private group · 1 member")).toBeVisible();
  await screenshot(bob.page, testInfo, "group-invitation-sent");

  // Ada's list shows the invitation as it arrives, among her requests, not her chats.
  await expect(ada.page.getByTestId("requests-count")).toHaveText("1");
  await expect(chatRow(ada.page, groupName)).toHaveCount(0);
  await ada.page.getByRole("button", { name: /Message requests/ }).click();
  const invitation = ada.page.getByTestId("group-invitation").filter({ hasText: groupName });
  await expect(invitation).toContainText(`${bob.name} invited you to this group`);
  await screenshot(ada.page, testInfo, "group-invitation");

  await invitation.getByRole("button", { name: "Accept" }).click();
  await expect(ada.page.getByTestId("conversation-title")).toHaveText(groupName);
  await expect(message(ada.page, "Welcome aboard, everyone")).toBeVisible();
  await expect(ada.page.getByTestId("system-message").filter({ hasText: `${bob.name} added you` })).toHaveCount(1);
  await send(ada.page, "Thanks for the invitation");

  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Thanks for the invitation")).toBeVisible();
});

test("a declined group invitation is gone and the group cannot send it again", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  await onlyContacts(ada);
  const groupName = `Spam club ${Date.now().toString(36)}`;
  const chatId = await createGroup(bob, groupName);
  await addByUserId(bob, chatId, ada.person.userId);
  await expect(bob.page.getByTestId("invited-notice")).toBeVisible();

  await open(ada.page, "/chats");
  await ada.page.getByRole("button", { name: /Message requests/ }).click();
  const invitation = ada.page.getByTestId("group-invitation").filter({ hasText: groupName });
  await invitation.getByRole("button", { name: "Decline" }).click();
  await expect(invitation).toHaveCount(0);
  await open(ada.page, "/chats");
  await expect(ada.page.getByTestId("requests-count")).toHaveCount(0);

  await addByUserId(bob, chatId, ada.person.userId);
  await expect(bob.page.getByRole("alert").filter({ hasText: "They declined an invitation to this group" })).toBeVisible();
  await open(ada.page, "/chats");
  await expect(ada.page.getByTestId("requests-count")).toHaveCount(0);
});
