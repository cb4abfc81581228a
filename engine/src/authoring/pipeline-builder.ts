import type { z } from 'zod';
import { type OptionalKeys, type PortMap, type PortType, type RequiredKeys, type TypeOf, isOptionalPort } from '../catalog/port-types';
import { API_VERSION, type EdgeSpec, type NodeSpec, type PipelineSpec } from '../spec/schema';

/** What the authoring API needs of a node type: its name, version, ports and params schema. */
export interface NodeTypeDecl<I extends PortMap = PortMap, O extends PortMap = PortMap, S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly version: number;
  readonly inputs: I;
  readonly outputs: O;
  readonly params: S;
}

/** A reference to one node's output, typed by what the port carries. */
export interface OutputRef<T extends PortType = PortType> {
  readonly node: string;
  readonly port: string;
  readonly portType: T;
}


/** The inputs of a node: each required port fed by an output of the same type. */
export type InputRefs<I extends PortMap> = { [K in RequiredKeys<I>]: OutputRef<TypeOf<I[K]>> } & {
  [K in OptionalKeys<I>]?: OutputRef<TypeOf<I[K]>>;
};

/** A run parameter reference, usable wherever a param value goes. */
export interface ParamRef<N extends string = string> {
  readonly $param: N;
}

/** Params as written in a pipeline: any value may instead be a reference resolved when the run starts. */
export type WithRefs<T> =
  | ParamRef
  | { readonly $item: string }
  | { readonly $output: string }
  | (T extends readonly (infer E)[] ? WithRefs<E>[] : T extends object ? { [K in keyof T]: WithRefs<T[K]> } : T);

export interface NodeHandle<O extends PortMap = PortMap> {
  readonly id: string;
  /** The node's outputs, to feed other nodes' inputs. */
  readonly out: { readonly [K in keyof O]: OutputRef<TypeOf<O[K]>> };
}

type NodeOptions = Omit<NodeSpec, 'id' | 'type' | 'params' | 'version'>;

/** Options for `Pipeline.node`: params, inputs, ordering, and everything else a node spec holds. */
export type AddOptions<D extends NodeTypeDecl> = NodeOptions & {
  params?: WithRefs<z.input<D['params']>>;
  after?: readonly NodeHandle[];
} & ({} extends InputRefs<D['inputs']> ? { inputs?: InputRefs<D['inputs']> } : { inputs: InputRefs<D['inputs']> });

type ParamsDecl = Record<string, Record<string, unknown>>;

/**
 * Builds a pipeline spec in code. Wrong port names and port type mismatches are compile errors:
 *
 * ```ts
 * const p = pipeline('diamond', { params: { msg: { type: 'string', default: 'hi' } } });
 * const a = p.node('a', command, { params: { command: 'echo a' } });
 * const b = p.node('b', command, { params: { command: p.param('msg') }, after: [a] });
 * ```
 */
export class Pipeline<P extends ParamsDecl = ParamsDecl> {
  private readonly nodes: NodeSpec[] = [];
  private readonly edges: EdgeSpec[] = [];
  private readonly ids = new Set<string>();

  constructor(
    readonly name: string,
    private readonly options: {
      description?: string;
      params?: P;
      required?: (keyof P & string)[];
      maxParallel?: number;
      failFast?: boolean;
    } = {},
  ) {}

  /** A reference to run parameter `name`, which must be declared. */
  param<N extends keyof P & string>(name: N): ParamRef<N> {
    return { $param: name };
  }

  /** A reference to the current item, inside a node that maps over items (`path` picks a field). */
  item(path = ''): { $item: string } {
    return { $item: path };
  }

  /** A reference to another node's output, used as a plain value (a list to map over, say). */
  output(ref: OutputRef): { $output: string } {
    return { $output: `${ref.node}.${ref.port}` };
  }

  node<D extends NodeTypeDecl>(id: string, type: D, options?: AddOptions<D>): NodeHandle<D['outputs']> {
    if (this.ids.has(id)) throw new Error(`node id "${id}" is used twice in pipeline "${this.name}"`);
    this.ids.add(id);
    const { params, inputs, after, ...rest } = (options ?? {}) as AddOptions<NodeTypeDecl> & { inputs?: Record<string, OutputRef> };
    this.nodes.push({ id, type: type.type, ...(params !== undefined ? { params: params as Record<string, unknown> } : {}), ...rest });
    for (const dep of after ?? []) this.edges.push({ from: dep.id, to: id });
    // The types catch these in TypeScript; plain JavaScript callers get the same checks here.
    for (const [port, decl] of Object.entries(type.inputs)) {
      if (!isOptionalPort(decl) && !inputs?.[port]) throw new Error(`node "${id}": input "${port}" of ${type.type} is required`);
    }
    for (const [port, ref] of Object.entries(inputs ?? {})) {
      if (!ref) continue;
      if (!(port in type.inputs)) throw new Error(`node "${id}": ${type.type} has no input "${port}"`);
      this.edges.push({ from: `${ref.node}.${ref.port}`, to: `${id}.${port}` });
    }
    const out = Object.fromEntries(
      Object.entries(type.outputs).map(([port, decl]) => [
        port,
        { node: id, port, portType: typeof decl === 'string' ? decl : decl.type },
      ]),
    );
    return { id, out: out as NodeHandle<D['outputs']>['out'] };
  }

  /** The JSON spec: the only interchange format. */
  toSpec(): PipelineSpec {
    const { description, params, required, maxParallel, failFast } = this.options;
    return {
      apiVersion: API_VERSION,
      name: this.name,
      ...(description !== undefined ? { description } : {}),
      ...(params !== undefined
        ? { params: { type: 'object', properties: params, ...(required?.length ? { required } : {}) } }
        : {}),
      ...(maxParallel !== undefined ? { maxParallel } : {}),
      ...(failFast !== undefined ? { failFast } : {}),
      nodes: structuredClone(this.nodes),
      edges: structuredClone(this.edges),
    };
  }
}

/** Starts a pipeline definition. */
export function pipeline<P extends ParamsDecl = Record<never, never>>(
  name: string,
  options?: ConstructorParameters<typeof Pipeline<P>>[1],
): Pipeline<P> {
  return new Pipeline<P>(name, options);
}
