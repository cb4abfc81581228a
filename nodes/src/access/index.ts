export * from './policy';
export { DataAccessRefused } from './refusal';
export { addressRefusal, hostAllowed, ipLiteral } from './address';
export {
  localPathOf,
  localPathRefusal,
  openLocalData,
  LocalDataUnreadable,
  type OpenedLocalData,
} from './local-path';
export { guardedGet, urlRefusal, MAX_REDIRECTS, type Resolver } from './guarded-fetch';
export { parseS3Uri, s3Refusal } from './s3-bucket';
export { DATA_URI_KEYWORD, dataUriParam, dataUriParamNames } from './data-uri-param';
export { dataUriKind, dataUriRefusal, type DataUriKind } from './data-uri';
export { dataAccessProblems } from './spec-check';
