import { type DragEvent, useState } from 'react';
import { portTypeOf } from '@kiln/engine';
import { groupBySource } from '../api/catalog';
import { useCatalog } from '../ui/catalog-context';
import { PORT_COLORS } from '../graph/port-colors';

export const DRAG_MIME = 'application/x-kiln-node-type';

/**
 * Node types by where they come from (Kiln's own, then each registering package) and category; drag
 * one onto the canvas, or press it to add it in the middle. A registered type no live worker serves
 * is marked: a run that needs it is refused until its worker is back.
 */
export function Palette({ onAdd }: { onAdd(type: string): void }) {
  const { types } = useCatalog();
  const [search, setSearch] = useState('');
  const groups = groupBySource(types, search);
  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(DRAG_MIME, type);
    e.dataTransfer.effectAllowed = 'move';
  };
  return (
    <aside className="palette" aria-label="Node palette">
      <input
        type="search"
        aria-label="Search node types"
        placeholder="Search nodes…"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {groups.length === 0 && <p className="muted small">No node type matches “{search}”.</p>}
      {groups.map(({ source, language, categories }) => (
        <section key={source} className="palette-source" aria-label={`Source ${source}`}>
          <h2 title={source === 'builtin' ? "Kiln's own node types" : `registered by ${source}'s workers`}>
            {source === 'builtin' ? 'Kiln' : source}
            {source !== 'builtin' && <span className="badge small">{language}</span>}
          </h2>
          {categories.map(([category, list]) => (
            <section key={category} aria-label={`Category ${category}`}>
              <h3>{category}</h3>
              <ul>
                {list.map((t) => (
                  <li key={t.type}>
                    <button
                      type="button"
                      className={`palette-item${t.served === false ? ' unserved' : ''}`}
                      draggable
                      onDragStart={(e) => onDragStart(e, t.type)}
                      onClick={() => onAdd(t.type)}
                      aria-label={`Add ${t.title} (${t.type})${t.served === false ? ', not served' : ''}`}
                      title={t.served === false ? `${t.description}\n\nNo live worker serves this type${t.lastSeenAt ? ` (last seen ${t.lastSeenAt})` : ''}: runs that need it are refused.` : t.description}
                    >
                      <strong>{t.title}</strong>
                      <span className="muted small">
                        {t.type}
                        {t.served === false && <span className="badge small unserved-badge">not served</span>}
                      </span>
                      <span className="port-dots" aria-hidden="true">
                        {[...Object.values(t.inputs), ...Object.values(t.outputs)].map((d, i) => (
                          <span key={i} className="dot" style={{ background: PORT_COLORS[portTypeOf(d)] }} />
                        ))}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </section>
      ))}
      <section aria-label="Port types legend" className="legend">
        <h3>Port types</h3>
        {Object.entries(PORT_COLORS).map(([t, c]) => (
          <span key={t} className="legend-item">
            <span className="dot" style={{ background: c }} aria-hidden="true" /> {t}
          </span>
        ))}
      </section>
    </aside>
  );
}
