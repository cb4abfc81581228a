export declare const COMPILED_PACKAGES: readonly string[];
export declare const BUILD_STAMP: string;
/** Whether the build in the checkout rooted at `root` is newer than every source file there. */
export declare function buildIsCurrent(root: URL): boolean;
