import { type DragEvent, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
} from '@xyflow/react';
import { type NodeSpec, type PipelineSpec, validateSpec } from '@kiln/engine';
import { ApiError, type PipelineDetail, kilnApi } from '../api/client';
import { refuseConnection } from '../graph/connection-check';
import { ProblemNodesContext, nodeTypes } from '../graph/KilnNodeView';
import { autoLayout } from '../graph/layout';
import { FIT_ALL, MIN_ZOOM, useFitSoon, useOpenLayout } from '../graph/use-open-layout';
import {
  type KilnEdge,
  type KilnNode,
  type PipelineMeta,
  edgeSpecOf,
  edgeId,
  freshNodeId,
  specToGraph,
} from '../graph/spec-graph';
import { type Clip, copySelection, pasteClip } from '../graph/clipboard';
import { specToTypeScript } from '../export/to-typescript';
import { Loaded, useAsync } from '../ui/async';
import { useCatalog } from '../ui/catalog-context';
import { navigate } from '../ui/router';
import { type Doc, layoutOf, specOf, useDirty, useStructure } from './canvas-spec';
import { useHistory } from './history';
import { NodeInspector, PipelineInspector } from './Inspector';
import { DRAG_MIME, Palette } from './Palette';
import { RunDialog } from './RunDialog';
import { download } from './download';

/** Copied nodes, kept across pipelines for this tab (Ctrl-C in one pipeline, Ctrl-V in another). */
let clipboard: Clip | undefined;

const NEW_SPEC: PipelineSpec = { apiVersion: 'kiln/v1', name: 'untitled', nodes: [], edges: [] };
// Props of <ReactFlow> that never change: new objects on every render would update its store each time.
const DELETE_KEYS = ['Backspace', 'Delete'];
const NO_PROBLEMS: ReturnType<typeof validateSpec>['problems'] = [];
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const EDGE_OPTIONS = { style: { strokeWidth: 2 } };

export function Editor({ pipelineId, theme }: { pipelineId: string | undefined; theme: 'light' | 'dark' }) {
  const state = useAsync<PipelineDetail | null>(
    () => (pipelineId ? kilnApi.pipeline(pipelineId) : Promise.resolve(null)),
    [pipelineId],
  );
  return (
    <Loaded state={state} what="the pipeline">
      {(p) => (
        <ReactFlowProvider>
          <EditorCanvas pipeline={p} theme={theme} />
        </ReactFlowProvider>
      )}
    </Loaded>
  );
}

