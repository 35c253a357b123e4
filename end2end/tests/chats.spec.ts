// Conversations as people use them, each person in a browser of their own: contacts, direct
// chats, message requests, groups with invite links and admins, replies, edits, deletes and
// reactions, search, the chat list, and the length limit. Live delivery comes with the
// WebSocket; here the other side sees new messages after navigating or reloading.
import { expect, screenshot, test, waitForHydration } from "./helpers";
import {
  actionsFor, becomeContacts, chatRow, composer, isPhone, message, newUser, open, send, sendMany, startChat,
} from "./chat-helpers";

test.describe.configure({ timeout: 120_000 });

test("two people become contacts and exchange direct messages", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);

  await open(ada.page, `/profile/${bob.person.userId}`);
  await expect(ada.page.getByTestId("profile-user-id")).toHaveText(bob.person.userId);
  await ada.page.getByRole("button", { name: "Invite to contacts" }).click();
  await expect(ada.page.getByRole("button", { name: "Invitation sent" })).toBeVisible();

  // Bob sees the badge on his chat list, then the invitation on the Contacts page.
  await open(bob.page, "/chats");
  await expect(bob.page.getByTestId("invitations-badge")).toHaveText("1");
  await bob.page.getByRole("link", { name: "Contacts" }).click();
  await expect(bob.page).toHaveURL(/\/contacts$/);
  await waitForHydration(bob.page);
  const invitation = bob.page.getByRole("list", { name: "Invitations received" }).getByTestId("contact");
  await expect(invitation).toContainText(ada.name);
  await screenshot(bob.page, testInfo, "contacts-invitation");
  await invitation.getByRole("button", { name: "Accept" }).click();
  await expect(bob.page.getByRole("list", { name: "Contacts", exact: true }).getByText(ada.name, { exact: true })).toBeVisible();
  await screenshot(bob.page, testInfo, "contacts");
  await open(bob.page, "/chats");
  await expect(bob.page.getByTestId("invitations-badge")).toHaveCount(0);

  // Ada writes from Bob's profile.
  await open(ada.page, `/profile/${bob.person.userId}`);
  await expect(ada.page.getByTestId("is-contact")).toBeVisible();
  await screenshot(ada.page, testInfo, "profile-contact");
  await startChat(ada, bob);
  await send(ada.page, "Hello Bob! Lunch at https://example.com/menu tomorrow?");
  const link = message(ada.page, "Hello Bob").getByRole("link", { name: "https://example.com/menu" });
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer");

  // Bob finds it in his list, unread, and answers.
  await open(bob.page, "/chats");
  const row = chatRow(bob.page, ada.name);
  await expect(row.getByTestId("chat-preview")).toHaveText("Hello Bob! Lunch at https://example.com/menu tomorrow?");
  await expect(row.getByTestId("unread")).toHaveText("1");
  await row.click();
  await expect(message(bob.page, "Hello Bob")).toBeVisible();
  await expect(message(bob.page, "Hello Bob")).toHaveAttribute("data-mine", "false");
  await send(bob.page, "Sounds good <b>see you</b>");
  await expect(message(bob.page, "<b>see you</b>")).toHaveAttribute("data-mine", "true");

  // Ada's history has Bob's answer after a reload, as text (never HTML).
  await ada.page.reload();
  await waitForHydration(ada.page);
  await expect(message(ada.page, "Sounds good <b>see you</b>")).toBeVisible();
  await expect(ada.page.locator("[data-testid=bubble] b")).toHaveCount(0);
  await screenshot(ada.page, testInfo, "conversation-direct");

  // Bob's unread count is gone once he has read it.
  await open(bob.page, "/chats");
  await expect(chatRow(bob.page, ada.name).getByTestId("unread")).toHaveCount(0);
  await expect(chatRow(bob.page, ada.name).getByTestId("chat-preview")).toHaveText("You: Sounds good <b>see you</b>");

  // A message over 4,096 characters shows an error and keeps the text; 4,096 go through.
  // (Same two people: every sign-up counts against the per-address code-check limit.)
  const long = "a".repeat(4097);
  await composer(ada.page).fill(long);
  await expect(ada.page.getByTestId("composer-count")).toHaveText("4097 / 4096");
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.page.getByTestId("composer-error")).toContainText(/4,?096/);
  await expect(composer(ada.page)).toHaveValue(long);
  await expect(ada.page.getByTestId("pending-message")).toHaveCount(0);
  await expect(ada.page.getByTestId("message")).toHaveCount(2);
  await screenshot(ada.page, testInfo, "composer-too-long");
  await composer(ada.page).fill("a".repeat(4096));
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.page.getByTestId("message")).toHaveCount(3);
  await expect(ada.page.getByTestId("composer-error")).toBeEmpty();
  await expect(composer(ada.page)).toHaveValue("");

  // The same pages in dark mode.
  await bob.page.emulateMedia({ colorScheme: "dark" });
  await screenshot(bob.page, testInfo, "chat-list-dark");
  await chatRow(bob.page, ada.name).click();
  await expect(message(bob.page, "Hello Bob")).toBeVisible();
  await screenshot(bob.page, testInfo, "conversation-dark");
});

