import type { CiRelation, CiView } from './cmdb-api.ts';
import { relationLabels } from './cmdb-api.ts';

const WIDTH = 640;
const ROW = 44;
const BOX = { w: 180, h: 30 };

/** A CI's neighbourhood as a picture: what points at it on the left, what it points at on the right. */
export function CiGraph({ view }: { view: CiView }) {
  const { ci, incoming, outgoing } = view;
  const rows = Math.max(1, incoming.length, outgoing.length);
  const height = rows * ROW + 20;
  const centre = { x: WIDTH / 2 - BOX.w / 2, y: height / 2 - BOX.h / 2 };
  const side = (list: readonly CiRelation[], left: boolean) =>
    list.map((r, i) => {
      const other = left ? r.from : r.to;
      const x = left ? 0 : WIDTH - BOX.w;
      const y = 10 + i * ROW + (rows - list.length) * (ROW / 2);
      const from = left
        ? { x: x + BOX.w, y: y + BOX.h / 2 }
        : { x: centre.x + BOX.w, y: centre.y + BOX.h / 2 };
      const to = left ? { x: centre.x, y: centre.y + BOX.h / 2 } : { x, y: y + BOX.h / 2 };
      return (
        <g key={`${left ? 'in' : 'out'}-${r.type}-${other.id}`}>
          <line
            x1={from.x}
            y1={from.y}
            x2={to.x}
            y2={to.y}
            className="cmdb-edge"
            markerEnd="url(#cmdb-arrow)"
          />
          <text
            x={(from.x + to.x) / 2}
            y={(from.y + to.y) / 2 - 4}
            className="cmdb-edge-label"
            textAnchor="middle"
          >
            {relationLabels[r.type].out}
          </text>
          <rect x={x} y={y} width={BOX.w} height={BOX.h} rx={4} className="cmdb-node" />
          <text x={x + BOX.w / 2} y={y + 20} textAnchor="middle" className="cmdb-node-label">
            {other.name.length > 24 ? `${other.name.slice(0, 23)}…` : other.name}
          </text>
        </g>
      );
    });
  return (
    <figure className="cmdb-graph">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-labelledby="cmdb-graph-title"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id="cmdb-graph-title">
          {`${ci.name}: ${incoming.length} incoming and ${outgoing.length} outgoing relations; the table below lists them`}
        </title>
        <defs>
          <marker
            id="cmdb-arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="cmdb-arrow" />
          </marker>
        </defs>
        {side(incoming, true)}
        {side(outgoing, false)}
        <rect
          x={centre.x}
          y={centre.y}
          width={BOX.w}
          height={BOX.h}
          rx={4}
          className="cmdb-node cmdb-node-self"
        />
        <text x={centre.x + BOX.w / 2} y={centre.y + 20} textAnchor="middle" className="cmdb-node-label">
          {ci.name.length > 24 ? `${ci.name.slice(0, 23)}…` : ci.name}
        </text>
      </svg>
      <figcaption className="muted">Arrows read “from — relation → to”.</figcaption>
    </figure>
  );
}
