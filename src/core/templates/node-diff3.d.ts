/**
 * The part of node-diff3's API Paved uses. Its own declarations are reachable only through package `exports`, which
 * this project's `moduleResolution: node` does not read; the shapes below are copied from node-diff3 3.2.1.
 */
declare module 'node-diff3' {
  export interface MergeRegion<T> {
    ok?: T[];
    conflict?: { a: T[]; aIndex: number; b: T[]; bIndex: number; o: T[]; oIndex: number };
  }
  export interface IMergeOptions {
    excludeFalseConflicts?: boolean;
    stringSeparator?: string | RegExp;
  }
  export function diff3Merge<T = string>(a: string | T[], o: string | T[], b: string | T[], options?: IMergeOptions): MergeRegion<T>[];
}
