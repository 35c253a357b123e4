// Live delivery over the WebSocket, two people in browsers of their own: nothing here reloads
// the other side's page.
import { expect, test } from "./helpers";
import { actionsFor, chatRow, composer, isPhone, message, newUser, open, send, startChat } from "./chat-helpers";

test.describe.configure({ timeout: 90_000 });

test("a message appears in the other person's open conversation and chat list without a reload", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "First one");

  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "First one")).toBeVisible();
  await expect(bob.page.getByTestId("connection-banner")).toHaveCount(0);

  await send(ada.page, "Arrives live");
  await expect(message(bob.page, "Arrives live")).toBeVisible();
  await expect(message(bob.page, "Arrives live")).toHaveCount(1);
  if (!isPhone(testInfo)) {
    // The list beside the conversation updates its preview too.
    await expect(chatRow(bob.page, ada.name).getByTestId("chat-preview")).toHaveText("Arrives live");
  }

  // With the list open instead, a new message moves the preview and counts as unread.
  await open(bob.page, "/chats");
  await send(ada.page, "Seen from the list");
  await expect(chatRow(bob.page, ada.name).getByTestId("chat-preview")).toHaveText("Seen from the list");
  await expect(chatRow(bob.page, ada.name).getByTestId("unread")).toHaveText("1");
});

test("the typing indicator shows while the other person types and then clears", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Are you there?");
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Are you there?")).toBeVisible();

  await composer(ada.page).pressSequentially("Yes I am", { delay: 50 });
  await expect(bob.page.getByTestId("typing")).toContainText(ada.name);
  // Nothing more typed: it goes away on its own after a few seconds.
  await expect(bob.page.getByTestId("typing")).toHaveCount(0, { timeout: 10_000 });
});

test("the sender's ticks turn when the message is delivered and read", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Tick tock");
  const receipt = message(ada.page, "Tick tock").getByTestId("receipt");
  await expect(receipt).toHaveAttribute("data-state", "sent");

  // Bob's chat list is open: the message reaches his device but is not read yet.
  await open(bob.page, "/chats");
  await send(ada.page, "Second tick");
  await expect(message(ada.page, "Second tick").getByTestId("receipt")).toHaveAttribute("data-state", "delivered");

  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Second tick")).toBeVisible();
  await expect(message(ada.page, "Second tick").getByTestId("receipt")).toHaveAttribute("data-state", "read");
});

test("presence: the other person shows online, then last seen when they leave", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Ping");
  await open(bob.page, `/chats/${chatId}`);
  await expect(ada.page.getByTestId("chat-subtitle")).toHaveText("online");
  await bob.context.close();
  await expect(ada.page.getByTestId("chat-subtitle")).toContainText("last seen");
});

test("a message written offline is shown pending and delivered exactly once when back online", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Before the tunnel");
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Before the tunnel")).toBeVisible();

  await ada.context.setOffline(true);
  await expect(ada.page.getByTestId("connection-banner")).toBeVisible();
  await composer(ada.page).fill("Written in the tunnel");
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.page.getByTestId("pending-message").filter({ hasText: "Written in the tunnel" })).toBeVisible();
  await expect(message(bob.page, "Written in the tunnel")).toHaveCount(0);

  await ada.context.setOffline(false);
  await expect(ada.page.getByTestId("pending-message")).toHaveCount(0, { timeout: 20_000 });
  await expect(message(ada.page, "Written in the tunnel")).toHaveCount(1);
  await expect(message(bob.page, "Written in the tunnel")).toHaveCount(1);
  // And after a reload, still once.
  await bob.page.reload();
  await expect(message(bob.page, "Written in the tunnel")).toHaveCount(1);
});

test("in a group, the sender sees who has read their newest message", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const cy = await newUser(browser, testInfo);
  const groupName = `Readers ${Date.now().toString(36)}`;

  await open(ada.page, "/chats");
  await ada.page.getByRole("button", { name: "New chat" }).click();
  await ada.page.getByRole("tab", { name: "New group" }).click();
  await ada.page.getByLabel("Group name").fill(groupName);
  await ada.page.getByLabel("Public group").check();
  await ada.page.getByRole("button", { name: "Create group" }).click();
  await expect(ada.page.getByTestId("conversation-title")).toHaveText(groupName);
  const chatId = new URL(ada.page.url()).pathname.split("/")[2];
  await ada.page.getByRole("link", { name: "Group info" }).first().click();
  const groupId = (await ada.page.getByTestId("group-id").textContent())!.trim();
  for (const member of [bob, cy]) {
    await open(member.page, "/chats");
    await member.page.getByRole("button", { name: "New chat" }).click();
    await member.page.getByRole("tab", { name: "Join group" }).click();
    await member.page.getByLabel("Group ID").fill(groupId);
    await member.page.getByRole("button", { name: "Join group" }).click();
    await expect(member.page.getByTestId("conversation-title")).toHaveText(groupName);
    await open(member.page, "/chats");
  }

  await open(ada.page, `/chats/${chatId}`);
  await send(ada.page, "Who is reading this?");
  await expect(message(ada.page, "Who is reading this?")).toBeVisible();
  await expect(ada.page.getByTestId("seen-by")).toHaveCount(0);

  // Bob opens the group: Ada's page counts him without a reload.
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Who is reading this?")).toBeVisible();
  await expect(ada.page.getByTestId("seen-by")).toHaveText("Seen by 1");
  await expect(ada.page.getByTestId("seen-by")).toHaveAttribute("title", bob.name);

  await open(cy.page, `/chats/${chatId}`);
  await expect(ada.page.getByTestId("seen-by")).toHaveText("Seen by 2");
  // The marks are stored: after a reload the count is still there.
  await ada.page.reload();
  await expect(ada.page.getByTestId("seen-by")).toHaveText("Seen by 2");
});

test("an edit and a reaction made while a device was offline reach it when it reconnects", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Meet at 9");
  await send(ada.page, "Bring snacks");
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Bring snacks")).toBeVisible();
  await expect(bob.page.getByTestId("connection-banner")).toHaveCount(0);

  await bob.context.setOffline(true);
  await expect(bob.page.getByTestId("connection-banner")).toBeVisible();
  let menu = await actionsFor(ada.page, "Meet at 9");
  await menu.getByRole("button", { name: "Edit" }).click();
  await composer(ada.page).fill("Meet at 10");
  if (isPhone(testInfo)) await ada.page.getByRole("button", { name: "Save edit" }).click();
  else await composer(ada.page).press("Enter");
  await expect(message(ada.page, "Meet at 10").getByTestId("edited")).toBeVisible();
  menu = await actionsFor(ada.page, "Bring snacks");
  await menu.getByRole("button", { name: "React 👍" }).click();
  await expect(message(ada.page, "Bring snacks").getByTestId("reactions").getByRole("button", { name: /👍 1/ })).toBeVisible();

  // Back online: no reload, and both changes arrive with the resume.
  await bob.context.setOffline(false);
  await expect(message(bob.page, "Meet at 10").getByTestId("edited")).toBeVisible({ timeout: 20_000 });
  await expect(message(bob.page, "Meet at 9")).toHaveCount(0);
  await expect(message(bob.page, "Bring snacks").getByTestId("reactions").getByRole("button", { name: /👍 1/ })).toBeVisible();
});
