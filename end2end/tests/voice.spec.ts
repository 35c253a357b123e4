// Voice notes, two people in browsers of their own. The microphone is Chromium's fake device
// (a beep; see the launch flags in playwright.config.ts).
import type { Browser, BrowserContext, CDPSession, Locator, Page, TestInfo } from "@playwright/test";
import { expect, screenshot, signUp, test } from "./helpers";
import { composer, message, newUser, open, send, startChat, type User } from "./chat-helpers";

test.describe.configure({ timeout: 90_000 });

/** Counts the microphone tracks still live (the browser's recording indicator is on while any is). */
async function watchMicrophone(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const devices = navigator.mediaDevices;
    if (!devices) return;
    const streams: MediaStream[] = [];
    (window as unknown as { micStreams: MediaStream[] }).micStreams = streams;
    const original = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      streams.push(stream);
      return stream;
    };
  });
}

function liveMicTracks(page: Page): Promise<number> {
  return page.evaluate(() =>
    (window as unknown as { micStreams: MediaStream[] }).micStreams
      .flatMap((s) => s.getTracks())
      .filter((t) => t.readyState === "live").length,
  );
}

/** Ada and Bob with their chat open on both sides (Bob's page is live, never reloaded). */
async function twoPeopleChatting(browser: Browser, testInfo: TestInfo, ada?: User): Promise<{ ada: User; bob: User }> {
  ada ??= await newUser(browser, testInfo);
  const bob = await newUser(browser, testInfo);
  await watchMicrophone(ada.context);
  const chatId = await startChat(ada, bob);
  await send(ada.page, "Hello Bob");
  await open(bob.page, `/chats/${chatId}`);
  await expect(message(bob.page, "Hello Bob")).toBeVisible();
  return { ada, bob };
}

/** The stored voice notes on a page (not the ones still uploading). */
function voiceNotes(page: Page): Locator {
  return page.getByTestId("message").getByTestId("voice-note");
}

function audioTime(note: Locator): Promise<number> {
  return note.getByTestId("voice-audio").evaluate((a: HTMLAudioElement) => a.currentTime);
}

/** Clicks the microphone, records for `ms` and stops: the recording is ready to review. */
async function recordWithClicks(page: Page, ms: number): Promise<void> {
  await page.getByRole("button", { name: "Record voice message" }).click();
  await expect(page.getByTestId("voice-recording-bar")).toBeVisible();
  await page.waitForTimeout(ms);
  await page.getByRole("button", { name: "Stop recording" }).click();
  await expect(page.getByTestId("voice-review")).toBeVisible();
}

/** Sends a recording made with clicks and waits until the server has it. */
async function sendVoiceNote(page: Page, ms: number, count: number): Promise<void> {
  await recordWithClicks(page, ms);
  await page.getByRole("button", { name: "Send voice message" }).click();
  await expect(voiceNotes(page)).toHaveCount(count);
  await expect(page.getByTestId("pending-message")).toHaveCount(0);
}

test("a voice note recorded by Ada arrives live at Bob's, plays, and plays faster", async ({ browser }, testInfo) => {
  const { ada, bob } = await twoPeopleChatting(browser, testInfo);

  await ada.page.getByRole("button", { name: "Record voice message" }).click();
  const bar = ada.page.getByTestId("voice-recording-bar");
  await expect(bar).toBeVisible();
  await expect(composer(ada.page)).toBeHidden();
  await expect(bar.getByTestId("voice-recording-time")).toHaveText("0:01");
  // The meter moves with the fake microphone's beep.
  await expect
    .poll(() => bar.getByTestId("voice-level").locator("span").evaluateAll((bars) => Math.max(...bars.map((b) => parseFloat((b as HTMLElement).style.height)))))
    .toBeGreaterThan(30);
  expect(await liveMicTracks(ada.page)).toBeGreaterThan(0);
  await screenshot(ada.page, testInfo, "voice-recording");
  await ada.page.getByRole("button", { name: "Stop recording" }).click();

  await expect(ada.page.getByTestId("voice-review")).toBeVisible();
  await expect.poll(() => liveMicTracks(ada.page), { message: "the microphone is released" }).toBe(0);
  const length = (await ada.page.getByTestId("voice-review-time").textContent()) ?? "";
  expect(length).toMatch(/^0:0[1-9]$/);
  await screenshot(ada.page, testInfo, "voice-review");
  await ada.page.getByRole("button", { name: "Send voice message" }).click();
  await expect(composer(ada.page)).toBeVisible();
  await expect(voiceNotes(ada.page)).toHaveCount(1);

  const note = voiceNotes(bob.page);
  await expect(note).toHaveCount(1);
  await expect(note.getByTestId("voice-time")).toHaveText(length);
  await note.getByRole("button", { name: "Play voice message" }).click();
  await expect.poll(() => audioTime(note)).toBeGreaterThan(0.1);
  await expect(note).toHaveAttribute("data-playing", "true");
  await screenshot(bob.page, testInfo, "voice-note-playing");

  await note.getByTestId("voice-speed").click();
  await expect(note.getByTestId("voice-speed")).toHaveText("1.5×");
  expect(await note.getByTestId("voice-audio").evaluate((a: HTMLAudioElement) => a.playbackRate)).toBe(1.5);
});

