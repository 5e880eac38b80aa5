// Reading a zone's QR label in the app: the browser's BarcodeDetector where it has one that reads QR codes,
// otherwise a worker with a vendored decoder, loaded only then (qr-worker.js). Both read a <video> frame or a
// still photo; the text is turned into a zone token when it is one of our labels' URLs (https://HOST/z/<token>).

const VERSION = new URL(import.meta.url).searchParams.get("v") || "";
const MAX_SIDE = 800;  // enough pixels for a label filling part of the frame; fewer is faster on a cheap phone

/** Return the zone token a label's text carries (a URL ending in /z/<token>), or null for any other text. */
export function zoneToken(text) {
  let url;
  try {
    url = new URL(String(text).trim());
  } catch {
    return null;
  }
  // Any host: a label printed for the school's public address still opens here (the server knows the token).
  const match = url.pathname.match(/^\/z\/([A-Za-z0-9_-]{4,64})\/?$/);
  return match ? match[1].toLowerCase() : null;
}

/** Say whether this browser has a native QR reader (then no decoder is downloaded). */
export async function hasNativeReader() {
  if (!("BarcodeDetector" in self)) return false;
  try {
    return (await self.BarcodeDetector.getSupportedFormats()).includes("qr_code");
  } catch {
    return false;
  }
}

function nativeReader() {
  const detector = new self.BarcodeDetector({ formats: ["qr_code"] });
  const read = async (source) => (await detector.detect(source))[0]?.rawValue ?? null;
  read.close = () => {};
  return read;
}

function workerReader() {
  const worker = new Worker(`/pwa/js/qr-worker.js?v=${VERSION}`);
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const waiting = new Map();
  let next = 0;
  let broken = null;
  worker.addEventListener("message", (event) => {
    waiting.get(event.data.id)?.resolve(event.data.text);
    waiting.delete(event.data.id);
  });
  // The decoder failed to load (offline on a phone that never fetched it): every read says so.
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    broken = new Error("decoder unavailable");
    for (const { reject } of waiting.values()) reject(broken);
    waiting.clear();
  });
  const read = (source) => {
    if (broken) return Promise.reject(broken);
    const width = source.videoWidth || source.width;
    const height = source.videoHeight || source.height;
    if (!width || !height) return Promise.resolve(null);
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const id = ++next;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, width: canvas.width, height: canvas.height, data: data.buffer }, [data.buffer]);
    });
  };
  read.close = () => worker.terminate();
  return read;
}

/** Return a reader: read(video or bitmap) → the QR code's text or null; read.close() frees it. */
export async function qrReader() {
  return (await hasNativeReader()) ? nativeReader() : workerReader();
}

/** Fetch the decoder into the offline cache on phones that will need it, so the scanner works with no signal. */
export async function warmDecoder() {
  if (await hasNativeReader()) return;
  // Through the service worker, which keeps it across releases: fetched before the worker controls the page,
  // it would be fetched a second time by the worker when the scanner first needs it.
  const workers = navigator.serviceWorker;
  if (workers && !workers.controller) {
    await new Promise((resolve) => workers.addEventListener("controllerchange", resolve, { once: true }));
  }
  // The decoder's worker is kept with it (sw.js LAZY): phones with a native reader never fetch either.
  await Promise.all([`/pwa/js/qr-worker.js?v=${VERSION}`, `/pwa/vendor/jsqr/jsQR.js?v=${VERSION}`]
    .map((url) => fetch(url).catch(() => {})));
}
