/**
 * The types a port can carry. An edge connects an output to an input of the same type.
 * `Json` is a plain JSON value (a count, a list to map over); every other type is a small JSON
 * document that points at artifacts in the store.
 */
export const PORT_TYPES = ['Dataset', 'Model', 'Transform', 'Metrics', 'Report', 'Deployment', 'Json'] as const;

export type PortType = (typeof PORT_TYPES)[number];

/** A port declaration: its type alone, or its type with options. */
export type PortDecl = PortType | { readonly type: PortType; readonly optional?: boolean; readonly description?: string };

/** Port name → declaration. */
export type PortMap = Readonly<Record<string, PortDecl>>;

export function portTypeOf(decl: PortDecl): PortType {
  return typeof decl === 'string' ? decl : decl.type;
}

export function isOptionalPort(decl: PortDecl): boolean {
  return typeof decl !== 'string' && decl.optional === true;
}

/** The port type of a declaration, at the type level. */
export type TypeOf<D extends PortDecl> = D extends PortType ? D : D extends { type: infer T extends PortType } ? T : never;
/** The ports of a map declared `optional: true`. */
export type OptionalKeys<I extends PortMap> = { [K in keyof I]: I[K] extends { optional: true } ? K : never }[keyof I];
export type RequiredKeys<I extends PortMap> = Exclude<keyof I, OptionalKeys<I>>;
