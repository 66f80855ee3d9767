import { Inject, Injectable } from '@nestjs/common';
import { type Instrument, INSTRUMENTS, operationMonth, questionnaireShortfall, TIMEPOINT_LABELS } from '@ilr/clinical';
import { type FoundToken, InvitationRepository, OPEN_INVITATION_STATUSES, PatientRepository } from '@ilr/persistence';
import type { EntityManager } from 'typeorm';
import { SYSTEM_ACTORS } from '../audit/audit.service.js';
import { DomainError, ErrorCode, type FieldError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { FollowUpsService } from '../follow-ups/follow-ups.service.js';
import type { DraftPromAnswersDto, PromAnswersDto } from '../follow-ups/dto/follow-up.dto.js';
import { ThrottleService } from '../throttling/throttle.service.js';
import { clientAddress, throttleKey, THROTTLERS } from '../throttling/throttle-keys.js';
import { ClinicalWrites } from '../writes/clinical-writes.js';
import type { QuestionnaireResponse } from './dto/questionnaire.dto.js';
import { invitationEvent } from './invitation-events.js';
import { hashToken, TOKEN_PATTERN } from './questionnaire-tokens.js';

// The same answer for an unknown, a used and an expired link: it tells a guesser nothing.
function linkInvalid(): DomainError {
  return new DomainError(
    ErrorCode.LinkInvalid,
    'This link is no longer valid. If you were expecting a questionnaire, please contact your clinic.',
  );
}

function throttled(retryAfterSeconds: number): DomainError {
  return new DomainError(ErrorCode.Throttled, 'Too many attempts; try again later.', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

// The patient's side of an invitation (step 12), reached with the token of an emailed link and no
// account: read the questionnaire, keep progress, submit the answers (which become a follow-up visit
// with contactMode remote_questionnaire, scored like every visit), and unsubscribe. Every request counts
// against its address's budget; a link that is not valid counts against a much smaller one, after which
// every token request from that address is refused until the window ends.
@Injectable()
export class QuestionnaireService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly invitations: InvitationRepository,
    private readonly throttle: ThrottleService,
    private readonly writes: ClinicalWrites,
    private readonly followUps: FollowUpsService,
    private readonly patients: PatientRepository,
  ) {}

  // Finds a valid link of this purpose for a request, or refuses: 429 over a budget, else 404 for anything
  // not valid. Counts the request once against its address's budgets.
  private async find(token: string, ip: string | undefined, purpose: 'answer' | 'unsubscribe'): Promise<FoundToken> {
    const address = clientAddress(ip);
    const { requestsPerIpPerMinute, invalidLinksPerIp, invalidLinkWindowSeconds } = this.config.questionnaires;
    const requests = await this.throttle.consume(
      throttleKey(THROTTLERS.questionnaire, address),
      requestsPerIpPerMinute,
      60,
    );
    if (!requests.allowed) throw throttled(requests.retryAfterSeconds);
    // Counted before the look-up and given back when the link is valid (the sign-in throttle's pattern).
    const invalidKey = throttleKey(THROTTLERS.questionnaireInvalid, address);
    const invalid = await this.throttle.consume(invalidKey, invalidLinksPerIp, invalidLinkWindowSeconds);
    if (!invalid.allowed) throw throttled(invalid.retryAfterSeconds);
    const found = await this.lookUp(token, purpose);
    await this.throttle.release(invalidKey);
    return found;
  }

  // The link if it is valid (404 otherwise); with `manager`, its invitation locked for that transaction
  // (the re-read under the lock of a request already counted by find).
  private async lookUp(token: string, purpose: 'answer' | 'unsubscribe', manager?: EntityManager): Promise<FoundToken> {
    const found = TOKEN_PATTERN.test(token)
      ? await this.invitations.findToken(hashToken(token), { lock: manager !== undefined }, manager)
      : null;
    const today = this.writes.today();
    const valid =
      found !== null &&
      found.purpose === purpose &&
      (purpose === 'unsubscribe' ||
        (found.caseLive &&
          OPEN_INVITATION_STATUSES.includes(found.invitation.status) &&
          found.invitation.closesOn >= today));
    if (!valid) throw linkInvalid();
    return found;
  }

  async open(token: string, ip: string | undefined): Promise<QuestionnaireResponse> {
    const found = await this.find(token, ip, 'answer');
    const invitation = found.invitation;
    await this.writes.asSystem(SYSTEM_ACTORS.patient, async (tx) => {
      await this.invitations.markOpened(invitation.id, tx.manager);
      tx.audit(
        invitationEvent('open', { id: invitation.id, case_id: invitation.caseId, timepoint: invitation.timepoint }),
      );
    });
    return {
      timepoint: invitation.timepoint,
      timepointLabel: TIMEPOINT_LABELS[invitation.timepoint],
      operationMonth: operationMonth(found.surgeryDate),
      closesOn: invitation.closesOn,
      instruments: invitation.instruments,
      answers: (invitation.progress ?? {}) as DraftPromAnswersDto,
    };
  }

  // Only the instruments this questionnaire asks for.
  private unaskedErrors(answers: object, asked: readonly Instrument[]): FieldError[] {
    return Object.entries(answers)
      .filter(([key, value]) => value !== undefined && !asked.includes(key as Instrument))
      .map(([key]) => ({
        field: `answers.${key}`,
        code: 'not_asked',
        message: `answers.${key} is not part of this questionnaire`,
      }));
  }

  async saveProgress(token: string, ip: string | undefined, answers: DraftPromAnswersDto): Promise<void> {
    const found = await this.find(token, ip, 'answer');
    const errors = this.unaskedErrors(answers, found.invitation.instruments);
    if (errors.length) throw DomainError.validation(errors);
    // Kept as sent (already validated item by item): the answers of the instruments asked for.
    const progress = Object.fromEntries(INSTRUMENTS.filter((i) => answers[i] != null).map((i) => [i, answers[i]]));
    await this.writes.asSystem(SYSTEM_ACTORS.patient, async (tx) => {
      // Re-read under the invitation's lock: a submit that got there first has ended the link.
      const current = await this.lookUp(token, 'answer', tx.manager);
      await this.invitations.saveProgress(current.invitation.id, progress, tx.manager);
    });
  }

  async submit(token: string, ip: string | undefined, answers: PromAnswersDto): Promise<void> {
    const found = await this.find(token, ip, 'answer');
    const asked = found.invitation.instruments;
    const errors = this.unaskedErrors(answers, asked);
    for (const instrument of asked) {
      const shortfall = questionnaireShortfall(instrument, answers[instrument]);
      if (shortfall)
        errors.push({
          field: `answers.${instrument}`,
          code: 'too_few_answers',
          message: `answers.${instrument}: ${shortfall}`,
        });
    }
    if (errors.length) throw DomainError.validation(errors);
    await this.writes.onCaseAsSystem(
      SYSTEM_ACTORS.patient,
      found.invitation.caseId,
      { notFound: 'The case' },
      async (tx) => {
        // Under the case's and the invitation's locks: two submits with one link make one visit.
        const current = await this.lookUp(token, 'answer', tx.manager);
        const invitation = current.invitation;
        const visit = await this.followUps.insertVisit(
          tx,
          { visitDate: tx.today, contactMode: 'remote_questionnaire', proms: answers },
          null,
        );
        await this.invitations.markAnswered(invitation.id, visit.id, tx.manager);
        tx.audit(
          invitationEvent(
            'answer',
            { id: invitation.id, case_id: invitation.caseId, timepoint: invitation.timepoint, status: 'answered' },
            { followUpId: visit.id, instruments: asked },
          ),
        );
      },
    );
  }

  async unsubscribe(token: string, ip: string | undefined): Promise<void> {
    const found = await this.find(token, ip, 'unsubscribe');
    await this.writes.asSystem(SYSTEM_ACTORS.patient, async (tx) => {
      const changed = await this.patients.declineInvitations(found.patientId, tx.manager);
      if (changed) {
        tx.audit({
          action: 'update',
          entity: 'patient',
          entityId: found.patientId,
          changes: [{ field: 'promInvitations', from: 'allowed', to: 'declined' }],
          details: { via: 'unsubscribe_link', invitationId: found.invitation.id },
        });
      }
      const declined = await this.invitations.declineOpenOfPatient(found.patientId, tx.manager);
      tx.audit(declined.map((row) => invitationEvent('decline', row)));
    });
  }
}