test("a recording Ada cancels, or listens to and then discards, is never sent", async ({ browser }, testInfo) => {
  const { ada, bob } = await twoPeopleChatting(browser, testInfo);

  // Cancelled while recording.
  await ada.page.getByRole("button", { name: "Record voice message" }).click();
  await expect(ada.page.getByTestId("voice-recording-bar")).toBeVisible();
  await ada.page.getByRole("button", { name: "Cancel recording" }).click();
  await expect(ada.page.getByTestId("voice-recording-bar")).toHaveCount(0);
  await expect.poll(() => liveMicTracks(ada.page)).toBe(0);

  // Recorded, listened to, then discarded.
  await recordWithClicks(ada.page, 1200);
  await ada.page.getByRole("button", { name: "Play recording" }).click();
  await expect
    .poll(() => ada.page.getByTestId("voice-review-audio").evaluate((a: HTMLAudioElement) => a.currentTime), { message: "the recording plays" })
    .toBeGreaterThan(0);
  await ada.page.getByRole("button", { name: "Discard recording" }).click();
  await expect(ada.page.getByTestId("voice-review")).toHaveCount(0);
  await expect(composer(ada.page)).toBeVisible();

  // A message sent afterwards arrives; nothing came before it.
  await send(ada.page, "Never mind");
  await expect(message(bob.page, "Never mind")).toBeVisible();
  await expect(voiceNotes(bob.page)).toHaveCount(0);
  await expect(voiceNotes(ada.page)).toHaveCount(0);
});

/** A finger on the touch screen, through the DevTools protocol (real touch pointer events). */
class Finger {
  private constructor(private cdp: CDPSession, private x = 0, private y = 0) {}

  static async on(page: Page): Promise<Finger> {
    return new Finger(await page.context().newCDPSession(page));
  }

  async press(target: Locator): Promise<void> {
    const box = await target.boundingBox();
    if (!box) throw new Error("nothing to press");
    [this.x, this.y] = [box.x + box.width / 2, box.y + box.height / 2];
    await this.cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: this.x, y: this.y }] });
  }

  async slideBy(dx: number, dy: number): Promise<void> {
    for (let step = 1; step <= 5; step++) {
      const point = { x: this.x + (dx * step) / 5, y: this.y + (dy * step) / 5 };
      await this.cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [point] });
    }
    [this.x, this.y] = [this.x + dx, this.y + dy];
  }

  async release(): Promise<void> {
    await this.cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  }
}

test("on a touch screen Ada holds the microphone to record, slides away to cancel, and releases to send", async ({ browser }, testInfo) => {
  // On the desktop project this is a laptop with a touch screen.
  const context = await browser.newContext({ ...testInfo.project.use, hasTouch: true });
  const page = await context.newPage();
  const person = await signUp(page);
  const { ada, bob } = await twoPeopleChatting(browser, testInfo, { page, context, person, name: person.username });
  const finger = await Finger.on(ada.page);
  const mic = ada.page.getByTestId("voice-mic");

  // A tap is not a recording.
  await finger.press(mic);
  await finger.release();
  await expect(ada.page.getByTestId("voice-hint")).toHaveText("Hold to record");

  // Held, then slid to the left: cancelled.
  await finger.press(mic);
  const bar = ada.page.getByTestId("voice-recording-bar");
  await expect(bar).toContainText("Slide to cancel");
  await expect(composer(ada.page)).toBeHidden();
  await screenshot(ada.page, testInfo, "voice-holding");
  await finger.slideBy(-60, 0);
  await expect(bar).toBeVisible();
  await finger.slideBy(-100, 0);
  await expect(bar).toHaveCount(0);
  await finger.release();
  await expect(composer(ada.page)).toBeVisible();
  await expect.poll(() => liveMicTracks(ada.page)).toBe(0);

  // Held for a while and released: sent.
  await finger.press(mic);
  await expect(bar).toContainText("Slide to cancel");
  await expect(bar.getByTestId("voice-recording-time")).toHaveText("0:01");
  await finger.release();
  await expect(voiceNotes(ada.page)).toHaveCount(1);
  await expect.poll(() => liveMicTracks(ada.page)).toBe(0);

  await send(ada.page, "That was it");
  await expect(message(bob.page, "That was it")).toBeVisible();
  await expect(voiceNotes(bob.page)).toHaveCount(1);
  await expect(voiceNotes(bob.page).getByTestId("voice-time")).toHaveText(/^0:0[12]$/);
});

