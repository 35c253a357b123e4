// Voice and video calls, each person in a browser of their own with Chromium's fake camera and
// microphone. Media goes between the two browsers (WebRTC); what proves it flowed is each side's
// `RTCPeerConnection.getStats()`. These tests run inside scripts/e2e_in_namespace.sh: a network
// namespace with no way out (else Chromium offers the machine's outside address as its ICE
// candidate) and a TURN server (coturn) on 127.0.0.1:3478 whose secret the server shares.
import crypto from "node:crypto";
import type { Browser, BrowserContext, Locator, Page, TestInfo } from "@playwright/test";
import { expect, logIn, screenshot, test, waitForHydration } from "./helpers";
import { chatRow, newUser, open, send, startChat, type User } from "./chat-helpers";

test.describe.configure({ timeout: 120_000 });

const TURN_URL = process.env.CONFAB_TURN_URLS ?? "";
const TURN_SECRET = process.env.CONFAB_TURN_SECRET ?? "";
/** The server's `CONFAB_CALL_RING_SECONDS` (scripts/e2e_in_namespace.sh sets 8). */
const RING_SECONDS = Number(process.env.CONFAB_CALL_RING_SECONDS ?? "45");

test.beforeEach(() => {
  if (!TURN_URL || !TURN_SECRET) {
    throw new Error(
      "calls need the test network namespace and coturn: run scripts/e2e_in_namespace.sh calls.spec.ts (or scripts/test.sh)",
    );
  }
});

// Browsers opened here are closed after each test, so their calls end and the relay frees its ports.
const opened: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close().catch(() => undefined);
});

type Pcs = { __pcs: RTCPeerConnection[] };

/** Keeps every RTCPeerConnection a page makes in `window.__pcs`, for `getStats()`. */
async function capturePeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    const pcs: RTCPeerConnection[] = [];
    (window as unknown as Pcs).__pcs = pcs;
    const Captured = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
      const pc = new Native(...args);
      pcs.push(pc);
      // How many remote tracks arrived, for the messages of failed checks.
      pc.addEventListener("track", () => {
        (pc as unknown as { __tracks: number }).__tracks = ((pc as unknown as { __tracks?: number }).__tracks ?? 0) + 1;
      });
      return pc;
    } as unknown as typeof RTCPeerConnection;
    // Same prototype (so `instanceof` and the methods are the browser's own) and statics.
    Captured.prototype = Native.prototype;
    Object.setPrototypeOf(Captured, Native);
    window.RTCPeerConnection = Captured;
  });
}

/** A new person with pages that record their peer connections (from the next navigation on). */
async function newCaller(browser: Browser, testInfo: TestInfo, relayOnly = false): Promise<User> {
  const user = await newUser(browser, testInfo);
  opened.push(user.context);
  await capturePeerConnections(user.context);
  if (relayOnly) await turnOnRelayCalls(user.page);
  return user;
}

/** The person turns on "Relay calls through the server" in Settings (`iceTransportPolicy: 'relay'`). */
async function turnOnRelayCalls(page: Page): Promise<void> {
  await open(page, "/settings");
  const relay = page.getByRole("checkbox", { name: /Relay calls through the server/ });
  await expect(relay).not.toBeChecked();
  await relay.check();
  // This browser keeps it.
  await page.reload();
  await waitForHydration(page);
  await expect(relay).toBeChecked();
}

/** Another browser of `user`'s, signed in with a phone code, on the chat list. */
async function secondDevice(browser: Browser, testInfo: TestInfo, user: User): Promise<Page> {
  const context = await browser.newContext(testInfo.project.use);
  opened.push(context);
  await capturePeerConnections(context);
  const page = await context.newPage();
  await page.goto("/login");
  await logIn(page, user.person);
  await expect(page).toHaveURL(/\/chats$/);
  await waitForHydration(page);
  return page;
}

/** `caller` and `callee` with a direct chat: the caller has it open, the callee is on `calleeAt`. */
async function chatBetween(caller: User, callee: User, calleeAt = "/chats"): Promise<string> {
  const chatId = await startChat(caller, callee);
  await send(caller.page, `Hi ${callee.name}, can I call you?`);
  await open(caller.page, `/chats/${chatId}`);
  await open(callee.page, calleeAt);
  await expect(callee.page.getByTestId("connection-banner")).toHaveCount(0);
  return chatId;
}

