import { assetAssignmentEntity, assetImportEntity, assetImportErrorEntity } from './asset-entities.ts';
import { catalogEntities } from './catalog-entities.ts';
import {
  approvalInboxEntity,
  approvalStepEntity,
  changeAuditEntity,
  changeEntity,
  changeTemplateEntity,
  freezeEntity,
} from './change-entities.ts';
import { ciAuditEntity, ciEntity, ciExternalIdEntity, ciRelationEntity } from './cmdb-entities.ts';
import { responseEntity, savedViewEntity } from './desk-entities.ts';
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
import { cmdbInitialLoadEntity } from './initial-load-entities.ts';
import {
  knowledgeAuditEntity,
  knowledgeEntity,
  knowledgeFeedbackEntity,
  knowledgeRevisionEntity,
  knowledgeStatsEntity,
} from './knowledge-entities.ts';
import { operationsEntities } from './operations-entities.ts';
import {
  incidentHitsEntity,
  problemArticleEntity,
  problemAuditEntity,
  problemEntity,
  problemSuggestionEntity,
} from './problem-entities.ts';
import { releaseEntities } from './release-entities.ts';
import { reportCounterEntity, reportEventEntity, reportFactsEntity } from './report-entities.ts';
import { ratingEntity } from './satisfaction-entities.ts';
import { serviceStatusEntities } from './service-status-entities.ts';
import {
  slaCalendarEntity,
  slaDefinitionEntity,
  slaDefinitionVersionEntity,
  slaRecordEntity,
} from './sla-entities.ts';

/** The list: the collision test, the backfill and the docs read it. Add every new entity here. */
export const entityList = [
  ratingEntity,
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
  ciEntity,
  ciAuditEntity,
  ciRelationEntity,
  ciExternalIdEntity,
  assetAssignmentEntity,
  assetImportEntity,
  assetImportErrorEntity,
  cmdbInitialLoadEntity,
  incidentHitsEntity,
  problemSuggestionEntity,
  responseEntity,
  savedViewEntity,
  slaDefinitionEntity,
  slaDefinitionVersionEntity,
  slaCalendarEntity,
  slaRecordEntity,
  reportCounterEntity,
  reportFactsEntity,
  reportEventEntity,
  ...catalogEntities,
  ...operationsEntities,
  knowledgeEntity,
  knowledgeRevisionEntity,
  knowledgeFeedbackEntity,
  knowledgeStatsEntity,
  knowledgeAuditEntity,
  ...releaseEntities,
  ...serviceStatusEntities,
] as const;

export type AnyEntity = (typeof entityList)[number];

/** An entity by its stored name, for the backfill and for reading mixed item collections. */
export const entityByName = (name: string): AnyEntity | undefined => entityList.find((e) => e.name === name);
