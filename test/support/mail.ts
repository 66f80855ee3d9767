import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  raw: string;
}

// A real SMTP server in the test process (the smtp-server package): the app sends to it through
// nodemailer like to any mail server, and the tests read what arrived. Recipients in `refuse` are
// answered 550 (a bounce).
export class TestMailServer {
  readonly messages: ReceivedMail[] = [];
  readonly refuse = new Set<string>();
  private server: SMTPServer;
  private port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse.has(address.address.toLowerCase())) {
          const error = new Error('No such mailbox') as Error & { responseCode: number };
          error.responseCode = 550;
          return callback(error);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              this.messages.push({
                to: session.envelope.rcptTo.map((r) => r.address),
                from: typeof session.envelope.mailFrom === 'object' ? session.envelope.mailFrom.address : '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                headers: parsed.headers as Map<string, unknown>,
                raw: raw.toString('utf8'),
              });
              callback();
            })
            .catch(callback);
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// The questionnaire and unsubscribe links of a message (their tokens).
export function linksIn(mail: ReceivedMail): { answer: string; unsubscribe: string } {
  const answer = /\/questionnaire\/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(mail.text);
  const unsubscribe = /\/questionnaire\/unsubscribe\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (!answer || !unsubscribe) throw new Error('the message has no questionnaire links');
  return { answer: answer[1], unsubscribe: unsubscribe[1] };
}
