// The console's login: the tokens `npm start` prints, kept in this browser's localStorage only.
// `#login=<user token>,<admin token>` (the link npm start prints) logs in and is then removed from the address.
const KEYS = { user: "vk-pay-console.user-token", admin: "vk-pay-console.admin-token" };

export function token(role) {
  return localStorage.getItem(KEYS[role]) || "";
}

export function setToken(role, value) {
  if (value) localStorage.setItem(KEYS[role], value.trim());
  else localStorage.removeItem(KEYS[role]);
}

/** Reads a `#login=` fragment, if any, and leaves the address without it. */
export function takeLoginFragment() {
  const match = /^#login=([^,&]*),?([^&]*)$/.exec(location.hash);
  if (!match) return false;
  setToken("user", decodeURIComponent(match[1]));
  setToken("admin", decodeURIComponent(match[2]));
  history.replaceState(null, "", `${location.pathname}#/checkout`);
  return true;
}

/** The uid and roles a token names (its payload, read without verifying: only the server trusts a token). */
export function describeToken(value) {
  try {
    const payload = JSON.parse(atob(value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return { uid: String(payload.uid ?? ""), role: Array.isArray(payload.role) ? payload.role : [], exp: Number(payload.exp ?? 0) };
  } catch {
    return undefined;
  }
}
