// Pictures and files in chats, two people in browsers of their own: picking, uploading with
// progress, sending with a caption, the other side seeing it live, the full-screen viewer,
// downloads that keep their name and bytes, what the server strips or refuses, and retrying an
// upload that was cut off.
import type { Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { expect, screenshot, test } from "./helpers";
import { actionsFor, chatRow, composer, isPhone, message, newUser, open, send, startChat, type User } from "./chat-helpers";

test.describe.configure({ timeout: 120_000 });

const fixtures = path.join(__dirname, "..", "fixtures");
type Upload = { name: string; mimeType: string; buffer: Buffer };

/** A picture drawn in the browser: a w×h gradient with a sun, as JPEG bytes. */
async function drawnPicture(page: Page, name: string, w: number, h: number, from: string, to: string): Promise<Upload> {
  const base64 = await page.evaluate(
    ({ w, h, from, to }) => {
      const c = document.createElement("canvas");
      c.width = w;
      c.height = h;
      const g = c.getContext("2d")!;
      const fill = g.createLinearGradient(0, 0, w, h);
      fill.addColorStop(0, from);
      fill.addColorStop(1, to);
      g.fillStyle = fill;
      g.fillRect(0, 0, w, h);
      g.fillStyle = "rgba(255,255,255,0.75)";
      g.beginPath();
      g.arc(w * 0.7, h * 0.3, Math.min(w, h) * 0.12, 0, Math.PI * 2);
      g.fill();
      return c.toDataURL("image/jpeg", 0.9).split(",")[1];
    },
    { w, h, from, to },
  );
  return { name, mimeType: "image/jpeg", buffer: Buffer.from(base64, "base64") };
}

/** A small but real PDF (one empty page). */
function pdf(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** "820 B", "14 KB", "3.4 MB", as the app writes sizes. */
function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Picks files through the paperclip's menu, as a person does. */
async function attach(page: Page, choice: "Photos" | "File", files: Upload[] | string[]): Promise<void> {
  await page.getByRole("button", { name: "Attach", exact: true }).click();
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("menuitem", { name: choice }).click();
  await (await chooser).setFiles(files);
}

function strip(page: Page) {
  return page.getByTestId("preview-strip");
}

/** Waits until the `count` picked files are uploaded. */
async function uploaded(page: Page, count: number): Promise<void> {
  await expect(strip(page).getByTestId("strip-item")).toHaveCount(count);
  await expect(strip(page).locator('[data-state="stored"]')).toHaveCount(count);
}

/** Sends what is in the composer and waits until the server has stored it. */
async function sendNow(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(strip(page)).toHaveCount(0);
  await expect(page.getByTestId("pending-message")).toHaveCount(0);
}

/** Ada and Bob in a direct chat, each with it open. */
async function chatting(browser: import("@playwright/test").Browser, testInfo: import("@playwright/test").TestInfo): Promise<[User, User]> {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Look at these");
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Look at these")).toBeVisible();
  return [ada, bob];
}

/** The stored message (not a pending one) that holds attachments, newest last. */
function withAttachments(page: Page) {
  return page.getByTestId("message").filter({ has: page.getByTestId("attachments") });
}

test("Ada sends two pictures with a caption; Bob sees them live, opens one full screen and goes to the next", async ({ browser }, testInfo) => {
  const [ada, bob] = await chatting(browser, testInfo);
  const beach = await drawnPicture(ada.page, "beach.jpg", 800, 600, "#0ea5e9", "#fde68a");
  const tower = await drawnPicture(ada.page, "tower.jpg", 600, 900, "#7c3aed", "#f472b6");

  await attach(ada.page, "Photos", [beach, tower]);
  await expect(strip(ada.page).getByTestId("strip-thumbnail")).toHaveCount(2);
  await uploaded(ada.page, 2);
  // With pictures picked and no text, Send is there (the caption is optional).
  await expect(ada.page.getByRole("button", { name: "Send", exact: true })).toBeVisible();
  await composer(ada.page).fill("The beach and the tower");
  await screenshot(ada.page, testInfo, "attachments-composer-strip");
  await sendNow(ada.page);

  const arrived = message(bob.page, "The beach and the tower");
  await expect(arrived).toBeVisible();
  const tiles = arrived.getByTestId("picture");
  await expect(tiles).toHaveCount(2);
  // Each box has its picture's shape and colour before (and after) the thumbnail loads.
  for (const [i, [w, h]] of [[800, 600], [600, 900]].entries()) {
    await expect(tiles.nth(i)).toHaveAttribute("data-width", String(w));
    const box = (await tiles.nth(i).boundingBox())!;
    expect(Math.abs(box.width / box.height - w / h), `tile ${i}: ${box.width}×${box.height}`).toBeLessThan(0.03);
    expect(await tiles.nth(i).getAttribute("style")).toMatch(/background-color:#[0-9a-f]{6}/);
    await expect.poll(() => tiles.nth(i).locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  }
  if (!isPhone(testInfo)) {
    await expect(chatRow(bob.page, ada.name).getByTestId("chat-preview")).toHaveText("📷 The beach and the tower");
  }

  await tiles.first().click();
  const viewer = bob.page.getByRole("dialog", { name: "Picture viewer" });
  await expect(viewer).toBeVisible();
  await expect(viewer.getByTestId("viewer-position")).toHaveText("1 / 2");
  await expect(viewer.getByTestId("viewer-name")).toHaveText("beach.jpg");
  await expect.poll(() => viewer.getByTestId("viewer-picture").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(800);
  await bob.page.keyboard.press("ArrowRight");
  await expect(viewer.getByTestId("viewer-position")).toHaveText("2 / 2");
  await expect(viewer.getByTestId("viewer-name")).toHaveText("tower.jpg");
  await expect.poll(() => viewer.getByTestId("viewer-picture").evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(900);
  const download = await viewer.getByTestId("viewer-download").getAttribute("href");
  const saved = await bob.page.request.get(download!);
  expect(saved.status()).toBe(200);
  expect(saved.headers()["content-disposition"]).toContain("tower.jpg");
  await screenshot(bob.page, testInfo, "attachments-viewer");
  await bob.page.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);
  await tiles.nth(1).click();
  await expect(viewer.getByTestId("viewer-name")).toHaveText("tower.jpg");
  await viewer.getByRole("button", { name: "Close" }).click();
  await expect(viewer).toHaveCount(0);

  // Bob answers the pictures: the quote carries a thumbnail, on both sides.
  await (await actionsFor(bob.page, "The beach and the tower")).getByRole("button", { name: "Reply" }).click();
  await expect(bob.page.getByTestId("composer-reply").getByTestId("quote-thumbnail")).toBeVisible();
  await send(bob.page, "Lovely!");
  await expect(message(ada.page, "Lovely!").getByTestId("quote-thumbnail")).toBeVisible();
});

test("the picture Bob receives carries no EXIF or GPS data from Ada's camera", async ({ browser }, testInfo) => {
  const original = fs.readFileSync(path.join(fixtures, "gps.jpg"));
  // 52°31'12.34" as big-endian EXIF rationals: what make-gps-jpeg.mjs wrote.
  const latitude = Buffer.from([0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 1, 0, 0, 0x04, 0xd2, 0, 0, 0, 100]);
  expect(original.includes("Exif"), "the fixture carries EXIF").toBe(true);
  expect(original.includes(latitude), "the fixture carries the GPS latitude").toBe(true);
  expect(original.includes("ConfabTestCam")).toBe(true);

  const [ada, bob] = await chatting(browser, testInfo);
  await attach(ada.page, "Photos", [path.join(fixtures, "gps.jpg")]);
  await uploaded(ada.page, 1);
  await composer(ada.page).fill("Where was this?");
  await sendNow(ada.page);

  const tile = message(bob.page, "Where was this?").getByTestId("picture");
  await expect(tile).toBeVisible();
  const url = (await tile.getAttribute("href"))!;
  const thumb = (await tile.locator("img").getAttribute("src"))!;
  for (const address of [url, thumb]) {
    const served = await bob.page.request.get(address);
    expect(served.status(), address).toBe(200);
    expect(served.headers()["content-type"]).toBe("image/jpeg");
    const bytes = await served.body();
    expect(bytes.subarray(0, 2).equals(Buffer.from([0xff, 0xd8])), "still a JPEG").toBe(true);
    expect(bytes.includes("Exif"), `${address} has no EXIF block`).toBe(false);
    expect(bytes.includes(latitude), `${address} has no GPS latitude`).toBe(false);
    expect(bytes.includes("ConfabTestCam"), `${address} has no camera make`).toBe(false);
  }
});

test("Ada sends a PDF; Bob sees its card and downloads it with the same name and bytes", async ({ browser }, testInfo) => {
  const [ada, bob] = await chatting(browser, testInfo);
  // A picture first, so the conversation shows both kinds.
  await attach(ada.page, "Photos", [await drawnPicture(ada.page, "harbour.jpg", 1200, 800, "#0f766e", "#a7f3d0")]);
  await uploaded(ada.page, 1);
  await composer(ada.page).fill("The harbour this morning");
  await sendNow(ada.page);

  const report = pdf();
  const name = "Quarterly report.pdf";
  await attach(ada.page, "File", [{ name, mimeType: "application/pdf", buffer: report }]);
  await expect(strip(ada.page).getByTestId("strip-file")).toContainText(name);
  await uploaded(ada.page, 1);
  await sendNow(ada.page);

  const card = withAttachments(bob.page).last().getByTestId("file-card");
  await expect(card.getByTestId("file-name")).toHaveText(name);
  await expect(card.getByTestId("file-size")).toHaveText(`${sizeText(report.length)} · PDF`);
  if (!isPhone(testInfo)) {
    await expect(chatRow(bob.page, ada.name).getByTestId("chat-preview")).toHaveText(`📄 ${name}`);
  }
  await screenshot(bob.page, testInfo, "attachments-conversation");

  const downloading = bob.page.waitForEvent("download");
  await card.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(name);
  const saved = fs.readFileSync((await download.path())!);
  expect(saved.equals(report), "the same bytes").toBe(true);
});

test("a Windows program renamed photo.jpg arrives as a file card, never as a picture", async ({ browser }, testInfo) => {
  const [ada, bob] = await chatting(browser, testInfo);
  const program = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1"), Buffer.alloc(2000, 7)]);
  await attach(ada.page, "Photos", [{ name: "photo.jpg", mimeType: "image/jpeg", buffer: program }]);
  await uploaded(ada.page, 1);
  // Once the server has looked at the bytes, the strip shows it as a file.
  await expect(strip(ada.page).getByTestId("strip-file")).toContainText("photo.jpg");
  await expect(strip(ada.page).getByTestId("strip-thumbnail")).toHaveCount(0);
  await sendNow(ada.page);

  for (const page of [bob.page, ada.page]) {
    const sent = withAttachments(page).last();
    await expect(sent.getByTestId("file-card").getByTestId("file-name")).toHaveText("photo.jpg");
    await expect(sent.getByTestId("picture")).toHaveCount(0);
    await expect(sent.locator("img")).toHaveCount(0);
  }
});

test("a file over the size limit shows the limit and cannot be sent", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  await startChat(ada, bob);
  // The test server allows 5 MB files (CONFAB_FILE_MAX_MB in playwright.config.ts).
  await attach(ada.page, "File", [{ name: "backup.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(6_000_000, 1) }]);
  await expect(strip(ada.page).locator('[data-state="failed"]')).toHaveCount(1);
  await expect(ada.page.getByTestId("upload-error")).toContainText("backup.bin: Files can be at most 5 MB");
  // It would only be refused again: no Retry, only Remove.
  await expect(ada.page.getByTestId("upload-error").getByRole("button", { name: "Retry" })).toHaveCount(0);
  await screenshot(ada.page, testInfo, "attachments-too-large");
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.page.getByTestId("composer-error")).toContainText("can’t be sent: remove them first");
  await expect(ada.page.getByTestId("pending-message")).toHaveCount(0);
  await ada.page.getByTestId("upload-error").getByRole("button", { name: "Remove" }).click();
  await expect(strip(ada.page)).toHaveCount(0);
  await expect(ada.page.getByTestId("composer-error")).toBeEmpty();
});

test("an upload cut off halfway is retried without picking the file again, and then arrives", async ({ browser }, testInfo) => {
  const [ada, bob] = await chatting(browser, testInfo);
  let posts = 0;
  await ada.page.route("**/api/attachments*", async (route) => {
    if (route.request().method() === "POST" && ++posts === 1) await route.abort("connectionreset");
    else await route.continue();
  });
  await attach(ada.page, "Photos", [await drawnPicture(ada.page, "sunset.jpg", 640, 480, "#f97316", "#7c2d12")]);
  await expect(ada.page.getByTestId("upload-error")).toContainText("sunset.jpg: The upload was cut off");
  await ada.page.getByTestId("upload-error").getByRole("button", { name: "Retry" }).click();
  await uploaded(ada.page, 1);
  expect(posts).toBe(2);
  await composer(ada.page).fill("Second try");
  await sendNow(ada.page);
  await expect(message(bob.page, "Second try").getByTestId("picture")).toHaveCount(1);

  // Cut off after Send was pressed: the waiting bubble says so, and its Retry uploads and sends.
  await ada.page.unroute("**/api/attachments*");
  let held = 0;
  await ada.page.route("**/api/attachments*", async (route) => {
    if (route.request().method() !== "POST" || ++held > 1) return route.continue();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.abort("connectionreset");
  });
  await attach(ada.page, "Photos", [await drawnPicture(ada.page, "dusk.jpg", 640, 480, "#1e3a8a", "#f472b6")]);
  await composer(ada.page).fill("Third try");
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  const waiting = ada.page.getByTestId("pending-message");
  await expect(waiting.getByTestId("pending-picture")).toHaveCount(1);
  await expect(waiting).toHaveAttribute("data-failed", "true");
  await expect(waiting.getByRole("alert")).toContainText("Not sent: dusk.jpg — The upload was cut off");
  await expect(message(bob.page, "Third try")).toHaveCount(0);
  await waiting.getByRole("button", { name: "Retry" }).click();
  await expect(waiting).toHaveCount(0);
  await expect(message(bob.page, "Third try").getByTestId("picture")).toHaveCount(1);
  await expect(message(bob.page, "Third try")).toHaveCount(1);
});

test("a picture sent while offline waits and goes out once, when the connection is back", async ({ browser }, testInfo) => {
  const [ada, bob] = await chatting(browser, testInfo);
  const picture = await drawnPicture(ada.page, "tunnel.jpg", 640, 480, "#334155", "#facc15");
  await ada.context.setOffline(true);
  await expect(ada.page.getByTestId("connection-banner")).toBeVisible();
  await attach(ada.page, "Photos", [picture]);
  await expect(strip(ada.page).locator('[data-state="failed"]')).toHaveCount(1);
  await composer(ada.page).fill("From the tunnel");
  await ada.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(ada.page.getByTestId("pending-message")).toHaveCount(1);
  await expect(strip(ada.page)).toHaveCount(0);

  await ada.context.setOffline(false);
  await expect(ada.page.getByTestId("pending-message")).toHaveCount(0, { timeout: 20_000 });
  await expect(message(bob.page, "From the tunnel").getByTestId("picture")).toHaveCount(1);
  await bob.page.reload();
  await expect(message(bob.page, "From the tunnel")).toHaveCount(1);
  await expect(message(ada.page, "From the tunnel")).toHaveCount(1);
});

test("a pasted picture and dropped files join the message, at most ten", async ({ browser }, testInfo) => {
  const [ada] = await chatting(browser, testInfo);
  const picture = await drawnPicture(ada.page, "pasted.jpg", 300, 200, "#22c55e", "#14532d");
  await composer(ada.page).focus();
  await ada.page.evaluate((b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "pasted.jpg", { type: "image/jpeg" }));
    document.getElementById("composer-input")!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, picture.buffer.toString("base64"));
  await expect(strip(ada.page).getByTestId("strip-item")).toHaveCount(1);
  await expect(composer(ada.page)).toHaveValue("");

  // Ten notes dropped on the conversation: nine fit beside the picture.
  const dropped = await ada.page.evaluateHandle(() => {
    const dt = new DataTransfer();
    for (let i = 1; i <= 10; i++) dt.items.add(new File([`note ${i}`], `note-${i}.txt`, { type: "text/plain" }));
    return dt;
  });
  await ada.page.dispatchEvent("body", "dragenter", { dataTransfer: dropped });
  await expect(ada.page.getByTestId("drop-overlay")).toBeVisible();
  await ada.page.dispatchEvent("body", "drop", { dataTransfer: dropped });
  await expect(ada.page.getByTestId("drop-overlay")).toHaveCount(0);
  await expect(ada.page.getByTestId("attach-note")).toContainText("up to 10 attachments — 1 file was not added");
  await uploaded(ada.page, 10);
  await sendNow(ada.page);
  const sent = withAttachments(ada.page).last();
  await expect(sent.getByTestId("picture")).toHaveCount(1);
  await expect(sent.getByTestId("file-card")).toHaveCount(9);
});

test("the menu of a picture without a caption has no Copy text", async ({ browser }, testInfo) => {
  const ada = await newUser(browser, testInfo);
  // Bob only needs an account: Ada's side is all this looks at.
  const bob = await newUser(browser, testInfo);
  await bob.context.close();
  await startChat(ada, bob);
  await send(ada.page, "Look at this");
  const menu = await actionsFor(ada.page, "Look at this");
  await expect(menu.getByRole("button", { name: "Copy text" })).toBeVisible();
  await menu.getByRole("button", { name: "Close" }).click();
  await expect(menu).toHaveCount(0);

  await attach(ada.page, "Photos", [await drawnPicture(ada.page, "meadow.jpg", 640, 480, "#65a30d", "#fef9c3")]);
  await uploaded(ada.page, 1);
  await sendNow(ada.page);
  const picture = withAttachments(ada.page).last();
  await expect(picture.getByTestId("picture")).toHaveCount(1);
  await expect(picture.getByTestId("message-text")).toHaveCount(0);
  await picture.getByTestId("bubble").hover();
  await picture.getByRole("button", { name: "Message actions" }).click();
  await expect(menu.getByRole("button", { name: "Reply" })).toBeVisible();
  await expect(menu.getByRole("button", { name: "Copy text" })).toHaveCount(0);
});

test("Ada takes the caption off a picture she sent, and Bob sees the picture alone", async ({ browser }, testInfo) => {
  const [ada, bob] = await chatting(browser, testInfo);
  await attach(ada.page, "Photos", [await drawnPicture(ada.page, "dune.jpg", 640, 480, "#b45309", "#fde68a")]);
  await uploaded(ada.page, 1);
  await composer(ada.page).fill("Dunes at noon");
  await sendNow(ada.page);
  const onBobs = withAttachments(bob.page).last();
  await expect(onBobs.getByTestId("message-text")).toContainText("Dunes at noon");

  const menu = await actionsFor(ada.page, "Dunes at noon");
  await menu.getByRole("button", { name: "Edit" }).click();
  await expect(composer(ada.page)).toHaveValue("Dunes at noon");
  await composer(ada.page).fill("");
  await ada.page.getByRole("button", { name: "Save edit" }).click();

  await expect(onBobs.getByTestId("message-text")).toHaveCount(0);
  await expect(onBobs.getByTestId("picture")).toHaveCount(1);
  await expect(onBobs.getByTestId("edited")).toBeVisible();
  await expect(withAttachments(ada.page).last().getByTestId("message-text")).toHaveCount(0);
});
