// API keys: `rill_<keyId>_<secret>`, 16 hex digits of id (public, the lookup key) and 32 random
// bytes of secret (base64url). Only SHA-256(salt || secret) is stored, with a random salt per key.
//
// Why SHA-256 and not PBKDF2: a slow KDF protects low-entropy secrets (passwords people choose)
// from guessing. These secrets are 256 random bits, which no guessing reaches, so a slow hash would
// only cost CPU on every request (tens of ms of a Worker's budget) without making a stolen hash
// any harder to reverse. The salt keeps equal secrets from having equal hashes, and the comparison
// takes the same time whatever matches.

import type { CredentialRecord } from "@rill/core";
import { timingSafeEqual } from "hono/utils/buffer";

const KEY = /^rill_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

async function hashSecret(salt: Uint8Array, secret: string): Promise<string> {
  const secretBytes = new TextEncoder().encode(secret);
  const input = new Uint8Array(salt.length + secretBytes.length);
  input.set(salt);
  input.set(secretBytes, salt.length);
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", input)));
}

/** Whether a presented token has the shape of an API key (then it is only ever checked as one). */
export function parseApiKey(token: string): { keyId: string; secret: string } | null {
  const match = KEY.exec(token);
  return match ? { keyId: match[1] as string, secret: match[2] as string } : null;
}

/** A new key for `principal`: the key to hand out once, and the record to store. */
export async function newApiKey(principal: string, description?: string): Promise<{ key: string; record: CredentialRecord }> {
  const keyId = Array.from(randomBytes(8), (b) => b.toString(16).padStart(2, "0")).join("");
  const secret = base64url(randomBytes(32));
  const salt = randomBytes(16);
  const record: CredentialRecord = {
    keyId,
    principal,
    algorithm: "SHA-256",
    salt: base64url(salt),
    hash: await hashSecret(salt, secret),
    createdAt: Date.now(),
    ...(description ? { description } : {}),
  };
  return { key: `rill_${keyId}_${secret}`, record };
}

/** Whether `secret` is the one `record` was made for. */
export async function verifyApiKey(record: CredentialRecord, secret: string): Promise<boolean> {
  const hash = await hashSecret(fromBase64url(record.salt), secret);
  return timingSafeEqual(hash, record.hash);
}