test("when Bob's first voice note ends, the next one plays on", async ({ browser }, testInfo) => {
  const { ada, bob } = await twoPeopleChatting(browser, testInfo);
  await sendVoiceNote(ada.page, 1500, 1);
  await sendVoiceNote(ada.page, 1500, 2);

  const [first, second] = [voiceNotes(bob.page).first(), voiceNotes(bob.page).nth(1)];
  await expect(voiceNotes(bob.page)).toHaveCount(2);
  await first.getByRole("button", { name: "Play voice message" }).click();
  await expect.poll(() => audioTime(first)).toBeGreaterThan(0);
  // Seek close to the end: the rest plays out, then the second one starts by itself.
  const seek = first.getByTestId("voice-seek");
  const box = (await seek.boundingBox())!;
  await seek.click({ position: { x: box.width * 0.9, y: box.height / 2 } });
  await expect.poll(() => audioTime(second)).toBeGreaterThan(0.1);
  await expect(second).toHaveAttribute("data-playing", "true");
  await expect(first).toHaveAttribute("data-playing", "false");
  // Rewound for a next listen (the seek to 0 may land a moment after the next one starts).
  await expect.poll(() => audioTime(first)).toBe(0);
});

test("starting one voice note pauses the one playing", async ({ browser }, testInfo) => {
  const { ada, bob } = await twoPeopleChatting(browser, testInfo);
  await sendVoiceNote(ada.page, 2500, 1);
  await sendVoiceNote(ada.page, 2500, 2);

  const [first, second] = [voiceNotes(bob.page).first(), voiceNotes(bob.page).nth(1)];
  await expect(voiceNotes(bob.page)).toHaveCount(2);
  await first.getByRole("button", { name: "Play voice message" }).click();
  await expect(first).toHaveAttribute("data-playing", "true");
  await second.getByRole("button", { name: "Play voice message" }).click();
  await expect(second).toHaveAttribute("data-playing", "true");
  await expect(first).toHaveAttribute("data-playing", "false");
  expect(await first.getByTestId("voice-audio").evaluate((a: HTMLAudioElement) => a.paused)).toBe(true);
});

test("a person who blocked the microphone is told how to allow it", async ({ browser }, testInfo) => {
  const { ada } = await twoPeopleChatting(browser, testInfo);
  await ada.page.evaluate(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
  });
  await ada.page.getByRole("button", { name: "Record voice message" }).click();
  await expect(ada.page.getByRole("alert").filter({ hasText: "Microphone access is blocked" })).toBeVisible();
  await expect(ada.page.getByTestId("voice-recording-bar")).toHaveCount(0);
  await expect(composer(ada.page)).toBeVisible();
});

test("a recording stops by itself at the 15-minute limit and can still be sent or discarded", async ({ browser }, testInfo) => {
  const { ada } = await twoPeopleChatting(browser, testInfo);
  // The page's clock runs on, and can jump ahead: the recorder measures with it.
  await ada.page.clock.install();
  await ada.page.getByRole("button", { name: "Record voice message" }).click();
  const bar = ada.page.getByTestId("voice-recording-bar");
  await expect(bar).toBeVisible();
  await ada.page.clock.fastForward("14:58");
  await expect(bar.getByTestId("voice-recording-time")).toHaveText(/^14:5[89]$/);
  await ada.page.clock.fastForward("00:03");
  await expect(ada.page.getByTestId("voice-review")).toBeVisible();
  await expect(ada.page.getByTestId("voice-review-time")).toHaveText("15:00");
  await expect(ada.page.getByTestId("voice-hint")).toContainText("up to 15 minutes");
  await expect.poll(() => liveMicTracks(ada.page)).toBe(0);
  await ada.page.getByRole("button", { name: "Discard recording" }).click();
  await expect(composer(ada.page)).toBeVisible();
});