const callScreen = (page: Page): Locator => page.getByTestId("call-screen");
const callStatus = (page: Page): Locator => page.getByTestId("call-status");
const incomingCall = (page: Page): Locator => page.getByTestId("incoming-call");
const callEnded = (page: Page): Locator => page.getByTestId("call-ended");
const button = (page: Page, name: string): Locator => page.getByRole("button", { name, exact: true });
/** A button of the call screen (the conversation's header has a Mute of its own, for notifications). */
const inCall = (page: Page, name: string): Locator => callScreen(page).getByRole("button", { name, exact: true });
/** A button of the incoming-call screen. */
const onRing = (page: Page, name: string): Locator => incomingCall(page).getByRole("button", { name, exact: true });
/** The conversation's record of a call (a system line). */
const callLine = (page: Page, text: string | RegExp): Locator => page.getByTestId("system-message").filter({ hasText: text });

/** A call's running time, as the call screen shows it (`0:05`). */
const DURATION = /^\d+:\d\d$/;

/** Waits until the call screen shows a duration, and that it counts up. */
async function expectRunning(page: Page): Promise<void> {
  await expect(callStatus(page)).toHaveText(DURATION, { timeout: 20_000 });
  const first = (await callStatus(page).textContent())?.trim() ?? "";
  await expect(callStatus(page)).not.toHaveText(first, { timeout: 5_000 });
  await expect(callStatus(page)).toHaveText(DURATION);
}

type Inbound = { audioBytes: number; videoBytes: number; framesDecoded: number };

/** What the page's connected peer connection received so far (null while none is connected). */
function inbound(page: Page): Promise<Inbound | null> {
  return page.evaluate(async () => {
    const pcs = ((window as unknown as Pcs).__pcs ?? []).filter((pc) => pc.connectionState === "connected");
    const pc = pcs[pcs.length - 1];
    if (!pc) return null;
    const result = { audioBytes: 0, videoBytes: 0, framesDecoded: 0 };
    (await pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "audio") result.audioBytes += s.bytesReceived ?? 0;
      if (s.kind === "video") {
        result.videoBytes += s.bytesReceived ?? 0;
        result.framesDecoded += s.framesDecoded ?? 0;
      }
    });
    return result;
  });
}

/** Audio (and video) arrive at `page` and keep arriving: bytes grow between two samples. */
async function expectMediaFlowing(page: Page, video: boolean): Promise<void> {
  await expect
    .poll(async () => {
      const s = await inbound(page);
      return !!s && s.audioBytes > 0 && (!video || (s.videoBytes > 0 && s.framesDecoded > 0));
    }, { message: "inbound audio/video bytes and decoded frames", timeout: 20_000 })
    .toBe(true);
  const before = (await inbound(page)) as Inbound;
  await page.waitForTimeout(1_500);
  const after = (await inbound(page)) as Inbound;
  expect(after.audioBytes, "audio bytes keep arriving").toBeGreaterThan(before.audioBytes);
  if (video) {
    expect(after.videoBytes, "video bytes keep arriving").toBeGreaterThan(before.videoBytes);
    expect(after.framesDecoded, "video frames keep being decoded").toBeGreaterThan(before.framesDecoded);
  }
}

/** The call screen's `<video data-testid=remote-video>` plays the other side's camera. */
async function expectRemoteVideoShowing(page: Page): Promise<void> {
  // "showing", or what the element has instead (so a failure says why).
  const state = () =>
    page.getByTestId("remote-video").evaluate((v: HTMLVideoElement) => {
      if (v.videoWidth > 0 && !v.paused) return "showing";
      const tracks = v.srcObject instanceof MediaStream ? v.srcObject.getTracks().map((t) => `${t.kind}:${t.readyState}`) : "no stream";
      const received = ((window as unknown as Pcs).__pcs ?? []).map((pc) => `${pc.connectionState} (ontrack ${pc.ontrack ? "set" : "unset"}, track events ${(pc as unknown as { __tracks?: number }).__tracks ?? 0}): ${pc.getReceivers().map((r) => `${r.track.kind}:${r.track.readyState}`).join(" ")}`);
      return `width ${v.videoWidth}, paused ${v.paused}, readyState ${v.readyState}, tracks ${JSON.stringify(tracks)}, peer connections ${JSON.stringify(received)}`;
    });
  await expect.poll(state, { message: "the remote video shows a picture", timeout: 10_000 }).toBe("showing");
}

type Route = { state: string; local: string; remote: string; policy: string };

