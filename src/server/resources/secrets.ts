/**
 * The resource room's key (`<state-dir>/resources/key`, mode 0600, created once): database passwords are derived from
 * it (HMAC of the resource id, so they are never stored anywhere), and the secret outputs an `exec` driver returns are
 * kept sealed with it (AES-256-GCM). Whoever can read the key file can read the secrets — as with the token file; no
 * secret output is ever written in clear.
 */
import * as fs from 'node:fs';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { PavedError } from '../../core/errors';
import { writeFileAtomic } from '../store';

export class SecretKeeper {
  private key: Buffer | undefined;

  constructor(private readonly file: string) {}

  private material(): Buffer {
    if (this.key) return this.key;
    if (fs.existsSync(this.file)) {
      const st = fs.statSync(this.file);
      if ((st.mode & 0o077) !== 0) throw new PavedError('untrusted', `${this.file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
      const k = Buffer.from(fs.readFileSync(this.file, 'utf8').trim(), 'base64');
      if (k.length !== 32) throw new PavedError('io', `${this.file} is not a Paved resource key (32 bytes, base64)`);
      this.key = k;
    } else {
      this.key = randomBytes(32);
      writeFileAtomic(this.file, this.key.toString('base64') + '\n', 0o600);
    }
    return this.key;
  }

  /** A stable secret for `resourceId` and `purpose` (32 hex characters): the same after every restart, never stored. */
  derive(resourceId: string, purpose: string): string {
    return createHmac('sha256', this.material()).update(`${purpose}\0${resourceId}`).digest('hex').slice(0, 32);
  }

  /** Encrypts values for a state file. */
  seal(values: Record<string, string>): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.material(), iv);
    const body = Buffer.concat([c.update(JSON.stringify(values), 'utf8'), c.final()]);
    return [iv, c.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
  }

  unseal(sealed: string): Record<string, string> {
    const [iv, tag, body] = sealed.split('.').map((s) => Buffer.from(s, 'base64'));
    try {
      const d = createDecipheriv('aes-256-gcm', this.material(), iv);
      d.setAuthTag(tag);
      return JSON.parse(Buffer.concat([d.update(body), d.final()]).toString('utf8')) as Record<string, string>;
    } catch (err) {
      throw new PavedError('io', `cannot unseal stored secret outputs (was ${this.file} replaced?)`, { cause: err });
    }
  }
}
