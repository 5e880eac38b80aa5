// Decodes QR codes off the main thread for phones whose browser has no BarcodeDetector (iOS Safari, Firefox).
// The decoder (jsQR, vendored from npm: pwa/vendor/vendor.json) is loaded here, and so only on those phones.
// Printed labels are dark on light, so inverted codes are not tried (half the work on a slow phone).
// A message {id, width, height, data: ArrayBuffer of RGBA} is answered with {id, text} (null: no QR seen).
const version = new URL(self.location.href).searchParams.get("v");
importScripts(`/pwa/vendor/jsqr/jsQR.js${version ? `?v=${version}` : ""}`);

self.addEventListener("message", (event) => {
  const { id, width, height, data } = event.data;
  let text = null;
  try {
    const found = self.jsQR(new Uint8ClampedArray(data), width, height, { inversionAttempts: "dontInvert" });
    text = found ? found.data : null;
  } catch {
    text = null;
  }
  self.postMessage({ id, text });
});
