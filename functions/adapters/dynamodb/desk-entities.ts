import { CannedResponse } from '#core/desk/response.ts';
import { SavedView } from '#core/desk/saved-view.ts';
import { defineEntity } from './entity.ts';

/** The service desk's own items (see `entities.ts` for the conventions and `entity-list.ts` for the list). */

/** A canned response or macro; its owner's list (an agent's, a group's) is one gsi1 partition, by name. */
export const responseEntity = /* @__PURE__ */ defineEntity({
  name: 'response',
  version: 1,
  table: 'domain',
  schema: CannedResponse,
  indexes: {
    primary: { pk: 'RESPONSE#{id}', sk: '#RESPONSE' },
    gsi1: { pk: 'RESPONSES#{scope}#{owner}', sk: '{name}#{id}' },
  },
  facets: (response) => ({
    id: response.id,
    scope: response.scope,
    owner: response.owner,
    name: response.name.toLowerCase(),
  }),
});

/** An agent's saved queue view, in the agent's own partition. */
export const savedViewEntity = /* @__PURE__ */ defineEntity({
  name: 'saved-view',
  version: 1,
  table: 'domain',
  schema: SavedView,
  indexes: { primary: { pk: 'VIEWS#{owner}', sk: 'VIEW#{id}' } },
  facets: (view) => ({ owner: view.owner, id: view.id }),
});
