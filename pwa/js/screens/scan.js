// The scanner (/app/scan): the camera reads a zone's QR label and opens the zone, as if the label's URL had
// been opened by the phone's camera app (the scan counts as being on site). Where there is no camera, or it
// is refused, a photo of the label is read instead, and the zone code can always be typed.
import { rememberScan } from "../context.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { qrReader, zoneToken } from "../qr.js";
import { codeForm } from "./home.js";

const EVERY_MS = 200;  // a few reads a second: quick enough to feel instant, light on a cheap phone's battery

/** Draw the scanner; return the function that stops the camera when the user leaves. */
export async function show(root, { navigate, getJSON }) {
  document.title = `${t("scan_title")} · ${t("app_name")}`;
  const status = h("p", { id: "scan-status", role: "status", class: "scan-status" }, t("scan_starting"));
  const video = h("video", { id: "scan-video", muted: true, playsInline: true, autoplay: true,
                             "aria-label": t("scan_camera") });
  const frame = h("div", { class: "viewfinder", hidden: true }, video, h("div", { class: "aim", "aria-hidden": "true" }));
  const photoInput = h("input", { id: "scan-photo", type: "file", accept: "image/*", capture: "environment",
                                  class: "visually-hidden", "aria-describedby": "scan-status" });
  const photoButton = h("label", { for: "scan-photo", class: "button big" }, t("scan_from_photo"));
  // The torch, for dark rooms (a boiler room, a basement): shown only once the camera says it has one.
  const torch = h("button", { type: "button", id: "scan-torch", class: "big torch", "aria-pressed": "false",
                              hidden: true, onclick: () => switchTorch() }, t("scan_torch"));
  let stream = null;
  let making = null;  // one reader for the camera and the photo button, however they race
  const getReader = () => (making ||= qrReader());
  let timer = null;
  let stopped = false;
  let photoTried = false;  // then the photo's outcome is what the status line says, not the camera's

  async function switchTorch() {
    const on = torch.getAttribute("aria-pressed") !== "true";
    try {
      await stream.getVideoTracks()[0].applyConstraints({ advanced: [{ torch: on }] });
      torch.setAttribute("aria-pressed", String(on));
    } catch {
      torch.hidden = true;  // the camera said it had a torch, but will not light it: offer it no more
      replace(status, t("scan_torch_failed"));
    }
  }

  function stopCamera() {
    clearTimeout(timer);
    torch.hidden = true;  // the light goes out with the camera
    torch.setAttribute("aria-pressed", "false");
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    frame.hidden = true;
  }

  function stop() {
    stopped = true;
    stopCamera();
    making?.then((r) => r.close());
    making = null;
  }

  async function found(text) {
    const token = zoneToken(text);
    if (!token) {
      replace(status, t("scan_not_a_label"));
      return false;
    }
    stop();
    navigator.vibrate?.(80);
    rememberScan(token);
    await navigate(`/z/${token}`);
    return true;
  }

  async function tick() {
    if (stopped) return;
    try {
      const text = video.readyState >= 2 ? await (await getReader())(video) : null;
      if (text && await found(text)) return;
    } catch {
      stopCamera();  // no decoder: the camera would film for nothing
      replace(status, t("scan_decoder_missing"));
      return;
    }
    if (!stopped) timer = setTimeout(tick, EVERY_MS);
  }

  photoInput.addEventListener("change", async () => {
    const file = photoInput.files[0];
    photoInput.value = "";
    if (!file) return;
    photoTried = true;
    replace(status, t("scan_reading_photo"));
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      replace(status, t("photo_unreadable"));
      return;
    }
    try {
      const text = await (await getReader())(bitmap);
      bitmap.close?.();
      if (!text) replace(status, t("scan_no_code_in_photo"));
      else await found(text);
    } catch {
      replace(status, t("scan_decoder_missing"));
    }
  });

  replace(root,
    h("h1", { id: "scan-title" }, t("scan_title")),
    frame, status,
    h("div", { class: "scan-tools" }, torch, photoButton, photoInput),
    codeForm({ navigate, getJSON, heading: t("or_type_code") }));

  (async () => {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("no camera");
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false, video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    if (stopped) return stop();
    await getReader();
    video.srcObject = stream;
    frame.hidden = false;
    await video.play().catch(() => {});
    replace(status, t("scan_point"));
    // Read once the picture runs: some phones list the torch only then.
    torch.hidden = !stream.getVideoTracks()[0]?.getCapabilities?.().torch;
    tick();
  })().catch((err) => {
    if (stopped) return;
    stopCamera();  // the reader stays: a photo may be being read with it
    if (photoTried) return;
    replace(status, err?.name === "NotAllowedError" ? t("scan_camera_refused") : t("scan_no_camera"));
  });
  return stop;
}
