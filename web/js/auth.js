// Sign-in with Amazon Cognito.
//  - "password" (local): the user pool's InitiateAuth JSON API with USER_PASSWORD_AUTH, refresh
//    with REFRESH_TOKEN_AUTH.
//  - "hosted" (cloud): managed login, authorization code + PKCE (S256), tokens from
//    /oauth2/token, silent refresh with the refresh token, sign-out through /logout.
//
// Storage: the access and ID tokens live in memory only. The refresh token is kept in
// sessionStorage so that a reload of this tab (which must resume pending generations) does not
// ask for the password again. sessionStorage is per tab and cleared when the tab closes, never
// shared with other tabs or sent to a server, and the CSP (script-src 'self', no inline scripts)
// keeps third-party script out of the page that could read it. localStorage is never used for tokens.

import { getConfig } from "./config.js";

const REFRESH_KEY = "ips.refresh";
const PKCE_KEY = "ips.pkce";
const SKEW_SECONDS = 60;

const session = { accessToken: null, idToken: null, expiresAt: 0, claims: null };
let refreshTimer = null;
let refreshing = null;
const listeners = new Set();

export class AuthError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export function onAuthChange(fn) { listeners.add(fn); }
function emit(reason) { for (const fn of listeners) fn(isSignedIn(), reason); }

export function isSignedIn() { return Boolean(session.accessToken); }
export function user() { return session.claims || {}; }

function decodeJwt(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(Array.from(atob(part), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function store(result, { keepRefresh } = {}) {
  session.accessToken = result.accessToken;
  session.idToken = result.idToken || session.idToken;
  session.expiresAt = Date.now() + (Number(result.expiresIn) || 3600) * 1000;
  session.claims = { ...decodeJwt(session.idToken || ""), ...decodeJwt(session.accessToken) };
  if (result.refreshToken) sessionStorage.setItem(REFRESH_KEY, result.refreshToken);
  else if (!keepRefresh) sessionStorage.removeItem(REFRESH_KEY);
  clearTimeout(refreshTimer);
  const delay = Math.max(5, (Number(result.expiresIn) || 3600) - SKEW_SECONDS) * 1000;
  refreshTimer = setTimeout(() => refresh().catch(() => expire()), delay);
}

function forget() {
  session.accessToken = session.idToken = session.claims = null;
  session.expiresAt = 0;
  clearTimeout(refreshTimer);
  sessionStorage.removeItem(REFRESH_KEY);
}

// Once per session: when several calls answer 401 together (a detail loads its edit chain, its
// children and more), only the first ends the session; the others must not draw the sign-in form
// again (each redraw would flicker and wipe what the user started typing).
function expire() {
  const wasSignedIn = isSignedIn();
  forget();
  if (wasSignedIn) emit("expired");
}

// --- the Cognito user pool JSON API (password sign-in) -------------------------------------------
async function cognito(target, body) {
  const cfg = getConfig();
  let response;
  try {
    response = await fetch(cfg.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AuthError("network");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type || response.headers.get("x-amzn-errortype") || "Error").split("#").pop().split(":")[0];
    throw new AuthError(type, data.message);
  }
  return data;
}

function fromCognito(result) {
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken,
    expiresIn: result.ExpiresIn,
  };
}

export async function signInWithPassword(username, password) {
  const cfg = getConfig();
  const data = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: cfg.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (!data.AuthenticationResult) {
    // A challenge (new password, MFA) is not handled by the local form.
    throw new AuthError(data.ChallengeName || "Challenge", data.ChallengeName);
  }
  store(fromCognito(data.AuthenticationResult));
  emit("signed-in");
}

// --- managed login (authorization code + PKCE) -----------------------------------------------------
function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function startHostedSignIn() {
  const cfg = getConfig();
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  // The verifier must survive the round trip through the login page: this tab's sessionStorage.
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: cfg.scopes,
    state,
    code_challenge_method: "S256",
    code_challenge: challenge,
  });
  location.assign(`${cfg.cognitoDomain}/oauth2/authorize?${params}`);
}

async function tokenEndpoint(params) {
  const cfg = getConfig();
  let response;
  try {
    response = await fetch(`${cfg.cognitoDomain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: cfg.clientId, ...params }),
    });
  } catch {
    throw new AuthError("network");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new AuthError(data.error || "token_error", data.error_description);
  return { accessToken: data.access_token, idToken: data.id_token, refreshToken: data.refresh_token, expiresIn: data.expires_in };
}

/** After the managed login redirects back with ?code=…&state=…: check the state, clean the URL. */
function takeAuthorizationResponse() {
  const url = new URL(location.href);
  const code = url.searchParams.get("code");
  const error = url.searchParams.get("error");
  if (!code && !error) return null;
  const state = url.searchParams.get("state");
  const description = url.searchParams.get("error_description");
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
  sessionStorage.removeItem(PKCE_KEY);
  for (const name of ["code", "state", "error", "error_description"]) url.searchParams.delete(name);
  // No authorization code stays in the address bar or in the history.
  history.replaceState(null, "", `${url.pathname}${url.search}${saved?.hash || url.hash}`);
  if (error) throw new AuthError(error, description || error);
  if (!saved || saved.state !== state) throw new AuthError("state_mismatch", "The sign-in response did not match this tab; sign in again.");
  return { code, verifier: saved.verifier };
}

export async function restoreSession() {
  const cfg = getConfig();
  if (cfg.signIn === "hosted") {
    const pending = takeAuthorizationResponse();
    if (pending) {
      store(await tokenEndpoint({
        grant_type: "authorization_code",
        code: pending.code,
        redirect_uri: cfg.redirectUri,
        code_verifier: pending.verifier,
      }));
      emit("signed-in");
      return true;
    }
  }
  if (!sessionStorage.getItem(REFRESH_KEY)) return false;
  try {
    await refresh();
    return true;
  } catch {
    forget();
    return false;
  }
}

/** New access and ID tokens from the refresh token; one refresh at a time. */
export function refresh() {
  if (refreshing) return refreshing;
  const token = sessionStorage.getItem(REFRESH_KEY);
  if (!token) return Promise.reject(new AuthError("no_refresh_token"));
  const cfg = getConfig();
  refreshing = (async () => {
    if (cfg.signIn === "hosted") {
      store(await tokenEndpoint({ grant_type: "refresh_token", refresh_token: token }), { keepRefresh: true });
    } else {
      const data = await cognito("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: cfg.clientId,
        AuthParameters: { REFRESH_TOKEN: token },
      });
      store(fromCognito(data.AuthenticationResult), { keepRefresh: true });
    }
  })().finally(() => { refreshing = null; });
  return refreshing;
}

/** A valid access token, refreshed first when it is about to expire. */
export async function accessToken() {
  if (session.accessToken && Date.now() < session.expiresAt - SKEW_SECONDS * 1000) return session.accessToken;
  if (sessionStorage.getItem(REFRESH_KEY)) {
    try {
      await refresh();
      return session.accessToken;
    } catch { /* fall through */ }
  }
  if (session.accessToken) return session.accessToken;
  expire();
  throw new AuthError("signed_out");
}

/** The user-pool token the push channel authorizes with (the ID token; the access token without one). */
export async function pushToken() {
  const access = await accessToken();
  return session.idToken || access;
}

export function sessionExpired() { expire(); }

export function signOut() {
  const cfg = getConfig();
  forget();
  if (cfg.signIn === "hosted" && cfg.cognitoDomain) {
    const params = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.redirectUri });
    location.assign(`${cfg.cognitoDomain}/logout?${params}`);
    return;
  }
  emit("signed-out");
}
