// Registers the service worker that makes Confab installable and opens it offline.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((err) => {
      console.warn("Confab: service worker registration failed", err);
    });
  });
}
