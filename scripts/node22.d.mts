/** Types of scripts/node22.mjs (for conformance/run.ts). */
export declare function node22Binary(): string
