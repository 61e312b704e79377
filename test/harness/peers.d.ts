/** Types of peers.js (plain JavaScript: it runs as an npm pre-script). */
export const peersDir: string;
export function ensurePeers(): void;
