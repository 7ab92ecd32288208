import * as z from 'zod';
import { ApprovalStep, StepId } from '#core/change/approval.ts';
import { type ApprovalLinkDeps, decideByLink, previewApprovalLink } from '#core/change/approval-links.ts';
import { approvalInbox, DecideInput, decideApproval } from '#core/change/approval-service.ts';
import {
  Change,
  ChangeAuditEntry,
  ChangeSummary,
  ChangeTemplate,
  FreezeWindow,
} from '#core/change/change.ts';
import {
  ChangeListQuery,
  CreateChangeInput,
  CreateTemplateInput,
  changeHistory,
  createChange,
  createTemplate,
  findChangeByNumber,
  listChanges,
  listTemplates,
  MoveChangeInput,
  moveChange,
  UpdateChangeInput,
  updateChange,
  viewChange,
} from '#core/change/change-service.ts';
import {
  CalendarQuery,
  CreateFreezeInput,
  changeCalendar,
  createFreeze,
  deleteFreeze,
  listFreezes,
} from '#core/change/schedule-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import { ErrorBody } from '../problems.ts';
import type { Route } from '../router.ts';

const Id = z.string().min(1).max(64);
const CursorQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.string().optional() });
const Conflict = z.object({ changeId: z.string(), number: z.string(), shared: z.array(z.string()) });
const ChangeView = z.object({
  change: Change,
  steps: z.array(ApprovalStep),
  conflicts: z.array(Conflict),
  freezes: z.array(FreezeWindow),
});
const InboxEntry = z.object({
  approver: z.string(),
  changeId: z.string(),
  number: z.string(),
  shortDescription: z.string(),
  type: z.string(),
  risk: z.string().optional(),
  step: StepId,
  round: z.string(),
  plannedStart: z.string(),
  plannedEnd: z.string(),
  requester: z.string(),
  requestedAt: z.string(),
});
const LinkBody = z.strictObject({ comment: z.string().trim().max(2000).optional() });
/** Link tokens are two base64url parts joined by `~`; anything else never reaches the signer. */
const LinkToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{10,2000}~[A-Za-z0-9_-]{20,200}$/, 'is not an approval link');