/** The candidate pair the connected call uses, and the policy the page asked for. */
function selectedRoute(page: Page): Promise<Route | null> {
  return page.evaluate(async () => {
    const pcs = ((window as unknown as Pcs).__pcs ?? []).filter((pc) => pc.connectionState === "connected");
    const pc = pcs[pcs.length - 1];
    if (!pc) return null;
    const report = await pc.getStats();
    let pairId: string | undefined;
    report.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    let pair: { state: string; localCandidateId: string; remoteCandidateId: string } | undefined;
    report.forEach((s) => {
      if (s.type === "candidate-pair" && (s.id === pairId || (!pairId && s.nominated && s.state === "succeeded"))) pair = s;
    });
    if (!pair) return null;
    return {
      state: pair.state,
      local: report.get(pair.localCandidateId)?.candidateType ?? "",
      remote: report.get(pair.remoteCandidateId)?.candidateType ?? "",
      policy: pc.getConfiguration().iceTransportPolicy ?? "",
    };
  });
}

/** Long-term TURN credentials in coturn's `use-auth-secret` scheme, expiring `ttl` seconds from now. */
function turnCredentials(secret: string, ttl: number, user: string): { username: string; credential: string } {
  const username = `${Math.floor(Date.now() / 1000) + ttl}:${user}`;
  return { username, credential: crypto.createHmac("sha1", secret).update(username).digest("base64") };
}

/** Gathers relay-only ICE candidates with `iceServers` for a few seconds: the relay ones, and errors. */
function gatherRelayCandidates(page: Page, iceServers: RTCIceServer[]): Promise<{ relay: string[]; errors: string[] }> {
  return page.evaluate(async (iceServers) => {
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: "relay" });
    const relay: string[] = [];
    const errors: string[] = [];
    pc.onicecandidate = (e) => {
      if (e.candidate?.type === "relay") relay.push(e.candidate.candidate);
    };
    pc.onicecandidateerror = (e) => errors.push(`${e.errorCode} ${e.errorText}`);
    pc.createDataChannel("probe");
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 6_000);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    pc.close();
    return { relay, errors };
  }, iceServers);
}

test("Ada video-calls Bob, Bob answers, both see and hear each other, Ada mutes, Bob hangs up", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  const chatId = await chatBetween(ada, bob);

  await button(ada.page, "Video call").click();
  await expect(callScreen(ada.page)).toBeVisible();
  await expect(callStatus(ada.page)).toHaveText("Ringing…");

  // Bob is on his chat list: the call rings there, with Ada's name.
  await expect(incomingCall(bob.page)).toBeVisible();
  await expect(incomingCall(bob.page)).toContainText(ada.name);
  await expect(onRing(bob.page, "Decline")).toBeVisible();
  await expect(onRing(bob.page, "Answer")).toBeVisible();
  await screenshot(bob.page, testInfo, "call-incoming");
  await onRing(bob.page, "Answer with video").click();
  await expect(incomingCall(bob.page)).toHaveCount(0);

  await expectRunning(ada.page);
  await expectRunning(bob.page);
  await expectMediaFlowing(ada.page, true);
  await expectMediaFlowing(bob.page, true);
  // The other person's picture is on screen.
  await expectRemoteVideoShowing(ada.page);
  await expectRemoteVideoShowing(bob.page);
  await screenshot(ada.page, testInfo, "call-active");
  await screenshot(bob.page, testInfo, "call-active-answered");

  await inCall(ada.page, "Mute").click();
  await expect(inCall(ada.page, "Unmute")).toBeVisible();
  await expect(bob.page.getByTestId("peer-muted")).toBeVisible();
  await inCall(ada.page, "Unmute").click();
  await expect(bob.page.getByTestId("peer-muted")).toBeHidden();

  await inCall(bob.page, "Hang up").click();
  await expect(callScreen(bob.page)).toBeHidden();
  await expect(callScreen(ada.page)).toBeHidden();
  await expect(callLine(ada.page, /Video call · 0:\d\d/)).toBeVisible();
  await open(bob.page, `/chats/${chatId}`);
  await expect(callLine(bob.page, /Video call · 0:\d\d/)).toBeVisible();
});

test("Bob declines Ada's voice call", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  const chatId = await chatBetween(ada, bob);

  await button(ada.page, "Voice call").click();
  await expect(callScreen(ada.page)).toBeVisible();
  await expect(incomingCall(bob.page)).toContainText(ada.name);
  // A voice call offers no video.
  await expect(onRing(bob.page, "Answer with video")).toHaveCount(0);
  await onRing(bob.page, "Decline").click();
  await expect(incomingCall(bob.page)).toHaveCount(0);

  await expect(callEnded(ada.page)).toContainText(/declined/i);
  await expect(callScreen(ada.page)).toBeHidden();
  await expect(callLine(ada.page, "Voice call · Declined")).toBeVisible();
  await open(bob.page, `/chats/${chatId}`);
  await expect(callLine(bob.page, "Declined voice call")).toBeVisible();
});

