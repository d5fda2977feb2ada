/*
 * Requests to the bot (Rasa's REST channel, veivis/channels/rest.py); `bot` is its origin,
 * "" on the page at / (same origin). From another site the bot must allow that site's
 * origin (CORS, VEIVIS_ALLOWED_ORIGINS). No cookies, no referrer, no redirects.
 */

const WEBHOOK = "/webhooks/rest/webhook";
// DELETE <this>/<sender> → {deleted: true} | 404 {deleted: false} (veivis/channels/rest.py)
const CONVERSATION = "/webhooks/rest/conversation/";
const DELETED_KEY = "deleted";
const REQUEST_TIMEOUT_MS = 60000;
export const RETRY_DELAYS_MS = [1000, 2000, 4000]; // after the first try: 3 retries with backoff

export class RequestFailed extends Error {
  constructor(kind, detail) {
    super(kind);
    this.kind = kind; // "network" | "server" | "client"
    this.detail = detail || "";
  }
}

/** Network errors and 5xx are worth another try; a 4xx answer is not. */
export function isRetriable(err) {
  return !(err instanceof RequestFailed) || err.kind !== "client";
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function postOnce(bot, sender, message) {
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : null;
  return fetch(bot + WEBHOOK, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ sender: sender, message: message }),
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
    referrerPolicy: "no-referrer",
    signal: controller ? controller.signal : undefined
  })
    .catch(() => {
      throw new RequestFailed("network");
    })
    .then(
      (res) => {
        if (timer) clearTimeout(timer);
        if (res.status >= 500) throw new RequestFailed("server");
        return res.json().then(
          (body) => {
            if (!res.ok) {
              const detail = body && typeof body.error === "string" ? body.error : "feil " + res.status;
              throw new RequestFailed("client", detail);
            }
            return Array.isArray(body) ? body : [];
          },
          () => {
            if (!res.ok) throw new RequestFailed("client", "feil " + res.status);
            throw new RequestFailed("server");
          }
        );
      },
      (err) => {
        if (timer) clearTimeout(timer);
        throw err;
      }
    );
}

export function postWithRetry(bot, sender, message) {
  let attempt = 0;
  function tryOnce() {
    return postOnce(bot, sender, message).catch((err) => {
      if (isRetriable(err) && attempt < RETRY_DELAYS_MS.length) {
        return wait(RETRY_DELAYS_MS[attempt++]).then(tryOnce);
      }
      throw err;
    });
  }
  return tryOnce();
}

/** «deleted», «not-found» (the server has nothing under this id: already gone), or throws. */
export function deleteOnServer(bot, sender) {
  return fetch(bot + CONVERSATION + encodeURIComponent(sender), {
    method: "DELETE",
    headers: { Accept: "application/json" },
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
    referrerPolicy: "no-referrer"
  }).then((res) =>
    res.json().then(
      (body) => {
        if (res.ok && body && body[DELETED_KEY] === true) return "deleted";
        if (res.status === 404 && body && body[DELETED_KEY] === false) return "not-found";
        throw new RequestFailed("server", body && body.error);
      },
      () => {
        throw new RequestFailed("server");
      }
    )
  );
}
