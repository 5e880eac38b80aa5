// A very small promise wrapper over IndexedDB: one database, one object store per name, keyed by "id".
// (Hand-written in place of the idb / idb-keyval packages: four calls and an upgrade step do not pay a vendor.)
const DB_NAME = "xunjian";
// 2: an outbox item's photos moved to their own store, so that listing the outbox reads no photo bytes.
const VERSION = 2;
const STORES = ["outbox", "outbox-files"];
let opening = null;

function upgrade(db, tx, oldVersion) {
  for (const name of STORES) {
    if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: "id" });
  }
  if (oldVersion === 1) {
    // Items kept by version 1 carried their photos inline: move them, in the same upgrade transaction.
    const items = tx.objectStore("outbox");
    const files = tx.objectStore("outbox-files");
    items.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      const { files: photos = {}, ...item } = cursor.value;
      files.put({ id: item.id, files: photos });
      item.photo_count = Object.values(photos).reduce((n, list) => n + list.length, 0);
      cursor.update(item);
      cursor.continue();
    };
  }
}

function open() {
  opening ||= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = (event) => upgrade(req.result, req.transaction, event.oldVersion);
    req.onsuccess = () => {
      // Another tab of a newer release wants to upgrade: let it (this one reopens on its next call).
      req.result.onversionchange = () => { req.result.close(); opening = null; };
      resolve(req.result);
    };
    req.onerror = () => reject(req.error);
    // An older release's tab keeps version 1 open (it had no onversionchange): the upgrade waits for it.
    req.onblocked = () => dispatchEvent(new CustomEvent("outbox-blocked"));
  });
  return opening;
}

async function run(stores, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    const result = work(...[stores].flat().map((name) => tx.objectStore(name)));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Return every record of a store. */
export const all = (store) => run(store, "readonly", (s) => s.getAll());
/** Return one record by id (undefined when absent). */
export const get = (store, id) => run(store, "readonly", (s) => s.get(id));
/** Change a record by `change(record)` only if it is still there, in one read-write transaction (another tab
 * may have sent or discarded it meanwhile: a stale copy must not bring it back); resolve whether it was. */
export const update = (store, id, change) => run(store, "readwrite", (s) => {
  const outcome = { result: false };  // read by run() once the transaction completes, like a request's result
  s.get(id).onsuccess = (event) => {
    if (event.target.result === undefined) return;
    s.put(change(event.target.result));
    outcome.result = true;
  };
  return outcome;
});
/** Write records into several stores in one transaction: all of them are kept, or none. */
export const putAll = (records) => run(Object.keys(records), "readwrite",
  (...stores) => { stores.forEach((s) => s.put(records[s.name])); });
/** Delete one id from several stores in one transaction. */
export const removeAll = (stores, id) => run(stores, "readwrite",
  (...handles) => { handles.forEach((s) => s.delete(id)); });