test("nobody answers: Ada's call ends as missed after the ring time", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  const chatId = await chatBetween(ada, bob);

  await button(ada.page, "Voice call").click();
  const started = Date.now();
  await expect(incomingCall(bob.page)).toBeVisible();
  await expect(callStatus(ada.page)).toHaveText("Ringing…");

  await expect(callEnded(ada.page)).toContainText("No answer", { timeout: (RING_SECONDS + 15) * 1000 });
  const rang = (Date.now() - started) / 1000;
  expect(rang, "the call rang for the configured time").toBeGreaterThanOrEqual(RING_SECONDS - 1);
  // Bob's phone stops ringing too.
  await expect(incomingCall(bob.page)).toHaveCount(0);
  await expect(callLine(ada.page, "Voice call · No answer")).toBeVisible();
  await open(bob.page, `/chats/${chatId}`);
  await expect(callLine(bob.page, "Missed voice call")).toBeVisible();
});

test("Bob answers on his laptop and his phone stops ringing", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  await chatBetween(ada, bob);
  const bobsPhone = await secondDevice(browser, testInfo, bob);

  await button(ada.page, "Voice call").click();
  await expect(incomingCall(bob.page)).toContainText(ada.name);
  await expect(incomingCall(bobsPhone)).toContainText(ada.name);

  await onRing(bob.page, "Answer").click();
  await expect(incomingCall(bobsPhone)).toHaveCount(0);
  await expect(callScreen(bobsPhone)).toHaveCount(0);
  await expectRunning(bob.page);
  await expectRunning(ada.page);
  await expectMediaFlowing(bob.page, false);
  // The phone never joined the call.
  expect(await bobsPhone.evaluate(() => ((window as unknown as Pcs).__pcs ?? []).filter((pc) => pc.connectionState === "connected").length)).toBe(0);

  await inCall(ada.page, "Hang up").click();
  await expect(callScreen(bob.page)).toBeHidden();
});

test("someone already in a call is busy", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  const cy = await newCaller(browser, testInfo);
  await chatBetween(ada, bob);
  const cysChat = await startChat(cy, bob);
  await send(cy.page, "Call you in a minute");
  await open(cy.page, `/chats/${cysChat}`);

  await button(ada.page, "Voice call").click();
  await onRing(bob.page, "Answer").click();
  await expectRunning(bob.page);

  await button(cy.page, "Voice call").click();
  await expect(cy.page.getByText(/on another call/i).first()).toBeVisible();
  // Bob's call goes on, and nothing rings over it.
  await expect(incomingCall(bob.page)).toHaveCount(0);
  await expect(callStatus(bob.page)).toHaveText(DURATION);
  await expect(callStatus(ada.page)).toHaveText(DURATION);

  await inCall(bob.page, "Hang up").click();
  await expect(callScreen(ada.page)).toBeHidden();
});

test("a blocked person cannot call", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  const chatId = await chatBetween(ada, bob);

  await open(bob.page, `/profile/${ada.person.userId}`);
  await button(bob.page, "Block").click();
  await expect(button(bob.page, "Unblock")).toBeVisible();
  await open(bob.page, "/chats");

  await open(ada.page, `/chats/${chatId}`);
  await button(ada.page, "Voice call").click();
  await expect(ada.page.getByText(/can.t call/i).first()).toBeVisible();
  await expect(incomingCall(bob.page)).toHaveCount(0);
});

test("Bob answers Ada's video call by voice from his Settings page, and Ada picks another speaker", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  await chatBetween(ada, bob, "/settings");

  await button(ada.page, "Video call").click();
  // Settings is not the chats area, and it rings all the same.
  await expect(incomingCall(bob.page)).toContainText(ada.name);
  await onRing(bob.page, "Answer").click();
  await expectRunning(ada.page);
  await expectRunning(bob.page);
  await expectMediaFlowing(ada.page, false);
  // Bob's camera stays off: Ada sees his avatar, not an empty picture; Bob sees Ada.
  await expect(callScreen(ada.page).getByTestId("remote-video")).toBeHidden();
  await expect(callScreen(bob.page).getByTestId("local-video")).toBeHidden();
  await expectRemoteVideoShowing(bob.page);

  // Chromium's fake devices have three outputs; the call plays through the one Ada picks.
  const speaker = callScreen(ada.page).getByRole("combobox", { name: "Speaker" });
  await speaker.selectOption({ label: "Fake Audio Output 2" });
  const chosen = await speaker.inputValue();
  expect(chosen).not.toBe("default");
  await expect.poll(() => ada.page.getByTestId("remote-video").evaluate((v: HTMLMediaElement & { sinkId: string }) => v.sinkId)).toBe(chosen);
  await screenshot(ada.page, testInfo, "call-voice-answer-speaker");

  await inCall(ada.page, "Hang up").click();
  await expect(callScreen(bob.page)).toBeHidden();
  await expect(bob.page).toHaveURL(/\/settings$/);
});

