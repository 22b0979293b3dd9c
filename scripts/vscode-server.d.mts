// Types of vscode-server.mjs, for the TypeScript that imports it (the test tiers' set-up).

export declare const CHROMIUM: string;
export declare function chromiumPath(): string;
export declare function ensureChromium(): Promise<string>;
export declare function ensurePython3(): Promise<string>;
export declare function ensureVSCodeServer(): Promise<{ nodeBin: string; serverMain: string; chromium: string; cacheDir: string; vscodeVersion: string }>;
export type Tier = 'unit' | 'browser' | 'integration';
export declare function ensureTier(tier: Tier): Promise<Record<string, string>>;
/** One install at a time per cache folder (`root`): `fn` runs while this process holds its lock. */
export declare function withLock<T>(root: string, fn: () => T | Promise<T>): Promise<T>;
