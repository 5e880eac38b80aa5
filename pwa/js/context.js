// Facts about where the user is: which zone's label they scanned, and when (for "done on site").
const KEY = "last-scan";
const FRESH_MS = 30 * 60 * 1000;

/** Remember that the user opened a zone from its QR label now. */
export function rememberScan(token) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, at: new Date().toISOString() }));
}

/** Return {zone_token, scanned_at} of a recent scan (within 30 minutes), or {}. */
export function recentScan() {
  try {
    const scan = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (scan && Date.now() - Date.parse(scan.at) < FRESH_MS) return { zone_token: scan.token, scanned_at: scan.at };
  } catch { /* nothing remembered */ }
  return {};
}

/** Return a FormData of fields (skipping empty ones) and photos under their field names. */
export function formData(fields, files = {}) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== "") data.append(name, String(value));
  }
  for (const [name, blobs] of Object.entries(files)) {
    blobs.forEach((blob, i) => data.append(name, blob, `${name}-${i + 1}.jpg`));
  }
  return data;
}
