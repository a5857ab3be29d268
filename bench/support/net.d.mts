// Types for net.mjs.
export declare function freePort(): Promise<number>;
