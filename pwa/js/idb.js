// A very small promise wrapper over IndexedDB: one database, one object store per name, keyed by "id".
const DB_NAME = "xunjian";
const VERSION = 1;
const STORES = ["outbox"];
let opening = null;

function open() {
  opening ||= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      for (const name of STORES) {
        if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name, { keyPath: "id" });
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opening;
}

async function run(store, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const result = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Return every record of a store. */
export const all = (store) => run(store, "readonly", (s) => s.getAll());
/** Return one record by id (undefined when absent). */
export const get = (store, id) => run(store, "readonly", (s) => s.get(id));
/** Insert or replace a record. */
export const put = (store, value) => run(store, "readwrite", (s) => s.put(value));
/** Delete a record by id. */
export const remove = (store, id) => run(store, "readwrite", (s) => s.delete(id));