const tags = ['Changes'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const decisionErrors = { ...errors, 409: ErrorBody, 410: ErrorBody };

/**
 * Change management: changes and their lifecycle, approvals (inbox, decisions, mailed links),
 * the change calendar with freeze windows and conflicts, and standard change templates.
 */
export function changeRoutes(deps: ApprovalLinkDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/changes',
      docs: {
        summary: 'Create a standard (from a template), normal or emergency change (agents)',
        tags,
        body: CreateChangeInput,
        responses: { 201: Change, ...errors },
      },
      async handle({ event, body }) {
        const change = await createChange(deps, actorFromEvent(event), (body ?? {}) as never);
        return json(201, change, { location: `/api/changes/${change.id}` });
      },
    },
    {
      method: 'GET',
      path: '/api/changes',
      docs: {
        summary: 'List changes: the ones I requested, or all in one state (agents and approvers)',
        tags,
        query: ChangeListQuery,
        responses: { 200: page(ChangeSummary), ...errors },
      },
      async handle({ event }) {
        return json(
          200,
          await listChanges(deps, actorFromEvent(event), (event.queryStringParameters ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/changes/by-number/{number}',
      docs: {
        summary: 'Find a change by its number, e.g. CHG0001042',
        tags,
        responses: { 200: Change, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await findChangeByNumber(deps, actorFromEvent(event), params.number ?? ''));
      },
    },
    {
      method: 'GET',
      path: '/api/changes/{id}',
      docs: {
        summary: 'A change with its approval steps, conflicting changes and the freeze windows it touches',
        tags,
        responses: { 200: ChangeView, ...errors },
      },
      async handle({ event, params }) {
        return json(200, await viewChange(deps, actorFromEvent(event), Id.parse(params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/api/changes/{id}',
      docs: {
        summary:
          'Edit the plan, answer the risk questionnaire or override the risk (new or assess; send the version you saw)',
        tags,
        body: UpdateChangeInput,
        responses: { 200: Change, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await updateChange(deps, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/changes/{id}/transitions',
      docs: {
        summary:
          'Move a change along its lifecycle; `authorize` submits it for approval, `cancelled` stops the approval',
        tags,
        body: MoveChangeInput,
        responses: { 200: Change, 409: ErrorBody, ...errors },
      },
      async handle({ event, params, body }) {
        return json(
          200,
          await moveChange(deps, actorFromEvent(event), Id.parse(params.id), (body ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/changes/{id}/history',
      docs: {
        summary: 'The audit trail of a change',
        tags,
        query: CursorQuery,
        responses: { 200: page(ChangeAuditEntry), ...errors },
      },
      async handle({ event, params }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await changeHistory(deps, actorFromEvent(event), Id.parse(params.id), cursor));
      },
    },
    {
      method: 'POST',
      path: '/api/changes/{id}/approvals/{step}/decisions',
      docs: {
        summary: 'Approve or reject as an approver of the step (409 when already decided, 410 when expired)',
        tags,
        body: DecideInput,
        responses: { 200: z.object({ step: ApprovalStep, settled: z.boolean() }), ...decisionErrors },
      },
      async handle({ event, params, body }) {
        const result = await decideApproval(
          deps,
          actorFromEvent(event),
          Id.parse(params.id),
          StepId.parse(params.step),
          (body ?? {}) as never,
        );
        return json(200, result);
      },
    },
    {
      method: 'GET',
      path: '/api/approvals',
      docs: {
        summary: 'My approvals inbox: approval steps waiting for my decision',
        tags,
        query: CursorQuery,
        responses: { 200: page(InboxEntry), ...errors },
      },
      async handle({ event }) {
        const { cursor } = CursorQuery.parse(event.queryStringParameters ?? {});
        return json(200, await approvalInbox(deps, actorFromEvent(event), cursor));
      },
    },
    {
      method: 'GET',
      path: '/api/approval-links/{token}',
      public: true,
      docs: {
        summary: 'What a mailed approval link would decide, for its confirmation page (does not decide)',
        tags,
        responses: { 200: z.unknown(), 404: ErrorBody, 410: ErrorBody },
      },
      async handle({ params }) {
        return json(200, await previewApprovalLink(deps, LinkToken.parse(params.token)), {
          'cache-control': 'no-store',
        });
      },
    },
    {
      method: 'POST',
      path: '/api/approval-links/{token}',
      public: true,
      docs: {
        summary:
          'Decide through a mailed link: single-use, expiring, signed (409 when used or decided, 410 when expired)',
        tags,
        body: LinkBody,
        responses: { 200: z.object({ step: ApprovalStep, settled: z.boolean() }), ...decisionErrors },
      },
      async handle({ params, body }) {
        const input = LinkBody.parse(body ?? {});
        return json(200, await decideByLink(deps, LinkToken.parse(params.token), input));
      },
    },
    {
      method: 'GET',
      path: '/api/change-calendar',
      docs: {
        summary:
          'Changes and freeze windows in a date range (at most 92 days), each change with its conflicts',
        tags,
        query: CalendarQuery,
        responses: {
          200: z.object({
            changes: z.array(ChangeSummary.extend({ conflicts: z.array(Conflict) })),
            freezes: z.array(FreezeWindow),
          }),
          ...errors,
        },
      },
      async handle({ event }) {
        return json(
          200,
          await changeCalendar(deps, actorFromEvent(event), (event.queryStringParameters ?? {}) as never),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/freeze-windows',
      docs: {
        summary: 'Freeze windows from a month ago to two years ahead',
        tags,
        responses: { 200: z.array(FreezeWindow), ...errors },
      },
      async handle({ event }) {
        return json(200, await listFreezes(deps, actorFromEvent(event)));
      },
    },
    {
      method: 'POST',
      path: '/api/freeze-windows',
      docs: {
        summary: 'Create a freeze (blackout) window (admins)',
        tags,
        body: CreateFreezeInput,
        responses: { 201: FreezeWindow, ...errors },
      },
      async handle({ event, body }) {
        return json(201, await createFreeze(deps, actorFromEvent(event), (body ?? {}) as never));
      },
    },
    {
      method: 'DELETE',
      path: '/api/freeze-windows/{id}',
      docs: { summary: 'Remove a freeze window (admins)', tags, responses: { 204: undefined, ...errors } },
      async handle({ event, params }) {
        await deleteFreeze(deps, actorFromEvent(event), Id.parse(params.id));
        return { statusCode: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/change-risk-questionnaire',
      docs: {
        summary: 'The risk questionnaire: questions, weighted options and thresholds',
        tags,
        responses: { 200: z.unknown(), ...errors },
      },
      async handle({ event }) {
        actorFromEvent(event);
        return json(200, deps.settings.questionnaire);
      },
    },
    {
      method: 'GET',
      path: '/api/change-templates',
      docs: {
        summary: 'Standard change templates (agents)',
        tags,
        responses: { 200: z.array(ChangeTemplate), ...errors },
      },
      async handle({ event }) {
        return json(200, await listTemplates(deps, actorFromEvent(event)));
      },
    },
    {
      method: 'POST',
      path: '/api/change-templates',
      docs: {
        summary: 'Create or replace a standard change template (admins)',
        tags,
        body: CreateTemplateInput,
        responses: { 201: ChangeTemplate, ...errors },
      },
      async handle({ event, body }) {
        return json(201, await createTemplate(deps, actorFromEvent(event), (body ?? {}) as never));
      },
    },
  ];
}