function EditorCanvas({ pipeline, theme }: { pipeline: PipelineDetail | null; theme: 'light' | 'dark' }) {
  const { catalog } = useCatalog();
  const flow = useReactFlow<KilnNode, KilnEdge>();
  const [doc, setDoc] = useState<Doc>(() => specToGraph(pipeline?.spec ?? NEW_SPEC));
  const [saved, setSaved] = useState<PipelineSpec | null>(() => pipeline?.spec ?? null);
  // Positions as saved (or as laid out on opening): moving nodes is a layout change, not a new version.
  const [savedLayout, setSavedLayout] = useState(() => layoutOf(doc.nodes));
  const [version, setVersion] = useState(pipeline?.latestVersion);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string }>();
  const [busy, setBusy] = useState(false);
  const [running, setRunning] = useState(false);
  const history = useHistory<Doc>();
  // Fit the view to a loaded pipeline once; an empty canvas keeps zoom 1 as nodes are dropped on it.
  const [fitOnOpen] = useState(() => doc.nodes.length > 0);

  // Validation follows edits of the structure only (not drags), in a deferred render so typing stays
  // responsive; the first render draws the canvas and validation follows it (initial value null).
  const structure = useStructure(doc);
  const validated = useDeferredValue<typeof structure | null>(structure, null);
  const problems = useMemo(
    () => (validated ? validateSpec(validated, catalog).problems : NO_PROBLEMS),
    [validated, catalog],
  );
  const problemNodes = useMemo(
    () => new Set(problems.flatMap((p) => (p.nodeId ? [p.nodeId] : []))),
    [problems],
  );
  const dirty = useDirty(structure, doc.nodes, saved, savedLayout);
  // Nodes without positions (as `kiln apply` registers them) are laid out left to right once measured.
  const layingOut = useOpenLayout(doc.nodes, (laid) => {
    const at = new Map(laid.map((n) => [n.id, n.position]));
    const nodes = docRef.current.nodes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position }));
    setDoc((d) => ({ ...d, nodes }));
    setSavedLayout(layoutOf(nodes));
  });
  const minimapColor = useCallback(
    (n: KilnNode) => (problemNodes.has(n.id) ? '#e04848' : '#9aa3b2'),
    [problemNodes],
  );
  const selected = doc.nodes.filter((n) => n.selected);
  const selectedNode = selected.length === 1 ? selected[0] : undefined;
  const selectedId = selectedNode?.id;
  const selectedProblems = useMemo(
    () => problems.filter((p) => p.nodeId === selectedId),
    [problems, selectedId],
  );
  const otherIds = useMemo(
    () => new Set(structure.nodes.map((n) => n.id).filter((id) => id !== selectedId)),
    [structure, selectedId],
  );

  // History is recorded from event handlers, never inside state updaters (StrictMode runs those twice).
  const docRef = useRef(doc);
  docRef.current = doc;
  const { record } = history;
  const change = useCallback(
    (next: (d: Doc) => Doc) => {
      record(docRef.current);
      setDoc(next);
    },
    [record],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<KilnNode>[]) => setDoc((d) => ({ ...d, nodes: applyNodeChanges(changes, d.nodes) })),
    [],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<KilnEdge>[]) => setDoc((d) => ({ ...d, edges: applyEdgeChanges(changes, d.edges) })),
    [],
  );
  const onBeforeDelete = useCallback(async () => {
    record(docRef.current);
    return true;
  }, [record]);
  const onNodeDragStart = useCallback(() => record(docRef.current), [record]);

  const addNode = useCallback(
    (type: string, position?: { x: number; y: number }) => {
      const at =
        position ?? flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
      change((d) => {
        const id = freshNodeId(type, new Set(d.nodes.map((n) => n.id)));
        const spec: NodeSpec = { id, type };
        const node: KilnNode = { id, type: 'kiln', position: at, data: { spec }, selected: true };
        return { ...d, nodes: [...d.nodes.map((n) => ({ ...n, selected: false })), node] };
      });
    },
    [change, flow],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const { nodes, edges } = docRef.current;
      const reason = refuseConnection(c, { nodes: nodes.map((n) => ({ ...n.data.spec, id: n.id })) }, edges, catalog);
      if (reason) {
        setNotice({ kind: 'error', text: `Connection refused: ${reason}.` });
        return;
      }
      setNotice(undefined);
      const edge = edgeSpecOf(c.source, c.sourceHandle, c.target, c.targetHandle);
      change((d) => ({
        ...d,
        edges: [
          ...d.edges,
          {
            id: edgeId(edge),
            source: c.source,
            target: c.target,
            sourceHandle: c.sourceHandle ?? null,
            targetHandle: c.targetHandle ?? null,
          },
        ],
      }));
    },
    [catalog, change],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(DRAG_MIME);
      if (type) addNode(type, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [addNode, flow],
  );

  const paste = useCallback(
    (clip: Clip) =>
      change((d) => {
        const pasted = specToGraph({
          apiVersion: 'kiln/v1',
          name: '',
          ...pasteClip(clip, new Set(d.nodes.map((n) => n.id))),
        });
        return {
          ...d,
          nodes: [
            ...d.nodes.map((n) => ({ ...n, selected: false })),
            ...pasted.nodes.map((n) => ({ ...n, selected: true })),
          ],
          edges: [...d.edges.map((e) => ({ ...e, selected: false })), ...pasted.edges],
        };
      }),
    [change],
  );

  const { undo: undoFrom, redo: redoFrom } = history;
  const undo = useCallback(() => {
    const prev = undoFrom(docRef.current);
    if (prev) setDoc(prev);
  }, [undoFrom]);
  const redo = useCallback(() => {
    const next = redoFrom(docRef.current);
    if (next) setDoc(next);
  }, [redoFrom]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, textarea, select, [contenteditable]')) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) redo();
        else undo();
      } else if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        redo();
      } else if (mod && e.key.toLowerCase() === 'c') {
        const clip = copySelection(docRef.current.nodes, docRef.current.edges);
        if (!clip.nodes.length) return;
        e.preventDefault();
        clipboard = clip;
        setNotice({
          kind: 'info',
          text: `Copied ${clip.nodes.length} node${clip.nodes.length === 1 ? '' : 's'}.`,
        });
      } else if (mod && e.key.toLowerCase() === 'v' && clipboard) {
        e.preventDefault();
        paste(clipboard);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, paste]);

  const fitSoon = useFitSoon();
  const layout = async () => {
    const nodes = await autoLayout(doc.nodes, doc.edges);
    change((d) => ({ ...d, nodes }));
    fitSoon();
  };

  const deleteSelected = () => {
    const ids = new Set(selected.map((n) => n.id));
    change((d) => ({
      ...d,
      nodes: d.nodes.filter((n) => !ids.has(n.id)),
      edges: d.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target) && !e.selected),
    }));
  };

  const selectNode = (id: string) => {
    setDoc((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, selected: n.id === id })) }));
    void flow.fitView({ nodes: [{ id }], maxZoom: 1.2, duration: 300 });
  };

  const updateSelected = useCallback(
    (spec: NodeSpec) =>
      change((d) => ({
        ...d,
        nodes: d.nodes.map((n) => (n.id === selectedId ? { ...n, data: { spec } } : n)),
      })),
    [change, selectedId],
  );
  const renameSelected = useCallback(
    (to: string) =>
      change((d) => ({
        ...d,
        nodes: d.nodes.map((n) =>
          n.id === selectedId ? { ...n, id: to, data: { spec: { ...n.data.spec, id: to } } } : n,
        ),
        edges: d.edges.map((e) => {
          const source = e.source === selectedId ? to : e.source;
          const target = e.target === selectedId ? to : e.target;
          return {
            ...e,
            source,
            target,
            id: edgeId(edgeSpecOf(source, e.sourceHandle, target, e.targetHandle)),
          };
        }),
      })),
    [change, selectedId],
  );
  const changeMeta = useCallback((meta: PipelineMeta) => change((d) => ({ ...d, meta })), [change]);

  const save = async () => {
    const spec = specOf(docRef.current);
    setBusy(true);
    setNotice(undefined);
    try {
      if (!pipeline) {
        const created = await kilnApi.createPipeline(spec);
        setSaved(spec);
        navigate(`pipelines/${created.id}`);
        return;
      }
      const result = await kilnApi.updatePipeline(pipeline.id, spec);
      setSaved(spec);
      setSavedLayout(layoutOf(docRef.current.nodes));
      setVersion(result.version);
      setNotice({
        kind: 'info',
        text: result.created
          ? `Saved as version ${result.version}.`
          : result.layoutChanged
            ? `Layout saved; the pipeline is unchanged (version ${result.version}).`
            : `No change since version ${result.version}.`,
      });
    } catch (err) {
      const problems = err instanceof ApiError ? err.problems : [];
      setNotice({
        kind: 'error',
        text: `Not saved: ${problems.length ? problems.map((p) => `${p.path}: ${p.message}`).join('; ') : (err as Error).message}`,
      });
    } finally {
      setBusy(false);
    }
  };

  const exportTs = () => {
    const spec = specOf(docRef.current);
    try {
      download(`${spec.name}.ts`, specToTypeScript(spec), 'text/typescript');
    } catch (err) {
      setNotice({ kind: 'error', text: (err as Error).message });
    }
  };
  const importJson = async (file: File) => {
    try {
      const parsed = JSON.parse(await file.text()) as PipelineSpec;
      if (!parsed || !Array.isArray(parsed.nodes))
        throw new Error('the file is not a pipeline spec (no "nodes" list)');
      const graph = specToGraph(parsed);
      const nodes = await autoLayout(graph.nodes, graph.edges, { onlyUnplaced: true });
      change(() => ({ ...graph, nodes }));
      fitSoon();
    } catch (err) {
      setNotice({ kind: 'error', text: `Import failed: ${(err as Error).message}` });
    }
  };

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label="Editor actions">
        <a href="#/" aria-label="Back to pipelines">
          ←
        </a>
        <strong className="title">{doc.meta.name}</strong>
        <span className="muted small" aria-label="Saved version">
          {version ? `v${version}` : 'not saved yet'}
        </span>
        {dirty.structure ? (
          <span className="muted small">· unsaved changes</span>
        ) : (
          dirty.layout && <span className="muted small">· layout not saved</span>
        )}
        {pipeline && (
          <a href={`#/pipelines/${pipeline.id}/history`} className="small">
            Version history
          </a>
        )}
        <span className="spacer" />
        <button
          type="button"
          onClick={undo}
          disabled={!history.canUndo}
          aria-label="Undo"
          title="Undo (Ctrl+Z)"
        >
          ↶ Undo
        </button>
        <button
          type="button"
          onClick={redo}
          disabled={!history.canRedo}
          aria-label="Redo"
          title="Redo (Ctrl+Shift+Z)"
        >
          ↷ Redo
        </button>
        <button
          type="button"
          onClick={deleteSelected}
          disabled={selected.length === 0}
          aria-label="Delete selected nodes"
        >
          Delete
        </button>
        <button type="button" onClick={() => void layout()} disabled={doc.nodes.length === 0}>
          Auto layout
        </button>
        <button type="button" onClick={() => void flow.fitView({ ...FIT_ALL, duration: 300 })}>
          Zoom to fit
        </button>
        <button
          type="button"
          onClick={() => {
            const spec = specOf(docRef.current);
            download(`${spec.name}.json`, JSON.stringify(spec, null, 2), 'application/json');
          }}
        >
          Export JSON
        </button>
        <button type="button" onClick={exportTs}>
          Export TypeScript
        </button>
        <label className="button-like">
          Import JSON
          <input
            type="file"
            accept="application/json,.json"
            className="visually-hidden"
            onChange={(e) => e.target.files?.[0] && void importJson(e.target.files[0])}
          />
        </label>
        <button type="button" className="primary" onClick={() => void save()} disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          onClick={() =>
            pipeline && !dirty.structure
              ? setRunning(true)
              : setNotice({ kind: 'error', text: 'Save the pipeline before running it.' })
          }
          disabled={!pipeline}
          title={pipeline ? undefined : 'Save the pipeline first'}
        >
          ▶ Run
        </button>
      </div>
      {notice && (
        <div role={notice.kind === 'error' ? 'alert' : 'status'} className={`notice ${notice.kind}`}>
          {notice.text}
          <button type="button" aria-label="Dismiss message" onClick={() => setNotice(undefined)}>
            ×
          </button>
        </div>
      )}
      <div className="editor-body">
        <Palette onAdd={addNode} />
        <div
          className="canvas"
          onDragOver={(e) => (e.preventDefault(), (e.dataTransfer.dropEffect = 'move'))}
          onDrop={onDrop}
          aria-label="Pipeline canvas"
          role="region"
          aria-busy={layingOut}
          style={layingOut ? { visibility: 'hidden' } : undefined}
        >
          <ProblemNodesContext.Provider value={problemNodes}>
            <ReactFlow<KilnNode, KilnEdge>
              nodes={doc.nodes}
              edges={doc.edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onBeforeDelete={onBeforeDelete}
              onNodeDragStart={onNodeDragStart}
              onConnect={onConnect}
              colorMode={theme}
              fitView={fitOnOpen}
              fitViewOptions={FIT_ALL}
              minZoom={MIN_ZOOM}
              deleteKeyCode={DELETE_KEYS}
              multiSelectionKeyCode={MULTI_SELECT_KEYS}
              defaultEdgeOptions={EDGE_OPTIONS}
              onlyRenderVisibleElements
            >
              <Background />
              <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} />
              <Controls aria-label="Zoom controls" />
            </ReactFlow>
          </ProblemNodesContext.Provider>
        </div>
        <aside className="inspector" aria-label="Inspector">
          {selectedNode ? (
            <NodeInspector
              key={selectedNode.id}
              node={selectedNode.data.spec}
              problems={selectedProblems}
              taken={otherIds}
              onChange={updateSelected}
              onRename={renameSelected}
            />
          ) : selected.length > 1 ? (
            <p className="muted">{selected.length} nodes selected.</p>
          ) : (
            <PipelineInspector meta={doc.meta} onChange={changeMeta} />
          )}
          <section className="problems" aria-label="Validation problems">
            <h2>
              {problems.length === 0
                ? '✓ Valid'
                : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}
            </h2>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  {p.nodeId ? (
                    <button type="button" className="link" onClick={() => selectNode(p.nodeId!)}>
                      <code>{p.path}</code> {p.message}
                    </button>
                  ) : (
                    <span>
                      <code>{p.path}</code> {p.message}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </section>
        </aside>
      </div>
      {running && pipeline && (
        <RunDialog pipelineId={pipeline.id} spec={specOf(doc)} onClose={() => setRunning(false)} />
      )}
    </div>
  );
}
