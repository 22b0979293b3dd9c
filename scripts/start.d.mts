// Types of start.mjs, for the tests that import it.

export declare const EXAMPLES: string;
export declare const FIRST_EXAMPLE: string;
export declare function demoSettings(): Record<string, unknown>;
export declare function demoUrl(base: string, folder: string): string;
