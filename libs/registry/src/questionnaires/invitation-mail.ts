import type { OutgoingMail } from '../mail/mail.service.js';

export interface InvitationMailContent {
  kind: 'invitation' | 'reminder';
  // "March 2025": the only thing the message says about the operation.
  operationMonth: string;
  // "6 weeks"
  timepointLabel: string;
  closesOn: string;
  link: string;
  unsubscribeLink: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function longDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The invitation and reminder messages. They carry no clinical data and no identifier: no name, no MRN,
// no hospital number, no side — only the month and year of the operation, and the links.
export function invitationMail(to: string, content: InvitationMailContent): OutgoingMail {
  const reminder = content.kind === 'reminder';
  const subject = reminder
    ? `Reminder: how is your hip since your operation in ${content.operationMonth}?`
    : `How is your hip since your operation in ${content.operationMonth}?`;
  const paragraphs = [
    reminder
      ? `A few days ago we asked how your hip is now, ${content.timepointLabel} after your hip operation in ${content.operationMonth}. If you have not had the time yet, the questionnaire is still open.`
      : `You had a hip operation in ${content.operationMonth}. Your surgical team would like to know how your hip is now, ${content.timepointLabel} after it. Your answers help them and future patients.`,
    'The questionnaire takes about 10 minutes, and you can stop and come back to it with the same link:',
  ];
  const after = [
    `The link works until ${longDate(content.closesOn)}. Please do not forward this message: the link is for you only.`,
    'If you would rather not receive these questionnaires, you can stop them here:',
  ];
  const text = [
    'Hello,',
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    content.link,
    '',
    ...after.flatMap((p) => [p, '']),
    content.unsubscribeLink,
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html lang="en"><body style="font-family: sans-serif; line-height: 1.5">',
    '<p>Hello,</p>',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(content.link)}">Answer the questionnaire</a></p>`,
    ...after.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(content.unsubscribeLink)}">Stop questionnaire emails</a></p>`,
    '</body></html>',
  ].join('\n');
  return { to, subject, text, html, headers: { 'List-Unsubscribe': `<${content.unsubscribeLink}>` } };
}
