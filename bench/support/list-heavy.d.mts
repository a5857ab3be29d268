// Types for list-heavy.mjs.
/** About `targetBytes` of list-heavy markdown (ASCII), ending with its definitions. */
export declare function listHeavyRunbook(targetBytes: number): string;
