// Photos on the phone: downsized before they are kept or sent (≤ 1600 px long edge, JPEG ≈ 0.8, no EXIF),
// and a picker with previews and remove buttons.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

export const MAX_EDGE = 1600;
export const QUALITY = 0.8;

/** Return the photo as a JPEG Blob at most MAX_EDGE px on its long edge, upright (EXIF orientation applied). */
export async function downsize(file) {
  // createImageBitmap applies the EXIF orientation; the canvas drops every metadata field (GPS included).
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  let blob;
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    blob = await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  } else {
    const canvas = h("canvas", { width, height });
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  }
  bitmap.close?.();
  return blob;
}

/** A photo picker: the phone's camera (or gallery), up to `max` photos, previews, remove; photos() → Blobs. */
export function photoPicker({ id, label, max, hint = "" }) {
  const photos = [];
  const status = h("p", { class: "field-error", id: `${id}-error`, role: "alert" });
  const list = h("ul", { class: "thumbs", "aria-label": label });
  const input = h("input", {
    id, type: "file", accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden",
    "aria-describedby": `${id}-error`,
  });
  const button = h("label", { for: id, class: "button big photo-button" }, label);
  function draw() {
    replace(list, photos.map((blob, i) => {
      const url = URL.createObjectURL(blob);
      return h("li", {},
        h("img", { src: url, alt: t("photo_n", { n: i + 1 }), onload: () => URL.revokeObjectURL(url) }),
        h("button", {
          type: "button", class: "remove", "aria-label": t("remove_photo", { n: i + 1 }),
          onclick: () => { photos.splice(i, 1); draw(); button.focus(); },
        }, "×"));
    }));
    button.hidden = photos.length >= max;
  }
  let pending = Promise.resolve();
  const busy = h("p", { class: "muted", role: "status" });
  input.addEventListener("change", () => {
    replace(status);
    const files = [...input.files];
    input.value = "";
    replace(busy, t("processing_photos"));
    // Downsizing a 12-megapixel photo takes a moment: a submit waits for it (ready()).
    pending = pending.then(async () => {
      for (const file of files) {
        if (photos.length >= max) { replace(status, t("too_many_photos", { n: max })); break; }
        try {
          photos.push(await downsize(file));
        } catch {
          replace(status, t("photo_unreadable"));
        }
      }
      replace(busy);
      draw();
    });
  });
  const element = h("div", { class: "photo-picker" },
    button, input, hint ? h("p", { class: "muted" }, hint) : null, busy, list, status);
  return {
    element, photos: () => [...photos], ready: () => pending,
    error: (msg) => replace(status, msg), focus: () => button.focus(),
  };
}
