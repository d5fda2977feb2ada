/*
 * The conversation kept in the browser: the sender id and the transcript as data (never
 * HTML), under one key. The store is localStorage («local», the default), or, for
 * «session» (embed: data-storage="session"), memory only: nothing is written to the
 * browser, so a reload or a closed tab starts a new conversation (sessionStorage would
 * keep it across reloads, which is not what «not kept in this browser» promises).
 * NO_STORAGE when the browser blocks localStorage.
 */

export const STORAGE_KEY = "veivis.chat.v1";
// Only the newest entries are kept across reloads (the page itself keeps them all, so the
// indices the buttons refer to stay valid).
export const MAX_STORED_ENTRIES = 300;

export const NO_STORAGE = {
  getItem() {
    return null;
  },
  setItem() {},
  removeItem() {}
};

/** The stored JSON → {sender, transcript}, or null when it is missing or not ours. */
export function parseStored(raw) {
  if (!raw) return null;
  try {
    const data = JSON.parse(raw);
    if (!data || typeof data.sender !== "string" || !Array.isArray(data.transcript)) return null;
    return {
      sender: data.sender,
      transcript: data.transcript.filter((e) => e && (e.from === "user" || e.from === "bot"))
    };
  } catch (e) {
    return null;
  }
}

/** What is stored: the sender and the newest MAX_STORED_ENTRIES entries. */
export function serialize(state) {
  return JSON.stringify({
    sender: state.sender,
    transcript: state.transcript.slice(-MAX_STORED_ENTRIES)
  });
}

/** A storage "event" is about our conversation (key null: the storage was cleared). */
export function concernsUs(ev, store) {
  return ev.storageArea === store && (ev.key === null || ev.key === STORAGE_KEY);
}

/** A store with the Storage methods we use, in memory: gone with the page. */
export function memoryStore() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key)
  };
}

export function openStore(kind) {
  if (kind === "session") return memoryStore();
  try {
    return window.localStorage || NO_STORAGE;
  } catch (e) {
    return NO_STORAGE; // blocked (e.g. third-party storage off): the chat works, nothing is kept
  }
}

export function load(store) {
  try {
    return parseStored(store.getItem(STORAGE_KEY));
  } catch (e) {
    return null;
  }
}

export function save(store, state) {
  try {
    store.setItem(STORAGE_KEY, serialize(state));
  } catch (e) {
    /* private mode or full storage: the chat still works, it just is not kept */
  }
}

export function forget(store) {
  try {
    store.removeItem(STORAGE_KEY);
  } catch (e) {
    /* storage unavailable: nothing was kept */
  }
}

function hex(bytes) {
  return Array.prototype.map.call(bytes, (b) => ("0" + b.toString(16)).slice(-2)).join("");
}

/** A random sender id, «web-<uuid>» (or 32 hex digits where randomUUID is missing). */
export function newSenderId(crypto = globalThis.crypto) {
  if (typeof crypto.randomUUID === "function") return "web-" + crypto.randomUUID();
  return "web-" + hex(crypto.getRandomValues(new Uint8Array(16)));
}
