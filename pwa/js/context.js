// Facts about where the user is: which zone's label they scanned, and when (for "done on site").
const KEY = "last-scan";
const FRESH_MS = 30 * 60 * 1000;

/** Remember that the user opened a zone from its QR label now. */
export function rememberScan(token) {
  // One patrol visit per scan: the hazards reported from it belong to it (coverage counts the visit once).
  sessionStorage.setItem(KEY, JSON.stringify({ token, at: new Date().toISOString(), visit: crypto.randomUUID() }));
}

/** Return the visit id of the current scan of this zone's label, or undefined. */
export function scanVisit(token) {
  try {
    const scan = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (scan && scan.token === token && Date.now() - Date.parse(scan.at) < FRESH_MS) return scan.visit;
  } catch { /* nothing remembered */ }
  return undefined;
}

/** Return {zone_token, scanned_at} of a recent scan (within 30 minutes), or {}. */
export function recentScan() {
  try {
    const scan = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (scan && Date.now() - Date.parse(scan.at) < FRESH_MS) return { zone_token: scan.token, scanned_at: scan.at };
  } catch { /* nothing remembered */ }
  return {};
}