test("a contacts-only person gets a message request and accepts it", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const cleo = await newUser(browser, testInfo);

  await open(cleo.page, "/settings");
  await cleo.page.getByLabel("Only my contacts").check();
  await cleo.page.getByRole("button", { name: "Save profile and privacy" }).click();
  await expect(cleo.page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await screenshot(cleo.page, testInfo, "settings-privacy");

  await startChat(ada, cleo);
  await send(ada.page, "Hi Cleo, we met at the conference");
  await expect(ada.page.getByRole("status").filter({ hasText: "Message request sent" })).toBeVisible();

  await open(cleo.page, "/chats");
  await expect(chatRow(cleo.page, ada.name)).toHaveCount(0);
  await expect(cleo.page.getByTestId("requests-count")).toHaveText("1");
  await cleo.page.getByRole("button", { name: /Message requests/ }).click();
  await screenshot(cleo.page, testInfo, "chat-list-requests");
  await chatRow(cleo.page, ada.name).click();
  const banner = cleo.page.getByRole("region", { name: "Message request" });
  await expect(banner).toContainText(`${ada.name} wants to message you`);
  await expect(message(cleo.page, "we met at the conference")).toBeVisible();
  await expect(composer(cleo.page)).toHaveCount(0);
  await screenshot(cleo.page, testInfo, "conversation-request");
  await banner.getByRole("button", { name: "Accept" }).click();
  await expect(banner).toHaveCount(0);
  await send(cleo.page, "Of course, hello!");

  await open(cleo.page, "/chats");
  await expect(cleo.page.getByTestId("requests-count")).toHaveCount(0);
  await expect(chatRow(cleo.page, ada.name)).toBeVisible();

  await ada.page.reload();
  await waitForHydration(ada.page);
  await expect(message(ada.page, "Of course, hello!")).toBeVisible();
  await expect(ada.page.getByRole("status").filter({ hasText: "Message request sent" })).toHaveCount(0);
});

