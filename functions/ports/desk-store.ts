import type { CannedResponse, ResponseScope } from '#core/desk/response.ts';
import type { SavedView } from '#core/desk/saved-view.ts';
import type { Page, PageRequest } from '#core/record/record.ts';

/** Canned responses and macros, personal and per group. */
export interface ResponseStore {
  /**
   * Stores a response: a new one when `expectedVersion` is 0, otherwise only if the stored
   * version is still `expectedVersion` (`ConflictError` carrying the stored one if not).
   */
  put(response: CannedResponse, expectedVersion: number): Promise<void>;
  get(id: string): Promise<CannedResponse | undefined>;
  /** The responses of one owner (an agent's address or a group id), by name. */
  list(scope: ResponseScope, owner: string, page: PageRequest): Promise<Page<CannedResponse>>;
  /** Deletes a response if its stored version is still `expectedVersion`. */
  delete(id: string, expectedVersion: number): Promise<void>;
}

/** An agent's saved queue views. */
export interface SavedViewStore {
  put(view: SavedView): Promise<void>;
  /** The views of one agent, in the order they were saved. */
  list(owner: string): Promise<readonly SavedView[]>;
  /** Deletes a view; false when the agent had none of that id. */
  delete(owner: string, id: string): Promise<boolean>;
}
