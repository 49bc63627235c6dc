export { compileFilter, escapeLike } from './compile.js';
export type { CollectionSpec, EntitySpec, ODataType, PropertySpec } from './entity.js';
export type {
  ComparisonOperator,
  FilterNode,
  FilterValue,
  OrderingOperator,
  PropertyRef,
} from './filter-parser.js';
export {
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_IN_VALUES,
  ORDERING_OPERATORS,
  parseFilter,
} from './filter-parser.js';
export type { Cursor, Page, SkipToken, SortValue } from './paging.js';
export {
  applyFilter,
  applyQuery,
  decodeSkipToken,
  encodeSkipToken,
  pageResult,
  whereClause,
} from './paging.js';
export type { OrderBy, QueryOptions, SortDirection } from './query-options.js';
export { DEFAULT_TOP, MAX_TOP, parseQueryOptions } from './query-options.js';
export type { SearchClause, SearchExpression } from './search.js';
export { compileSearch, parseSearch } from './search.js';
