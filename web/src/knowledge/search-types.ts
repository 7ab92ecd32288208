/** `GET /api/search` as the portal reads it (the route's schema in functions/http/routes/search.ts). */
export interface SearchItem {
  readonly kind: 'ticket' | 'knowledge';
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly excerpt: string;
  readonly state: string;
  readonly group?: string;
  /** Knowledge: who may read it. */
  readonly audience?: 'employees' | 'agents';
  readonly updatedAt: string;
  readonly highlights: {
    readonly title: readonly (readonly [number, number])[];
    readonly excerpt: readonly (readonly [number, number])[];
  };
}

export interface SearchResults {
  readonly items: readonly SearchItem[];
  readonly total: number;
  readonly cursor?: string;
}