test("a group gets members by invite link and by group ID; admins rename it and remove people", async ({ browser }, testInfo) => {
  const owner = await newUser(browser, testInfo);
  const viaLink = await newUser(browser, testInfo);
  const viaId = await newUser(browser, testInfo);
  const groupName = `Hikers ${Date.now().toString(36)}`;

  await open(owner.page, "/chats");
  await owner.page.getByRole("button", { name: "New chat" }).click();
  await owner.page.getByRole("tab", { name: "New group" }).click();
  await screenshot(owner.page, testInfo, "new-group");
  await owner.page.getByLabel("Group name").fill(groupName);
  await owner.page.getByLabel("Description (optional)").fill("Sunday walks in the hills");
  await owner.page.getByLabel("Public group").check();
  await owner.page.getByRole("button", { name: "Create group" }).click();
  await expect(owner.page.getByTestId("conversation-title")).toHaveText(groupName);
  await expect(owner.page.getByTestId("system-message").first()).toHaveText("You created the group");
  const chatId = new URL(owner.page.url()).pathname.split("/")[2];

  await owner.page.getByRole("link", { name: "Group info" }).first().click();
  await expect(owner.page).toHaveURL(new RegExp(`/chats/${chatId}/info$`));
  const groupId = (await owner.page.getByTestId("group-id").textContent())!.trim();
  await owner.page.getByRole("button", { name: "Create link" }).click();
  const inviteUrl = owner.page.getByTestId("invite-url").first();
  await expect(inviteUrl).toContainText("/join/");
  const invitePath = new URL((await inviteUrl.textContent())!.trim(), "http://x").pathname;

  // One joins by the link, the other by the group ID.
  await open(viaLink.page, invitePath);
  await viaLink.page.getByRole("button", { name: "Join group" }).click();
  await expect(viaLink.page.getByTestId("conversation-title")).toHaveText(groupName);
  await send(viaLink.page, "Thanks for the invite!");

  await open(viaId.page, "/chats");
  await viaId.page.getByRole("button", { name: "New chat" }).click();
  await viaId.page.getByRole("tab", { name: "Join group" }).click();
  await viaId.page.getByLabel("Group ID").fill(groupId);
  await viaId.page.getByRole("button", { name: "Join group" }).click();
  await expect(viaId.page.getByTestId("conversation-title")).toHaveText(groupName);

  // The owner makes the first an admin, renames the group and removes the second.
  await open(owner.page, `/chats/${chatId}/info`);
  await expect(owner.page.getByTestId("member")).toHaveCount(3);
  const linkMember = owner.page.getByTestId("member").filter({ hasText: viaLink.name });
  await linkMember.getByRole("button", { name: `Manage ${viaLink.name}` }).click();
  await linkMember.getByRole("button", { name: "Make admin" }).click();
  await expect(owner.page.getByTestId("member").filter({ hasText: viaLink.name }).getByTestId("role")).toHaveText("Admin");

  await owner.page.getByRole("button", { name: "Edit group" }).click();
  await owner.page.getByLabel("Group name").fill(`${groupName} & friends`);
  await owner.page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(owner.page.getByTestId("group-name")).toHaveText(`${groupName} & friends`);

  const idMember = owner.page.getByTestId("member").filter({ hasText: viaId.name });
  await idMember.getByRole("button", { name: `Manage ${viaId.name}` }).click();
  await idMember.getByRole("button", { name: "Remove from group" }).click();
  await expect(owner.page.getByTestId("member")).toHaveCount(2);
  await screenshot(owner.page, testInfo, "group-info");

  // Everyone still in the group sees what happened.
  await open(viaLink.page, `/chats/${chatId}`);
  const events = viaLink.page.getByTestId("system-message");
  await expect(events.filter({ hasText: `${owner.name} created the group` })).toHaveCount(1);
  await expect(events.filter({ hasText: "You joined" })).toHaveCount(1);
  await expect(events.filter({ hasText: `${viaId.name} joined` })).toHaveCount(1);
  await expect(events.filter({ hasText: `${owner.name} made you an admin` })).toHaveCount(1);
  await expect(events.filter({ hasText: `renamed the group to “${groupName} & friends”` })).toHaveCount(1);
  await expect(events.filter({ hasText: `${owner.name} removed ${viaId.name}` })).toHaveCount(1);
  await expect(viaLink.page.getByTestId("conversation-title")).toHaveText(`${groupName} & friends`);
  await send(viaLink.page, "Welcome to the renamed group");
  await screenshot(viaLink.page, testInfo, "conversation-group");

  // The removed member can no longer open it.
  await open(viaId.page, `/chats/${chatId}`);
  await expect(viaId.page.getByText("This conversation isn’t available")).toBeVisible();

  // The group's list row names the sender.
  await open(owner.page, "/chats");
  await expect(chatRow(owner.page, `${groupName} & friends`).getByTestId("chat-preview"))
    .toHaveText(`${viaLink.name}: Welcome to the renamed group`);
});

