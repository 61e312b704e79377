/**
 * How a client knows the process listening at the address in `serve.json` is the local platform that wrote it, before
 * it sends that platform's token: a challenge–response over the unauthenticated `GET /v1/health`.
 *
 * Every start of `paved serve` draws a fresh instance id and a fresh token (both in its state dir, readable by the
 * owner only). The client sends a random challenge (`?challenge=`); the platform answers with its instance id and
 * `proof = HMAC-SHA256(token, "paved-serve-identity/v1\n" + instanceId + "\n" + challenge)` — and `readOnlyProof`, the
 * same keyed by its read-only token. Only a process that knows the token the client is about to send can compute the
 * matching proof, the proof reveals nothing about the token, and a fresh challenge makes a replay useless. Whatever
 * else now listens on a stale record's port gets a challenge, never the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const CONTEXT = 'paved-serve-identity/v1';

export function newChallenge(): string {
  return randomBytes(24).toString('base64url');
}

export function newInstanceId(): string {
  return randomBytes(16).toString('hex');
}

export function identityProof(token: string, instanceId: string, challenge: string): string {
  return createHmac('sha256', token).update(`${CONTEXT}\n${instanceId}\n${challenge}`).digest('base64url');
}

/** True when one of `proofs` is the proof of `token` for this instance and challenge (constant time). */
export function verifyIdentity(token: string, instanceId: string, challenge: string, ...proofs: unknown[]): boolean {
  const expected = Buffer.from(identityProof(token, instanceId, challenge));
  let ok = false;
  for (const proof of proofs) {
    if (typeof proof !== 'string') continue;
    const given = Buffer.from(proof);
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
