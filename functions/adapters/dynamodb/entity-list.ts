import {
  approvalInboxEntity,
  approvalStepEntity,
  changeAuditEntity,
  changeEntity,
  changeTemplateEntity,
  freezeEntity,
} from './change-entities.ts';
import {
  agentGroupEntity,
  articleEntity,
  attachmentEntity,
  childEntity,
  counterEntity,
  groupEntity,
  idempotencyEntity,
  mailReferenceEntity,
  memberEntity,
  quarantineEntity,
  rateWindowEntity,
  recordLinkEntity,
  routingConfigEntity,
  suppressionEntity,
  ticketAuditEntity,
  ticketEntity,
  usedLinkEntity,
} from './entities.ts';
import {
  knowledgeAuditEntity,
  knowledgeEntity,
  knowledgeFeedbackEntity,
  knowledgeRevisionEntity,
  knowledgeStatsEntity,
} from './knowledge-entities.ts';

import {
  incidentHitsEntity,
  problemArticleEntity,
  problemAuditEntity,
  problemEntity,
  problemSuggestionEntity,
} from './problem-entities.ts';

/** The list: the collision test, the backfill and the docs read it. Add every new entity here. */
export const entityList = [
  ticketEntity,
  articleEntity,
  childEntity,
  ticketAuditEntity,
  attachmentEntity,
  counterEntity,
  idempotencyEntity,
  usedLinkEntity,
  rateWindowEntity,
  mailReferenceEntity,
  suppressionEntity,
  quarantineEntity,
  groupEntity,
  memberEntity,
  agentGroupEntity,
  routingConfigEntity,
  changeEntity,
  approvalStepEntity,
  approvalInboxEntity,
  changeAuditEntity,
  freezeEntity,
  changeTemplateEntity,
  recordLinkEntity,
  problemEntity,
  problemArticleEntity,
  problemAuditEntity,
  incidentHitsEntity,
  problemSuggestionEntity,
  knowledgeEntity,
  knowledgeRevisionEntity,
  knowledgeFeedbackEntity,
  knowledgeStatsEntity,
  knowledgeAuditEntity,
] as const;

export type AnyEntity = (typeof entityList)[number];

/** An entity by its stored name, for the backfill and for reading mixed item collections. */
export const entityByName = (name: string): AnyEntity | undefined => entityList.find((e) => e.name === name);
