// The field app's rules come from the server (GET /api/v1/hazards/transitions, which the service worker keeps
// for offline use like the other field data): how long a description or a note may be, and how many photos a
// record takes. The numbers below serve only until the phone has had the server's once.
import { getJSON } from "./api.js";

const FALLBACK = { description_max: 2000, note_max: 2000, photos_max: 6 };
let loading = null;

/** Resolve the limits {description_max, note_max, photos_max}: the server's, or the fallback without them. */
export function limits() {
  loading ||= getJSON("/api/v1/hazards/transitions")
    .then((data) => ({ ...FALLBACK, ...data.limits }))
    .catch(() => {
      loading = null;  // ask again next time: the signal may be back
      return FALLBACK;
    });
  return loading;
}
