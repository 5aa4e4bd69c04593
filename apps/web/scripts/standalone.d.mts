export declare const WEB_ROOT: string;
/** Copies `public/` and `<distDir>/static` beside the standalone server; returns its path. */
export declare function prepareStandalone(distDir?: string): string;
