import { ColumnBuilder, type BuilderContext } from './column-builder';
import { StringBuilder } from './string-builder';
import type { ColumnType } from './type-inference';
import { BoolBuilder, DateBuilder, FloatBuilder, IntBuilder } from './typed-builders';

export { ColumnBuilder, type BuilderContext, type ColumnPiece } from './column-builder';

/** A builder for a column of the given type. */
export function columnBuilder(
  name: string,
  type: ColumnType,
  overridden: boolean,
  context: BuilderContext,
  capacity: number,
): ColumnBuilder {
  switch (type) {
    case 'int':
      return new IntBuilder(name, overridden, context, capacity);
    case 'float':
      return new FloatBuilder(name, overridden, context, capacity);
    case 'bool':
      return new BoolBuilder(name, overridden, context, capacity);
    case 'date':
      return new DateBuilder(name, overridden, context, capacity);
    case 'string':
      return new StringBuilder(name, overridden, context, capacity);
  }
}
