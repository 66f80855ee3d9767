import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

// MRNs (and patients' email addresses) at rest: AES-256-GCM with a random 12-byte IV per value (stored as IV ‖ tag ‖ ciphertext),
// and a keyed HMAC-SHA256 of the normalised MRN for exact look-ups and the unique index. The two
// keys differ, so the look-up hash reveals nothing about the encryption key.
@Injectable()
export class MrnCipher {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  // Registry rule: surrounding spaces are dropped and letters upper-cased, so `h123 ` and `H123` are one MRN.
  static normalise(mrn: string): string {
    return mrn.trim().toUpperCase();
  }

  hash(mrn: string): string {
    return createHmac('sha256', this.config.secrets.mrnHashKey).update(MrnCipher.normalise(mrn), 'utf8').digest('hex');
  }

  encrypt(mrn: string): Buffer {
    return this.seal(MrnCipher.normalise(mrn));
  }

  // Other identifying text at rest (a patient's email address), with the same key and layout; as given.
  seal(text: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.config.secrets.mrnEncryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  decrypt(stored: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.config.secrets.mrnEncryptionKey, stored.subarray(0, 12));
    decipher.setAuthTag(stored.subarray(12, 28));
    return Buffer.concat([decipher.update(stored.subarray(28)), decipher.final()]).toString('utf8');
  }
}
