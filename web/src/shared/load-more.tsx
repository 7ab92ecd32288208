/** The "Load more" button under a list that has another page. */
export function LoadMore(props: { cursor?: string; busy: boolean; onLoad: () => void }) {
  if (!props.cursor) return null;
  return (
    <div className="more">
      <button type="button" className="button button-secondary" disabled={props.busy} onClick={props.onLoad}>
        {props.busy ? 'Loading…' : 'Load more'}
      </button>
    </div>
  );
}