test("people reply to, edit, delete and react to messages", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(bob, ada);
  await send(bob.page, "Who is bringing the tent?");
  await open(ada.page, `/chats/${chatId}`);

  // Reply.
  let menu = await actionsFor(ada.page, "Who is bringing the tent?");
  await screenshot(ada.page, testInfo, "message-actions");
  await menu.getByRole("button", { name: "Reply" }).click();
  await expect(ada.page.getByTestId("composer-reply")).toContainText("Who is bringing the tent?");
  await send(ada.page, "I will, and the stove too");
  const reply = message(ada.page, "I will, and the stove too");
  await expect(reply.getByRole("button", { name: "Go to the quoted message" })).toContainText("Who is bringing the tent?");

  // Edit.
  await send(ada.page, "See you at 9");
  menu = await actionsFor(ada.page, "See you at 9");
  await menu.getByRole("button", { name: "Edit" }).click();
  await expect(composer(ada.page)).toHaveValue("See you at 9");
  await composer(ada.page).fill("See you at 8:30");
  if (isPhone(testInfo)) await ada.page.getByRole("button", { name: "Save edit" }).click();
  else await composer(ada.page).press("Enter");
  await expect(message(ada.page, "See you at 8:30").getByTestId("edited")).toBeVisible();

  // Delete for everyone.
  await send(ada.page, "Oops, wrong chat");
  menu = await actionsFor(ada.page, "Oops, wrong chat");
  await menu.getByRole("button", { name: "Delete for everyone" }).click();
  await ada.page.getByRole("dialog", { name: "Delete this message?" }).getByRole("button", { name: "Delete" }).click();
  await expect(ada.page.getByTestId("deleted")).toHaveText("This message was deleted");
  await expect(message(ada.page, "Oops, wrong chat")).toHaveCount(0);

  // React, and react again to take it back.
  menu = await actionsFor(ada.page, "Who is bringing the tent?");
  await menu.getByRole("button", { name: "React 👍" }).click();
  const reactions = message(ada.page, "Who is bringing the tent?").getByTestId("reactions");
  await expect(reactions.getByRole("button", { name: /👍 1/ })).toHaveAttribute("aria-pressed", "true");
  menu = await actionsFor(ada.page, "I will, and the stove too");
  await menu.getByRole("button", { name: "React 😂" }).click();
  await reactions.getByRole("button", { name: /👍 1/ }).click();
  await expect(reactions).toHaveCount(0);
  menu = await actionsFor(ada.page, "Who is bringing the tent?");
  await menu.getByRole("button", { name: "React ❤️" }).click();
  await expect(reactions.getByRole("button", { name: /❤️ 1/ })).toHaveAttribute("aria-pressed", "true");

  // Bob sees all of it after a reload, and adds his own reaction.
  await bob.page.reload();
  await waitForHydration(bob.page);
  await expect(message(bob.page, "See you at 8:30").getByTestId("edited")).toBeVisible();
  await expect(bob.page.getByTestId("deleted")).toHaveText("This message was deleted");
  await expect(message(bob.page, "I will, and the stove too").getByRole("button", { name: "Go to the quoted message" })).toBeVisible();
  const heart = message(bob.page, "Who is bringing the tent?").getByTestId("reactions").getByRole("button", { name: /❤️ 1/ });
  await expect(heart).toHaveAttribute("title", ada.name);
  await heart.click();
  await expect(message(bob.page, "Who is bringing the tent?").getByTestId("reactions").getByRole("button", { name: /❤️ 2/ }))
    .toHaveAttribute("aria-pressed", "true");
  await screenshot(bob.page, testInfo, "conversation-reactions");

  // Tapping the quote jumps to the original.
  await message(bob.page, "I will, and the stove too").getByRole("button", { name: "Go to the quoted message" }).click();
  await expect(message(bob.page, "Who is bringing the tent?")).toHaveAttribute("data-highlighted", "true");
});

