import { type Catalog, type PipelineSpec, type Problem, formatPath, refKind } from '@kiln/engine';
import { dataUriRefusal } from './data-uri';
import { dataUriParamNames } from './data-uri-param';
import type { DataAccessPolicy } from './policy';

/** The params of a node type its declaration marks as data URIs (`dataUriParam`). */
function dataUriParams(catalog: Catalog, type: string): string[] {
  const info = catalog.get(type);
  return info ? dataUriParamNames(info.paramsJsonSchema) : [];
}

/**
 * Data URIs in a spec that the policy refuses, as problems naming node and path: literal values,
 * and the defaults of run parameters they take (`{"$param": name}`). A value given when the run
 * starts, or by an upstream output, is checked by the node when it runs.
 */
export function dataAccessProblems(
  spec: PipelineSpec,
  catalog: Catalog,
  policy: DataAccessPolicy,
): Problem[] {
  const problems: Problem[] = [];
  const runParams = (spec.params?.properties ?? {}) as Record<string, { default?: unknown } | undefined>;
  spec.nodes.forEach((node, i) => {
    for (const key of dataUriParams(catalog, node.type)) {
      const value = node.params?.[key];
      let uri = value;
      let path = formatPath(['nodes', i, 'params', key]);
      let via = '';
      if (refKind(value) === '$param') {
        const name = (value as { $param: string }).$param;
        uri = runParams[name]?.default;
        path = formatPath(['params', 'properties', name, 'default']);
        via = ` (the default of run parameter "${name}")`;
      }
      if (typeof uri !== 'string') continue;
      const reason = dataUriRefusal(uri, policy);
      if (reason)
        problems.push({
          path,
          message: `node "${node.id}": ${key}${via} ${uri} is refused: ${reason}`,
          nodeId: node.id,
        });
    }
  });
  return problems;
}
