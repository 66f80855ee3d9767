import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

// What became of a message: handed to the mail server (or written to the folder), or refused for good
// by the server (a 5xx reply, e.g. 550 no such mailbox) — a bounce. A temporary failure throws.
export type MailOutcome = { kind: 'sent'; messageId: string } | { kind: 'bounced'; responseCode: number };

// Outgoing mail through nodemailer: SMTP when SMTP_URL is set; otherwise each message is written to
// MAIL_DIR as one .eml file (mode 0600: it holds an address), so that `npm start` works with no mail server.
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly transport: Transporter;
  private readonly toFolder: boolean;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.toFolder = !config.mail.smtpUrl;
    this.transport = config.mail.smtpUrl
      ? nodemailer.createTransport(config.mail.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  // Where messages are written without SMTP (null with SMTP).
  get folder(): string | null {
    return this.toFolder ? this.config.mail.dir : null;
  }

  async send(mail: OutgoingMail): Promise<MailOutcome> {
    let info: { messageId: string; message?: Buffer };
    try {
      info = await this.transport.sendMail({ from: this.config.mail.from, ...mail });
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600) return { kind: 'bounced', responseCode: code };
      // Without the address or the server's words (which may quote it): the caller logs this.
      throw new MailError(
        typeof code === 'number' ? `the mail server answered ${code}` : 'the mail server was not reached',
      );
    }
    if (this.toFolder && info.message) {
      await mkdir(this.config.mail.dir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      await writeFile(join(this.config.mail.dir, name), info.message, { mode: 0o600 });
    }
    return { kind: 'sent', messageId: info.messageId };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

// A temporary failure to send: the message is tried again later.
export class MailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailError';
  }
}
