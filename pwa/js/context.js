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