test("Bob turns calls off for a chat and Ada's call does not ring", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo);
  const bob = await newCaller(browser, testInfo);
  const chatId = await chatBetween(ada, bob);

  // In his chat with Ada (which reads her message), beside Mute.
  await open(bob.page, `/chats/${chatId}`);
  await button(bob.page, "Turn calls off").click();
  await expect(button(bob.page, "Allow calls")).toHaveAttribute("aria-pressed", "true");
  await expect(button(bob.page, "Mute")).toBeVisible();
  await bob.page.reload();
  await waitForHydration(bob.page);
  await expect(button(bob.page, "Allow calls")).toBeVisible();
  await screenshot(bob.page, testInfo, "calls-off");
  await open(bob.page, "/chats");
  const row = chatRow(bob.page, ada.name);
  await expect(row.getByTestId("unread")).toHaveCount(0);

  await button(ada.page, "Voice call").click();
  await expect(callEnded(ada.page)).toContainText(/isn.t taking calls in this chat/);
  await expect(callScreen(ada.page)).toBeHidden();
  await expect(callLine(ada.page, "Voice call · No answer")).toBeVisible();
  // Nothing rang for Bob; the missed call waits in his list, unread.
  await expect(row.getByTestId("unread")).toHaveText("1");
  await expect(row.getByTestId("chat-preview")).toHaveText("Missed voice call");
  await expect(incomingCall(bob.page)).toHaveCount(0);
  await open(bob.page, `/chats/${chatId}`);
  await expect(callLine(bob.page, "Missed voice call")).toBeVisible();

  // Calls on again: Ada's next call rings.
  await button(bob.page, "Allow calls").click();
  await expect(button(bob.page, "Turn calls off")).toHaveAttribute("aria-pressed", "false");
  await button(ada.page, "Voice call").click();
  await expect(incomingCall(bob.page)).toContainText(ada.name);
  await onRing(bob.page, "Decline").click();
  await expect(callScreen(ada.page)).toBeHidden();
});

test("a relay-only call connects through the TURN server", async ({ browser }, testInfo) => {
  const ada = await newCaller(browser, testInfo, true);
  const bob = await newCaller(browser, testInfo, true);
  await chatBetween(ada, bob);

  await button(ada.page, "Voice call").click();
  await onRing(bob.page, "Answer").click();
  await expectRunning(ada.page);
  await expectRunning(bob.page);

  for (const page of [ada.page, bob.page]) {
    await expect.poll(() => selectedRoute(page), { message: "the nominated candidate pair", timeout: 20_000 }).toEqual({
      state: "succeeded",
      local: "relay",
      remote: "relay",
      policy: "relay",
    });
    await expectMediaFlowing(page, false);
  }

  await inCall(ada.page, "Hang up").click();
  await expect(callScreen(bob.page)).toBeHidden();
});

test("expired TURN credentials are refused", async ({ page }) => {
  await page.goto("about:blank");
  const urls = TURN_URL.split(",")[0];

  const expired = await gatherRelayCandidates(page, [{ urls, ...turnCredentials(TURN_SECRET, -60, "ada") }]);
  expect(expired.relay, "no relay for credentials that expired a minute ago").toEqual([]);
  expect(expired.errors.join("; ")).toContain("401");

  const wrongSecret = await gatherRelayCandidates(page, [{ urls, ...turnCredentials(`${TURN_SECRET}x`, 3600, "ada") }]);
  expect(wrongSecret.relay, "no relay for credentials signed with another secret").toEqual([]);

  // The same request with a future expiry gets a relay: what failed above was the credential.
  const valid = await gatherRelayCandidates(page, [{ urls, ...turnCredentials(TURN_SECRET, 3600, "ada") }]);
  expect(valid.relay.length, `relay candidates (errors: ${valid.errors.join("; ")})`).toBeGreaterThan(0);
  expect(valid.relay[0]).toContain("127.0.0.1");
});
