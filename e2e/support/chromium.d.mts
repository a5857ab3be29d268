// Types for chromium.mjs.
export declare const CHROMIUM: string;
export declare const chromiumMissing: boolean;
export declare const CHROMIUM_ARGS: string[];