test("search finds a message and jumps to it in its chat", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const word = `pineapple${Date.now().toString(36)}`;
  const chatId = await startChat(ada, bob);
  await send(ada.page, `The secret word is ${word}, keep it safe`);
  // Enough later messages that the hit is no longer on the newest page.
  await sendMany(ada.page, chatId, Array.from({ length: 60 }, (_, i) => `filler message ${i + 1}`));

  await open(bob.page, "/chats");
  await bob.page.getByRole("searchbox").fill(word);
  const results = bob.page.getByTestId("search-results");
  const hit = results.getByTestId("message-hit");
  await expect(hit).toHaveCount(1);
  await expect(hit.locator("mark")).toHaveText(word);
  await expect(hit).toContainText(ada.name);
  await screenshot(bob.page, testInfo, "search-results");

  // People are found by username too.
  await bob.page.getByRole("searchbox").fill(ada.name);
  await expect(results.getByTestId("person-hit").filter({ hasText: ada.person.userId })).toBeVisible();
  await bob.page.getByRole("searchbox").fill(word);
  await hit.click();

  await expect(bob.page).toHaveURL(new RegExp(`/chats/${chatId}\\?at=\\d+$`));
  const found = message(bob.page, `The secret word is ${word}`);
  await expect(found).toHaveAttribute("data-highlighted", "true");
  await expect(found).toBeInViewport();
  await screenshot(bob.page, testInfo, "conversation-search-hit");

  // Scrolling to the top loads older history; scrolling down reaches the newest.
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "filler message 60")).toBeInViewport();
  await expect(message(bob.page, `The secret word is ${word}`)).toHaveCount(0);
  const list = bob.page.getByTestId("messages");
  await expect(async () => {
    await list.evaluate((el) => el.scrollTo(0, 0));
    await expect(message(bob.page, `The secret word is ${word}`)).toHaveCount(1, { timeout: 1000 });
  }).toPass();
});

test("the chat list orders chats by activity with previews and unread counts", async ({ browser }, testInfo) => {
  const me = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const cleo = await newUser(browser, testInfo);

  const withBob = await startChat(bob, me);
  await send(bob.page, "First from Bob");
  await send(bob.page, "Second from Bob");
  await startChat(cleo, me);
  await send(cleo.page, "Hello from Cleo");

  await open(me.page, "/chats");
  const rows = me.page.getByTestId("chat-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByTestId("chat-title")).toHaveText(cleo.name);
  await expect(rows.nth(0).getByTestId("chat-preview")).toHaveText("Hello from Cleo");
  await expect(rows.nth(0).getByTestId("unread")).toHaveText("1");
  await expect(rows.nth(1).getByTestId("chat-title")).toHaveText(bob.name);
  await expect(rows.nth(1).getByTestId("chat-preview")).toHaveText("Second from Bob");
  await expect(rows.nth(1).getByTestId("unread")).toHaveText("2");
  // Both are online (their pages are open); the dot goes when Cleo closes hers.
  await expect(rows.nth(0).getByTestId("online-dot")).toBeVisible();
  await expect(rows.nth(1).getByTestId("online-dot")).toBeVisible();
  await screenshot(me.page, testInfo, "chat-list");
  await cleo.context.close();
  await expect(chatRow(me.page, cleo.name).getByTestId("online-dot")).toHaveCount(0);
  await expect(chatRow(me.page, bob.name).getByTestId("online-dot")).toBeVisible();

  // Answering Bob moves his chat to the top, read, with "You:".
  await rows.nth(1).click();
  await expect(me.page).toHaveURL(new RegExp(`/chats/${withBob}$`));
  // The open chat's row is marked as the current one, and only that row.
  await expect(chatRow(me.page, bob.name)).toHaveAttribute("aria-current", "page");
  await expect(chatRow(me.page, cleo.name)).not.toHaveAttribute("aria-current", /.*/);
  await send(me.page, "Got both, thanks");
  if (isPhone(testInfo)) await me.page.getByRole("link", { name: "Back to chats" }).click();
  await expect(rows.nth(0).getByTestId("chat-title")).toHaveText(bob.name);
  await expect(rows.nth(0).getByTestId("chat-preview")).toHaveText("You: Got both, thanks");
  await expect(rows.nth(0).getByTestId("unread")).toHaveCount(0);
  await expect(rows.nth(1).getByTestId("unread")).toHaveText("1");
  await screenshot(me.page, testInfo, "chat-list-after-reply");

  // Muting shows the icon.
  await open(me.page, `/chats/${withBob}`);
  await me.page.getByRole("button", { name: "Mute", exact: true }).click();
  await expect(me.page.getByRole("button", { name: "Unmute", exact: true })).toBeVisible();
  await open(me.page, "/chats");
  await expect(chatRow(me.page, bob.name).getByTestId("muted")).toBeVisible();
});
